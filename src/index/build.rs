//! A parsed document into tantivy documents, one per passage: languages
//! decided here (in rayon workers), text handed to tantivy tagged with its
//! language for the registered analyzer.

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use crate::analysis::{TRIGRAM_LANGUAGES, lang, tag_language};
use crate::ingest::Parsed;
use crate::model::Kind;
use crate::schema::Fields;
use crate::search::hit::Span;

/// Language used when nothing can be detected.
pub const UNDETERMINED: &str = "und";

/// Shortest passage (in bytes) whose detected language is trusted even when
/// the detector is not confident; shorter ones fall back to the document's.
const MIN_DETECT_BYTES: usize = 24;

/// Language of a whole document: given, else detected, else `und`.
pub fn doc_lang(parsed: &Parsed) -> String {
    if let Some(l) = &parsed.doc.lang {
        return l.clone();
    }
    let sample = match parsed.passages.first() {
        Some(p) if parsed.passages.len() == 1 => &parsed.doc.text[p.start..p.end],
        _ => &parsed.doc.text,
    };
    lang::detect(sample).map_or(UNDETERMINED.to_string(), |d| d.lang.to_string())
}

/// Language of one passage: an article passage of a document whose language
/// was given takes it; otherwise detection, falling back to the document's
/// language when the passage is too short to judge.
pub fn passage_lang(text: &str, kind: Kind, given: bool, doc_lang: &str) -> String {
    if given && kind == Kind::Article {
        return doc_lang.to_string();
    }
    match lang::detect(text) {
        Some(d) if d.reliable || (text.len() >= MIN_DETECT_BYTES && doc_lang == UNDETERMINED) => {
            d.lang.to_string()
        }
        _ => doc_lang.to_string(),
    }
}

/// Where a passage sits in its document and which language it is analyzed
/// in: what [`documents`] indexes and `gazette passages` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Laid {
    /// Its position in the document (0-based).
    pub position: usize,
    /// Its language (given, detected, or the document's).
    pub lang: String,
    /// Offset in chars of its first char in the document's text.
    pub char_start: usize,
    /// Its length in chars.
    pub char_len: usize,
}

/// The passages of a parsed document laid out: position, language, char
/// offsets; with the document's language.
pub fn lay_out(parsed: &Parsed) -> (String, Vec<Laid>) {
    let doc = &parsed.doc;
    let dlang = doc_lang(parsed);
    let given = doc.lang.is_some();
    let mut out = Vec::with_capacity(parsed.passages.len());
    let mut chars_before = 0usize;
    let mut last_byte = 0usize;
    for (i, p) in parsed.passages.iter().enumerate() {
        let text = &doc.text[p.start..p.end];
        chars_before += doc.text[last_byte..p.start].chars().count();
        let char_len = text.chars().count();
        let char_start = chars_before;
        chars_before += char_len;
        last_byte = p.end;
        let lang = if parsed.passages.len() == 1 && doc.kind == Kind::Tweet {
            dlang.clone()
        } else {
            passage_lang(text, p.kind, given, &dlang)
        };
        out.push(Laid {
            position: i,
            lang,
            char_start,
            char_len,
        });
    }
    (dlang, out)
}

/// One passage as `gazette passages` prints it (a JSON line; docs/JSON.md):
/// the names and types of a query hit's `passage` object, with the
/// document's id, language and title beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassageView {
    /// `doc_id#position`, as in query results.
    pub id: String,
    /// The document's id.
    pub doc_id: String,
    /// 0-based position in the document.
    pub position: usize,
    /// Paragraph of an article, or tweet.
    pub kind: Kind,
    /// Language the passage is analyzed in (`und` when unknown).
    pub lang: String,
    /// The document's language.
    pub doc_lang: String,
    /// The document's title, if any.
    pub title: Option<String>,
    /// The passage's text.
    pub text: String,
    /// Where the passage is in the document's text (bytes and chars).
    pub offset: Span,
}

/// The passages of a parsed document as gazette indexes them.
pub fn passage_views(parsed: &Parsed) -> Vec<PassageView> {
    let doc = &parsed.doc;
    let (dlang, laid) = lay_out(parsed);
    parsed
        .passages
        .iter()
        .zip(laid)
        .map(|(p, l)| PassageView {
            id: format!("{}#{}", doc.id, l.position),
            doc_id: doc.id.clone(),
            position: l.position,
            kind: p.kind,
            lang: l.lang,
            doc_lang: dlang.clone(),
            title: doc.title.clone(),
            text: doc.text[p.start..p.end].to_string(),
            offset: Span {
                start: p.start,
                end: p.end,
                char_start: l.char_start,
                char_end: l.char_start + l.char_len,
            },
        })
        .collect()
}

/// The tantivy documents (one per passage) of a parsed document.
pub fn documents(parsed: &Parsed, f: &Fields) -> Vec<TantivyDocument> {
    let doc = &parsed.doc;
    let (dlang, laid) = lay_out(parsed);
    let tagged_title = doc.title.as_deref().map(|t| tag_language(&dlang, t));
    let mut out = Vec::with_capacity(parsed.passages.len());
    for (p, l) in parsed.passages.iter().zip(laid) {
        let i = l.position;
        let text = &doc.text[p.start..p.end];
        let (plang, char_start, char_len) = (l.lang, l.char_start, l.char_len);
        let mut d = TantivyDocument::default();
        d.add_text(f.passage_id, format!("{}#{i}", doc.id));
        d.add_text(f.doc_id, &doc.id);
        d.add_text(f.kind, p.kind.as_str());
        d.add_text(f.doc_kind, doc.kind.as_str());
        d.add_text(f.lang, &plang);
        d.add_text(f.doc_lang, &dlang);
        if let (Some(title), Some(tagged)) = (&doc.title, &tagged_title) {
            d.add_text(f.title_text, title);
            // Indexed once per document, on its first passage: a passage
            // gets its title's score through search::doclevel.
            if i == 0 {
                d.add_text(f.title, tagged);
            }
        }
        let tagged = tag_language(&plang, text);
        if TRIGRAM_LANGUAGES.contains(&plang.as_str()) {
            d.add_text(f.body_gram, &tagged);
        }
        d.add_text(f.body, tagged);
        d.add_text(f.text, text);
        let tweet = p.tweet.as_ref().or(doc.tweet.as_ref());
        let date = tweet.and_then(|t| t.date).or(doc.date);
        if let Some(day) = date {
            d.add_i64(f.date, day.days());
        }
        if let Some(day) = doc.date {
            d.add_i64(f.doc_date, day.days());
        }
        if let Some(s) = &doc.source {
            d.add_text(f.source, s);
        }
        if let Some(u) = &doc.url {
            d.add_text(f.url, u);
        }
        let author = tweet
            .and_then(|t| t.author.as_deref())
            .or(doc.author.as_deref());
        if let Some(a) = author {
            d.add_text(f.author, a);
        }
        if let Some(t) = tweet {
            if let Some(h) = &t.handle {
                d.add_text(f.handle, h.to_lowercase());
            }
            d.add_text(f.tweet, serde_json::to_string(t).expect("serializable"));
        }
        d.add_u64(f.position, i as u64);
        d.add_u64(f.start, p.start as u64);
        d.add_u64(f.end, p.end as u64);
        d.add_u64(f.char_start, char_start as u64);
        d.add_u64(f.char_end, (char_start + char_len) as u64);
        d.add_u64(f.doc_hash, doc.hash);
        d.add_text(f.origin, &doc.origin);
        out.push(d);
    }
    out
}
