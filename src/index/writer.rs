//! An indexing run: read → parse and analyze in parallel → upsert → commit.
//!
//! A document is identified by its id; one whose content hash is already in
//! the index is skipped before analysis, a changed one has all its passages
//! replaced in the same commit, so a query never sees both versions.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::indexer::UserOperation;
use tantivy::schema::Value;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::GazetteIndex;
use super::merge::{self, BoundedMerges, MERGE_MAX_BYTES};
use crate::analysis::minhash::NearIndex;
use crate::error::{Error, Result};
use crate::ingest::{self, Input, Record, read};

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

/// A document id as a run remembers it: 128 bits of its xxh3 hash. An
/// entry of [`Known`] takes 24 bytes (and the table's slack) instead of a
/// `String`'s 24 plus the id's own bytes on the heap: a run keeps one per
/// document of the index, and at a million documents that was 90 MB.
/// Two ids of one key are as likely as two random 128-bit values being
/// equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdKey([u64; 2]);

impl IdKey {
    /// The key of the id `id` (its UTF-8 bytes).
    pub fn of(id: &[u8]) -> IdKey {
        let h = xxhash_rust::xxh3::xxh3_128(id);
        IdKey([h as u64, (h >> 64) as u64])
    }
}

/// Documents by id with their content hashes: what a writing session knows
/// the index holds.
#[derive(Debug, Default, Clone)]
pub struct Known(rustc_hash::FxHashMap<IdKey, u64>);

impl Known {
    /// The content hash of the document `id`.
    pub fn get(&self, id: &str) -> Option<u64> {
        self.0.get(&IdKey::of(id.as_bytes())).copied()
    }

