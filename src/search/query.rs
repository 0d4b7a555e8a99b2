//! From query text to a tantivy query and the terms to highlight.
//!
//! The syntax is tantivy's query grammar (plain words, `"phrases"`,
//! `AND`/`OR`/`NOT`/`+`/`-`, `field:value`, `field:[a TO b]`), but every
//! literal goes through gazette's own analysis: a word becomes its folded
//! term plus its stem in each language the index holds (or the one asked
//! for), so one query finds `diputados` for `diputado` and `députés` for
//! `deputes`. Syntax errors never fail: the plain words are searched and a
//! warning says so.

use rustc_hash::FxHashSet;
use std::ops::Bound;
use std::sync::OnceLock;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::query_grammar::{
    Delimiter, Occur as UOccur, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::{Field, IndexRecordOption};
use unicode_segmentation::UnicodeSegmentation;

use crate::analysis::{Analyzer, WordKind, fold, stop, tokenizer};
use crate::model::{Day, Kind};
use crate::schema::Fields;
use crate::search::bm25::{Bm25Params, Bm25TermQuery};
use crate::search::docevidence::{DocEvidenceQuery, EvidenceStats, EvidenceTerm};
use crate::search::doclevel::DocLevelQuery;

/// Weight of the title field beside the passage's own text: a passage that
/// matches in its own text, and whose document title matches too, gets this
/// share of the title's BM25 on top. A title match alone never makes a
/// passage a hit: every hit contains what was asked for. 1.0 since BM25 k1
/// 0.4 (XQuAD-R: 1.5 and 2.0 cost English 0.006 and 0.016, the other
/// languages barely move; docs/RELEVANCE.md).
pub const TITLE_WEIGHT: f32 = 1.0;
/// Weight of a stem match. Tuned on XQuAD-R (docs/RELEVANCE.md).
pub const STEM_WEIGHT: f32 = 1.0;
/// Weight of an exact (folded) match of a word that also has a stem: an
/// exact match scores both terms, so it ranks above a stemmed one, but the
/// stem carries the weight (XQuAD-R: exact 1.0 / stem 0.8 gave nDCG@10
/// 0.772, exact 0.3 / stem 1.0 gave 0.784, better in every stemmed
/// language and equal in the others; at BM25 k1 0.4, 0.2 beats 0.3 and
/// 0.1 or 0.15 are worse again).
pub const EXACT_WEIGHT: f32 = 0.2;
/// Weight of a word's exact form in the document evidence when the query's
/// language is unknown (its stems are those of every stemmed language of
/// the index): one of the word's forms, of which a document counts the
/// best. On one index of the 35 languages of ir-news-headlines, queries
/// without a language: nDCG@10 0.562 without the exact form, 0.820 with
/// it added at 1.0 to the stems' sum, 0.837 as the best of the forms at
/// 1.0 (0.843 at 2.0, which would let the exact form outweigh a stem);
/// XQuAD-R mixed 0.803 -> 0.804 (docs/RELEVANCE.md).
pub const EXACT_EVIDENCE_WEIGHT: f32 = 1.0;

/// Weight of each character-trigram term of a word (languages not in
/// [`crate::analysis::WITHOUT_TRIGRAMS`]). XQuAD-R nDCG@10 of
/// ar / de / tr (trigrams then in the passage field itself): 0.813 /
/// 0.823 / 0.816 at 1.0, 0.812 / 0.823 / 0.822 at 0.5, 0.810 / 0.825 /
/// 0.823 at 0.3, 0.803 / 0.824 / 0.816 at 0.15 (docs/RELEVANCE.md).
pub const TRIGRAM_WEIGHT: f32 = 0.3;

/// Weight of each syllable-bigram term of a Korean word: a word's own
/// weight, as Lucene's CJK analyzer indexes bigrams instead of words.
/// ir-news-headlines ko (117 queries, `--unit doc`) nDCG@10 / MRR@10:
/// without bigrams 0.8327 / 0.8067; weight 0.3 0.8965 / 0.8745; 0.6
/// 0.9120 / 0.8971; 1.0 0.9133 / 0.8964; 1.5 0.9178 / 0.9024 (best peer
/// 0.921 / 0.904). Kept at 1.0, not tuned further on 117 queries.
pub const BIGRAM_WEIGHT: f32 = 1.0;

/// [`TRIGRAM_WEIGHT`], unless `GAZETTE_TRIGRAM_WEIGHT` sets another
/// (experiments; read once).
pub fn trigram_weight() -> f32 {
    static W: OnceLock<f32> = OnceLock::new();
    *W.get_or_init(|| env_param("GAZETTE_TRIGRAM_WEIGHT", TRIGRAM_WEIGHT))
}

/// Weight of each trigram term of a word in another script in the text
/// of a language whose own script is cut into trigrams
/// ([`crate::analysis::SCRIPT_TRIGRAM_LANGUAGES`], Thai): a trigram of
/// the script's own weighs 1 (it is a body term), and so does each of
/// theirs. Thai nDCG@10 on ir-news-headlines / XQuAD-R paragraphs /
/// sentences, one index each: 0.9056 / 0.9695 / 0.8254 at 0.3, 0.9058 /
/// 0.9700 / 0.8269 at 0.5, 0.9058 / 0.9718 / 0.8294 at 1.0.
pub const SCRIPT_TRIGRAM_WEIGHT: f32 = 1.0;

/// Weight of each gram term of a word in `lang`.
fn gram_weight(lang: &str) -> f32 {
    if crate::analysis::SCRIPT_TRIGRAM_LANGUAGES.contains(&lang) {
        SCRIPT_TRIGRAM_WEIGHT
    } else if crate::analysis::gram_size(lang) == Some(2) {
        BIGRAM_WEIGHT
    } else {
        trigram_weight()
    }
}
/// BM25 term-frequency saturation of the passage text and title. tantivy
/// fixes 1.2 and Lucene defaults to 0.9; on XQuAD-R a low k1 (a second
/// occurrence of a word adds little, matching more of the words counts)
/// is better in every language: 0.4 gives nDCG@10 0.811 against 0.803 at
/// 1.2 (docs/RELEVANCE.md, "BM25 k1 and b").
pub const BM25_K1: f32 = 0.4;
/// BM25 length normalization of the passage text and title: tantivy's
/// 0.75. At k1 0.4 the sweep is flat from 0.6 to 0.85 (Lucene's 0.4 is
/// better only with a high k1).
pub const BM25_B: f32 = 0.75;

/// The BM25 parameters of scored text terms: [`BM25_K1`] and [`BM25_B`],
/// unless the environment variables `GAZETTE_BM25_K1` / `GAZETTE_BM25_B`
/// set others (for experiments; read once).
pub fn bm25_params() -> Bm25Params {
    static PARAMS: OnceLock<Bm25Params> = OnceLock::new();
    *PARAMS.get_or_init(|| {
        let var = |name: &str, default: f32| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<f32>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
                .unwrap_or(default)
        };
        Bm25Params {
            k1: var("GAZETTE_BM25_K1", BM25_K1),
            b: var("GAZETTE_BM25_B", BM25_B),
        }
    })
}

/// Weight of the document evidence beside the passage's own score: each
/// passage gets this share of its whole document's BM25 over the query's
/// words ([`DocEvidenceQuery`]). Tuned on ir-news-headlines and XQuAD-R
/// (docs/RELEVANCE.md, "Document evidence").
pub const DOC_WEIGHT: f32 = 2.0;
/// BM25 k1 of the document evidence.
pub const DOC_K1: f32 = 1.2;
/// BM25 b of the document evidence.
pub const DOC_B: f32 = 0.75;

/// A non-negative number from the environment (experiments), else `default`.
fn env_param(name: &str, default: f32) -> f32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<f32>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .unwrap_or(default)
}

/// A gram (a trigram, a Korean bigram) in more than this share of its
/// language's passages is left out of a query, from the passage query and
/// the document evidence alike: its idf (ln 5 at a fifth) tells passages
/// apart by little, and its postings, the longest of a query's, cost the
/// most to walk. ir-news-headlines nDCG@10 per language, average: 0.9033
/// with every gram, 0.9031 at 0.2, 0.9021 at 0.15, 0.9016 at 0.1, 0.9001
/// at 0.05; XQuAD-R paragraphs and sentences the same at 0.2 (0.9640,
/// 0.8325); the headline batch 11–15% less CPU at 0.2
/// (docs/RELEVANCE.md, "Common grams left out of a query").
pub const COMMON_GRAM_SHARE: f32 = 0.2;

