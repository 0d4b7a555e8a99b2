//! A parsed document into tantivy documents, one per passage: languages
//! decided here (in rayon workers), text handed to tantivy tagged with its
//! language for the registered analyzer.

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use crate::analysis::langid::{self, Census, Script};
use crate::analysis::minhash::MinHash;
use crate::analysis::{gram_size, tag_language};
use crate::ingest::Parsed;
use crate::model::{Kind, Span};
use crate::schema::Fields;

/// Language used when nothing can be detected.
pub const UNDETERMINED: &str = "und";

/// Shortest passage (in bytes) whose identified language is trusted even
/// when the detector is not confident, where the document's language cannot
/// stand in (it is `und`, or the passage is in another script); shorter
/// ones keep the document's.
const MIN_DETECT_BYTES: usize = 24;

/// A document's language, and what its passages are compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLang {
    /// Given, else identified, else `und`.
    pub lang: String,
    /// Was it given in the input?
    pub given: bool,
    /// The dominant script of the sample it was identified on (`None` when
    /// given, or when the sample has no letters).
    pub script: Option<Script>,
}

/// Language of a whole document: given, else identified on the first
/// [`langid::SAMPLE_BYTES`] of its text from its first passage on, else
/// `und`.
pub fn doc_lang(parsed: &Parsed) -> DocLang {
    if let Some(l) = &parsed.doc.lang {
        return DocLang {
            lang: l.clone(),
            given: true,
            script: None,
        };
    }
    let from = parsed.passages.first().map_or(0, |p| p.start);
    let text = &parsed.doc.text[from..];
    let census = Census::of(text);
    DocLang {
        lang: langid::identify_with(text, &census)
            .map_or(UNDETERMINED, |d| d.lang)
            .to_string(),
        given: false,
        script: census.dominant(),
    }
}

/// Language of one passage of a document of several. Only a passage that
/// can differ from its document is identified on its own: a quoted tweet,
/// a passage of a document without a language, and (unless the document's
/// language was given) a passage whose dominant script is not the
/// document's. Any other takes the document's language, and so does one
/// whose own identification is unsure and shorter than
/// [`MIN_DETECT_BYTES`]. A passage in another script that cannot be
/// identified is `und`.
pub fn passage_lang(text: &str, kind: Kind, doc: &DocLang) -> String {
    let und = doc.lang == UNDETERMINED;
    if kind == Kind::Tweet || und {
        return match langid::identify(text) {
            Some(d) if d.reliable || (und && text.len() >= MIN_DETECT_BYTES) => d.lang,
            _ => &doc.lang,
        }
        .to_string();
    }
    if doc.given {
        return doc.lang.clone();
    }
    let census = Census::of(text);
    match census.dominant() {
        Some(script) if Some(script) != doc.script => match langid::identify_with(text, &census) {
            Some(d) if d.reliable || text.len() >= MIN_DETECT_BYTES => d.lang,
            Some(_) => &doc.lang,
            None => UNDETERMINED,
        }
        .to_string(),
        _ => doc.lang.clone(),
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
    // The document was identified on its one passage (a given language
    // wins over a quoted tweet's own, unless the document is the tweet).
    let single = parsed.passages.len() == 1 && (!dlang.given || doc.kind == Kind::Tweet);
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
        let lang = if single {
            dlang.lang.clone()
        } else {
            passage_lang(text, p.kind, &dlang)
        };
        out.push(Laid {
            position: i,
            lang,
            char_start,
            char_len,
        });
    }
    (dlang.lang, out)
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

/// Whether to compute near-duplicate signatures: yes, unless the
/// environment variable `GAZETTE_DUP_SIGNATURES` is `0` (to measure what
/// they cost: scripts/dup_cost.sh; an index without them collapses and
/// skips nothing).
fn signatures() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("GAZETTE_DUP_SIGNATURES").map_or(true, |v| v.trim() != "0"))
}