    /// Is `id` a document?
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains_key(&IdKey::of(id.as_bytes()))
    }

    /// Records `id` with `hash`; returns the hash it had.
    pub fn insert(&mut self, id: &str, hash: u64) -> Option<u64> {
        self.0.insert(IdKey::of(id.as_bytes()), hash)
    }

    /// Forgets `id`; returns the hash it had.
    pub fn remove(&mut self, id: &str) -> Option<u64> {
        self.0.remove(&IdKey::of(id.as_bytes()))
    }

    /// How many documents.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No documents?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

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
                w.set_merge_policy(Box::new(BoundedMerges {
                    dir: index.path.clone(),
                    max_bytes: MERGE_MAX_BYTES,
                }));
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
pub fn known_documents(index: &GazetteIndex) -> Result<Known> {
    let reader = index.index.reader()?;
    let searcher = reader.searcher();
    let mut known = Known::default();
    for segment in searcher.segment_readers() {
        let ids = segment
            .fast_fields()
            .str("doc_id")?
            .ok_or_else(|| Error::Invalid("index lacks doc_id fast field".into()))?;
        let hashes = segment.fast_fields().u64("doc_hash")?;
        // Read the id dictionary once, in order, rather than one lookup per
        // passage (each lookup decompresses a block).
        let mut by_ord: Vec<IdKey> = Vec::new();
        let mut stream = ids.dictionary().stream()?;
        while stream.advance() {
            by_ord.push(IdKey::of(stream.key()));
        }
        for doc in segment.doc_ids_alive() {
            let Some(ord) = ids.term_ords(doc).next() else {
                continue;
            };
            let Some(id) = by_ord.get(ord as usize) else {
                continue;
            };
            if let Some(h) = hashes.first(doc) {
                known.0.entry(*id).or_insert(h);
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

fn process(record: &Record, index: &GazetteIndex, known: &Known) -> Outcome {
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
    if known.get(&parsed.doc.id) == Some(parsed.doc.hash) {
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

/// Whether `input` is one of the index's own files (`gazette index .`
/// with the index folder inside `.`: its `meta.json` is no article).
fn inside_index(index: &GazetteIndex, input: &Input) -> bool {
    let (Some(path), Ok(own)) = (&input.path, std::fs::canonicalize(&index.path)) else {
        return false;
    };
    std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(own))
}

/// Runs an indexing job on `index`; `progress` is called after each batch.
pub fn run(
    index: &GazetteIndex,
    opts: &IndexOptions,
    progress: impl FnMut(Progress),
) -> Result<Summary> {
    let started = Instant::now();
    let mut session = Session::open(index, opts)?;
    session.defer_merges();
    let mut summary = Summary::default();
    let (mut inputs, path_errors) = read::expand_as(&opts.paths, opts.read.format);
    inputs.retain(|input| !inside_index(index, input));
    summary
        .errors
        .extend(path_errors.into_iter().filter_map(record_error));
    let origins = origins(&opts.paths);
    let mut seen = rustc_hash::FxHashSet::default();
    session.add(inputs, &mut summary, progress, |_, id| {
        if opts.prune {
            seen.insert(IdKey::of(id.as_bytes()));
        }
    })?;
    if opts.prune && !origins.is_empty() {
        summary.deleted +=
            session.prune(&origins, |id| seen.contains(&IdKey::of(id.as_bytes())))?;
    }
    summary.rejected = summary.errors.len() as u64;
    if opts.strict && summary.rejected > 0 {
        session.rollback()?;
        summary.added = 0;
        summary.updated = 0;
        summary.deleted = 0;
        summary.passages = 0;
    } else {
        session.commit()?;
        session.merge()?;
    }
    session.finish()?;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// A path error from [`read::expand_as`] as a rejected input.
pub fn record_error(e: Error) -> Option<RecordError> {
    match e {
        Error::Record {
            file,
            line,
            message,
        } => Some(RecordError {
            source: file,
            line,
            message,
        }),
        _ => None,
    }
}

/// The origins (see [`read::origin_of`]) of the folders among `paths`: what
/// `--prune` looks under.
pub fn origins(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| read::origin_of(p))
        .collect()
}

/// A writing session: it holds the index's writer lock from
/// [`Session::open`] to [`Session::finish`] (or drop), knows the content
/// hash of every document it holds (committed or not), and adds inputs,
/// deletes documents and commits as often as asked. `gazette index` is one
/// session of one [`Session::add`]; `gazette index --watch` keeps one open.
pub struct Session<'a> {
    index: &'a GazetteIndex,
    writer: IndexWriter,
    opts: IndexOptions,
    /// Content hash of each live document, as the writer holds it now.
    known: Known,
    /// Documents to compare new ones with (`--skip-duplicates`), with ids.
    near: Option<(NearIndex, Vec<String>)>,
    /// `known` and `near` no longer match the index (after a rollback).
    stale: bool,
    stop: Arc<AtomicBool>,
}

impl<'a> Session<'a> {
    /// Takes the writer lock (failing at once, or waiting with `opts.wait`);
    /// a rebuild deletes every document (published at the first commit).
    pub fn open(index: &'a GazetteIndex, opts: &IndexOptions) -> Result<Session<'a>> {
        let writer = open_writer(index, opts)?;
        let known = if opts.rebuild {
            writer.delete_all_documents()?;
            Known::default()
        } else {
            known_documents(index)?
        };
        let near = match opts.skip_duplicates {
            Some(_) if !opts.rebuild => Some(super::dedup::near_index(index)?),
            Some(_) => Some(Default::default()),
            None => None,
        };
        Ok(Session {
            index,
            writer,
            opts: opts.clone(),
            known,
            near,
            stale: false,
            stop: Arc::default(),
        })
    }

    /// A flag that, once set, makes [`Session::add`] stop reading (what it
    /// read is written; the caller decides whether to commit).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Makes `flag` the session's stop flag (see [`Session::stop_flag`]).
    pub fn set_stop_flag(&mut self, flag: Arc<AtomicBool>) {
        self.stop = flag;
    }

    /// Whether the stop flag is set.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Commit every `n` records inside [`Session::add`] (never in a rebuild
    /// or a strict run).
    pub fn set_commit_every(&mut self, n: usize) {
        self.opts.commit_every = n.max(1);
    }

    /// Is `id` a live document (committed or written since)?
    pub fn holds(&self, id: &str) -> bool {
        self.known.contains(id)
    }

    fn refresh(&mut self) -> Result<()> {
        if self.stale {
            self.known = known_documents(self.index)?;
            if self.near.is_some() {
                self.near = Some(super::dedup::near_index(self.index)?);
            }
            self.stale = false;
        }
        Ok(())
    }

    /// Reads, parses and writes `inputs` (a document whose content hash
    /// the index holds already is skipped), counting into `summary`;
    /// `progress` is called after each batch, `on_doc` with each input and
    /// the id of each document it holds that is now in the index (written
    /// or unchanged).
    pub fn add(
        &mut self,
        inputs: Vec<Input>,
        summary: &mut Summary,
        mut progress: impl FnMut(Progress),
        mut on_doc: impl FnMut(&Input, &str),
    ) -> Result<()> {
        self.refresh()?;
        let index = self.index;
        const BATCH: usize = 256;
        let (tx, rx) = sync_channel::<Vec<Record>>(4);
        let counter = read::ReadCounter::default();
        let reader_counter = counter.clone();
        let mut stats = Progress {
            files: inputs.len() as u64,
            disk_total: read::disk_size(&inputs),
            ..Progress::default()
        };
        let read_opts = self.opts.read.clone();
        let stop = self.stop.clone();
        let reader = std::thread::spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            ingest::stream_records_with(inputs, &read_opts, &reader_counter, |r| {
                if stop.load(Ordering::Relaxed) {
                    return false;
                }
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

        let mut since_commit = 0usize;
        for batch in rx {
            let outcomes: Vec<Outcome> = batch
                .par_iter()
                .map(|r| process(r, index, &self.known))
                .collect();
            stats.records += batch.len() as u64;
            stats.bytes += batch.iter().map(record_bytes).sum::<u64>();
            stats.disk_read = counter.get();
            for (record, outcome) in batch.iter().zip(outcomes) {
                let outcome = match outcome {
                    // Same as the index held when the batch began, but an
                    // earlier record replaced it since: write it back.
                    Outcome::Unchanged(id, hash) if self.known.get(&id) != Some(hash) => {
                        process(record, index, &Known::default())
                    }
                    other => other,
                };
                self.apply(record, outcome, summary, &mut on_doc)?;
            }
            since_commit += batch.len();
            // A rebuild commits once, at the end: committing its first
            // records would publish the deletion of the whole old index with
            // them, and an interrupted rebuild would leave a partial index.
            if since_commit >= self.opts.commit_every && !self.opts.strict && !self.opts.rebuild {
                self.writer.commit()?;
                since_commit = 0;
            }
            progress(stats);
        }
        reader
            .join()
            .map_err(|_| Error::Invalid("input reader thread panicked".into()))
    }

    fn apply(
        &mut self,
        record: &Record,
        outcome: Outcome,
        summary: &mut Summary,
        on_doc: &mut impl FnMut(&Input, &str),
    ) -> Result<()> {
        let (id, hash, docs) = match outcome {
            Outcome::Rejected(e) => {
                summary.errors.push(e);
                return Ok(());
            }
            Outcome::Unchanged(id, _) => {
                on_doc(&record.input, &id);
                summary.unchanged += 1;
                return Ok(());
            }
            Outcome::Ready { id, hash, docs } => (id, hash, docs),
        };
        if let (Some(threshold), Some((near, ids))) = (self.opts.skip_duplicates, &mut self.near)
            && let Some(sig) = doc_signature(self.index, &docs)
        {
            if let Some((n, similarity)) = near.nearest(&sig, threshold, |n| ids[n as usize] == id)
            {
                summary.duplicates += 1;
                summary.duplicate_of.push(DuplicateOf {
                    copies: ids[n as usize].clone(),
                    id,
                    similarity,
                });
                return Ok(());
            }
            near.insert(sig);
            ids.push(id.clone());
        }
        on_doc(&record.input, &id);
        let mut ops = Vec::with_capacity(docs.len() + 1);
        match self.known.insert(&id, hash) {
            Some(h) if h == hash => {
                summary.unchanged += 1;
                return Ok(());
            }
            Some(_) => {
                summary.updated += 1;
                let term = Term::from_field_text(self.index.fields.doc_id, &id);
                ops.push(UserOperation::Delete(term));
            }
            None => summary.added += 1,
        }
        summary.passages += docs.len() as u64;
        // One batch per document: its passages go to one indexing thread, in
        // order, into one segment (the title repeated on each is analyzed
        // once, see GazetteTokenizer).
        ops.extend(docs.into_iter().map(UserOperation::Add));
        self.writer.run(ops)?;
        Ok(())
    }

    /// Deletes the documents indexed from `origins` (committed ones) whose
    /// ids are not `seen`; returns how many.
    pub fn prune(&mut self, origins: &[String], seen: impl Fn(&str) -> bool) -> Result<u64> {
        let reader = self.index.index.reader()?;
        let searcher = reader.searcher();
        let mut gone = std::collections::BTreeSet::new();
        for origin in origins {
            let query = tantivy::query::TermQuery::new(
                Term::from_field_text(self.index.fields.origin, origin),
                tantivy::schema::IndexRecordOption::Basic,
            );
            let addrs = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
            for addr in addrs {
                let doc: TantivyDocument = searcher.doc(addr)?;
                if let Some(id) = doc
                    .get_first(self.index.fields.doc_id)
                    .and_then(|v| v.as_str())
                    && !seen(id)
                {
                    gone.insert(id.to_string());
                }
            }
        }
        for id in &gone {
            self.delete(id);
        }
        Ok(gone.len() as u64)
    }

    /// Deletes a document by id; returns whether the index held it.
    pub fn delete(&mut self, id: &str) -> bool {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.doc_id, id));
        self.known.remove(id).is_some()
    }

    /// Publishes everything written since the last commit.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        Ok(())
    }

    /// Holds tantivy's merges back until [`Session::merge`]: a run's
    /// merges then start after its last commit, when the indexing memory
    /// is free, instead of beside it (one merge maps up to
    /// [`MERGE_MAX_BYTES`] of segment files), and each passage is rewritten
    /// once per level (the run's segments are merged together, not the
    /// first commits' again and again as the run adds more).
    pub fn defer_merges(&mut self) {
        self.writer
            .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }

    /// Runs, one at a time, the merges [`merge::plan`] asks for among the
    /// committed segments until none is left (each is published when it
    /// ends: stopped halfway, the index keeps its segments); returns how
    /// many ran.
    pub fn merge(&mut self) -> Result<usize> {
        let mut n = 0;
        loop {
            let metas = self.index.index.searchable_segment_metas()?;
            let plan = merge::plan_segments(&self.index.path, &metas, MERGE_MAX_BYTES);
            // A segment's files stay while any of its metas lives
            // (tantivy tracks them): these must go before the merges, or
            // every merged segment would stay on disk until the next run.
            drop(metas);
            if plan.is_empty() {
                return Ok(n);
            }
            for ids in plan {
                self.writer.merge(&ids).wait()?;
                // The merge's own collection ran while its inputs were
                // still tracked: they go now (at 10x the run's files
                // would otherwise take twice the index's space by its end).
                self.writer.garbage_collect_files().wait()?;
                n += 1;
            }
        }
    }

    /// Drops everything written since the last commit.
    pub fn rollback(&mut self) -> Result<()> {
        self.writer.rollback()?;
        self.stale = true;
        Ok(())
    }

    /// Waits for the writer's merges and lets the lock go.
    pub fn finish(self) -> Result<()> {
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// The document signature of a document's tantivy documents (on its first).
fn doc_signature(
    index: &GazetteIndex,
    docs: &[TantivyDocument],
) -> Option<crate::analysis::minhash::Signature> {
    let bytes = docs.first()?.get_first(index.fields.doc_sig)?.as_bytes()?;
    bytes.try_into().ok()
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
        if known.contains(id) {
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
