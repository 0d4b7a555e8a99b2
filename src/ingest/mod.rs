//! Ingestion: inputs → raw records → [`Document`]s with their [`Passage`]s.

pub mod passages;
pub mod read;

use std::io::{BufRead, Read};
use std::sync::Arc;

use serde::Deserialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::error::Error;
use crate::model::{Day, Document, Kind, Passage};
use passages::Layout;
pub use read::{Format, Input, Record, RecordBody};

/// Streams the records of `inputs` in order, calling `sink` for each; the
/// sink returns `false` to stop early. I/O errors on one input become a
/// `Bad` record and reading goes on with the next input.
/// `counter` counts the bytes read from disk.
pub fn stream_records(
    inputs: Vec<Input>,
    counter: &read::ReadCounter,
    mut sink: impl FnMut(Record) -> bool,
) {
    for input in inputs {
        let input = Arc::new(input);
        if !stream_one(&input, counter, &mut sink) {
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

fn stream_one(
    input: &Arc<Input>,
    counter: &read::ReadCounter,
    sink: &mut impl FnMut(Record) -> bool,
) -> bool {
    let mut reader = match read::open(input, counter) {
        Ok(r) => r,
        Err(e) => return sink(bad(input, 0, format!("cannot read: {e}"))),
    };
    let format = match input.format {
        Format::Sniff => match reader.fill_buf() {
            Ok(head) => {
                let first = head.iter().find(|b| !b.is_ascii_whitespace());
                if first == Some(&b'{') {
                    Format::JsonLines
                } else {
                    Format::Text
                }
            }
            Err(e) => return sink(bad(input, 0, format!("cannot read: {e}"))),
        },
        f => f,
    };
    match format {
        Format::JsonLines => stream_lines(input, &mut *reader, sink),
        _ => {
            let mut bytes = Vec::new();
            let limit = read::MAX_TEXT_BYTES as u64 + 1;
            let record = match reader.take(limit).read_to_end(&mut bytes) {
                Err(e) => bad(input, 0, format!("cannot read: {e}")),
                Ok(_) if bytes.len() as u64 >= limit => bad(
                    input,
                    0,
                    format!("text article larger than {} MB", read::MAX_TEXT_BYTES >> 20),
                ),
                Ok(_) => match read::check_text(&bytes) {
                    Err((line, message)) => bad(input, line, message),
                    Ok(()) => Record {
                        input: input.clone(),
                        line: 0,
                        body: RecordBody::Text(String::from_utf8(bytes).expect("checked UTF-8")),
                    },
                },
            };
            sink(record)
        }
    }
}

fn stream_lines(
    input: &Arc<Input>,
    reader: &mut dyn BufRead,
    sink: &mut impl FnMut(Record) -> bool,
) -> bool {
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut any = false;
    loop {
        line += 1;
        let record = match read::read_line(reader, &mut buf) {
            Err(e) => return sink(bad(input, line, format!("cannot read: {e}"))),
            Ok(None) => break,
            Ok(Some(true)) => bad(
                input,
                line,
                format!("line longer than {} MB", read::MAX_LINE_BYTES >> 20),
            ),
            Ok(Some(false)) if buf.iter().all(u8::is_ascii_whitespace) => continue,
            Ok(Some(false)) => match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(s) => Record {
                    input: input.clone(),
                    line,
                    body: RecordBody::Json(s),
                },
                Err(e) => bad(
                    input,
                    line,
                    format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
                ),
            },
        };
        any = true;
        if !sink(record) {
            return false;
        }
    }
    if !any {
        return sink(bad(input, 0, "empty file".into()));
    }
    true
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
    }
}

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

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_json(input: &Input, line_no: u64, line: &str) -> Result<Parsed, String> {
    let value: JsonRecord = serde_json::from_str(line).map_err(|e| json_message(&e))?;
    let id = match value.id {
        Some(JsonId::Str(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(JsonId::Num(n)) => n.to_string(),
        _ => format!(
            "{}:{line_no}",
            input.rel_id.as_deref().unwrap_or(&input.display)
        ),
    };
    let date = match non_empty(value.date) {
        None => None,
        Some(d) => Some(
            Day::parse(&d).ok_or_else(|| format!("unparseable date {d:?} (want YYYY-MM-DD)"))?,
        ),
    };
    let lang = match non_empty(value.lang) {
        None => None,
        Some(l) => Some(
            crate::analysis::lang::normalize(&l).ok_or_else(|| format!("invalid lang {l:?}"))?,
        ),
    };
    let title = non_empty(value.title);
    let (kind, text) = match (non_empty(value.body), value.text, &title) {
        (Some(body), _, _) => (Kind::Article, body),
        (None, Some(text), _) if !text.trim().is_empty() => (Kind::Tweet, text),
        // A headline-only story (Reuters "BRIEF") is searchable by its title.
        (None, None, Some(title)) => (Kind::Article, title.clone()),
        _ => return Err("missing body (need a non-empty \"body\" or \"text\")".into()),
    };
    let author = non_empty(value.author);
    let content_hash = hash(&[line]);
    let (passages, tweet, pending) = match kind {
        Kind::Article => (Vec::new(), None, Some((Layout::Lines, 0))),
        Kind::Tweet => {
            let trimmed_start = text.len() - text.trim_start().len();
            let end = text.trim_end().len();
            let mut meta = passages::tweet_meta(&text);
            let handle = non_empty(value.handle).or_else(|| {
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
            source: non_empty(value.source),
            url: non_empty(value.url),
            author,
            tweet,
            origin: input.origin.clone(),
            hash: content_hash,
        },
        passages,
        pending,
    })
}

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
        let text = " date 2020-01-07 The Assembly met. Then more.\n\nSecond.";
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
