//! The JSON that `query` and `batch` print: one set of serde types, the
//! promise every script relies on. Documented in `docs/JSON.md`; change only
//! on purpose.

use serde::{Deserialize, Serialize};

use super::facets::Facets;
pub use crate::model::Span;
use crate::model::{Kind, TweetMeta};
use crate::search::explain::Explanation;

/// The passage of a hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageOut {
    /// `doc_id#n`.
    pub id: String,
    /// `article` or `tweet`.
    pub kind: Kind,
    /// Passage language.
    pub lang: String,
    /// Passage text as indexed.
    pub text: String,
    /// Where the passage sits in its document's text.
    pub offset: Span,
    /// Highlighted spans, offsets within `text`, in order, not overlapping.
    pub highlights: Vec<Span>,
}

/// The document a hit belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocOut {
    /// Document id.
    pub id: String,
    /// `article` or `tweet`.
    pub kind: Kind,
    /// Title, or null.
    pub title: Option<String>,
    /// `YYYY-MM-DD`, or null.
    pub date: Option<String>,
    /// Publisher, or null.
    pub source: Option<String>,
    /// Link, or null.
    pub url: Option<String>,
    /// Document language.
    pub lang: String,
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// 1-based rank, counting the offset.
    pub rank: usize,
    /// BM25 score.
    pub score: f32,
    /// The passage.
    pub passage: PassageOut,
    /// Its document.
    pub doc: DocOut,
    /// Tweet metadata, or null for article paragraphs.
    pub tweet: Option<TweetMeta>,
    /// Near-duplicates of this passage that `--collapse` folded into it,
    /// best first (empty when none, or without `--collapse`).
    #[serde(default)]
    pub duplicates: Vec<Duplicate>,
    /// Why the hit scores what it does (`--explain` only; absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
    /// The index folder the passage is in, when several indexes are
    /// searched as one (absent with one index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

/// A passage folded into a hit by `--collapse`: a near-duplicate of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    /// `doc_id#n`.
    pub passage_id: String,
    /// Its document's id.
    pub doc_id: String,
    /// Its score for the query.
    pub score: f32,
    /// The index folder it is in, when several indexes are searched as
    /// one (absent with one index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

/// The answer to one query (`query --format json`; a `batch` line adds `id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The query text.
    pub query: String,
    /// Passages matching (before `--limit`, `--offset` and `--per-article`).
    pub total: usize,
    /// Search time in milliseconds.
    pub took_ms: f64,
    /// Warnings (such as a syntax error answered by plain words).
    pub warnings: Vec<String>,
    /// The hits.
    pub hits: Vec<Hit>,
    /// Counts per facet value over all matching passages; only when asked
    /// for (`--facets`, `facets=`), absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    /// The one language the query's words were analyzed in (stems,
    /// grams), and how it was chosen; `null` when they were analyzed in
    /// every language of the index (no language given, none identified).
    /// Output written before the field existed lacks it: it reads as
    /// `null`.
    #[serde(default)]
    pub query_lang: Option<QueryLang>,
    /// The query's words left out as stop words of `query_lang` (its stop
    /// list's, or a word in more than half of its passages in the indexes
    /// searched), lower-cased as written (a half of a word searched as two,
    /// as the `warnings` name it), each once, in query order: not
    /// matched, scored or highlighted. Empty when none (a query of stop
    /// words only, a phrase and a `+word` keep them). Output written before
    /// the field existed lacks it: it reads as empty.
    #[serde(default)]
    pub stop_words: Vec<String>,
}

/// The language a query was read in ([`Response::query_lang`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryLang {
    /// ISO 639-1 code (639-3 where none exists).
    pub lang: String,
    /// How it was chosen.
    pub by: QueryLangBy,
}

/// How a query's language was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryLangBy {
    /// The request named it (`--lang`, `lang=`).
    Given,
    /// The language identifier was sure of it, among the index's
    /// languages.
    Detected,
    /// The index's own character grams: the language whose passages'
    /// grams the query's are likeliest under (`search::querylang`), for
    /// a language the identifier does not know.
    Grams,
}

impl QueryLangBy {
    /// A few words for text output.
    pub fn describe(self) -> &'static str {
        match self {
            QueryLangBy::Given => "given",
            QueryLangBy::Detected => "identified from its text",
            QueryLangBy::Grams => "identified by the index's character grams",
        }
    }
}
