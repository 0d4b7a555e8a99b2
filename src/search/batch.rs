//! `gazette batch`: many queries, one opened index, answers in input order.
//!
//! A reader thread parses lines and hands them to rayon, a job for the
//! lines already read (up to [`CHUNK`]); the calling thread writes answers
//! in input order as soon as an answer and all before it are done,
//! flushing whenever it has nothing more to write at once — so a script
//! can keep `gazette batch -` open as a co-process. At most
//! [`MAX_IN_FLIGHT`] queries are pending, so memory stays flat for any input
//! length.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};

use rayon::iter::{IntoParallelIterator, ParallelIterator};
use serde::{Deserialize, Serialize};

use super::{Request, Response, Search};
use crate::model::{Day, Kind};

/// Queries parsed but not yet written, at most.
pub const MAX_IN_FLIGHT: usize = 512;

/// How input lines are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Plain query text, or a JSON object `{"id", "query", …options}`.
    Lines,
    /// `id<TAB>query` (test collections).
    Tsv,
}

/// How answers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per query.
    Jsonl,
    /// TREC run lines: `qid Q0 docid rank score gazette`.
    Trec,
}

/// What a TREC run ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unit {
    /// Documents: each document once, at its best passage's rank.
    Doc,
    /// Passages.
    Passage,
}

/// Settings of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Defaults every line may override.
    pub defaults: Request,
    /// Input format.
    pub input: InputFormat,
    /// Output format.
    pub output: OutputFormat,
    /// Unit of TREC output.
    pub unit: Unit,
}

/// Counts of a batch run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Queries answered.
    pub ok: u64,
    /// Lines that failed.
    pub failed: u64,
}

/// One line of JSON input: a query and any option of `gazette query`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineQuery {
    id: Option<serde_json::Value>,
    query: String,
    limit: Option<usize>,
    offset: Option<usize>,
    lang: Option<String>,
    kind: Option<String>,
    since: Option<String>,
    until: Option<String>,
    author: Option<String>,
    per_article: Option<usize>,
    collapse: Option<bool>,
    collapse_threshold: Option<f32>,
}

/// An answer line (`--format jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchAnswer {
    /// The query's `id`, or its line number.
    pub id: serde_json::Value,
    /// The response, flattened beside `id`.
    #[serde(flatten)]
    pub response: Response,
}

/// A failed line (`--format jsonl`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchFailure {
    /// The query's `id`, or its line number.
    pub id: serde_json::Value,
    /// The query text, or null if it could not be read.
    pub query: Option<String>,
    /// What went wrong.
    pub error: ErrorInfo,
}

/// Error of one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// `invalid_utf8`, `invalid_json`, `invalid_option`, `empty_query`, `search`.
    pub kind: String,
    /// Human-readable message.
    pub message: String,
}

/// One parsed input line: a query to run, or why it cannot run.
pub enum Item {
    /// A query to answer.
    Run {
        /// The query's `id`, or its line number.
        id: serde_json::Value,
        /// The request, defaults overridden by the line.
        req: Request,
    },
    /// A line that failed before searching.
    Fail(BatchFailure),
}

fn fail(
    id: serde_json::Value,
    query: Option<String>,
    kind: &str,
    message: impl Into<String>,
) -> Item {
    Item::Fail(BatchFailure {
        id,
        query,
        error: ErrorInfo {
            kind: kind.into(),
            message: message.into(),
        },
    })
}

