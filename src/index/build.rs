//! A parsed document into tantivy documents, one per passage: languages
//! decided here (in rayon workers), text handed to tantivy tagged with its
//! language for the registered analyzer.

use tantivy::TantivyDocument;

use crate::analysis::{TRIGRAM_LANGUAGES, lang, tag_language};
use crate::ingest::Parsed;
use crate::model::Kind;
use crate::schema::Fields;

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

/// The tantivy documents (one per passage) of a parsed document.
pub fn documents(parsed: &Parsed, f: &Fields) -> Vec<TantivyDocument> {
    let doc = &parsed.doc;
    let dlang = doc_lang(parsed);
    let given = doc.lang.is_some();
    let tagged_title = doc.title.as_deref().map(|t| tag_language(&dlang, t));
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

        let plang = if parsed.passages.len() == 1 && doc.kind == Kind::Tweet {
            dlang.clone()
        } else {
            passage_lang(text, p.kind, given, &dlang)
        };
        let mut d = TantivyDocument::default();
        d.add_text(f.passage_id, format!("{}#{i}", doc.id));
        d.add_text(f.doc_id, &doc.id);
        d.add_text(f.kind, p.kind.as_str());
        d.add_text(f.doc_kind, doc.kind.as_str());
        d.add_text(f.lang, &plang);
        d.add_text(f.doc_lang, &dlang);
        if let (Some(title), Some(tagged)) = (&doc.title, &tagged_title) {
            d.add_text(f.title_text, title);
            d.add_text(f.title, tagged);
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
