//! Ingestion: inputs → raw records → [`Document`]s with their [`Passage`]s.
//!
//! Each input format has its reader: text articles and gazette's JSON Lines
//! here, [`twitter`] (API tweets), [`csv`] (CSV/TSV rows), [`feed`] (RSS,
//! Atom, JSON Feed) and [`html`] (article pages); [`date`] reads the dates
//! of all of them.

pub mod csv;
pub mod date;
pub mod feed;
pub mod html;
pub mod passages;
pub mod read;
pub mod twitter;

use std::io::{BufRead, Read};
use std::sync::Arc;

use serde::Deserialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::error::Error;
use crate::model::{Day, Document, Kind, Passage};
use passages::Layout;
pub use read::{Format, Input, Record, RecordBody};

/// How inputs are read beyond what their names and content say.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Read every input as this format (`--input-format`); `None` decides
    /// by extension and content.
    pub format: Option<Format>,
    /// CSV columns for gazette's fields (`--map`).
    pub columns: csv::ColumnMap,
}

/// Streams the records of `inputs` in order, calling `sink` for each; the
/// sink returns `false` to stop early. I/O errors on one input become a
/// `Bad` record and reading goes on with the next input.
/// `counter` counts the bytes read from disk.
pub fn stream_records(
    inputs: Vec<Input>,
    counter: &read::ReadCounter,
    sink: impl FnMut(Record) -> bool,
) {
    stream_records_with(inputs, &ReadOptions::default(), counter, sink)
}

/// [`stream_records`] with reading options (CSV columns).
pub fn stream_records_with(
    inputs: Vec<Input>,
    opts: &ReadOptions,
    counter: &read::ReadCounter,
    mut sink: impl FnMut(Record) -> bool,
) {
    for input in inputs {
        let input = Arc::new(input);
        if !stream_one(&input, opts, counter, &mut sink) {
            return;
        }
    }
}

fn bad(input: &Arc<Input>, line: u64, message: String) -> Record {
    Record {
        input: input.clone(),
        line,
        body: RecordBody::Bad(message),
    }
}

fn record(input: &Arc<Input>, line: u64, body: RecordBody) -> Record {
    Record {
        input: input.clone(),
        line,
        body,
    }
}

/// The format of an input whose format is decided by its content: `head`
/// is the start of it.
fn sniff(format: Format, head: &[u8]) -> Format {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    let first = start.map(|i| head[i]);
    match format {
        Format::Json => sniff_json(head),
        Format::Sniff if first == Some(b'{') => sniff_json(head),
        Format::Sniff if first == Some(b'<') => {
            let lower = String::from_utf8_lossy(&head[..head.len().min(4096)]).to_ascii_lowercase();
            let feed = ["<rss", "<feed", "<rdf:rdf"]
                .iter()
                .any(|t| lower.contains(t));
            let html = lower.contains("<html") || lower.contains("<!doctype html");
            if feed && !html {
                Format::Feed
            } else {
                Format::Html
            }
        }
        Format::Sniff => Format::Text,
        f => f,
    }
}

/// Gazette records, API tweets or a JSON Feed, from the first line.
fn sniff_json(head: &[u8]) -> Format {
    let text = String::from_utf8_lossy(head);
    let first = text.trim_start();
    let line = first.split('\n').next().unwrap_or("");
    let complete = first.contains('\n') || head.len() < (1 << 16);
    #[derive(Deserialize)]
    struct Version {
        version: Option<String>,
    }
    if complete && let Ok(v) = serde_json::from_str::<Version>(line) {
        if v.version
            .is_some_and(|v| v.contains("jsonfeed.org/version"))
        {
            return Format::Feed;
        }
        return if twitter::looks_like_tweets(line) {
            Format::Twitter
        } else {
            Format::JsonLines
        };
    }
    // The first line is not a whole object: pretty-printed JSON (a JSON
    // Feed), or a line longer than the head (a v2 page, a long record).
    if first.contains("jsonfeed.org/version") && line.trim() == "{" {
        return Format::Feed;
    }
    let compact: String = first
        .chars()
        .take(64)
        .filter(|c| !c.is_whitespace())
        .collect();
    if compact.starts_with("{\"data\":")
        || first.contains("\"id_str\"")
        || first.contains("\"author_id\"")
    {
        return Format::Twitter;
    }
    Format::JsonLines
}