/// A query word in more than this share of its language's passages (at
/// least 1,000 counted) is a stop word of that language, as scikit-learn's
/// `max_df = 0.5` makes corpus-specific stop words: left out of a query
/// that has other words ([`Compiler::common_words`]). Per language,
/// nDCG@10 unchanged on ir-news-headlines (0.9031) and XQuAD-R paragraphs
/// (0.9640), sentences 0.8325 → 0.8324; at 0.3 Vietnamese sentences lose
/// 0.007 (its words are syllables, many in a third of its sentences). The
/// headline batch a quarter less CPU (docs/RELEVANCE.md).
pub const COMMON_WORD_SHARE: f32 = 0.5;

/// [`COMMON_WORD_SHARE`], unless `GAZETTE_COMMON_WORD_SHARE` sets another
/// (experiments; 1 keeps every word; read once).
pub fn common_word_share() -> f64 {
    static W: OnceLock<f32> = OnceLock::new();
    *W.get_or_init(|| env_param("GAZETTE_COMMON_WORD_SHARE", COMMON_WORD_SHARE)) as f64
}

/// [`COMMON_GRAM_SHARE`], unless `GAZETTE_COMMON_GRAM_SHARE` sets another
/// (experiments; 1 keeps every gram; read once).
pub fn common_gram_share() -> f64 {
    static W: OnceLock<f32> = OnceLock::new();
    *W.get_or_init(|| env_param("GAZETTE_COMMON_GRAM_SHARE", COMMON_GRAM_SHARE)) as f64
}

/// [`DOC_WEIGHT`], unless `GAZETTE_DOC_WEIGHT` sets another (read once).
pub fn doc_weight() -> f32 {
    static W: OnceLock<f32> = OnceLock::new();
    *W.get_or_init(|| env_param("GAZETTE_DOC_WEIGHT", DOC_WEIGHT))
}

/// [`DOC_K1`] and [`DOC_B`], unless `GAZETTE_DOC_K1` / `GAZETTE_DOC_B` set
/// others (read once).
pub fn doc_params() -> Bm25Params {
    static P: OnceLock<Bm25Params> = OnceLock::new();
    *P.get_or_init(|| Bm25Params {
        k1: env_param("GAZETTE_DOC_K1", DOC_K1),
        b: env_param("GAZETTE_DOC_B", DOC_B),
    })
}

/// What to highlight in a passage.
#[derive(Debug, Default, Clone)]
pub struct HighlightSpec {
    /// Terms (folded or `lang:stem`) whose tokens are highlighted.
    pub terms: FxHashSet<String>,
    /// Phrases: sequences of folded terms highlighted as one span where they
    /// occur in order.
    pub phrases: Vec<Vec<String>>,
    /// The gram terms of each query word that has two or more: a word of
    /// the passage that shares half of them (and two at least) matched by
    /// its grams (`mtoto` → `Watoto`) and is highlighted too.
    pub grams: Vec<Vec<String>>,
}

/// A compiled query.
pub struct Compiled {
    /// What tantivy runs.
    pub query: Box<dyn Query>,
    /// What to highlight.
    pub highlight: HighlightSpec,
    /// Warnings for the user.
    pub warnings: Vec<String>,
    /// The document evidence's statistics, to share across indexes
    /// searched as one (`None` when the query has no evidence clause).
    pub evidence: Option<EvidenceStats>,
    /// The positive phrases of several words, as written.
    pub phrases: Vec<String>,
    /// The languages that the query's positive `lang:` filters name
    /// (normalized codes), for the engine to say which no passage is in.
    pub lang_filters: Vec<String>,
    /// The query's words left out as stop words of its language, as
    /// written (lower-cased; a half of a word split in two as that half),
    /// each once, in query order ([`crate::search::Response::stop_words`]).
    pub stop_words: Vec<String>,
}

/// Whether a gram term (`sw#ari`) is common among its language's passages.
pub type CommonGram<'a> = &'a dyn Fn(&str) -> bool;

/// Whether a word is common among a language's passages: `(lang, word)`.
pub type CommonWord<'a> = &'a dyn Fn(&str, &str) -> bool;

/// How many passages of the indexes searched hold a folded word in their
/// text ([`Compiler::splitting_unknown`]).
pub type WordCount<'a> = &'a dyn Fn(&str) -> u64;

/// Whether some passage of the indexes searched holds one folded word
/// right before another ([`Compiler::splitting_unknown`]).
pub type Adjacent<'a> = &'a dyn Fn(&str, &str) -> bool;

/// Context of compilation: the fields and the stem languages to expand to.
pub struct Compiler<'a> {
    fields: &'a Fields,
    stem_langs: Vec<&'static str>,
    spec: HighlightSpec,
    warnings: Vec<String>,
    /// The query holds a leaf that is not text (a filter, a range, `*`).
    structural: bool,
    /// Title matches of the positive words, added to the score of hits.
    title_boost: Vec<Box<dyn Query>>,
    /// Terms of the positive words in the passage text, with their
    /// weights, for the document evidence.
    /// and groups (the forms of one word are one group, see
    /// [`DocEvidenceQuery`]).
    doc_terms: Vec<EvidenceTerm>,
    doc_groups: u32,
    /// The query's language, when its stop words are left out of the
    /// query (it has one, with a stop list, and the query other words).
    stop_lang: Option<&'static str>,
    /// Compiling a required or excluded clause (`+word`, `-word`): stop
    /// words stay.
    required: bool,
    /// Stop words stay everywhere: the query's only positive words were
    /// stop words (`of -title:alpha`), and leaving them out left nothing.
    keep_stop_words: bool,
    /// Stop words left out of the query, and the positive words kept
    /// beside them.
    stop_words_dropped: usize,
    /// The words left out, as [`Compiled::stop_words`] gives them.
    stop_words: Vec<String>,
    positive_words_kept: usize,
    /// Positive phrases are searched as their words (a phrase no passage
    /// has; see [`Compiler::phrases_as_words`]).
    phrases_as_words: bool,
    /// Whether a gram term is common in the indexes searched: such a gram
    /// is left out of the query ([`Compiler::leaving_out`]).
    common_gram: Option<CommonGram<'a>>,
    /// Whether a word (its folded form) is common among a language's
    /// passages: a stop word of it ([`Compiler::common_words`]).
    common_word: Option<CommonWord<'a>>,
    /// Passages holding a folded word: a word no passage holds is split
    /// into two that passages hold ([`Compiler::splitting_unknown`]).
    word_count: Option<(WordCount<'a>, Adjacent<'a>)>,
    /// The positive phrases of several words, as written.
    phrases: Vec<String>,
    /// See [`Compiled::lang_filters`].
    lang_filters: Vec<String>,
    /// The query's one language was detected among the index's (not asked
    /// for, not the index's only one): see [`Compiler::detected`].
    detected: bool,
}

/// Fewest characters (graphemes) of each half of a split word
/// ([`Compiler::splitting_unknown`]): Arabic's `في`, `من`.
const MIN_SPLIT_CHARS: usize = 2;

/// Fewest characters (graphemes) of a word that is split: a short word
/// no passage holds is a name or a rare word more often than two words
/// run together (`Baka` is not `ba` + `ka`).
const MIN_SPLIT_WORD_CHARS: usize = 5;

/// Most characters (graphemes) of a word that is split: two words run
/// together are seldom longer, and each split point costs dictionary
/// lookups (a pasted token of thousands of characters is not tried).
const MAX_SPLIT_WORD_CHARS: usize = 40;

/// The split of `word` into two halves (as written) whose folded forms
/// passages hold, the rarer half as frequent as can be.
fn best_split<'w>(
    word: &'w str,
    count: WordCount<'_>,
    adjacent: Adjacent<'_>,
) -> Option<(&'w str, &'w str)> {
    // Between characters as a reader counts them: a mark stays on its
    // letter (Yoruba `bọ́dì` is not `bọ` + `́dì`).
    let bounds: Vec<usize> = word.grapheme_indices(true).map(|(i, _)| i).collect();
    if bounds.len() < MIN_SPLIT_WORD_CHARS.max(2 * MIN_SPLIT_CHARS)
        || bounds.len() > MAX_SPLIT_WORD_CHARS
    {
        return None;
    }
    let mut found: Vec<(u64, usize)> = Vec::new();
    for &at in &bounds[MIN_SPLIT_CHARS..=bounds.len() - MIN_SPLIT_CHARS] {
        let (a, b) = word.split_at(at);
        let left = count(&fold::fold(a));
        if left == 0 {
            continue;
        }
        let both = left.min(count(&fold::fold(b)));
        if both > 0 {
            found.push((both, at));
        }
    }
    // Stable: of equally frequent halves, the earlier split first.
    found.sort_by_key(|&(n, _)| std::cmp::Reverse(n));
    found
        .into_iter()
        .map(|(_, at)| word.split_at(at))
        .find(|(a, b)| adjacent(&fold::fold(a), &fold::fold(b)))
}