/// The tantivy documents (one per passage) of a parsed document.
pub fn documents(parsed: &Parsed, f: &Fields) -> Vec<TantivyDocument> {
    let doc = &parsed.doc;
    let (dlang, laid) = lay_out(parsed);
    let tagged_title = doc.title.as_deref().map(|t| tag_language(&dlang, t));
    let sigs: Vec<Option<MinHash>> = parsed
        .passages
        .iter()
        .map(|p| match signatures() {
            true => MinHash::of_text(&doc.text[p.start..p.end]),
            false => None,
        })
        .collect();
    let doc_sig = sigs.iter().flatten().fold(None, |acc: Option<MinHash>, m| {
        let mut acc = acc.unwrap_or_else(MinHash::empty);
        acc.union(m);
        Some(acc)
    });
    let mut out = Vec::with_capacity(parsed.passages.len());
    for (p, l) in parsed.passages.iter().zip(laid) {
        let i = l.position;
        let text = &doc.text[p.start..p.end];
        let (plang, char_start, char_len) = (l.lang, l.char_start, l.char_len);
        let mut d = TantivyDocument::default();
        d.add_text(f.doc_id, &doc.id);
        d.add_text(f.kind, p.kind.as_str());
        d.add_text(f.lang, &plang);
        if i == 0 {
            // The document's own values are stored once, on its first
            // passage (a hit reads them there), and its title indexed
            // once: a passage gets its title's score through
            // search::doclevel.
            d.add_text(f.doc_kind, doc.kind.as_str());
            d.add_text(f.doc_lang, &dlang);
            if let (Some(title), Some(tagged)) = (&doc.title, &tagged_title) {
                d.add_text(f.title_text, title);
                d.add_text(f.title, tagged);
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
        }
        let tagged = tag_language(&plang, text);
        if gram_size(&plang).is_some() {
            d.add_text(f.body_gram, &tagged);
        }
        d.add_text(f.body, tagged);
        d.add_text(f.text, text);
        let tweet = p.tweet.as_ref().or(doc.tweet.as_ref());
        let date = tweet.and_then(|t| t.date).or(doc.date);
        if let Some(day) = date {
            d.add_i64(f.date, day.days());
        }
        let author = tweet
            .and_then(|t| t.author.as_deref())
            .or(doc.author.as_deref());
        if let Some(a) = author {
            d.add_text(f.author, a);
        }
        let handle = tweet.and_then(|t| t.handle.as_deref());
        match (handle, author) {
            (Some(h), _) => d.add_text(f.author_facet, format!("@{h}")),
            (None, Some(a)) => d.add_text(f.author_facet, a),
            (None, None) => {}
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
        if i == 0 {
            // Read once per document (the unchanged check), so kept once.
            d.add_u64(f.doc_hash, doc.hash);
        }
        d.add_text(f.origin, &doc.origin);
        if let Some(m) = &sigs[i] {
            d.add_bytes(f.sig, &m.signature());
        }
        if let (0, Some(m)) = (i, &doc_sig) {
            d.add_bytes(f.doc_sig, &m.signature());
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ingest::{self, Format, Input, Record, RecordBody};

    const ES: &str = "Ciudadanos y diputados a la espera de que Juan Guaidó pueda entrar a la Asamblea Nacional, mientras la Guardia Nacional bloquea el paso.";
    const ES2: &str = "El presidente de la Asamblea Nacional denunció que los militares impidieron la entrada de los diputados al Palacio Federal Legislativo.";
    const EN_TWEET: &str = "The National Assembly was the scene of a chaotic struggle for control today — Jane Doe (@janedoe) January 7, 2020";
    const RU: &str =
        "Национальное собрание сегодня стало ареной хаотичной борьбы за контроль над парламентом.";

    fn parsed(body: &str, lang: Option<&str>) -> Parsed {
        let mut v = serde_json::json!({"id": "a1", "title": "Guaidó", "body": body});
        if let Some(l) = lang {
            v["lang"] = l.into();
        }
        let input = Input {
            path: None,
            display: "t.jsonl".into(),
            rel_id: None,
            origin: "/x".into(),
            gzip: false,
            format: Format::JsonLines,
        };
        let record = Record {
            input: Arc::new(input),
            line: 1,
            body: RecordBody::Json(v.to_string()),
        };
        ingest::parse(&record).unwrap()
    }

    fn langs(p: &Parsed) -> (String, Vec<String>) {
        let (doc, laid) = lay_out(p);
        (doc, laid.into_iter().map(|l| l.lang).collect())
    }

    #[test]
    fn passages_take_their_documents_language() {
        // The last passage has no letters: it takes the document's.
        let p = parsed(&format!("{ES}\n{ES2}\n1 2 3 4 5 6 7 8 9 10 11 12"), None);
        assert_eq!(langs(&p), ("es".into(), vec!["es".into(); 3]));
    }

    #[test]
    fn a_quoted_tweet_keeps_its_own_language() {
        let p = parsed(&format!("{ES}\n{EN_TWEET}\n{ES2}"), None);
        assert_eq!(p.passages[1].kind, Kind::Tweet);
        assert_eq!(langs(&p).1, ["es", "en", "es"]);
        // Also where the article's language is given.
        let p = parsed(&format!("{ES}\n{EN_TWEET}\n{ES2}"), Some("es"));
        assert_eq!(langs(&p).1, ["es", "en", "es"]);
    }

    #[test]
    fn a_passage_in_another_script_is_identified() {
        let p = parsed(&format!("{ES}\n{RU}\nΗ Εθνοσυνέλευση.\n{ES2}"), None);
        assert_eq!(langs(&p).1, ["es", "ru", "el", "es"]);
    }

    #[test]
    fn a_given_language_wins() {
        let p = parsed(&format!("{ES}\n{RU}"), Some("pt"));
        assert_eq!(langs(&p), ("pt".into(), vec!["pt".into(), "pt".into()]));
        let p = parsed(ES, Some("pt"));
        assert_eq!(langs(&p), ("pt".into(), vec!["pt".into()]));
    }

    #[test]
    fn a_document_is_identified_on_a_bounded_sample() {
        // The Russian paragraph lies past the sample: the document is
        // Spanish, and the paragraph is identified on its own.
        let body = format!("{ES}\n{ES2}\n{ES}\n{ES2}\n{RU}");
        assert!(body.find(RU).unwrap() > langid::SAMPLE_BYTES);
        let p = parsed(&body, None);
        let d = doc_lang(&p);
        assert_eq!((d.lang.as_str(), d.script), ("es", Some(Script::Latin)));
        assert_eq!(langs(&p).1, ["es", "es", "es", "es", "ru"]);
    }

    #[test]
    fn an_undetectable_passage_is_und() {
        let p = parsed("2020-01-07 12:30\n—", None);
        let (doc, laid) = langs(&p);
        assert_eq!(doc, UNDETERMINED);
        assert!(laid.iter().all(|l| l == UNDETERMINED), "{laid:?}");
        // In another script than its document's, and unknown to whatlang.
        let p = parsed(&format!("{ES}\nᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ"), None);
        assert_eq!(langs(&p).1, ["es", UNDETERMINED]);
    }
}
