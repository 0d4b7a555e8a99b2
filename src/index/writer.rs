//! An indexing run: read → parse and analyze in parallel → upsert → commit.
//!
//! A document is identified by its id; one whose content hash is already in
//! the index is skipped before analysis, a changed one has all its passages
//! replaced in the same commit, so a query never sees both versions.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::indexer::UserOperation;
use tantivy::schema::Value;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::GazetteIndex;
use crate::error::{Error, Result};
use crate::ingest::{self, Record, read};

/// Options of an indexing run.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Files, folders, `-`.
    pub paths: Vec<PathBuf>,
    /// Start the index afresh.
    pub rebuild: bool,
    /// Remove documents previously indexed from the given folders whose files are gone.
    pub prune: bool,
    /// Writer memory budget in bytes.
    pub memory: usize,
    /// Indexing threads of tantivy's writer (0 = automatic).
    pub threads: usize,
    /// Commit after this many records (not in a rebuild: it commits once).
    pub commit_every: usize,
    /// Any rejected record rejects the whole run.
    pub strict: bool,
    /// Wait for another writer instead of failing.
    pub wait: bool,
    /// Leave out a document whose text nearly copies one already indexed
    /// (or added earlier in the run): estimated Jaccard similarity of its
    /// word triples at least this ([`super::dedup`]).
    pub skip_duplicates: Option<f32>,
    /// Input format and CSV columns (`--input-format`, `--map`).
    pub read: ingest::ReadOptions,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            paths: Vec::new(),
            rebuild: false,
            prune: false,
            memory: 256 << 20,
            threads: 0,
            commit_every: 20_000,
            strict: false,
            wait: false,
            skip_duplicates: None,
            read: ingest::ReadOptions::default(),
        }
    }
}

/// Segments of more passages than this are not merged while indexing.
/// tantivy's log merge policy otherwise merges ever larger segments as
/// the index grows: each passage is rewritten once per level (indexing
/// time grows faster than the records), and a merge maps every byte of
/// its inputs (peak memory grows with the index). Below the cap, merges
/// join the small segments of each commit into segments of a few hundred
/// thousand passages; `gazette optimize` merges everything when asked.
pub const MERGE_MAX_PASSAGES: usize = 131_072;

/// A rejected input, as `source:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordError {
    /// File (or `-`).
    pub source: String,
    /// 1-based line, 0 for the whole file.
    pub line: u64,
    /// Why it was rejected.
    pub message: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.message)
    }
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// New documents.
    pub added: u64,
    /// Documents whose content changed.
    pub updated: u64,
    /// Documents already indexed with the same content.
    pub unchanged: u64,
    /// Documents removed (by `--prune`).
    pub deleted: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Passages written.
    pub passages: u64,
    /// Wall time.
    pub elapsed_ms: u64,
    /// Each rejected record.
    pub errors: Vec<RecordError>,
    /// Documents left out as near-copies (`--skip-duplicates`).
    #[serde(default)]
    pub duplicates: u64,
    /// Each document left out, with the id of the one it copies.
    #[serde(default)]
    pub duplicate_of: Vec<DuplicateOf>,
}

/// A document left out by `--skip-duplicates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateOf {
    /// Its id.
    pub id: String,
    /// The id of the indexed document it nearly copies.
    pub copies: String,
    /// Their estimated similarity.
    pub similarity: f32,
}

/// Progress reported while indexing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Records processed.
    pub records: u64,
    /// Input bytes processed (uncompressed).
    pub bytes: u64,
    /// Input files.
    pub files: u64,
    /// Bytes read from disk so far (compressed, for gzip input).
    pub disk_read: u64,
    /// Size of all input files on disk (0 when reading standard input only).
    pub disk_total: u64,
}