/// One position of analyzed query text: its exact terms, and the word as
/// written, to stem (for ordinary words).
struct Unit {
    exact: Vec<String>,
    stem_source: Option<String>,
}

fn units(text: &str, lang: Option<&str>) -> Vec<Unit> {
    let raw = tokenizer::tokenize_lang(text, lang);
    let mut out: Vec<Unit> = Vec::new();
    let mut last_pos = usize::MAX;
    for t in &raw {
        let folded = fold::fold(&text[t.start..t.end]);
        if t.position == last_pos {
            // the bare word of a tag: the query asked for the tag as written
            continue;
        }
        last_pos = t.position;
        out.push(Unit {
            stem_source: (t.kind == WordKind::Word).then(|| text[t.start..t.end].to_string()),
            exact: vec![folded],
        });
    }
    out
}

/// Most chars of the query a warning quotes (a pasted article would fill
/// the terminal).
const QUOTED_CHARS: usize = 80;

/// `text` quoted for a warning: its first [`QUOTED_CHARS`] chars, with `…`
/// when cut.
fn quoted(text: &str) -> String {
    if text.chars().nth(QUOTED_CHARS).is_none() {
        return format!("{text:?}");
    }
    let cut: String = text.chars().take(QUOTED_CHARS).collect();
    format!("{:?}", format!("{cut}…"))
}

/// A scored term of the passage text or title: BM25 with [`bm25_params`].
fn text_term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(Bm25TermQuery::new(
        Term::from_field_text(field, text),
        bm25_params(),
    ))
}

/// A stem term (`xx:stem`) of a text field, its idf among the passages of
/// its language ([`Bm25TermQuery::within`]; `lang` is the language field).
fn stem_term_query(field: Field, lang: Field, text: &str) -> Box<dyn Query> {
    let query = Bm25TermQuery::new(Term::from_field_text(field, text), bm25_params());
    Box::new(match language_of(lang, text, crate::analysis::STEM_SEP) {
        Some(scope) => query.within(scope),
        None => query,
    })
}

/// The language of a tagged term (`es:victim`, `de#bun`: `sep` after the
/// code) as a term of the language field `lang`.
fn language_of(lang: Field, tagged: &str, sep: char) -> Option<Term> {
    let (code, _) = tagged.split_once(sep)?;
    Some(Term::from_field_text(lang, code))
}

/// A term of any other field (filters, author, ids): tantivy's own query.
fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

fn should(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    let mut flat = Vec::with_capacity(clauses.len());
    for q in clauses {
        push_should(&mut flat, q);
    }
    union_of(flat)
}

fn union_of(mut clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    match clauses.len() {
        0 => Box::new(EmptyQuery),
        1 => clauses.pop().expect("one"),
        _ => Box::new(BooleanQuery::union(clauses)),
    }
}

/// Adds `q` to the clauses of a union, or its own clauses when it is a
/// union itself. A union of unions matches and scores as the union of all
/// their clauses (a sum of sums), but tantivy builds a union scorer, with
/// its 4096-document buffer, for every union in every segment: flat, a
/// query of eight words builds two instead of nineteen.
fn push_should(out: &mut Vec<Box<dyn Query>>, q: Box<dyn Query>) {
    match q.downcast_ref::<BooleanQuery>() {
        Some(b) if is_union(b) => {
            for (_, sub) in b.clauses() {
                push_should(out, sub.box_clone());
            }
        }
        _ => out.push(q),
    }
}

/// Whether `text` is plain words, without anything tantivy's query grammar
/// reads as syntax (quotes, brackets, `field:`, `+`/`-`, `^`, `~`, `*`,
/// escapes, ranges, operators) and separated by ASCII white space. Such
/// text skips the grammar: parsing costs more than the rest of compiling.
fn is_plain(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_whitespace() && !c.is_ascii_whitespace())
        && !text.contains([
            '+', '-', '^', '`', ':', '{', '}', '"', '\'', '[', ']', '(', ')', '!', '\\', '*', '~',
            '/', '<', '>', '=', '&', '|',
        ])
        && !text
            .split_whitespace()
            .any(|w| matches!(w, "AND" | "OR" | "NOT" | "IN" | "TO"))
}

/// The field names of the query syntax.
const FIELD_NAMES: [&str; 10] = [
    "body", "text", "title", "lang", "kind", "author", "handle", "id", "doc", "date",
];

/// `text` without what tantivy's grammar would read as syntax but people
/// write as prose, above all in pasted headlines:
/// - a single quote that is not between two letters or digits (`'Hello
///   world'`, `Guaidó' s`): an apostrophe or a quotation mark, not the
///   start of a phrase (phrases are `"double-quoted"`; `l'AN` and `don't`
///   keep theirs);
/// - a colon that follows a word other than a field name and precedes
///   white space (`Coronavirus: …`, `Kheyre: "…"`): a label, not a field
///   (the grammar would search `Kheyre:` plus the phrase as one phrase, and
///   find nothing). `title: x`, `10:14` and `http://…` are left alone.
fn without_stray_syntax(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\'', ':']) {
        return text.into();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &(at, c)) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j].1);
        let after = chars.get(i + 1).map(|&(_, c)| c);
        let stray = match c {
            '\'' => {
                !(before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric))
            }
            ':' => {
                let word_start = text[..at]
                    .rfind(|c: char| c.is_whitespace() || "()+-\"".contains(c))
                    .map_or(0, |j| {
                        j + text[j..].chars().next().map_or(1, char::len_utf8)
                    });
                let word = &text[word_start..at];
                after.is_none_or(char::is_whitespace)
                    && !word.is_empty()
                    && !FIELD_NAMES.contains(&word)
            }
            _ => false,
        };
        out.push(if stray { ' ' } else { c });
    }
    out.into()
}

/// Only `Should` clauses, any one of which makes a match.
fn is_union(b: &BooleanQuery) -> bool {
    b.get_minimum_number_should_match() <= 1 && b.clauses().iter().all(|(o, _)| *o == Occur::Should)
}

impl<'a> Compiler<'a> {
    /// A compiler expanding stems to `stem_langs`.
    pub fn new(fields: &'a Fields, stem_langs: Vec<&'static str>) -> Self {
        Compiler {
            fields,
            stem_langs,
            spec: HighlightSpec::default(),
            warnings: Vec::new(),
            structural: false,
            title_boost: Vec::new(),
            doc_terms: Vec::new(),
            doc_groups: 0,
            stop_lang: None,
            required: false,
            keep_stop_words: false,
            stop_words_dropped: 0,
            stop_words: Vec::new(),
            positive_words_kept: 0,
            phrases_as_words: false,
            phrases: Vec::new(),
            lang_filters: Vec::new(),
            detected: false,
            common_gram: None,
            common_word: None,
            word_count: None,
        }
    }

    /// A word for which `common(lang, word)` is true (one in more than
    /// [`COMMON_WORD_SHARE`] of the query language's passages) is a stop
    /// word of the query's language: left out of an optional clause of a
    /// query that has other words, as the language's stop list is
    /// ([`stop`]), in every language, listed or not. What a stop list is
    /// for one language, the index's own counts are for all of them.
    pub fn common_words(mut self, common: CommonWord<'a>) -> Self {
        self.common_word = Some(common);
        self
    }

    /// A word that no passage holds (its folded form), but that reads as
    /// two words passages hold side by side, is searched as those two:
    /// words run together by a missing space (`النوابفي`, `newyork`).
    /// `count` gives a folded word's passages, `adjacent` whether some
    /// passage holds one folded word right before another. Of the splits
    /// whose halves (each at least [`MIN_SPLIT_CHARS`] graphemes) passages
    /// hold, the one whose rarer half is most frequent among those some
    /// passage holds side by side; a word with a stem some passage holds
    /// (an inflection the index has not seen) is not split.
    pub fn splitting_unknown(mut self, count: WordCount<'a>, adjacent: Adjacent<'a>) -> Self {
        self.word_count = Some((count, adjacent));
        self
    }