fn stream_one(
    input: &Arc<Input>,
    opts: &ReadOptions,
    counter: &read::ReadCounter,
    sink: &mut impl FnMut(Record) -> bool,
) -> bool {
    let mut reader = match read::open(input, counter) {
        Ok(r) => r,
        Err(e) => return sink(bad(input, 0, format!("cannot read: {e}"))),
    };
    let format = match input.format {
        Format::Sniff | Format::Json => match reader.fill_buf() {
            Ok(head) => sniff(input.format, head),
            Err(e) => return sink(bad(input, 0, format!("cannot read: {e}"))),
        },
        f => f,
    };
    match format {
        Format::JsonLines => stream_lines(input, &mut *reader, false, sink),
        Format::Twitter => stream_lines(input, &mut *reader, true, sink),
        Format::Csv => csv::stream(input, &mut *reader, &opts.columns, sink),
        Format::Feed => match whole(input, &mut *reader) {
            Err(r) => sink(r),
            Ok(bytes) => feed::stream(input, &bytes, sink),
        },
        Format::Html => match whole(input, &mut *reader).and_then(|b| checked(input, b)) {
            Err(r) => sink(r),
            Ok(s) => sink(record(input, 0, RecordBody::Html(s))),
        },
        _ => match whole(input, &mut *reader).and_then(|b| checked(input, b)) {
            Err(r) => sink(r),
            Ok(s) => sink(record(input, 0, RecordBody::Text(s))),
        },
    }
}

/// The whole input, up to [`read::MAX_TEXT_BYTES`].
fn whole(input: &Arc<Input>, reader: &mut dyn BufRead) -> Result<Vec<u8>, Record> {
    let mut bytes = Vec::new();
    let limit = read::MAX_TEXT_BYTES as u64 + 1;
    match reader.take(limit).read_to_end(&mut bytes) {
        Err(e) => Err(bad(input, 0, format!("cannot read: {e}"))),
        Ok(_) if bytes.len() as u64 >= limit => Err(bad(
            input,
            0,
            format!("file larger than {} MB", read::MAX_TEXT_BYTES >> 20),
        )),
        Ok(_) => Ok(bytes),
    }
}

/// Text that is not empty, binary or invalid UTF-8.
fn checked(input: &Arc<Input>, bytes: Vec<u8>) -> Result<String, Record> {
    match read::check_text(&bytes) {
        Err((line, message)) => Err(bad(input, line, message)),
        Ok(()) => Ok(String::from_utf8(bytes).expect("checked UTF-8")),
    }
}

fn stream_lines(
    input: &Arc<Input>,
    reader: &mut dyn BufRead,
    tweets: bool,
    sink: &mut impl FnMut(Record) -> bool,
) -> bool {
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut any = false;
    loop {
        line += 1;
        let records = match read::read_line(reader, &mut buf) {
            Err(e) => return sink(bad(input, line, format!("cannot read: {e}"))),
            Ok(None) => break,
            Ok(Some(true)) => vec![bad(
                input,
                line,
                format!("line longer than {} MB", read::MAX_LINE_BYTES >> 20),
            )],
            Ok(Some(false)) if buf.iter().all(u8::is_ascii_whitespace) => continue,
            Ok(Some(false)) => match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(s) if tweets => tweet_records(input, line, s),
                Ok(s) => vec![record(input, line, RecordBody::Json(s))],
                Err(e) => vec![bad(
                    input,
                    line,
                    format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
                )],
            },
        };
        any = true;
        for r in records {
            if !sink(r) {
                return false;
            }
        }
    }
    if !any {
        return sink(bad(input, 0, "empty file".into()));
    }
    true
}

/// The records of one line of API tweets: a v2 page is read here, into its
/// tweets; a single tweet is parsed later, in parallel.
fn tweet_records(input: &Arc<Input>, line: u64, s: String) -> Vec<Record> {
    if !twitter::is_page(&s) {
        return vec![record(input, line, RecordBody::Tweet(s))];
    }
    match twitter::parse_page(input, &s) {
        Err(m) => vec![bad(input, line, m)],
        Ok(docs) => docs
            .into_iter()
            .map(|d| match d {
                Ok(p) => record(input, line, RecordBody::Parsed(Box::new(p))),
                Err(m) => bad(input, line, m),
            })
            .collect(),
    }
}

