//! gazette's integration tests: one test binary that runs the real `gazette`
//! executable (each test with its own index in a temporary folder) and reads
//! its JSON through the library's serde types.
//!
//! - `query_corpus`: queries on the sample corpus in `corpus/`
//! - `output`: formats, JSON schema, offsets, colour, exit codes, pipes
//! - `multi`: several indexes searched as one
//! - `multilingual`: queries on `tests/fixtures/multilingual.jsonl`
//! - `server`: `gazette serve` on a free port, over HTTP
//! - `cluster`: a 3-node Typesense cluster, `export` and `query --engine`
//! - `shared`: tests that read `../shared/corpora` at run time
//! - `watch`: `gazette index --watch` on a temporary folder

#[path = "it/batch.rs"]
mod batch;
#[path = "it/cluster.rs"]
mod cluster;
#[path = "it/common.rs"]
mod common;
#[path = "it/duplicates.rs"]
mod duplicates;
#[path = "it/eval.rs"]
mod eval;
#[path = "it/explain.rs"]
mod explain;
#[path = "it/faults.rs"]
mod faults;
#[path = "it/formats.rs"]
mod formats;
#[path = "it/indexing.rs"]
mod indexing;
#[path = "it/model.rs"]
mod model;
#[path = "it/multi.rs"]
mod multi;
#[path = "it/multilingual.rs"]
mod multilingual;
#[path = "it/output.rs"]
mod output;
#[path = "it/passages.rs"]
mod passages;
#[path = "it/progress.rs"]
mod progress;
#[path = "it/query_corpus.rs"]
mod query_corpus;
#[path = "it/ranking.rs"]
mod ranking;
#[path = "it/server.rs"]
mod server;
#[path = "it/shared.rs"]
mod shared;
#[path = "it/shell.rs"]
mod shell;
#[path = "it/watch.rs"]
mod watch;
