//! gazette: a search engine for multilingual news and tweets, on tantivy.
//!
//! Indexing: [`ingest`] reads articles and tweets and cuts them into
//! passages, [`analysis`] turns text into terms per language, [`index`]
//! writes them. Querying: [`search`] parses, ranks, picks passages and
//! highlights; [`output`] prints. [`server`] answers the same over HTTP.
//!
//! ```no_run
//! use gazette::{index, search};
//! let dir = std::path::Path::new("index");
//! let opts = index::writer::IndexOptions { paths: vec!["corpus".into()], ..Default::default() };
//! let idx = index::open_or_create(dir)?;
//! index::writer::run(&idx, &opts, |_| {})?;
//! let engine = search::Engine::open(dir)?;
//! let resp = engine.search(&search::Request { query: "Guaidó".into(), ..Default::default() })?;
//! assert!(resp.total > 0);
//! # Ok::<(), gazette::Error>(())
//! ```
#![warn(missing_docs)]

pub mod analysis;
pub mod engine;
pub mod error;
pub mod eval;
pub mod index;
pub mod ingest;
pub mod model;
pub mod output;
pub mod schema;
pub mod search;
pub mod server;

pub use error::{Error, Result};