/// A document with its passages, ready for analysis.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The document.
    pub doc: Document,
    /// Its passages, in order (empty until [`Parsed::cut`] for articles).
    pub passages: Vec<Passage>,
    /// How to cut an article not cut yet: layout and where the body starts.
    pending: Option<(Layout, usize)>,
}

impl Parsed {
    /// Cuts the document into passages, if not done yet.
    pub fn cut(&mut self) {
        if let Some((layout, start)) = self.pending.take() {
            let text = &self.doc.text;
            let paras = passages::paragraphs(text, start, layout);
            self.passages = passages::article_passages(text, &paras);
        }
    }
}

/// Parses one record into a document and its passages.
pub fn parse(record: &Record) -> Result<Parsed, Error> {
    let mut parsed = identify(record)?;
    parsed.cut();
    Ok(parsed)
}

/// Parses one record into a document with its id and content hash, leaving
/// the (costlier) cutting into passages for [`Parsed::cut`]: enough to skip
/// a document that is already indexed.
pub fn identify(record: &Record) -> Result<Parsed, Error> {
    let err = |line: u64, message: String| Error::Record {
        file: record.input.display.clone(),
        line,
        message,
    };
    match &record.body {
        RecordBody::Bad(m) => Err(err(record.line, m.clone())),
        RecordBody::Text(text) => Ok(parse_text(&record.input, text)),
        RecordBody::Json(line) => {
            parse_json(&record.input, record.line, line).map_err(|m| err(record.line, m))
        }
        RecordBody::Tweet(line) => {
            twitter::parse_tweet(&record.input, line).map_err(|m| err(record.line, m))
        }
        RecordBody::Html(page) => html::parse_page(&record.input, page).map_err(|m| err(0, m)),
        RecordBody::Fields(fields) => {
            let content_hash = fields.hash();
            from_fields(&record.input, record.line, fields, content_hash)
                .map_err(|m| err(record.line, m))
        }
        RecordBody::Parsed(parsed) => Ok((**parsed).clone()),
    }
}

/// A content hash of the parts, in order.
fn hash(parts: &[&str]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0xff]);
    }
    h.digest()
}

/// A text article: optional leading `date YYYY-MM-DD`, blank-line paragraphs,
/// title = first sentence.
fn parse_text(input: &Input, text: &str) -> Parsed {
    let (date, body_start) = date_marker(text);
    let title = passages::paragraphs(text, body_start, Layout::BlankLines)
        .first()
        .and_then(|&(s, e)| first_sentence(&text[s..e]));
    let content_hash = hash(&[text]);
    let id = input
        .rel_id
        .clone()
        .unwrap_or_else(|| format!("stdin-{content_hash:016x}"));
    Parsed {
        doc: Document {
            id,
            kind: Kind::Article,
            title,
            text: text.to_string(),
            date,
            lang: None,
            source: None,
            url: None,
            author: None,
            tweet: None,
            origin: input.origin.clone(),
            hash: content_hash,
        },
        passages: Vec::new(),
        pending: Some((Layout::BlankLines, body_start)),
    }
}

/// `date YYYY-MM-DD` at the very start (after white space): the date and
/// where the body begins.
fn date_marker(text: &str) -> (Option<Day>, usize) {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    if let Some(rest) = trimmed.strip_prefix("date ")
        && let Some(day) = rest.get(..10).and_then(Day::parse)
    {
        let after = &rest[10..];
        if after.is_empty() || after.starts_with(char::is_whitespace) {
            let skip = after.len() - after.trim_start().len();
            return (Some(day), lead + 5 + 10 + skip);
        }
    }
    (None, lead)
}

fn first_sentence(para: &str) -> Option<String> {
    let s = para.unicode_sentences().next()?.trim();
    (!s.is_empty()).then(|| s.to_string())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonId {
    Str(String),
    Num(serde_json::Number),
}

#[derive(Deserialize)]
struct JsonRecord {
    id: Option<JsonId>,
    title: Option<String>,
    body: Option<String>,
    text: Option<String>,
    date: Option<String>,
    lang: Option<String>,
    source: Option<String>,
    url: Option<String>,
    author: Option<String>,
    handle: Option<String>,
}

/// The fields of a record in gazette's own terms, whatever it was read
/// from (a JSON line, a CSV row, a feed item); each optional, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// Stable identity.
    pub id: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Article text: paragraphs one per line (or HTML, see `body_html`).
    pub body: Option<String>,
    /// `body` is HTML, to be turned into paragraphs (feed items).
    pub body_html: bool,
    /// A tweet's text (a record with `text` and no `body` is a tweet).
    pub text: Option<String>,
    /// Publication date, in any form [`date::parse`] reads.
    pub date: Option<String>,
    /// Language code.
    pub lang: Option<String>,
    /// Publisher.
    pub source: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// Byline (`@handle` for a tweet).
    pub author: Option<String>,
    /// A tweet's handle.
    pub handle: Option<String>,
}