/// Parses one input line; `None` for blank and `#` comment lines.
pub fn parse_line(bytes: &[u8], line_no: u64, opts: &BatchOptions) -> Option<Item> {
    let line_id = serde_json::Value::from(line_no);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some(fail(
            line_id,
            None,
            "invalid_utf8",
            format!("line {line_no}: invalid UTF-8"),
        ));
    };
    let text = text.trim_end_matches(['\r', '\n']);
    if text.trim().is_empty() || text.trim_start().starts_with('#') {
        return None;
    }
    let mut req = opts.defaults.clone();
    if opts.input == InputFormat::Tsv {
        let Some((id, query)) = text.split_once('\t') else {
            return Some(fail(
                line_id,
                Some(text.into()),
                "invalid_line",
                "expected id<TAB>query",
            ));
        };
        req.query = query.trim().to_string();
        if req.query.is_empty() {
            return Some(fail(
                id.into(),
                Some(String::new()),
                "empty_query",
                "empty query",
            ));
        }
        return Some(Item::Run { id: id.into(), req });
    }
    if !text.trim_start().starts_with('{') {
        req.query = text.trim().to_string();
        return Some(Item::Run { id: line_id, req });
    }
    let parsed: LineQuery = match serde_json::from_str(text) {
        Ok(q) => q,
        Err(e) => {
            // Keep the id and query if the object is valid JSON but has a bad option.
            let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
            let id = value
                .as_ref()
                .and_then(|v| v.get("id").cloned())
                .unwrap_or(line_id);
            let query = value
                .as_ref()
                .and_then(|v| v.get("query")?.as_str().map(str::to_string));
            let kind = if value.is_some() {
                "invalid_option"
            } else {
                "invalid_json"
            };
            return Some(fail(id, query, kind, format!("line {line_no}: {e}")));
        }
    };
    let id = parsed.id.clone().unwrap_or(line_id);
    match apply(&mut req, parsed) {
        Ok(()) if req.query.trim().is_empty() => {
            Some(fail(id, Some(req.query), "empty_query", "empty query"))
        }
        Ok(()) => Some(Item::Run { id, req }),
        Err(m) => Some(fail(
            id,
            Some(req.query),
            "invalid_option",
            format!("line {line_no}: {m}"),
        )),
    }
}

fn apply(req: &mut Request, q: LineQuery) -> Result<(), String> {
    req.query = q.query;
    let day =
        |s: &str| Day::parse(s).ok_or_else(|| format!("invalid date {s:?} (want YYYY-MM-DD)"));
    if let Some(v) = q.limit {
        req.limit = v;
    }
    if let Some(v) = q.offset {
        req.offset = v;
    }
    if let Some(v) = q.lang {
        req.lang = Some(v);
    }
    if let Some(v) = q.kind {
        req.kind =
            Some(Kind::parse(&v).ok_or_else(|| format!("kind is article or tweet, not {v:?}"))?);
    }
    if let Some(v) = q.since {
        req.since = Some(day(&v)?);
    }
    if let Some(v) = q.until {
        req.until = Some(day(&v)?);
    }
    if let Some(v) = q.author {
        req.author = Some(v);
    }
    if let Some(v) = q.per_article {
        req.per_article = Some(v);
    }
    if let Some(v) = q.collapse_threshold
        && !(0.0..=1.0).contains(&v)
    {
        return Err(format!("collapse_threshold is from 0 to 1, not {v}"));
    }
    let threshold = q
        .collapse_threshold
        .or(req.collapse)
        .unwrap_or(crate::index::dedup::DEFAULT_THRESHOLD);
    match q.collapse {
        Some(true) => req.collapse = Some(threshold),
        Some(false) => req.collapse = None,
        None if req.collapse.is_some() => req.collapse = Some(threshold),
        None => {}
    }
    Ok(())
}