    /// `units` with each word no passage holds split as
    /// [`Compiler::splitting_unknown`] says, in an optional clause (a
    /// required or excluded word, `+word` `-word`, stays as written); a
    /// warning says so.
    fn split_unknown(&mut self, units: Vec<Unit>, positive: bool) -> Vec<Unit> {
        let Some((count, adjacent)) = self.word_count.filter(|_| positive && !self.required) else {
            return units;
        };
        let mut out = Vec::with_capacity(units.len());
        for unit in units {
            let split = match &unit.stem_source {
                Some(word) if count(&unit.exact[0]) == 0 => best_split(word, count, adjacent)
                    .filter(|_| {
                        !self.stem_langs.iter().any(|l| {
                            Analyzer::for_lang(Some(l))
                                .stem_term(word)
                                .is_some_and(|stem| count(&stem) > 0)
                        })
                    }),
                _ => None,
            };
            let (Some((a, b)), Some(word)) = (split, &unit.stem_source) else {
                out.push(unit);
                continue;
            };
            self.warnings.push(format!(
                "no passage has {word:?}; searched {:?} instead",
                format!("{a} {b}")
            ));
            out.extend([a, b].map(|half| Unit {
                exact: vec![fold::fold(half)],
                stem_source: Some(half.to_string()),
            }));
        }
        out
    }

    fn is_stop(&self, lang: &str, word: &str) -> bool {
        (stop::has_stop_words(lang) && stop::is_stop_word(lang, word))
            || self.common_word.is_some_and(|c| c(lang, word))
    }

    /// Leaves out of the query (its passage terms and its document
    /// evidence) each gram for which `common` is true: one in more than
    /// [`COMMON_GRAM_SHARE`] of its language's passages in the indexes
    /// searched ([`crate::search::bm25::is_common`]). Decided here, once
    /// per query, so that everything that runs the query (ranking,
    /// counting, facets, several indexes as one) matches the same
    /// passages. The grams still highlight (the highlighter's rule).
    pub fn leaving_out(mut self, common: CommonGram<'a>) -> Self {
        self.common_gram = Some(common);
        self
    }

    /// The query's language was detected, not asked for: a word's exact
    /// form then stays one of its forms in the document evidence, as when
    /// the language is unknown. Detection can be wrong, and so can the
    /// identification of records without `lang` (a language the identifier
    /// does not know is taken for a neighbour): a document analyzed in
    /// another language than the query's shares the words' exact forms,
    /// not their stems.
    pub fn detected(mut self, detected: bool) -> Self {
        self.detected = detected;
        self
    }

    /// Searches the query's positive `"phrases"` as their words: what the
    /// engine runs again, with a warning, when a query with phrases
    /// matches nothing.
    pub fn phrases_as_words(mut self) -> Self {
        self.phrases_as_words = true;
        self
    }

    /// Compiles query text.
    pub fn compile(self, text: &str) -> Compiled {
        self.compile_with(text, true)
    }

    /// Compiles query text; `shortcut`: words without any query syntax skip
    /// the grammar (they compile to the same query, tested below).
    fn compile_with(mut self, text: &str, shortcut: bool) -> Compiled {
        if text.trim().is_empty() {
            // No words: every passage the filters allow.
            return Compiled {
                query: Box::new(AllQuery),
                highlight: self.spec,
                warnings: self.warnings,
                evidence: None,
                phrases: Vec::new(),
                lang_filters: Vec::new(),
                stop_words: Vec::new(),
            };
        }
        self.stop_lang = self.query_lang().filter(|l| {
            !self.keep_stop_words
                && (stop::has_stop_words(l) || self.common_word.is_some())
                && units(text, Some(l))
                    .iter()
                    .any(|u| !self.is_stop(l, &u.exact[0]))
        });
        let query = if shortcut && is_plain(text) {
            // What the grammar gives for plain words: one literal per
            // distinct word, each a union of its terms (all flattened).
            let mut seen: Vec<&str> = Vec::new();
            let mut shoulds = Vec::new();
            for word in text.split_ascii_whitespace() {
                if seen.contains(&word) {
                    continue;
                }
                seen.push(word);
                let literal = UserInputLiteral {
                    field_name: None,
                    phrase: word.to_string(),
                    delimiter: Delimiter::None,
                    slop: 0,
                    prefix: false,
                };
                let q = self.text_query(&literal, &self.default_fields(), true);
                push_should(&mut shoulds, q);
            }
            (!shoulds.is_empty()).then(|| union_of(shoulds))
        } else {
            let text = &*without_stray_syntax(text);
            match tantivy::query_grammar::parse_query(text) {
                Ok(ast) => {
                    // The grammar reads a lone `+word` as `word` (one
                    // clause): it is still required, as typed.
                    let lone_required =
                        matches!(ast, UserInputAst::Leaf(_)) && text.trim_start().starts_with('+');
                    let required = std::mem::replace(&mut self.required, lone_required);
                    let q = self.ast(&ast, true);
                    self.required = required;
                    q
                }
                Err(_) => {
                    self.warnings.push(format!(
                        "query syntax error in {}; searched the plain words instead",
                        quoted(text)
                    ));
                    self.plain_words(text)
                }
            }
        };
        if self.stop_words_dropped > 0 && self.positive_words_kept == 0 {
            // The other words were filters, fields or exclusions: the stop
            // words are all the query asks for.
            let mut again = Compiler::new(self.fields, std::mem::take(&mut self.stem_langs));
            again.keep_stop_words = true;
            again.common_gram = self.common_gram;
            again.word_count = self.word_count;
            again.detected = self.detected;
            again.phrases_as_words = self.phrases_as_words;
            return again.compile_with(text, shortcut);
        }
        let mut query = query.unwrap_or_else(|| Box::new(EmptyQuery));
        let mut scoring: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !self.title_boost.is_empty() {
            let boost = should(std::mem::take(&mut self.title_boost));
            let boost = Box::new(DocLevelQuery::new(boost, self.fields.position));
            scoring.push((Occur::Should, boosted(boost, TITLE_WEIGHT)));
        }
        let doc_weight = doc_weight();
        let mut evidence_stats = None;
        if !self.doc_terms.is_empty() && doc_weight > 0.0 {
            let evidence = DocEvidenceQuery::new(
                std::mem::take(&mut self.doc_terms),
                self.fields.position,
                doc_params(),
                bm25_params(),
            );
            evidence_stats = Some(evidence.stats());
            scoring.push((Occur::Should, boosted(Box::new(evidence), doc_weight)));
        }
        if !scoring.is_empty() {
            scoring.insert(0, (Occur::Must, query));
            query = Box::new(BooleanQuery::new(scoring));
        }
        if self.spec.terms.is_empty()
            && self.spec.phrases.is_empty()
            && self.warnings.is_empty()
            && units(text, self.query_lang()).is_empty()
        {
            self.warnings
                .push("the query has no searchable words".into());
        }
        Compiled {
            query,
            highlight: self.spec,
            warnings: self.warnings,
            evidence: evidence_stats,
            phrases: self.phrases,
            lang_filters: self.lang_filters,
            stop_words: self.stop_words,
        }
    }

