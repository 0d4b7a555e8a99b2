//! A real distributed engine: gazette's passages, with gazette's analysis
//! of them, exported to Typesense (a Raft-replicated cluster:
//! [`typesense`]) or written for OpenSearch (sharded: [`opensearch`]), and
//! queries answered by the Typesense cluster as gazette's own hits
//! (`--engine`).
//!
//! The other engine never analyzes text itself: each passage carries the
//! terms gazette indexes for it ([`PassageDoc::terms`]: the folded form of
//! every word and, in a stemmed language, its `lang:stem`), and a query is
//! analyzed by gazette into the same terms, so the engine matches what
//! gazette would, in every language. Highlights are gazette's, computed
//! from the text returned.

pub mod client;
pub mod opensearch;
pub mod typesense;

use serde::{Deserialize, Serialize};

use crate::analysis::{Analyzer, fold, tokenizer};
use crate::model::{Day, Kind, TweetMeta};
use crate::search::{DocOut, Hit, PassageOut, Span};

/// One passage as another engine stores it: everything a HIT shows, the
/// values filters and facets read, and gazette's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageDoc {
    /// Passage id, `doc_id#n` (the engine's document id).
    pub id: String,
    /// Its document's id.
    pub doc_id: String,
    /// `article` or `tweet`.
    pub kind: Kind,
    /// Passage language.
    pub lang: String,
    /// Passage text as written.
    pub text: String,
    /// Byte offsets in the document's text.
    pub start: usize,
    /// Byte offset past the end.
    pub end: usize,
    /// Char offset in the document's text.
    pub char_start: usize,
    /// Char offset past the end.
    pub char_end: usize,
    /// The document's kind.
    pub doc_kind: Kind,
    /// The document's language.
    pub doc_lang: String,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// The document's date, `YYYY-MM-DD`.
    #[serde(default)]
    pub doc_date: Option<String>,
    /// Publisher.
    #[serde(default)]
    pub source: Option<String>,
    /// Link.
    #[serde(default)]
    pub url: Option<String>,
    /// Tweet metadata.
    #[serde(default)]
    pub tweet: Option<TweetMeta>,
    /// The passage's date (the tweet's, else the document's), `YYYY-MM-DD`:
    /// the `date` facet.
    #[serde(default)]
    pub date: Option<String>,
    /// The same as days since 1970-01-01: `--since`/`--until`.
    #[serde(default)]
    pub day: Option<i64>,
    /// The `author` facet's value: `@handle` of a tweet, else the author.
    #[serde(default)]
    pub author: Option<String>,
    /// The author's name, folded word by word (`--author NAME`).
    #[serde(default)]
    pub author_words: Vec<String>,
    /// Tweet handle, lower case, without `@` (`--author @handle`).
    #[serde(default)]
    pub handle: Option<String>,
    /// gazette's terms of the passage text, in order, separated by spaces
    /// (not returned by searches: empty there).
    #[serde(default)]
    pub terms: String,
}

impl PassageDoc {
    /// The passage of `hit` (as [`crate::search::Engine::for_each_passage`]
    /// gives it) with its `author` facet value.
    pub fn from_hit(hit: Hit, author: Option<String>) -> PassageDoc {
        let Hit {
            passage,
            doc,
            tweet,
            ..
        } = hit;
        let date = tweet
            .as_ref()
            .and_then(|t| t.date.map(|d| d.to_string()))
            .or_else(|| doc.date.clone());
        let day = date.as_deref().and_then(Day::parse).map(|d| d.days());
        let handle = tweet
            .as_ref()
            .and_then(|t| t.handle.as_ref())
            .map(|h| h.to_lowercase());
        let name = match author.as_deref() {
            Some(a) if a.starts_with('@') => tweet.as_ref().and_then(|t| t.author.clone()),
            other => other.map(String::from),
        };
        PassageDoc {
            terms: terms(&passage.text, &passage.lang),
            id: passage.id,
            doc_id: doc.id,
            kind: passage.kind,
            lang: passage.lang,
            text: passage.text,
            start: passage.offset.start,
            end: passage.offset.end,
            char_start: passage.offset.char_start,
            char_end: passage.offset.char_end,
            doc_kind: doc.kind,
            doc_lang: doc.lang,
            title: doc.title,
            doc_date: doc.date,
            source: doc.source,
            url: doc.url,
            tweet,
            date,
            day,
            author,
            author_words: name.as_deref().map(author_words).unwrap_or_default(),
            handle,
        }
    }

    /// The hit showing this passage (highlights, rank and score to fill in).
    pub fn into_hit(self, rank: usize, score: f32) -> Hit {
        Hit {
            rank,
            score,
            passage: PassageOut {
                id: self.id,
                kind: self.kind,
                lang: self.lang,
                text: self.text,
                offset: Span {
                    start: self.start,
                    end: self.end,
                    char_start: self.char_start,
                    char_end: self.char_end,
                },
                highlights: Vec::new(),
            },
            index: None,
            doc: DocOut {
                id: self.doc_id,
                kind: self.doc_kind,
                title: self.title,
                date: self.doc_date,
                source: self.source,
                url: self.url,
                lang: self.doc_lang,
            },
            tweet: self.tweet,
            duplicates: Vec::new(),
            explain: None,
        }
    }

    /// A hash of everything the engine stores of this passage (hex): what
    /// a second export compares to send only what changed.
    pub fn content_hash(&self) -> String {
        let bytes = serde_json::to_vec(self).expect("serializable");
        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes))
    }
}

/// The terms gazette indexes for a passage's text in `lang` (the `body`
/// field's analysis: folded words, `lang:stem` beside them), separated by
/// spaces. No term holds whitespace.
pub fn terms(text: &str, lang: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for t in Analyzer::for_lang(Some(lang)).tokens(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}

/// The folded words of an author's name, as `--author NAME` matches them.
pub fn author_words(name: &str) -> Vec<String> {
    tokenizer::tokenize_lang(name, None)
        .iter()
        .map(|t| fold::fold(&name[t.start..t.end]))
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_the_indexed_ones_in_order() {
        assert_eq!(
            terms("Lawmakers met Guaidó #7Ene", "en"),
            "lawmakers en:lawmak met en:met guaido en:guaido #7ene 7ene"
        );
        // Other languages stem in their own; unknown ones only fold.
        assert_eq!(
            terms("Los diputados", "es"),
            "los es:los diputados es:diput"
        );
        assert_eq!(terms("Ñandú", "und"), "nandu");
    }

    #[test]
    fn author_words_are_folded() {
        assert_eq!(author_words("Crónica Uno"), ["cronica", "uno"]);
    }
}
