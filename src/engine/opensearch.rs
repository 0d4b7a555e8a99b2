//! OpenSearch: an index mapping and `_bulk` files of every passage, for a
//! sharded cluster (`gazette export --to opensearch --out DIR`).
//!
//! The `terms` field holds gazette's terms as they are (OpenSearch keeps a
//! whitespace-separated token verbatim: no lower-casing, no folding), so a
//! `match` query of gazette's query terms finds what gazette would, scored
//! by BM25 with gazette's k1 and b. The files follow OpenSearch's
//! documented formats (create-index body; bulk: an action line and a
//! source line per passage, every line ending in a newline); no server
//! runs here to load them.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::PassageDoc;
use crate::error::{Error, Result};
use crate::search::Engine;
use crate::search::query::{BM25_B, BM25_K1};

/// Passages per bulk file (a few MB each: OpenSearch's advice for bulk
/// request sizes).
pub const PASSAGES_PER_FILE: usize = 5000;
/// Longest token OpenSearch's whitespace tokenizer keeps whole here (its
/// default, 255, would cut long links).
const MAX_TOKEN: u32 = 4096;

/// The create-index body (`PUT /NAME`): settings, analysis and mapping.
pub fn mapping(shards: u32, replicas: u32) -> Value {
    let keyword = json!({"type": "keyword"});
    let stored = |t: &str| json!({"type": t, "index": false});
    json!({
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "similarity": {
                    "gazette_bm25": {"type": "BM25", "k1": BM25_K1, "b": BM25_B}
                }
            },
            "analysis": {
                "tokenizer": {
                    "gazette_terms": {"type": "whitespace", "max_token_length": MAX_TOKEN}
                },
                "analyzer": {
                    "gazette_terms": {"type": "custom", "tokenizer": "gazette_terms"}
                }
            }
        },
        "mappings": {
            "dynamic": false,
            "properties": {
                "terms": {"type": "text", "analyzer": "gazette_terms",
                          "similarity": "gazette_bm25"},
                "id": keyword,
                "doc_id": keyword,
                "lang": keyword,
                "kind": keyword,
                "date": {"type": "date", "format": "yyyy-MM-dd"},
                "day": {"type": "long"},
                "author": keyword,
                "author_words": keyword,
                "handle": keyword,
                "hash": keyword,
                "text": stored("text"),
                "title": stored("text"),
                "doc_kind": stored("keyword"),
                "doc_lang": stored("keyword"),
                "doc_date": stored("keyword"),
                "source": stored("keyword"),
                "url": stored("keyword"),
                "start": stored("long"),
                "end": stored("long"),
                "char_start": stored("long"),
                "char_end": stored("long"),
                "tweet": {"type": "object", "enabled": false}
            }
        }
    })
}

/// The two bulk lines of a passage: `index` action with its id, then the
/// passage (without nulls, with its content hash).
pub fn bulk_lines(index: &str, doc: &PassageDoc, out: &mut Vec<u8>) {
    let action = json!({"index": {"_index": index, "_id": doc.id}});
    serde_json::to_writer(&mut *out, &action).expect("serializable");
    out.push(b'\n');
    let mut v = serde_json::to_value(doc).expect("serializable");
    let map = v.as_object_mut().expect("an object");
    map.retain(|_, v| !v.is_null());
    map.insert("hash".into(), Value::String(doc.content_hash()));
    serde_json::to_writer(&mut *out, &v).expect("serializable");
    out.push(b'\n');
}

/// What `gazette export --to opensearch` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WriteSummary {
    /// The index name in the action lines.
    pub index: String,
    /// Passages written.
    pub passages: u64,
    /// The mapping file.
    pub mapping: PathBuf,
    /// The bulk files, in order.
    pub bulk: Vec<PathBuf>,
}

/// Writes `mapping.json` and `bulk-NNNNN.ndjson` files of every passage
/// of `engine`'s index into `dir`.
pub fn write(
    engine: &Engine,
    dir: &Path,
    index: &str,
    shards: u32,
    replicas: u32,
) -> Result<WriteSummary> {
    if index.is_empty()
        || index.starts_with(['_', '-', '+'])
        || index
            .chars()
            .any(|c| c.is_ascii_uppercase() || " \"*\\<|,>/?#:".contains(c))
    {
        return Err(Error::Invalid(format!(
            "{index:?} is not a valid OpenSearch index name (lower case, no spaces or \" * \\ < | , > / ? # :)"
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mapping_path = dir.join("mapping.json");
    let body = serde_json::to_vec_pretty(&mapping(shards, replicas)).expect("serializable");
    std::fs::write(&mapping_path, body).map_err(|e| Error::io(&mapping_path, e))?;
    let mut summary = WriteSummary {
        index: index.to_string(),
        mapping: mapping_path,
        ..Default::default()
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut in_file = 0usize;
    let flush = |buf: &mut Vec<u8>, summary: &mut WriteSummary| -> Result<()> {
        let path = dir.join(format!("bulk-{:05}.ndjson", summary.bulk.len() + 1));
        let mut f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        f.write_all(buf).map_err(|e| Error::io(&path, e))?;
        summary.bulk.push(path);
        buf.clear();
        Ok(())
    };
    engine.for_each_passage(|hit, author| {
        let doc = PassageDoc::from_hit(hit, author);
        bulk_lines(index, &doc, &mut buf);
        summary.passages += 1;
        in_file += 1;
        if in_file == PASSAGES_PER_FILE {
            flush(&mut buf, &mut summary)?;
            in_file = 0;
        }
        Ok(())
    })?;
    if in_file > 0 {
        flush(&mut buf, &mut summary)?;
    }
    Ok(summary)
}