impl Fields {
    fn all(&self) -> [Option<&str>; 10] {
        [
            self.id.as_deref(),
            self.title.as_deref(),
            self.body.as_deref(),
            self.text.as_deref(),
            self.date.as_deref(),
            self.lang.as_deref(),
            self.source.as_deref(),
            self.url.as_deref(),
            self.author.as_deref(),
            self.handle.as_deref(),
        ]
    }

    /// Bytes of text held.
    pub fn len(&self) -> usize {
        self.all().iter().flatten().map(|s| s.len() + 1).sum()
    }

    /// True when no field holds text.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A hash of every field, to skip an unchanged record.
    pub fn hash(&self) -> u64 {
        let parts: Vec<&str> = self.all().iter().map(|f| f.unwrap_or("\u{0}")).collect();
        hash(&parts)
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_json(input: &Input, line_no: u64, line: &str) -> Result<Parsed, String> {
    let value: JsonRecord = serde_json::from_str(line).map_err(|e| json_message(&e))?;
    let id = match value.id {
        Some(JsonId::Str(s)) => Some(s),
        Some(JsonId::Num(n)) => Some(n.to_string()),
        None => None,
    };
    let fields = Fields {
        id,
        title: value.title,
        body: value.body,
        body_html: false,
        text: value.text,
        date: value.date,
        lang: value.lang,
        source: value.source,
        url: value.url,
        author: value.author,
        handle: value.handle,
    };
    from_fields(input, line_no, &fields, hash(&[line]))
}

/// A record's fields into its document: an article (`body`, or a title
/// alone) or a tweet (`text` without `body`).
fn from_fields(
    input: &Input,
    line_no: u64,
    value: &Fields,
    content_hash: u64,
) -> Result<Parsed, String> {
    let id = non_empty(value.id.clone()).unwrap_or_else(|| {
        format!(
            "{}:{line_no}",
            input.rel_id.as_deref().unwrap_or(&input.display)
        )
    });
    let date = match non_empty(value.date.clone()) {
        None => None,
        Some(d) => Some(date::parse(&d).ok_or_else(|| {
            format!("unparseable date {d:?} (want YYYY-MM-DD, ISO 8601 or RFC 2822)")
        })?),
    };
    let lang = match non_empty(value.lang.clone()) {
        None => None,
        Some(l) => Some(
            crate::analysis::lang::normalize(&l).ok_or_else(|| format!("invalid lang {l:?}"))?,
        ),
    };
    let title = non_empty(value.title.clone());
    let author = non_empty(value.author.clone());
    let body = non_empty(value.body.clone());
    if value.body_html
        && let Some(html) = &body
    {
        let (text, passages) = html::fragment_passages(html);
        if !passages.is_empty() {
            return Ok(Parsed {
                doc: Document {
                    id,
                    kind: Kind::Article,
                    title,
                    text,
                    date,
                    lang,
                    source: non_empty(value.source.clone()),
                    url: non_empty(value.url.clone()),
                    author,
                    tweet: None,
                    origin: input.origin.clone(),
                    hash: content_hash,
                },
                passages,
                pending: None,
            });
        }
    }
    let (kind, text) = match (body, value.text.clone(), &title) {
        (Some(body), _, _) if !value.body_html => (Kind::Article, body),
        (None, Some(text), _) if !text.trim().is_empty() => (Kind::Tweet, text),
        // A headline-only story (Reuters "BRIEF") is searchable by its title.
        (_, _, Some(title)) => (Kind::Article, title.clone()),
        _ => return Err("missing body (need a non-empty \"body\" or \"text\")".into()),
    };
    let (passages, tweet, pending) = match kind {
        Kind::Article => (Vec::new(), None, Some((Layout::Lines, 0))),
        Kind::Tweet => {
            let trimmed_start = text.len() - text.trim_start().len();
            let end = text.trim_end().len();
            let mut meta = passages::tweet_meta(&text);
            let handle = non_empty(value.handle.clone()).or_else(|| {
                author
                    .as_deref()
                    .filter(|a| a.starts_with('@'))
                    .map(str::to_string)
            });
            meta.handle = handle.map(|h| h.trim_start_matches('@').to_string());
            meta.author = author.clone().filter(|a| !a.starts_with('@'));
            meta.date = date;
            let passage = Passage {
                kind: Kind::Tweet,
                start: trimmed_start,
                end,
                tweet: Some(meta.clone()),
            };
            (vec![passage], Some(meta), None)
        }
    };
    Ok(Parsed {
        doc: Document {
            id,
            kind,
            title,
            text,
            date,
            lang,
            source: non_empty(value.source.clone()),
            url: non_empty(value.url.clone()),
            author,
            tweet,
            origin: input.origin.clone(),
            hash: content_hash,
        },
        passages,
        pending,
    })
}

/// What is wrong with a JSON value, in words, with its column.
fn json_message(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Data => "JSON value of the wrong type",
        Category::Syntax | Category::Eof => "malformed JSON",
        Category::Io => "unreadable JSON",
    };
    let text = e.to_string();
    // serde_json appends " at line 1 column N"; keep the column, drop the line.
    let detail = text.split(" at line ").next().unwrap_or(&text);
    format!("{what}: {detail} (column {})", e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Input {
        Input {
            path: None,
            display: "t.jsonl".into(),
            rel_id: Some("t.jsonl".into()),
            origin: "/x".into(),
            gzip: false,
            format: Format::JsonLines,
        }
    }

    #[test]
    fn date_marker_shares_the_first_line() {
        let text = " date 2020-01-07 The Assembly met. Then more of the session followed, with votes and speeches.\n\nA second paragraph of the story, long enough to be a passage of its own.";
        let (day, start) = date_marker(text);
        assert_eq!(day.unwrap().to_string(), "2020-01-07");
        assert_eq!(&text[start..start + 3], "The");
        let mut p = parse_text(&input(), text);
        p.cut();
        assert_eq!(p.doc.title.as_deref(), Some("The Assembly met."));
        assert_eq!(p.passages.len(), 2);
    }

    #[test]
    fn json_errors_say_what_is_wrong() {
        let i = input();
        let e = |l: &str| parse_json(&i, 3, l).unwrap_err();
        assert!(
            e("{\"id\": 1, ").starts_with("malformed JSON"),
            "{}",
            e("{\"id\": 1, ")
        );
        assert!(e("{\"title\": 5, \"body\": \"x\"}").starts_with("JSON value of the wrong type"));
        assert!(e("{\"id\": \"a\"}").starts_with("missing body"));
        assert!(e("{\"body\": \"x\", \"date\": \"yesterday\"}").starts_with("unparseable date"));
        assert!(e("[1]").contains("wrong type"));
        let deep = "[".repeat(10_000);
        // Deep nesting never overflows the stack: unclosed is malformed, a
        // closed one in an ignored field is skipped, in `body` a wrong type.
        assert!(e(&format!("{{\"body\": \"x\", \"extra\": {deep}")).starts_with("malformed JSON"));
        let closed = format!("{deep}{}", "]".repeat(10_000));
        assert!(parse_json(&i, 3, &format!("{{\"body\": \"x\", \"extra\": {closed}}}")).is_ok());
        assert!(e(&format!("{{\"body\": {closed}}}")).contains("wrong type"));
    }

    #[test]
    fn a_json_tweet_is_one_passage() {
        let p = parse_json(&input(), 1, r#"{"id":"t1","text":"Hola #7Ene @jguaido","lang":"es","author":"@EfectoCocuyo","date":"2020-01-07"}"#).unwrap();
        assert_eq!(p.doc.kind, Kind::Tweet);
        assert_eq!(p.passages.len(), 1);
        let meta = p.passages[0].tweet.as_ref().unwrap();
        assert_eq!(meta.handle.as_deref(), Some("EfectoCocuyo"));
        assert_eq!(meta.hashtags, vec!["7Ene"]);
        assert_eq!(meta.mentions, vec!["jguaido"]);
    }
}