/// Opens a writer, failing at once (or waiting) if another process holds it.
pub fn open_writer(index: &GazetteIndex, opts: &IndexOptions) -> Result<IndexWriter> {
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(4)
    } else {
        opts.threads
    };
    let memory = opts.memory.max((threads * 16) << 20);
    loop {
        match index.index.writer_with_num_threads(threads, memory) {
            Ok(w) => {
                let mut policy = tantivy::indexer::LogMergePolicy::default();
                policy.set_max_docs_before_merge(MERGE_MAX_PASSAGES);
                w.set_merge_policy(Box::new(policy));
                // A run killed before its commit leaves files that no
                // commit refers to (a segment, a `.del` file); this run's
                // commit could want the same names (opstamps restart from
                // the last commit's), so they go first.
                w.garbage_collect_files().wait()?;
                return Ok(w);
            }
            Err(tantivy::TantivyError::LockFailure(..)) if opts.wait => {
                std::thread::sleep(Duration::from_millis(200))
            }
            Err(tantivy::TantivyError::LockFailure(..)) => {
                return Err(Error::Locked(index.path.clone()));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The content hash of every live document, by id.
pub fn known_documents(index: &GazetteIndex) -> Result<HashMap<String, u64>> {
    let reader = index.index.reader()?;
    let searcher = reader.searcher();
    let mut known = HashMap::new();
    for segment in searcher.segment_readers() {
        let ids = segment
            .fast_fields()
            .str("doc_id")?
            .ok_or_else(|| Error::Invalid("index lacks doc_id fast field".into()))?;
        let hashes = segment.fast_fields().u64("doc_hash")?;
        // Read the id dictionary once, in order, rather than one lookup per
        // passage (each lookup decompresses a block).
        let mut by_ord: Vec<String> = Vec::new();
        let mut stream = ids.dictionary().stream()?;
        while stream.advance() {
            by_ord.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
        for doc in segment.doc_ids_alive() {
            let Some(ord) = ids.term_ords(doc).next() else {
                continue;
            };
            let Some(id) = by_ord.get(ord as usize) else {
                continue;
            };
            if let Some(h) = hashes.first(doc) {
                known.entry(id.clone()).or_insert(h);
            }
        }
    }
    Ok(known)
}

enum Outcome {
    Rejected(RecordError),
    Unchanged(String, u64),
    Ready {
        id: String,
        hash: u64,
        docs: Vec<TantivyDocument>,
    },
}

fn process(record: &Record, index: &GazetteIndex, known: &HashMap<String, u64>) -> Outcome {
    let mut parsed = match ingest::identify(record) {
        Ok(p) => p,
        Err(Error::Record {
            file,
            line,
            message,
        }) => {
            return Outcome::Rejected(RecordError {
                source: file,
                line,
                message,
            });
        }
        Err(e) => {
            return Outcome::Rejected(RecordError {
                source: record.input.display.clone(),
                line: record.line,
                message: e.to_string(),
            });
        }
    };
    if known.get(&parsed.doc.id) == Some(&parsed.doc.hash) {
        return Outcome::Unchanged(parsed.doc.id, parsed.doc.hash);
    }
    parsed.cut();
    if parsed.passages.is_empty() {
        return Outcome::Rejected(RecordError {
            source: record.input.display.clone(),
            line: record.line,
            message: "no text to index".into(),
        });
    }
    let docs = super::build::documents(&parsed, &index.fields);
    Outcome::Ready {
        id: parsed.doc.id,
        hash: parsed.doc.hash,
        docs,
    }
}

fn record_bytes(r: &Record) -> u64 {
    r.body.len() as u64
}

/// Runs an indexing job on `index`; `progress` is called after each batch.
pub fn run(
    index: &GazetteIndex,
    opts: &IndexOptions,
    mut progress: impl FnMut(Progress),
) -> Result<Summary> {
    let started = Instant::now();
    let mut writer = open_writer(index, opts)?;
    let mut summary = Summary::default();
    let mut known = if opts.rebuild {
        writer.delete_all_documents()?;
        HashMap::new()
    } else {
        known_documents(index)?
    };
    let (inputs, path_errors) = read::expand_as(&opts.paths, opts.read.format);
    for e in path_errors {
        if let Error::Record {
            file,
            line,
            message,
        } = e
        {
            summary.errors.push(RecordError {
                source: file,
                line,
                message,
            });
        }
    }
    let origins: Vec<String> = opts
        .paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| read::origin_of(p))
        .collect();

    const BATCH: usize = 256;
    let (tx, rx) = sync_channel::<Vec<Record>>(4);
    let counter = read::ReadCounter::default();
    let reader_counter = counter.clone();
    let mut stats = Progress {
        files: inputs.len() as u64,
        disk_total: read::disk_size(&inputs),
        ..Progress::default()
    };
    let read_opts = opts.read.clone();
    let reader = std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        ingest::stream_records_with(inputs, &read_opts, &reader_counter, |r| {
            batch.push(r);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                return tx.send(full).is_ok();
            }
            true
        });
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
    });

    // Documents to compare new ones with, by number, with their ids.
    let mut near = match opts.skip_duplicates {
        Some(_) if !opts.rebuild => Some(super::dedup::near_index(index)?),
        Some(_) => Some(Default::default()),
        None => None,
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut since_commit = 0usize;
    let id_field = index.fields.doc_id;
    for batch in rx {
        let outcomes: Vec<Outcome> = batch
            .par_iter()
            .map(|r| process(r, index, &known))
            .collect();
        stats.records += batch.len() as u64;
        stats.bytes += batch.iter().map(record_bytes).sum::<u64>();
        stats.disk_read = counter.get();
        for (record, outcome) in batch.iter().zip(outcomes) {
            let outcome = match outcome {
                // Same as the index held at the start, but an earlier record
                // of this run replaced it: write this content back.
                Outcome::Unchanged(id, hash) if seen.get(&id).is_some_and(|h| *h != hash) => {
                    process(record, index, &HashMap::new())
                }
                other => other,
            };
            match outcome {
                Outcome::Rejected(e) => summary.errors.push(e),
                Outcome::Unchanged(id, hash) => {
                    seen.insert(id, hash);
                    summary.unchanged += 1;
                }
                Outcome::Ready { id, hash, docs } => {
                    if let (Some(threshold), Some((near, ids))) = (opts.skip_duplicates, &mut near)
                        && let Some(sig) = doc_signature(index, &docs)
                    {
                        if let Some((n, similarity)) =
                            near.nearest(&sig, threshold, |n| ids[n as usize] == id)
                        {
                            summary.duplicates += 1;
                            summary.duplicate_of.push(DuplicateOf {
                                copies: ids[n as usize].clone(),
                                id,
                                similarity,
                            });
                            continue;
                        }
                        near.insert(sig);
                        ids.push(id.clone());
                    }
                    let before = seen
                        .insert(id.clone(), hash)
                        .or_else(|| known.get(&id).copied());
                    let mut ops = Vec::with_capacity(docs.len() + 1);
                    match before {
                        Some(h) if h == hash => {
                            summary.unchanged += 1;
                            continue;
                        }
                        Some(_) => {
                            summary.updated += 1;
                            ops.push(UserOperation::Delete(Term::from_field_text(id_field, &id)));
                        }
                        None => summary.added += 1,
                    }
                    summary.passages += docs.len() as u64;
                    // One batch per document: its passages go to one indexing
                    // thread, in order, into one segment (the title repeated
                    // on each is analyzed once, see GazetteTokenizer).
                    ops.extend(docs.into_iter().map(UserOperation::Add));
                    writer.run(ops)?;
                }
            }
        }
        since_commit += batch.len();
        // A rebuild commits once, at the end: committing its first records
        // would publish the deletion of the whole old index with them, and
        // an interrupted rebuild would leave a partial index behind.
        if since_commit >= opts.commit_every && !opts.strict && !opts.rebuild {
            writer.commit()?;
            since_commit = 0;
        }
        progress(stats);
    }
    reader
        .join()
        .map_err(|_| Error::Invalid("input reader thread panicked".into()))?;

    if opts.prune && !origins.is_empty() {
        summary.deleted += prune(index, &mut writer, &origins, &seen, &mut known)?;
    }
    summary.rejected = summary.errors.len() as u64;
    if opts.strict && summary.rejected > 0 {
        writer.rollback()?;
        summary.added = 0;
        summary.updated = 0;
        summary.deleted = 0;
        summary.passages = 0;
    } else {
        writer.commit()?;
    }
    writer.wait_merging_threads()?;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// The document signature of a document's tantivy documents (on its first).
fn doc_signature(
    index: &GazetteIndex,
    docs: &[TantivyDocument],
) -> Option<crate::analysis::minhash::Signature> {
    let bytes = docs.first()?.get_first(index.fields.doc_sig)?.as_bytes()?;
    bytes.try_into().ok()
}

/// Deletes documents indexed from `origins` that this run did not see.
fn prune(
    index: &GazetteIndex,
    writer: &mut IndexWriter,
    origins: &[String],
    seen: &HashMap<String, u64>,
    known: &mut HashMap<String, u64>,
) -> Result<u64> {
    let reader = index.index.reader()?;
    let searcher = reader.searcher();
    let mut gone = std::collections::BTreeSet::new();
    for origin in origins {
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(index.fields.origin, origin),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let addrs = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(id) = doc.get_first(index.fields.doc_id).and_then(|v| v.as_str())
                && !seen.contains_key(id)
            {
                gone.insert(id.to_string());
            }
        }
    }
    for id in &gone {
        writer.delete_term(Term::from_field_text(index.fields.doc_id, id));
        known.remove(id);
    }
    Ok(gone.len() as u64)
}

/// Deletes documents by id; returns how many existed.
pub fn delete(index: &GazetteIndex, ids: &[String], wait: bool) -> Result<u64> {
    let known = known_documents(index)?;
    let opts = IndexOptions {
        wait,
        ..IndexOptions::default()
    };
    let mut writer = open_writer(index, &opts)?;
    let mut n = 0;
    for id in ids {
        if known.contains_key(id) {
            n += 1;
        }
        writer.delete_term(Term::from_field_text(index.fields.doc_id, id));
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(n)
}

/// Merges all segments into one and removes deleted passages for good.
pub fn optimize(index: &GazetteIndex, wait: bool) -> Result<usize> {
    let opts = IndexOptions {
        wait,
        ..IndexOptions::default()
    };
    let mut writer = open_writer(index, &opts)?;
    let ids = index.index.searchable_segment_ids()?;
    if ids.len() > 1 {
        writer.merge(&ids).wait()?;
    }
    writer.commit()?;
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    Ok(ids.len())
}