    fn plain_words(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let cleaned: String = text
            .chars()
            .map(|c| {
                if "\"()[]{}^~*\\:+!".contains(c) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let units = self.split_unknown(units(&cleaned, self.query_lang()), true);
        let units = self.without_stop_words(units, true);
        let groups: Vec<Box<dyn Query>> = units
            .iter()
            .filter(|u| !matches!(u.exact[0].as_str(), "and" | "or" | "not"))
            .map(|u| self.unit_query(u, &self.default_fields(), true))
            .collect();
        Some(should(groups))
    }

    /// Fields a word without a field name is matched in: the passage text.
    /// The title only adds to the score (see [`TITLE_WEIGHT`]).
    fn default_fields(&self) -> Vec<(Field, f32)> {
        vec![(self.fields.body, 1.0)]
    }

    /// Records the title counterpart of a positive default-field clause.
    fn boost_title(
        &mut self,
        fields: &[(Field, f32)],
        positive: bool,
        build: impl Fn(Field) -> Box<dyn Query>,
    ) {
        if positive && fields.len() == 1 && fields[0].0 == self.fields.body {
            let q = build(self.fields.title);
            self.title_boost.push(q);
        }
    }

    fn ast(&mut self, ast: &UserInputAst, positive: bool) -> Option<Box<dyn Query>> {
        match ast {
            UserInputAst::Clause(clauses) => {
                let mut subs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut shoulds: Vec<Box<dyn Query>> = Vec::new();
                for (occur, sub) in clauses {
                    let occur = match occur {
                        Some(UOccur::Must) => Occur::Must,
                        Some(UOccur::MustNot) => Occur::MustNot,
                        Some(UOccur::Should) | None => Occur::Should,
                    };
                    let pos = positive && occur != Occur::MustNot;
                    let required = std::mem::replace(&mut self.required, occur != Occur::Should);
                    let q = self.ast(sub, pos);
                    self.required = required;
                    if let Some(q) = q {
                        match occur {
                            Occur::Should => push_should(&mut shoulds, q),
                            _ => subs.push((occur, q)),
                        }
                    }
                }
                if subs.is_empty() {
                    // Words only (the usual query): one flat union.
                    return (!shoulds.is_empty()).then(|| union_of(shoulds));
                }
                subs.extend(shoulds.into_iter().map(|q| (Occur::Should, q)));
                if subs.iter().all(|(o, _)| *o == Occur::MustNot) {
                    subs.push((Occur::Must, Box::new(AllQuery)));
                }
                Some(Box::new(BooleanQuery::new(subs)))
            }
            UserInputAst::Boost(sub, boost) => self
                .ast(sub, positive)
                .map(|q| boosted(q, boost.into_inner() as f32)),
            UserInputAst::Leaf(leaf) => self.leaf(leaf, positive),
        }
    }

    fn leaf(&mut self, leaf: &UserInputLeaf, positive: bool) -> Option<Box<dyn Query>> {
        match leaf {
            UserInputLeaf::Literal(lit) => self.literal(lit, positive),
            UserInputLeaf::All => Some(Box::new(AllQuery)),
            UserInputLeaf::Range {
                field,
                lower,
                upper,
            } => {
                if field.as_deref() != Some("date") {
                    self.warnings.push(format!(
                        "ranges work on date only; ignored the range on {field:?}"
                    ));
                    return None;
                }
                let bound = |b: &UserInputBound, this: &mut Self| -> Option<Bound<Term>> {
                    let term = |s: &str, this: &mut Self| match Day::parse(s) {
                        Some(d) => Some(Term::from_field_i64(this.fields.date, d.days())),
                        None => {
                            this.warnings
                                .push(format!("bad date {s:?} in range (want YYYY-MM-DD)"));
                            None
                        }
                    };
                    Some(match b {
                        UserInputBound::Inclusive(s) => Bound::Included(term(s, this)?),
                        UserInputBound::Exclusive(s) => Bound::Excluded(term(s, this)?),
                        UserInputBound::Unbounded => Bound::Unbounded,
                    })
                };
                let lo = bound(lower, self)?;
                let hi = bound(upper, self)?;
                Some(Box::new(RangeQuery::new(lo, hi)))
            }
            UserInputLeaf::Set { field, elements } => {
                let subs = elements
                    .iter()
                    .filter_map(|e| {
                        let lit = UserInputLiteral {
                            field_name: field.clone(),
                            phrase: e.clone(),
                            delimiter: Delimiter::None,
                            slop: 0,
                            prefix: false,
                        };
                        self.literal(&lit, positive)
                    })
                    .collect();
                Some(should(subs))
            }
            UserInputLeaf::Exists { field } => {
                self.warnings
                    .push(format!("exists queries are not supported; ignored {field}"));
                None
            }
            UserInputLeaf::Regex { field: _, pattern } => {
                self.warnings.push(format!(
                    "regular expressions are not supported; searched the words of /{pattern}/"
                ));
                self.plain_words(pattern)
            }
        }
    }

    fn literal(&mut self, lit: &UserInputLiteral, positive: bool) -> Option<Box<dyn Query>> {
        let value = lit.phrase.as_str();
        if lit.prefix {
            self.warnings.push(format!(
                "prefix queries are not supported; searched {value:?} as a word"
            ));
        }
        let f = self.fields;
        if !matches!(
            lit.field_name.as_deref(),
            None | Some("body" | "text" | "title")
        ) {
            self.structural = true;
        }
        match lit.field_name.as_deref() {
            None | Some("body") | Some("text") => {
                Some(self.text_query(lit, &self.default_fields(), positive))
            }
            // The title is indexed on a document's first passage only.
            Some("title") => Some(Box::new(DocLevelQuery::new(
                self.text_query(lit, &[(f.title, 1.0)], positive),
                f.position,
            ))),
            Some("lang") => Some(match crate::analysis::lang::normalize(value) {
                Some(code) => {
                    if positive && !self.lang_filters.contains(&code) {
                        self.lang_filters.push(code.clone());
                    }
                    term_query(f.lang, &code)
                }
                None => {
                    self.warnings.push(format!(
                        "lang: takes a language code (en, es, pt-BR …), not {value:?}"
                    ));
                    Box::new(EmptyQuery)
                }
            }),
            Some("kind") => match Kind::parse(&value.to_ascii_lowercase()) {
                Some(k) => Some(term_query(f.kind, k.as_str())),
                None => {
                    self.warnings
                        .push(format!("kind is article or tweet, not {value:?}"));
                    Some(Box::new(EmptyQuery))
                }
            },
            Some("author") => Some(author_query(f, value)),
            Some("handle") => Some(term_query(
                f.handle,
                &value.trim_start_matches('@').to_lowercase(),
            )),
            Some("id") | Some("doc") => Some(term_query(f.doc_id, value)),
            Some(other) if lit.delimiter != Delimiter::None => {
                // `Label:"…"`: the label as a word, and the phrase.
                let label = UserInputLiteral {
                    field_name: None,
                    phrase: other.to_string(),
                    delimiter: Delimiter::None,
                    slop: 0,
                    prefix: false,
                };
                let unquoted = UserInputLiteral {
                    field_name: None,
                    ..lit.clone()
                };
                let fields = self.default_fields();
                let label = self.text_query(&label, &fields, positive);
                let phrase = self.text_query(&unquoted, &fields, positive);
                Some(should(vec![label, phrase]))
            }
            Some(other) => {
                // Not a field of ours ("http://…", "10:14"): search it as written.
                let joined = UserInputLiteral {
                    field_name: None,
                    phrase: format!("{other}:{value}"),
                    delimiter: lit.delimiter,
                    slop: lit.slop,
                    prefix: false,
                };
                Some(self.text_query(&joined, &self.default_fields(), positive))
            }
        }
    }

    fn text_query(
        &mut self,
        lit: &UserInputLiteral,
        fields: &[(Field, f32)],
        positive: bool,
    ) -> Box<dyn Query> {
        let units = units(&lit.phrase, self.query_lang());
        let quoted = lit.delimiter != Delimiter::None && !(positive && self.phrases_as_words);
        if quoted && units.len() > 1 {
            let words: Vec<String> = units.iter().map(|u| u.exact[0].clone()).collect();
            if positive {
                self.phrases.push(lit.phrase.clone());
                self.spec.phrases.push(words.clone());
                if fields.len() == 1 && fields[0].0 == self.fields.body {
                    // A phrase's document evidence: its words, as folded.
                    let body = self.fields.body;
                    for w in &words {
                        let group = self.doc_group();
                        self.doc_terms.push(EvidenceTerm::new(
                            Term::from_field_text(body, w),
                            1.0,
                            group,
                        ));
                    }
                }
            }
            let subs = fields
                .iter()
                .map(|&(field, boost)| {
                    let terms: Vec<(usize, Term)> = words
                        .iter()
                        .enumerate()
                        .map(|(i, w)| (i, Term::from_field_text(field, w)))
                        .collect();
                    let q: Box<dyn Query> =
                        Box::new(PhraseQuery::new_with_offset_and_slop(terms, lit.slop));
                    boosted(q, boost)
                })
                .collect();
            return should(subs);
        }
        // A quoted word is asked for as written: not split.
        let units = if quoted {
            units
        } else {
            self.split_unknown(units, positive)
        };
        let groups = self
            .without_stop_words(units, positive)
            .iter()
            .map(|u| self.unit_query(u, fields, positive))
            .collect();
        should(groups)
    }

    /// `units` without the stop words of the query's language, in an
    /// optional clause of a query that has other words (see [`stop`]).
    fn without_stop_words(&mut self, units: Vec<Unit>, positive: bool) -> Vec<Unit> {
        let kept: Vec<Unit> = match self.stop_lang {
            Some(lang) if !self.required => {
                let mut kept: Vec<Unit> = Vec::with_capacity(units.len());
                for u in units {
                    if !self.is_stop(lang, &u.exact[0]) {
                        kept.push(u);
                        continue;
                    }
                    self.stop_words_dropped += 1;
                    let word = u.stem_source.unwrap_or_else(|| u.exact[0].clone());
                    let word = word.to_lowercase();
                    if !self.stop_words.contains(&word) {
                        self.stop_words.push(word);
                    }
                }
                kept
            }
            _ => units,
        };
        if positive {
            self.positive_words_kept += kept.len();
        }
        kept
    }

    /// The language of the query when it has one (it was asked for, or
    /// detected, or the index holds one stemmed language): its words are
    /// tokenized as that language's passages are
    /// ([`tokenizer::tokenize_lang`]).
    /// A new group of document-evidence terms.
    fn doc_group(&mut self) -> u32 {
        self.doc_groups += 1;
        self.doc_groups
    }

    fn query_lang(&self) -> Option<&'static str> {
        match self.stem_langs.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    fn unit_query(
        &mut self,
        unit: &Unit,
        fields: &[(Field, f32)],
        positive: bool,
    ) -> Box<dyn Query> {
        let mut stems: Vec<String> = Vec::new();
        if let Some(word) = &unit.stem_source {
            // Languages with grams but neither a stemmer nor marks (most
            // of an index's, on news in many languages) have no stem term.
            let stemmed = self.stem_langs.iter().filter(|l| {
                **l == crate::analysis::stem::MARKED_LANGUAGE
                    || crate::analysis::stem::stemmer(l).is_some()
            });
            for lang in stemmed {
                if let Some(term) = Analyzer::for_lang(Some(lang)).stem_term(word)
                    && !stems.contains(&term)
                {
                    stems.push(term);
                }
            }
        }
        // Trigrams only in the query's own language, when it is known: a
        // query of unknown language would otherwise ask for every word's
        // trigrams in each trigram language of the index.
        let (grams, gram_weight) = match (&unit.stem_source, self.query_lang()) {
            (Some(word), Some(lang)) => (
                Analyzer::for_lang(Some(lang)).trigram_terms(word),
                gram_weight(lang),
            ),
            _ => (Vec::new(), TRIGRAM_WEIGHT),
        };
        if positive {
            self.spec.terms.extend(unit.exact.iter().cloned());
            self.spec.terms.extend(stems.iter().cloned());
            // Which words have enough grams to highlight others by them
            // is the highlighter's rule (`QueryGrams`).
            if !grams.is_empty() {
                self.spec.grams.push(grams.clone());
            }
        }
        let grams: Vec<String> = match self.common_gram {
            Some(common) => grams.into_iter().filter(|g| !common(g)).collect(),
            None => grams,
        };
        let exact_weight = if stems.is_empty() { 1.0 } else { EXACT_WEIGHT };
        let (body, body_gram, lang) = (self.fields.body, self.fields.body_gram, self.fields.lang);
        let terms = |field: Field, boost: f32| -> Vec<Box<dyn Query>> {
            let exact = unit
                .exact
                .iter()
                .map(move |e| boosted(text_term_query(field, e), boost * exact_weight));
            let stemmed = stems.iter().map(move |s| {
                // The passage text's stems (the title's are counted
                // over documents, by the title join's statistics).
                let q = if field == body {
                    stem_term_query(field, lang, s)
                } else {
                    text_term_query(field, s)
                };
                boosted(q, boost * STEM_WEIGHT)
            });
            // The passage text's trigrams are in a field of their own.
            let grams = grams
                .iter()
                .filter(|_| field == body)
                .map(move |g| boosted(text_term_query(body_gram, g), boost * gram_weight));
            exact.chain(stemmed).chain(grams).collect()
        };
        self.boost_title(fields, positive, |title| should(terms(title, 1.0)));
        if positive && fields.len() == 1 && fields[0].0 == body {
            let t = |text: &String| Term::from_field_text(body, text);
            let group = self.doc_group();
            // A stemmed word's evidence is its stem: the exact form's
            // postings are mostly the stem's again (a second walk for a
            // 0.2 share). Not when the query's language is unknown: its
            // stems are then those of every stemmed language of the index,
            // and a document in a language without a stemmer (or whose
            // stemmer leaves the word alone) has the exact form only. The
            // forms are one group: a document counts the best of them.
            // When the language was detected, the exact form is a fallback:
            // it counts where no stem is (a document the detector would
            // call another language), not above the stem where both are.
            let exact_counts = stems.is_empty() || self.query_lang().is_none();
            if exact_counts || self.detected {
                let w = if stems.is_empty() {
                    1.0
                } else {
                    EXACT_EVIDENCE_WEIGHT
                };
                self.doc_terms.extend(unit.exact.iter().map(|e| {
                    let term = EvidenceTerm::new(t(e), w, group);
                    if exact_counts {
                        term
                    } else {
                        term.as_fallback()
                    }
                }));
            }
            // Stems and grams are rare or common among the documents of
            // their language.
            let scope = |tagged: &str, sep: char| language_of(lang, tagged, sep);
            let scoped = |term: EvidenceTerm, scope: Option<Term>| match scope {
                Some(s) => term.within(s),
                None => term,
            };
            self.doc_terms.extend(stems.iter().map(|s| {
                let term = EvidenceTerm::new(t(s), STEM_WEIGHT, group);
                scoped(term, scope(s, crate::analysis::STEM_SEP))
            }));
            for g in &grams {
                let group = self.doc_group();
                let term =
                    EvidenceTerm::new(Term::from_field_text(body_gram, g), gram_weight, group);
                self.doc_terms
                    .push(scoped(term, scope(g, crate::analysis::GRAM_SEP)));
            }
        }
        let clauses = fields
            .iter()
            .flat_map(|&(field, boost)| terms(field, boost))
            .collect();
        should(clauses)
    }
}

/// Matches an author: `@handle` exactly (case-insensitive), or a name whose
/// words all appear in the author's name, or a bare handle.
pub fn author_query(f: &Fields, value: &str) -> Box<dyn Query> {
    let value = value.trim();
    if let Some(handle) = value.strip_prefix('@') {
        return term_query(f.handle, &handle.to_lowercase());
    }
    let words: Vec<Box<dyn Query>> = units(value, None)
        .iter()
        .map(|u| term_query(f.author, &u.exact[0]))
        .collect();
    let name: Box<dyn Query> = if words.is_empty() {
        Box::new(EmptyQuery)
    } else {
        Box::new(BooleanQuery::intersection(words))
    };
    should(vec![name, term_query(f.handle, &value.to_lowercase())])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Depth of nested boolean queries under `q` (a term is 0).
    fn depth(q: &dyn Query) -> usize {
        match q.downcast_ref::<BooleanQuery>() {
            Some(b) => {
                1 + b
                    .clauses()
                    .iter()
                    .map(|(_, c)| depth(&**c))
                    .max()
                    .unwrap_or(0)
            }
            None => 0,
        }
    }

    fn leaves(q: &dyn Query) -> usize {
        let mut n = 0;
        q.query_terms(&mut |_, _| n += 1);
        n
    }

    #[test]
    fn words_compile_to_one_flat_union_and_a_title_bonus() {
        let (_, fields) = crate::schema::build();
        let c = Compiler::new(&fields, vec!["en", "es"]).compile("national assembly guaidó");
        // Must(union of body terms), Should(union of title terms).
        let top = c.query.downcast_ref::<BooleanQuery>().expect("boolean");
        assert_eq!(depth(&*c.query), 2, "{:?}", c.query);
        let (main, title) = (&top.clauses()[0], &top.clauses()[1]);
        assert_eq!(main.0, Occur::Must);
        assert_eq!(title.0, Occur::Should);
        let main = main.1.downcast_ref::<BooleanQuery>().expect("union");
        assert!(is_union(main));
        // 3 words × (folded + en stem + es stem), deduplicated where equal.
        assert_eq!(main.clauses().len(), leaves(&*top.clauses()[0].1));
        assert!(main.clauses().len() >= 7, "{:?}", main);
    }

    #[test]
    fn prose_quotes_and_labels_are_not_syntax() {
        let cases = [
            ("Kheyre: \"Doorashada waa\"", "Kheyre  \"Doorashada waa\""),
            ("Coronavirus: WHO", "Coronavirus  WHO"),
            ("'Xaaskeyga Aishwarya' iyo", " Xaaskeyga Aishwarya  iyo"),
            ("Daraasad: 'Dawooyinka'", "Daraasad   Dawooyinka "),
            ("l'AN don't Ra'isalwasaare", "l'AN don't Ra'isalwasaare"),
            (
                "title: guaido lang:en kind: tweet",
                "title: guaido lang:en kind: tweet",
            ),
            ("+title: guaido (author: x)", "+title: guaido (author: x)"),
            ("at 10:14 http://x.org", "at 10:14 http://x.org"),
            ("ends with:", "ends with "),
            ("Guaidó: élu", "Guaidó  élu"),
            (": alone", ": alone"),
        ];
        for (text, want) in cases {
            assert_eq!(without_stray_syntax(text), want, "{text:?}");
        }
    }

    proptest::proptest! {
        /// Any text, every part of it a known word that stands next to any
        /// other: a split is two halves that make the word, at a grapheme
        /// boundary, each of at least the fewest graphemes, and only of a
        /// word within the bounds; nothing panics.
        #[test]
        fn a_split_is_two_halves_of_the_word_at_grapheme_boundaries(
            word in "(\\PC|[\u{300}-\u{36f}\u{200d}\u{fe0f}]){0,50}",
        ) {
            // Every folded form is a word some passage holds, next to any.
            let count = |w: &str| u64::from(!w.is_empty());
            let adjacent = |_: &str, _: &str| true;
            let bounds: Vec<usize> = word.grapheme_indices(true).map(|(i, _)| i).collect();
            let n = bounds.len();
            let splittable = (MIN_SPLIT_WORD_CHARS..=MAX_SPLIT_WORD_CHARS).contains(&n)
                && bounds[MIN_SPLIT_CHARS..=n - MIN_SPLIT_CHARS].iter().any(|&at| {
                    let (a, b) = word.split_at(at);
                    !fold::fold(a).is_empty() && !fold::fold(b).is_empty()
                });
            let split = best_split(&word, &count, &adjacent);
            proptest::prop_assert_eq!(split.is_some(), splittable);
            if let Some((a, b)) = split {
                proptest::prop_assert_eq!(format!("{a}{b}"), word.clone());
                proptest::prop_assert!(bounds.contains(&a.len()));
                proptest::prop_assert!(a.graphemes(true).count() >= MIN_SPLIT_CHARS);
                proptest::prop_assert!(b.graphemes(true).count() >= MIN_SPLIT_CHARS);
            }
        }
    }

    proptest::proptest! {
        /// Stray quotes and labels are replaced, never anything else: the
        /// text keeps its length and every other char.
        #[test]
        fn stray_syntax_becomes_space_only(text in "\\PC{0,40}") {
            let out = without_stray_syntax(&text);
            proptest::prop_assert_eq!(out.chars().count(), text.chars().count());
            for (a, b) in text.chars().zip(out.chars()) {
                proptest::prop_assert!(a == b || (b == ' ' && (a == '\'' || a == ':')));
            }
        }
    }

    proptest::proptest! {
        /// Plain words compile to the same query, highlights and warnings
        /// without the grammar as with it.
        #[test]
        fn plain_words_skip_the_grammar_unchanged(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-zA-Z0-9]{1,7}",
                    "[ .,;?@#%$_&]{1,2}",
                    "[ \t\n]{1,2}",
                    proptest::strategy::Just("Guaidó".to_string()),
                    proptest::strategy::Just("¿Qué".to_string()),
                    proptest::strategy::Just("黑豹队".to_string()),
                    proptest::strategy::Just("«la»".to_string()),
                    proptest::strategy::Just("AND".to_string()),
                    proptest::strategy::Just("or".to_string()),
                    proptest::strategy::Just("the".to_string()),
                    proptest::strategy::Just("de la".to_string()),
                    proptest::strategy::Just("What is".to_string()),
                    proptest::strategy::Just("TO".to_string()),
                    proptest::strategy::Just("l’AN".to_string()),
                    proptest::strategy::Just("#7Ene".to_string()),
                    proptest::strategy::Just("@jguaido".to_string()),
                    proptest::strategy::Just("U.S.".to_string()),
                    "\\PC{1,3}",
                ],
                1..8,
            )
        ) {
            let text = words.join(" ");
            let (_, fields) = crate::schema::build();
            let run = |langs: &[&'static str], shortcut| {
                let c = Compiler::new(&fields, langs.to_vec()).compile_with(&text, shortcut);
                let mut terms: Vec<String> = c.highlight.terms.into_iter().collect();
                terms.sort();
                (format!("{:?}", c.query), terms, c.highlight.phrases, c.warnings)
            };
            let plain = is_plain(&text);
            // Two languages, and one (whose stop words a query leaves out).
            for langs in [&["en", "es"][..], &["en"], &["es"]] {
                proptest::prop_assert_eq!(run(langs, plain), run(langs, false), "{:?}", text);
            }
        }
    }

    /// The text terms of a compiled query (trigrams: in `body_gram` only).
    fn query_terms(q: &dyn Query) -> Vec<String> {
        let (_, fields) = crate::schema::build();
        let mut out = Vec::new();
        q.query_terms(&mut |t, _| {
            let text = t.value().as_str().unwrap_or("").to_string();
            let gram = text.contains(crate::analysis::GRAM_SEP);
            assert_eq!(gram, t.field() == fields.body_gram, "{text}");
            out.push(text);
        });
        out
    }

    #[test]
    fn a_detected_language_keeps_the_exact_forms_in_the_evidence() {
        let (_, fields) = crate::schema::build();
        let evidence = |detected: bool| {
            let c = Compiler::new(&fields, vec!["es"])
                .detected(detected)
                .compile("víctimas del tsunami en Indonesia");
            let mut t = c.evidence.expect("an evidence clause").term_texts();
            t.sort();
            t
        };
        // Asked for (or the index's only language): the stems only, each
        // rare or common among the Spanish documents.
        assert_eq!(
            evidence(false),
            ["es:indonesi@es", "es:tsunami@es", "es:victim@es"]
        );
        // Detected: each word's exact form too, as a fallback (it counts
        // where no stem is: a document analyzed as another language).
        assert_eq!(
            evidence(true),
            [
                "es:indonesi@es",
                "es:tsunami@es",
                "es:victim@es",
                "indonesia?",
                "tsunami?",
                "victimas?"
            ]
        );
    }

    #[test]
    fn a_syntax_error_quotes_at_most_80_chars_of_the_query() {
        let (_, fields) = crate::schema::build();
        let warning = |text: &str| {
            let c = Compiler::new(&fields, vec!["en"]).compile(text);
            c.warnings.into_iter().next().expect("a warning")
        };
        assert_eq!(
            warning("a (b c"),
            "query syntax error in \"a (b c\"; searched the plain words instead"
        );
        let long = format!("(open {}", "word ".repeat(100));
        let cut: String = long.chars().take(80).collect();
        assert_eq!(
            warning(&long),
            format!("query syntax error in \"{cut}…\"; searched the plain words instead")
        );
    }

    #[test]
    fn evidence_grams_count_among_their_languages_documents() {
        let (_, fields) = crate::schema::build();
        let c = Compiler::new(&fields, vec!["de"]).compile("Bundestag");
        let t = c.evidence.expect("an evidence clause").term_texts();
        assert!(t.contains(&"de:bundestag@de".to_string()), "{t:?}");
        assert!(t.contains(&"de#bun@de".to_string()), "{t:?}");
        assert!(t.contains(&"de#tag@de".to_string()), "{t:?}");
    }

    /// The distinct text terms of a compiled query that `keep` keeps,
    /// sorted.
    fn sorted_terms(q: &dyn Query, keep: impl Fn(&str) -> bool) -> Vec<String> {
        let mut t: Vec<String> = query_terms(q).into_iter().filter(|t| keep(t)).collect();
        t.sort();
        t.dedup();
        t
    }

    fn is_gram(term: &str) -> bool {
        term.contains(crate::analysis::GRAM_SEP)
    }

    #[test]
    fn common_words_are_stop_words_of_the_querys_language() {
        let (_, fields) = crate::schema::build();
        let common = |lang: &str, word: &str| lang == "sw" && (word == "na" || word == "ya");
        let compiled = |langs: Vec<&'static str>, text: &str| {
            Compiler::new(&fields, langs)
                .common_words(&common)
                .compile(text)
        };
        let words = |langs, text| sorted_terms(&*compiled(langs, text).query, |t| !is_gram(t));
        // Beside another word, left out; alone (or with each other), kept.
        assert_eq!(words(vec!["sw"], "watoto na wazazi"), ["watoto", "wazazi"]);
        assert_eq!(words(vec!["sw"], "na ya"), ["na", "ya"]);
        // The words left out, as typed (lower-cased), once each, in order.
        let left_out = |langs, text| compiled(langs, text).stop_words;
        assert_eq!(left_out(vec!["sw"], "Ya watoto na ya"), ["ya", "na"]);
        assert!(left_out(vec!["sw"], "na ya").is_empty());
        assert!(left_out(vec!["sw"], "\"watoto na wazazi\"").is_empty());
        assert!(left_out(vec!["sw"], "+na watoto").is_empty());
        assert!(left_out(vec!["sw", "en"], "watoto na").is_empty());
        // The stop list's words are named too.
        assert_eq!(
            left_out(vec!["en"], "The Central Bank of Kenya"),
            ["the", "of"]
        );
        // Never out of a phrase or a required word.
        assert_eq!(
            words(vec!["sw"], "\"watoto na wazazi\""),
            ["na", "watoto", "wazazi"]
        );
        assert_eq!(words(vec!["sw"], "+na watoto"), ["na", "watoto"]);
        // Only in the query's language, when it has one (here none: the
        // words are also searched as English stems).
        assert_eq!(
            words(vec!["sw", "en"], "watoto na"),
            ["en:na", "en:watoto", "na", "watoto"]
        );
    }

    /// Passages per folded word, of a small index; pairs that some
    /// passage holds next to each other.
    fn vocabulary() -> (impl Fn(&str) -> u64, impl Fn(&str, &str) -> bool) {
        let counts = [
            ("national", 9),
            ("assembly", 7),
            ("nation", 3),
            ("alassembly", 1),
            ("في", 900),
            ("النواب", 3),
            ("ba", 50),
            ("ka", 40),
            ("bọ", 20),
            ("di", 30),
            ("en:run", 4),
            ("ru", 5),
            ("nning", 2),
        ];
        let count = move |w: &str| counts.iter().find(|(k, _)| *k == w).map_or(0, |(_, n)| *n);
        let pairs = [
            ("national", "assembly"),
            ("nation", "alassembly"),
            ("النواب", "في"),
            ("ba", "ka"),
            ("bọ", "di"),
            ("ru", "nning"),
        ];
        let adjacent = move |a: &str, b: &str| pairs.contains(&(a, b));
        (count, adjacent)
    }

    #[test]
    fn a_word_no_passage_has_is_split_where_two_words_meet_in_passages() {
        let (count, adjacent) = vocabulary();
        let split = |w| best_split(w, &count, &adjacent);
        // The rarer half as frequent as can be: national + assembly (7),
        // not nation + alassembly (1); the halves as written.
        assert_eq!(split("NationalAssembly"), Some(("National", "Assembly")));
        assert_eq!(split("النوابفي"), Some(("النواب", "في")));
        // Two known words that no passage holds side by side: not split.
        assert_eq!(split("assemblynational"), None);
        // Too short to be two words (`Baka`), nor split inside a letter
        // with its marks: `bọ́dì` is four characters.
        assert_eq!(split("baka"), None);
        assert_eq!(split("bọ́dì"), None);
        // A word longer than two run together (a pasted token) is not
        // tried: no lookup at all.
        let asked = std::cell::Cell::new(0);
        let counting = |w: &str| {
            asked.set(asked.get() + 1);
            count(w)
        };
        let long = "national".repeat(500) + "assembly";
        assert_eq!(best_split(&long, &counting, &adjacent), None);
        assert_eq!(asked.get(), 0);
        let forty = format!("national{}assembly", "x".repeat(24));
        assert_eq!(forty.chars().count(), MAX_SPLIT_WORD_CHARS);
        assert_eq!(best_split(&forty, &counting, &adjacent), None);
        assert!(asked.get() > 0);
    }

    #[test]
    fn only_an_optional_word_without_a_known_stem_is_split_with_a_warning() {
        let (_, fields) = crate::schema::build();
        let (count, adjacent) = vocabulary();
        let compiled = |langs: Vec<&'static str>, text: &str| {
            Compiler::new(&fields, langs)
                .splitting_unknown(&count, &adjacent)
                .compile(text)
        };
        let words = |langs, text| sorted_terms(&*compiled(langs, text).query, |t| !is_gram(t));
        let c = compiled(vec![], "nationalassembly guaido");
        assert_eq!(
            c.warnings,
            ["no passage has \"nationalassembly\"; searched \"national assembly\" instead"]
        );
        assert_eq!(
            sorted_terms(&*c.query, |t| !is_gram(t)),
            ["assembly", "guaido", "national"]
        );
        assert!(c.highlight.terms.contains("assembly"));
        // Required, excluded or quoted: as written.
        assert_eq!(words(vec![], "+nationalassembly"), ["nationalassembly"]);
        assert_eq!(
            words(vec![], "+nationalassembly guaido"),
            ["guaido", "nationalassembly"]
        );
        assert_eq!(
            words(vec![], "guaido -nationalassembly"),
            ["guaido", "nationalassembly"]
        );
        assert_eq!(
            words(vec![], "\"nationalassembly guaido\""),
            ["guaido", "nationalassembly"]
        );
        assert_eq!(
            words(vec![], "\"nationalassembly\" guaido"),
            ["guaido", "nationalassembly"]
        );
        // An inflection whose stem passages hold (`running`: `en:run`)
        // is searched by its stem, not as `ru` + `nning`.
        assert_eq!(words(vec!["en"], "running"), ["en:run", "running"]);
        assert!(compiled(vec!["en"], "running").warnings.is_empty());
    }

    #[test]
    fn common_grams_are_left_out_of_the_query_and_the_evidence() {
        let (_, fields) = crate::schema::build();
        let common = |g: &str| g == "de#und" || g == "de#des";
        let c = Compiler::new(&fields, vec!["de"])
            .leaving_out(&common)
            .compile("Bundestag");
        assert_eq!(
            sorted_terms(&*c.query, is_gram),
            ["de#bun", "de#est", "de#nde", "de#sta", "de#tag"]
        );
        let evidence = c.evidence.expect("an evidence clause").term_texts();
        assert!(evidence.contains(&"de#bun@de".to_string()), "{evidence:?}");
        assert!(
            !evidence.iter().any(|t| t.starts_with("de#und")),
            "{evidence:?}"
        );
        assert!(
            !evidence.iter().any(|t| t.starts_with("de#des")),
            "{evidence:?}"
        );
        // The word's stem and exact form stay; its grams still highlight
        // (the highlighter weighs them itself).
        assert!(
            evidence.contains(&"de:bundestag@de".to_string()),
            "{evidence:?}"
        );
        assert_eq!(c.highlight.grams.len(), 1);
        assert_eq!(c.highlight.grams[0].len(), 7);
    }

    #[test]
    fn trigrams_only_in_the_known_query_language() {
        let (_, fields) = crate::schema::build();
        let grams = |langs: Vec<&'static str>, text: &str| {
            let c = Compiler::new(&fields, langs).compile(text);
            let t = sorted_terms(&*c.query, is_gram);
            // Trigrams are searched, not highlighted.
            assert!(c.highlight.terms.iter().all(|t| !t.contains('#')));
            t
        };
        assert_eq!(
            grams(vec!["de"], "Bundestag"),
            [
                "de#bun", "de#des", "de#est", "de#nde", "de#sta", "de#tag", "de#und"
            ]
        );
        // Stop words are left out before their trigrams are made.
        assert_eq!(grams(vec!["de"], "der Tag"), ["de#tag"]);
        // Language not known (two candidates), or without trigrams: none.
        assert!(grams(vec!["de", "en"], "Bundestag").is_empty());
        assert!(grams(vec!["en"], "Bundestag").is_empty());
    }

    #[test]
    fn plain_is_only_text_without_syntax() {
        assert!(is_plain("¿Quién es el presidente de la Asamblea Nacional?"));
        assert!(is_plain("#7Ene @jguaido 2020"));
        for q in [
            "a -b", "+a", "\"a b\"", "title:x", "a AND b", "a^2", "a*", "(a)", "it's",
        ] {
            assert!(!is_plain(q), "{q}");
        }
    }

    #[test]
    fn required_and_excluded_words_keep_their_clauses() {
        let (_, fields) = crate::schema::build();
        let c = Compiler::new(&fields, vec!["en"]).compile("+guaido parra -maduro");
        let top = c.query.downcast_ref::<BooleanQuery>().expect("boolean");
        let main = top.clauses()[0]
            .1
            .downcast_ref::<BooleanQuery>()
            .expect("clauses");
        let occurs: Vec<Occur> = main.clauses().iter().map(|(o, _)| *o).collect();
        assert_eq!(occurs.iter().filter(|o| **o == Occur::Must).count(), 1);
        assert_eq!(occurs.iter().filter(|o| **o == Occur::MustNot).count(), 1);
        // "parra": its folded and stemmed terms, spliced in as optional clauses.
        assert_eq!(occurs.iter().filter(|o| **o == Occur::Should).count(), 2);
    }
}