/// An id as text: strings as they are, other JSON values as JSON.
pub fn id_text(id: &serde_json::Value) -> String {
    match id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `s` with white space replaced by `_` (ids in TREC run lines).
pub fn no_space(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// Runs one item to its output bytes; `true` when it failed.
fn answer(engine: &dyn Search, item: Item, opts: &BatchOptions) -> (Vec<u8>, bool) {
    let (id, req) = match item {
        Item::Fail(f) => return (failure_bytes(&f, opts), true),
        Item::Run { id, mut req } => {
            if opts.output == OutputFormat::Trec && opts.unit == Unit::Doc {
                req.per_article = Some(1);
            }
            (id, req)
        }
    };
    match engine.search(&req) {
        Err(e) => {
            let f = BatchFailure {
                id,
                query: Some(req.query),
                error: ErrorInfo {
                    kind: "search".into(),
                    message: e.to_string(),
                },
            };
            (failure_bytes(&f, opts), true)
        }
        Ok(resp) => {
            let mut out = Vec::with_capacity(512);
            match opts.output {
                OutputFormat::Jsonl => {
                    let a = BatchAnswer { id, response: resp };
                    serde_json::to_writer(&mut out, &a).expect("serializable");
                    out.push(b'\n');
                }
                OutputFormat::Trec => {
                    let qid = no_space(&id_text(&id));
                    for h in &resp.hits {
                        let docid = match opts.unit {
                            Unit::Doc => &h.doc.id,
                            Unit::Passage => &h.passage.id,
                        };
                        let _ = writeln!(
                            out,
                            "{qid} Q0 {} {} {} gazette",
                            no_space(docid),
                            h.rank,
                            h.score
                        );
                    }
                }
            }
            (out, false)
        }
    }
}

fn failure_bytes(f: &BatchFailure, opts: &BatchOptions) -> Vec<u8> {
    match opts.output {
        OutputFormat::Jsonl => {
            let mut out = serde_json::to_vec(f).expect("serializable");
            out.push(b'\n');
            out
        }
        // A TREC run has no place for errors; they go to stderr.
        OutputFormat::Trec => {
            eprintln!("gazette: query {}: {}", id_text(&f.id), f.error.message);
            Vec::new()
        }
    }
}

/// Runs every query of `input`, writing answers to `out` in input order.
pub fn run(
    engine: Arc<dyn Search>,
    input: Box<dyn BufRead + Send>,
    out: &mut dyn Write,
    opts: &BatchOptions,
) -> io::Result<BatchStats> {
    run_with_progress(engine, input, out, opts, &|| {})
}

/// [`run`], calling `answered` after each answer is written.
pub fn run_with_progress(
    engine: Arc<dyn Search>,
    input: Box<dyn BufRead + Send>,
    out: &mut dyn Write,
    opts: &BatchOptions,
    answered: &dyn Fn(),
) -> io::Result<BatchStats> {
    let (result_tx, result_rx) = std::sync::mpsc::channel::<Answers>();
    // Tokens bound the queries in flight: the reader takes one per chunk,
    // the writer returns it once the chunk's answers are written (a token
    // per query woke the waiting reader once per answer).
    let (token_tx, token_rx) = sync_channel::<()>(MAX_IN_FLIGHT / CHUNK);
    let reader_opts = opts.clone();
    let reader = std::thread::spawn(move || -> io::Result<u64> {
        // Our own buffer, to see whether another whole line is already
        // read (`BufRead` alone cannot say so without blocking).
        let mut input = io::BufReader::with_capacity(64 << 10, input);
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        let mut seq = 0u64;
        let mut chunk: Vec<Item> = Vec::with_capacity(CHUNK);
        // Hands the chunk's queries (the last of the `seq` numbered so far)
        // to rayon as one job, once a chunk may be in flight; false when
        // the writer has stopped.
        let dispatch = |chunk: &mut Vec<Item>, seq: u64| -> bool {
            if chunk.is_empty() {
                return true;
            }
            let first = seq - chunk.len() as u64;
            if token_tx.send(()).is_err() {
                return false;
            }
            let items = std::mem::replace(chunk, Vec::with_capacity(CHUNK));
            let (tx, engine, opts) = (result_tx.clone(), engine.clone(), reader_opts.clone());
            rayon::spawn(move || {
                // In parallel within the chunk too: a batch of a few long
                // queries (one chunk) still has every thread on it, where
                // idle ones steal; busy ones are not woken.
                let answers = items
                    .into_par_iter()
                    .map(|item| answer(&*engine, item, &opts))
                    .collect();
                let _ = tx.send((first, answers));
            });
            true
        };
        loop {
            buf.clear();
            if input.read_until(b'\n', &mut buf)? == 0 {
                dispatch(&mut chunk, seq);
                return Ok(seq);
            }
            line_no += 1;
            if let Some(item) = parse_line(&buf, line_no, &reader_opts) {
                chunk.push(item);
                seq += 1;
            }
            // A chunk grows only from lines already read: a co-process
            // writing one query at a time gets each answered at once.
            if (chunk.len() >= CHUNK || !input.buffer().contains(&b'\n'))
                && !dispatch(&mut chunk, seq)
            {
                return Ok(seq);
            }
        }
    });
    let stats = write_in_order(result_rx, &token_rx, out, answered);
    // Unblock the reader if writing failed, then surface its error if any.
    drop(token_rx);
    let read = reader
        .join()
        .map_err(|_| io::Error::other("batch reader panicked"))?;
    let stats = stats?;
    read?;
    Ok(stats)
}

/// The answers of consecutive queries from the first one's number: each
/// query's output bytes and whether it failed.
type Answers = (u64, Vec<(Vec<u8>, bool)>);

/// Queries answered by one rayon job, at most: a job per query woke a
/// thread and the writer per query (futex calls were a tenth of a batch's
/// CPU). The job answers its queries with a parallel iterator, so idle
/// threads steal from it (a batch of a few long queries is one chunk).
const CHUNK: usize = 16;
const _: () = assert!(MAX_IN_FLIGHT.is_multiple_of(CHUNK) && MAX_IN_FLIGHT >= CHUNK);

fn write_in_order(
    rx: Receiver<Answers>,
    tokens: &std::sync::mpsc::Receiver<()>,
    out: &mut dyn Write,
    answered: &dyn Fn(),
) -> io::Result<BatchStats> {
    // Each answer's bytes, whether it failed, and whether it ends its chunk.
    let mut pending: BTreeMap<u64, (Vec<u8>, bool, bool)> = BTreeMap::new();
    let mut next = 0u64;
    let mut stats = BatchStats::default();
    let mut write_ready = |pending: &mut BTreeMap<u64, (Vec<u8>, bool, bool)>,
                           out: &mut dyn Write|
     -> io::Result<()> {
        while let Some((bytes, failed, last)) = pending.remove(&next) {
            out.write_all(&bytes)?;
            if failed {
                stats.failed += 1;
            } else {
                stats.ok += 1;
            }
            next += 1;
            answered();
            if last {
                let _ = tokens.try_recv();
            }
        }
        Ok(())
    };
    let insert = |pending: &mut BTreeMap<u64, (Vec<u8>, bool, bool)>, (first, answers): Answers| {
        let n = answers.len() as u64;
        for (seq, (bytes, failed)) in (first..).zip(answers) {
            pending.insert(seq, (bytes, failed, seq + 1 == first + n));
        }
    };
    loop {
        match rx.try_recv() {
            Ok(answers) => {
                insert(&mut pending, answers);
                write_ready(&mut pending, out)?;
            }
            Err(TryRecvError::Empty) => {
                // Nothing more right now: make what we have visible, then wait.
                out.flush()?;
                match rx.recv() {
                    Ok(answers) => {
                        insert(&mut pending, answers);
                        write_ready(&mut pending, out)?;
                    }
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        }
    }
    out.flush()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_answer_line_without_query_lang_reads_as_null() {
        // Lines written before `query_lang` and `stop_words` existed; then
        // with them.
        let old =
            r#"{"id": 3, "query": "x", "total": 0, "took_ms": 0.1, "warnings": [], "hits": []}"#;
        let answer: BatchAnswer = serde_json::from_str(old).unwrap();
        assert_eq!(answer.response.query_lang, None);
        assert!(answer.response.stop_words.is_empty());
        let new = r#"{"id": "q", "query": "x", "total": 0, "took_ms": 0.1, "warnings": [], "hits": [], "query_lang": {"lang": "sw", "by": "grams"}}"#;
        let answer: BatchAnswer = serde_json::from_str(new).unwrap();
        let q = answer.response.query_lang.clone().unwrap();
        assert_eq!(
            (q.lang.as_str(), q.by),
            ("sw", crate::search::QueryLangBy::Grams)
        );
        // And back: always written, null (empty) when none.
        let line = serde_json::to_string(&answer).unwrap();
        assert!(
            line.ends_with(r#""query_lang":{"lang":"sw","by":"grams"},"stop_words":[]}"#),
            "{line}"
        );
        let with = r#"{"id": "q", "query": "the x", "total": 0, "took_ms": 0.1, "warnings": [], "hits": [], "query_lang": {"lang": "en", "by": "given"}, "stop_words": ["the"]}"#;
        let answer: BatchAnswer = serde_json::from_str(with).unwrap();
        assert_eq!(answer.response.stop_words, ["the"]);
    }

    use super::*;

    /// Answers a query with no hits after a pause that shrinks with the
    /// query's number, so later queries often finish first.
    struct Slow;

    impl Search for Slow {
        fn search(&self, req: &Request) -> crate::search::Result<Response> {
            let n: u64 = req.query.trim_start_matches('q').parse().unwrap_or(0);
            std::thread::sleep(std::time::Duration::from_micros((7 - n % 7) * 20));
            Ok(Response {
                query: req.query.clone(),
                total: 0,
                took_ms: 0.0,
                warnings: Vec::new(),
                hits: Vec::new(),
                facets: None,
                query_lang: None,
                stop_words: Vec::new(),
            })
        }
        fn search_with_facets(
            &self,
            req: &Request,
            _: &[crate::search::Facet],
        ) -> crate::search::Result<Response> {
            self.search(req)
        }
    }

    #[test]
    fn answers_keep_input_order_across_chunks_and_past_the_in_flight_bound() {
        // More queries than may be in flight, a bad line inside a chunk,
        // and a last line without its newline.
        let n = MAX_IN_FLIGHT * 2 + CHUNK / 2 + 3;
        let text: String = (0..n).map(|i| format!("q{i}\n")).collect();
        let at = text.find("q40\n").unwrap();
        let mut input = text.into_bytes();
        input.splice(at..at, [0xff, b'\n']);
        input.pop();
        let mut out = Vec::new();
        let stats = run(
            Arc::new(Slow),
            Box::new(io::Cursor::new(input)),
            &mut out,
            &opts(InputFormat::Lines),
        )
        .unwrap();
        let lines: Vec<serde_json::Value> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!((stats.ok, stats.failed), (n as u64, 1));
        assert_eq!(lines.len(), n + 1);
        assert_eq!(lines[40]["id"], 41, "{}", lines[40]);
        assert!(lines[40]["error"].is_object(), "{}", lines[40]);
        let queries: Vec<&serde_json::Value> = (lines.iter().enumerate())
            .filter(|&(i, _)| i != 40)
            .map(|(_, l)| &l["query"])
            .collect();
        for (i, q) in queries.iter().enumerate() {
            assert_eq!(**q, format!("q{i}"), "answer {i}");
        }
    }

    fn opts(input: InputFormat) -> BatchOptions {
        BatchOptions {
            defaults: Request::default(),
            input,
            output: OutputFormat::Jsonl,
            unit: Unit::Doc,
        }
    }

    fn kind_of(item: Option<Item>) -> String {
        match item {
            Some(Item::Fail(f)) => f.error.kind,
            Some(Item::Run { .. }) => "run".into(),
            None => "skip".into(),
        }
    }

    #[test]
    fn lines_parse_or_fail_alone() {
        let o = opts(InputFormat::Lines);
        assert_eq!(kind_of(parse_line(b"  \n", 1, &o)), "skip");
        assert_eq!(kind_of(parse_line(b"# comment\n", 1, &o)), "skip");
        assert_eq!(kind_of(parse_line(b"Guaido\n", 1, &o)), "run");
        assert_eq!(
            kind_of(parse_line(b"{\"query\": \"x\", \"limit\": 3}", 1, &o)),
            "run"
        );
        assert_eq!(
            kind_of(parse_line(b"{\"query\": \"x\", \"bogus\": 3}", 1, &o)),
            "invalid_option"
        );
        assert_eq!(
            kind_of(parse_line(
                b"{\"query\": \"x\", \"since\": \"soon\"}",
                1,
                &o
            )),
            "invalid_option"
        );
        assert_eq!(kind_of(parse_line(b"{\"query\": ", 1, &o)), "invalid_json");
        assert_eq!(
            kind_of(parse_line(b"{\"query\": \"  \"}", 1, &o)),
            "empty_query"
        );
        assert_eq!(kind_of(parse_line(b"\xff\xfe", 1, &o)), "invalid_utf8");
    }

    #[test]
    fn json_lines_override_defaults_and_keep_ids() {
        let o = opts(InputFormat::Lines);
        let Some(Item::Run { id, req }) = parse_line(
            br#"{"id":"q7","query":"x","lang":"es","per_article":1}"#,
            4,
            &o,
        ) else {
            panic!("should run");
        };
        assert_eq!(id, serde_json::json!("q7"));
        assert_eq!(req.lang.as_deref(), Some("es"));
        assert_eq!(req.per_article, Some(1));
        assert_eq!(req.limit, 10);
        let Some(Item::Run { id, .. }) = parse_line(b"plain words", 9, &o) else {
            panic!("should run");
        };
        assert_eq!(id, serde_json::json!(9));
    }

    #[test]
    fn tsv_lines() {
        let o = opts(InputFormat::Tsv);
        let Some(Item::Run { id, req }) = parse_line(b"xquadr-en-1\tWho won?\n", 1, &o) else {
            panic!("should run");
        };
        assert_eq!(id, serde_json::json!("xquadr-en-1"));
        assert_eq!(req.query, "Who won?");
        assert_eq!(kind_of(parse_line(b"no tab here", 2, &o)), "invalid_line");
    }
}
