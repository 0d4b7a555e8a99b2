//! Text analysis: the one place that decides which terms a text produces.
//!
//! Indexing, querying and highlighting all call [`Analyzer`], and every path
//! that opens an index calls [`register`], so the writer, the reader and the
//! highlighter can never tokenize differently.
//!
//! A word produces its folded form (`guaidó` → `guaido`) and, in a language
//! with a stemmer (Snowball's; Arabic's after [`arabic`]'s article and
//! prefixes; Bengali's own, [`bengali`]), its language-tagged stem at the
//! same position
//! (`lawmakers` → `en:lawmak`); in Vietnamese, whose marks tell words apart,
//! the word with its marks instead of a stem (`má` → `ma`, `vi:má`). Tagging stems with their language keeps one
//! language's stems from colliding with another's words, and lets an exact
//! match score above a stemmed one (it matches both terms). In most
//! languages (not English and the Romance languages, see
//! [`WITHOUT_TRIGRAMS`]) a passage's words also produce the character
//! trigrams of their folded form, tagged (`Bundestag` → `de#bun`, `de#und`,
//! …), in a field of their own ([`TRIGRAM_ANALYZER`]): they match inside
//! compounds and across inflections, clitics and prefixes that a stemmer
//! leaves or that no stemmer handles. Korean words, which carry their particles
//! (`정부는`, `정부가`), produce their syllable bigrams there instead
//! (`ko#정부`, `ko#부는`), as Lucene's CJK analyzer indexes them.

pub mod arabic;
pub mod bengali;
pub mod bmp;
pub mod fold;
pub mod lang;
pub mod langid;
pub mod minhash;
pub mod stem;
pub mod stop;
pub mod tokenizer;

use std::sync::Arc;

use stem::Stemmer;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

pub use tokenizer::{RawToken, WordKind};

/// Name of the registered tantivy analyzer without stemming.
pub const ANALYZER: &str = "gazette";

/// Separator between a stem's language and the stem, in stem terms.
pub const STEM_SEP: char = ':';

/// Name of the registered tantivy analyzer of the `body_gram` field: only
/// the gram terms of language-tagged text ([`gram_size`]).
pub const TRIGRAM_ANALYZER: &str = "gazette_trigram";

/// Separator between a language and a character trigram, in trigram terms.
pub const GRAM_SEP: char = '#';

/// Languages whose words do not index character trigrams; every other
/// language (a code of two or three letters) does: its words also produce
/// the character trigrams of their folded form (`lang#abc`), in the
/// `body_gram` field, weighted [`crate::search::query::TRIGRAM_WEIGHT`] in
/// a query of that language. They match across the inflections,
/// compounds, clitics and noun-class prefixes that a stemmer leaves, or
/// that no stemmer handles (most languages have none). Measured
/// (docs/RELEVANCE.md): on XQuAD-R, ar / de / tr / el / hi / ru gain
/// 0.02–0.04 nDCG@10; on ir-news-headlines, 16 of the 17 languages
/// without a stemmer gain (xh 0.691 → 0.788, sn 0.700 → 0.765, uk 0.889
/// → 0.915, om 0.854 → 0.891; yo −0.004). Left out:
/// - `und` (no language: the query could not ask for them);
/// - scripts written without spaces, which the tokenizer already cuts
///   into character n-grams (zh, ja, lo, km, my, bo, yue), and Korean,
///   whose words give syllable bigrams instead ([`BIGRAM_LANGUAGES`]);
///   Thai too, but its text's words in other scripts (Latin names, …) do
///   have trigrams ([`SCRIPT_TRIGRAM_LANGUAGES`]);
/// - Vietnamese, written in syllables, with its marked second term;
/// - English, Spanish, French, Portuguese and Italian: their Snowball
///   stemmers catch most of their inflection (trigrams measured +0.002 to
///   +0.007 there) and they are most of the text of a typical news index,
///   where trigrams cost index time and space in proportion to the text.
pub const WITHOUT_TRIGRAMS: &[&str] = &[
    "und", "zh", "ja", "lo", "km", "my", "bo", "yue", "vi", "en", "es", "fr", "pt", "it",
];

/// Languages whose own script the tokenizer cuts into character trigrams
/// (Thai): their gram terms are those of their text's words in another
/// script (`Scherzer` in Thai text: `th#sch`, `th#che` …), each weighing
/// what one of the script's own trigrams weighs
/// ([`crate::search::query`]), as an index of trigrams of all text
/// (SQLite FTS5's trigram tokenizer, the best peer on Thai) weighs them.
/// A Latin name counted as one term, beside a Thai word counted as its
/// four or five trigrams, weighed a fifth of it: one index per
/// language, Thai nDCG@10 / MRR@10, ir-news-headlines 0.8963 / 0.8759
/// → 0.9058 / 0.8883, XQuAD-R paragraphs 0.9678 / 0.9584 → 0.9718 /
/// 0.9637, sentences 0.8239 / 0.7915 → 0.8294 / 0.7976 (weight 0.3:
/// 0.9056, 0.9695, 0.8254; docs/RELEVANCE.md).
pub const SCRIPT_TRIGRAM_LANGUAGES: &[&str] = &["th"];

/// Whether `text` has a letter of the script that names `lang` (Thai
/// letters for `th`): a query without one is not read in a language of
/// [`SCRIPT_TRIGRAM_LANGUAGES`], whatever else the index holds.
pub fn writes_script_of(lang: &str, text: &str) -> bool {
    text.chars()
        .any(|c| langid::Script::of(c).and_then(|s| s.language()) == Some(lang))
}

/// Languages whose words produce character bigrams instead: Korean (its
/// Hangul words only), where a word is a stem and its particles
/// (`정부는` → `ko#정부`, `ko#부는`).
pub const BIGRAM_LANGUAGES: &[&str] = &["ko"];

/// Whether `code` is a language code gazette can name: two or three ASCII
/// lower-case letters (ISO 639-1, else 639-3), as [`lang::normalize`]
/// gives them.
pub fn is_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// The character n-gram size of a language's gram terms, if it has them:
/// 2 in [`BIGRAM_LANGUAGES`], none in [`WITHOUT_TRIGRAMS`], else 3.
pub fn gram_size(lang: &str) -> Option<u8> {
    if BIGRAM_LANGUAGES.contains(&lang) {
        Some(2)
    } else if is_code(lang) && !WITHOUT_TRIGRAMS.contains(&lang) {
        Some(3)
    } else {
        None
    }
}

/// Whether a word of a gram language makes grams: in Korean only a word
/// with Hangul syllables in it (a Latin name in Korean text is matched as
/// a word).
fn makes_grams(n: u8, word: &str) -> bool {
    n != 2 || word.chars().any(|c| matches!(c as u32, 0xAC00..=0xD7A3))
}

/// The form of a word whose grams are taken, into `out`: the folded word
/// for trigrams; for Korean bigrams the word lower-cased, since folding
/// decomposes each Hangul syllable into its letters (jamo), and a bigram
/// is of syllables.
fn gram_source_into(n: u8, word: &str, out: &mut String) {
    out.clear();
    if n == 2 {
        out.extend(word.chars().flat_map(char::to_lowercase));
    } else {
        fold::fold_into(word, out);
    }
}

/// Byte ranges of the distinct character trigrams of `word`, in order (a
/// trigram seen before in the word is skipped); none for a word shorter
/// than three characters.
pub fn trigrams(word: &str) -> impl Iterator<Item = (usize, usize)> {
    grams(word, 3)
}

/// Byte ranges of the distinct character `n`-grams of `word`, as
/// [`trigrams`] for 3.
pub fn grams(word: &str, n: u8) -> impl Iterator<Item = (usize, usize)> {
    let mut out = Vec::new();
    grams_into(word, n, true, &mut Vec::new(), &mut out);
    out.into_iter()
}

/// [`grams`] into reused buffers: `bounds` gets the word's char
/// boundaries, `out` the grams' byte ranges; with `distinct` false a gram
/// seen before in the word is kept (the token stream drops repeats across
/// the whole text anyway).
fn grams_into(
    word: &str,
    n: u8,
    distinct: bool,
    bounds: &mut Vec<usize>,
    out: &mut Vec<(usize, usize)>,
) {
    let n = usize::from(n);
    bounds.clear();
    out.clear();
    bounds.extend(word.char_indices().map(|(i, _)| i));
    bounds.push(word.len());
    for i in 0..bounds.len().saturating_sub(n) {
        let (start, end) = (bounds[i], bounds[i + n]);
        let gram = &word[start..end];
        if !distinct || !out.iter().any(|&(s, e)| &word[s..e] == gram) {
            out.push((start, end));
        }
    }
}

/// A gram as a set key: its bytes (at most 4 per char, so 12 for a
/// trigram) and their count, packed; a longer gram (none is) by hash.
fn gram_key(gram: &str) -> u128 {
    let bytes = gram.as_bytes();
    if bytes.len() > 15 {
        return u128::from(xxhash_rust::xxh3::xxh3_64(bytes)) | 1 << 127;
    }
    let mut key = [0u8; 16];
    key[..bytes.len()].copy_from_slice(bytes);
    key[15] = bytes.len() as u8;
    u128::from_le_bytes(key)
}

/// Analysis settings for one language.
#[derive(Clone, Copy)]
pub struct Analyzer {
    lang: Option<&'static str>,
    stemmer: Option<Stemmer>,
    /// Vietnamese: the second term of a word is the word with its tone and
    /// vowel marks (lower-cased, NFC) instead of a stem.
    marked: bool,
    /// Index the word's character n-grams of this size too (0: none;
    /// [`gram_size`]).
    gram: u8,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Analyzer({:?})", self.lang)
    }
}

impl Analyzer {
    /// The analyzer for a language code (stemming when it has a stemmer).
    pub fn for_lang(lang: Option<&str>) -> Analyzer {
        if lang == Some(stem::MARKED_LANGUAGE) {
            return Analyzer {
                lang: Some(stem::MARKED_LANGUAGE),
                stemmer: None,
                marked: true,
                gram: 0,
            };
        }
        match lang.and_then(|l| stem::stemmer(l).map(|s| (lang::intern(l), s))) {
            Some((lang, stemmer)) => Analyzer {
                lang: Some(lang),
                stemmer: Some(stemmer),
                marked: false,
                gram: gram_size(lang).unwrap_or(0),
            },
            // A language with grams but no stemmer (Korean).
            None => match lang.and_then(|l| gram_size(l).map(|n| (lang::intern(l), n))) {
                Some((lang, gram)) => Analyzer {
                    lang: Some(lang),
                    stemmer: None,
                    marked: false,
                    gram,
                },
                None => Analyzer::exact(),
            },
        }
    }

    /// The language analyzed, if any.
    pub fn lang(&self) -> Option<&'static str> {
        self.lang
    }

    /// Folding without stemming.
    pub fn exact() -> Analyzer {
        Analyzer {
            lang: None,
            stemmer: None,
            marked: false,
            gram: 0,
        }
    }

    /// The gram terms of one word (as written), as the index holds them:
    /// trigrams or bigrams as [`gram_size`] says; none in other languages.
    pub fn trigram_terms(&self, word: &str) -> Vec<String> {
        let Some(lang) = self.lang.filter(|_| self.gram > 0) else {
            return Vec::new();
        };
        let mut folded = String::new();
        gram_source_into(self.gram, word, &mut folded);
        if !makes_grams(self.gram, &folded) {
            return Vec::new();
        }
        grams(&folded, self.gram)
            .map(|(s, e)| format!("{lang}{GRAM_SEP}{}", &folded[s..e]))
            .collect()
    }

    /// The terms of one raw token of `text`, into reused buffers: the folded
    /// term into `folded` and the `lang:stem` term into `stem`; returns which
    /// of them the token has.
    pub fn terms_into(
        &self,
        text: &str,
        raw: &RawToken,
        folded: &mut String,
        stem: &mut String,
    ) -> (bool, bool) {
        folded.clear();
        fold::fold_into(&text[raw.start..raw.end], folded);
        if folded.is_empty() {
            // only marks or tatweel: nothing to search for
            return (false, false);
        }
        if raw.kind == WordKind::Word
            && let (Some(lang), Some(stemmer)) = (self.lang, self.stemmer)
        {
            stem.clear();
            stem.push_str(lang);
            stem.push(STEM_SEP);
            stem::word_stem_into(lang, stemmer, &text[raw.start..raw.end], folded, stem);
            return (true, true);
        }
        if raw.kind == WordKind::Word
            && self.marked
            && let Some(lang) = self.lang
        {
            stem.clear();
            stem.push_str(lang);
            stem.push(STEM_SEP);
            stem::marked_into(&text[raw.start..raw.end], stem);
            return (true, true);
        }
        (true, false)
    }

    /// The stem term of one word (as written), as [`Analyzer::terms_into`]
    /// indexes it (through the same stem cache).
    pub fn stem_term(&self, word: &str) -> Option<String> {
        let lang = self.lang?;
        let mut term = format!("{lang}{STEM_SEP}");
        if self.marked {
            stem::marked_into(word, &mut term);
        } else {
            let stemmer = self.stemmer?;
            stem::word_stem_into(lang, stemmer, word, &fold::fold(word), &mut term);
        }
        Some(term)
    }

    /// All index tokens of `text`, in position order, as tantivy wants them.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        self.stream_tokens(text, false)
    }

    /// The trigram tokens of `text` ([`TRIGRAM_ANALYZER`]), in position order.
    pub fn trigram_tokens(&self, text: &str) -> Vec<Token> {
        self.stream_tokens(text, true)
    }

    fn stream_tokens(&self, text: &str, grams_only: bool) -> Vec<Token> {
        GazetteTokenStream::new(*self, text, 0, grams_only).collect_tokens()
    }
}

/// Marks the start of a language tag in front of indexed text.
const TAG_START: char = '\u{2}';
/// Marks the end of a language tag.
const TAG_END: char = '\u{3}';

/// `text` prefixed with its language, as the indexed fields take it: the
/// [`ANALYZER`] tokenizer reads the tag and stems in that language. Index
/// fields are not stored, so the tag is never seen outside the index.
pub fn tag_language(lang: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + lang.len() + 2);
    out.push(TAG_START);
    out.push_str(lang);
    out.push(TAG_END);
    out.push_str(text);
    out
}

/// The language of a tagged text and the bytes of its tag.
fn tag_of(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix(TAG_START)?;
    let end = rest.find(TAG_END).filter(|&e| e <= 8)?;
    Some((&rest[..end], 1 + end + 1))
}

/// gazette's analysis as a tantivy [`Tokenizer`]: registered under
/// [`ANALYZER`] it analyzes language-tagged text (see [`tag_language`]) in
/// its language, untagged text without stemming; under `gazette_<lang>` it
/// always stems in that language. Tantivy's indexing threads run it, so the
/// text reaches tantivy as a plain string.
///
/// Each field of each of tantivy's segment writers has its own clone, which
/// remembers the last short text it analyzed: a text seen twice in a row
/// (the author repeated on every passage of a document) is
/// analyzed once more into a list of tokens, then replayed while it repeats.
#[derive(Clone, Debug, Default)]
pub struct GazetteTokenizer {
    analyzer: Option<Analyzer>,
    /// Registered under [`TRIGRAM_ANALYZER`]: only the trigram terms.
    grams_only: bool,
    /// The last short text analyzed.
    previous: String,
    /// The tokens of `previous`, once it has repeated.
    replay: Option<Arc<[Token]>>,
    /// The last language tag read and its analyzer: a segment writer's
    /// passages come in runs of one language, and building an analyzer
    /// looks the language up (1,400 instructions a text).
    tagged: Option<(String, Analyzer)>,
}

/// Longest text (in bytes) that [`GazetteTokenizer`] remembers.
const REPLAY_MAX_BYTES: usize = 512;

/// The token stream of [`GazetteTokenizer`]: one reused token, no
/// allocation per term.
pub struct GazetteTokenStream<'a> {
    text: &'a str,
    analyzer: Analyzer,
    raw: std::vec::IntoIter<RawToken>,
    /// Byte offset of `text` in what tantivy gave (the language tag).
    shift: usize,
    /// The stem of the current word, emitted next at the same position.
    stem: String,
    pending_stem: bool,
    /// Only the trigram terms of words ([`TRIGRAM_ANALYZER`]).
    grams_only: bool,
    /// The folded word whose trigrams are emitted next, at its position,
    /// its char boundaries, its trigrams and the index of the next one.
    gram_word: String,
    gram_bounds: Vec<usize>,
    gram_ranges: Vec<(usize, usize)>,
    gram_next: usize,
    /// Keys ([`gram_key`]) of the grams emitted so far: each gram once
    /// per text (the field keeps no frequencies).
    gram_seen: rustc_hash::FxHashSet<u128>,
    current: Token,
    /// Tokens replayed instead of analyzing, and the next one's index.
    replay: Option<(Arc<[Token]>, usize)>,
}

thread_local! {
    /// The last text of a gram language tokenized on this thread, its
    /// language and its raw tokens: tantivy analyzes a passage's text for
    /// the body field and then for the gram field, one after the other on
    /// the same thread, and the second reads the first's tokens from here.
    static LAST_RAW: std::cell::RefCell<(Option<&'static str>, String, Vec<RawToken>)> =
        const { std::cell::RefCell::new((None, String::new(), Vec::new())) };
}

/// [`tokenizer::tokenize_lang`] of `text` in the analyzer's language. A
/// text of a gram language (analyzed twice when indexed: body and gram
/// fields) is tokenized once; the second call takes the tokens the first
/// one kept.
fn raw_tokens(text: &str, analyzer: Analyzer) -> Vec<RawToken> {
    if analyzer.gram == 0 {
        return tokenizer::tokenize_lang(text, analyzer.lang);
    }
    LAST_RAW.with(|last| {
        let mut last = last.borrow_mut();
        let (lang, last_text, tokens) = &mut *last;
        if *lang == analyzer.lang && last_text == text {
            *lang = None;
            last_text.clear();
            return std::mem::take(tokens);
        }
        let raw = tokenizer::tokenize_lang(text, analyzer.lang);
        *lang = analyzer.lang;
        last_text.clear();
        last_text.push_str(text);
        tokens.clear();
        tokens.extend_from_slice(&raw);
        raw
    })
}

thread_local! {
    /// The gram set of the last grams-only stream dropped on this thread,
    /// empty, its room kept: a fresh set per passage grew by rehashing
    /// (a fifth of what the set cost when indexing).
    static GRAM_SEEN: std::cell::RefCell<rustc_hash::FxHashSet<u128>> =
        std::cell::RefCell::default();
}

/// Largest gram set kept for the next stream (emptying a set writes all of
/// its control bytes, per passage).
const GRAM_SEEN_KEPT: usize = 1 << 14;

impl Drop for GazetteTokenStream<'_> {
    fn drop(&mut self) {
        if self.gram_seen.capacity() == 0 || self.gram_seen.capacity() > GRAM_SEEN_KEPT {
            return;
        }
        let mut set = std::mem::take(&mut self.gram_seen);
        set.clear();
        // Not during the thread's own teardown.
        let _ = GRAM_SEEN.try_with(|kept| {
            let mut kept = kept.borrow_mut();
            if set.capacity() > kept.capacity() {
                *kept = set;
            }
        });
    }
}

impl<'a> GazetteTokenStream<'a> {
    fn new(analyzer: Analyzer, text: &'a str, shift: usize, grams_only: bool) -> Self {
        GazetteTokenStream {
            text,
            analyzer,
            raw: raw_tokens(text, analyzer).into_iter(),
            shift,
            stem: String::new(),
            pending_stem: false,
            grams_only,
            gram_word: String::new(),
            gram_bounds: Vec::new(),
            gram_ranges: Vec::new(),
            gram_next: 0,
            gram_seen: match grams_only && analyzer.gram > 0 {
                true => GRAM_SEEN
                    .try_with(|kept| std::mem::take(&mut *kept.borrow_mut()))
                    .unwrap_or_default(),
                false => rustc_hash::FxHashSet::default(),
            },
            current: Token::default(),
            replay: None,
        }
    }

    fn replaying(tokens: Arc<[Token]>) -> Self {
        let mut stream = GazetteTokenStream::new(Analyzer::exact(), "", 0, false);
        stream.replay = Some((tokens, 0));
        stream
    }
}

impl Tokenizer for GazetteTokenizer {
    type TokenStream<'a> = GazetteTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GazetteTokenStream<'a> {
        if text.len() <= REPLAY_MAX_BYTES && text == self.previous {
            let tokens = match &self.replay {
                Some(tokens) => tokens.clone(),
                None => {
                    let tokens: Arc<[Token]> = self.analyze(text).collect_tokens().into();
                    self.replay = Some(tokens.clone());
                    tokens
                }
            };
            return GazetteTokenStream::replaying(tokens);
        }
        if text.len() <= REPLAY_MAX_BYTES {
            self.previous.clear();
            self.previous.push_str(text);
            self.replay = None;
        }
        self.analyze(text)
    }
}

impl GazetteTokenizer {
    fn analyze<'a>(&mut self, text: &'a str) -> GazetteTokenStream<'a> {
        match self.analyzer {
            Some(analyzer) => GazetteTokenStream::new(analyzer, text, 0, self.grams_only),
            None => {
                let (analyzer, skip) = match tag_of(text) {
                    Some((lang, skip)) => (self.tagged_analyzer(lang), skip),
                    None => (Analyzer::exact(), 0),
                };
                GazetteTokenStream::new(analyzer, &text[skip..], skip, self.grams_only)
            }
        }
    }

    /// [`Analyzer::for_lang`] of a tag's language, built again only when
    /// the language changes.
    fn tagged_analyzer(&mut self, lang: &str) -> Analyzer {
        match &mut self.tagged {
            Some((last, analyzer)) if last == lang => *analyzer,
            slot => {
                let analyzer = Analyzer::for_lang(Some(lang));
                *slot = Some((lang.to_string(), analyzer));
                analyzer
            }
        }
    }
}

impl GazetteTokenStream<'_> {
    /// Every remaining token.
    fn collect_tokens(mut self) -> Vec<Token> {
        let mut out = Vec::new();
        while self.advance() {
            out.push(self.current.clone());
        }
        out
    }
}

impl TokenStream for GazetteTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some((tokens, next)) = &mut self.replay {
            let Some(token) = tokens.get(*next) else {
                return false;
            };
            *next += 1;
            // Field by field: the token's text buffer is reused.
            self.current.text.clear();
            self.current.text.push_str(&token.text);
            self.current.offset_from = token.offset_from;
            self.current.offset_to = token.offset_to;
            self.current.position = token.position;
            self.current.position_length = token.position_length;
            return true;
        }
        if self.pending_stem {
            self.pending_stem = false;
            std::mem::swap(&mut self.current.text, &mut self.stem);
            return true;
        }
        loop {
            if let Some(&(start, end)) = self.gram_ranges.get(self.gram_next) {
                self.gram_next += 1;
                let gram = &self.gram_word[start..end];
                if !self.gram_seen.insert(gram_key(gram)) {
                    continue;
                }
                let lang = self.analyzer.lang.unwrap_or_default();
                let text = &mut self.current.text;
                text.clear();
                text.push_str(lang);
                text.push(GRAM_SEP);
                text.push_str(&self.gram_word[start..end]);
                return true;
            }
            let Some(raw) = self.raw.next() else {
                return false;
            };
            self.current.offset_from = raw.start + self.shift;
            self.current.offset_to = raw.end + self.shift;
            self.current.position = raw.position;
            self.current.position_length = 1;
            if self.grams_only {
                if raw.kind == WordKind::Word && self.analyzer.gram > 0 {
                    gram_source_into(
                        self.analyzer.gram,
                        &self.text[raw.start..raw.end],
                        &mut self.gram_word,
                    );
                    if makes_grams(self.analyzer.gram, &self.gram_word) {
                        grams_into(
                            &self.gram_word,
                            self.analyzer.gram,
                            false,
                            &mut self.gram_bounds,
                            &mut self.gram_ranges,
                        );
                    } else {
                        self.gram_ranges.clear();
                    }
                    self.gram_next = 0;
                }
                continue;
            }
            let (has_folded, has_stem) =
                self.analyzer
                    .terms_into(self.text, &raw, &mut self.current.text, &mut self.stem);
            if has_folded {
                self.pending_stem = has_stem;
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Registers gazette's analyzers on an index. Every path that opens or
/// creates an index calls this.
pub fn register(index: &tantivy::Index) {
    let manager = index.tokenizers();
    manager.register(ANALYZER, GazetteTokenizer::default());
    manager.register(
        TRIGRAM_ANALYZER,
        GazetteTokenizer {
            grams_only: true,
            ..GazetteTokenizer::default()
        },
    );
    for lang in stem::STEMMED_LANGUAGES {
        manager.register(
            &format!("{ANALYZER}_{lang}"),
            GazetteTokenizer {
                analyzer: Some(Analyzer::for_lang(Some(lang))),
                ..GazetteTokenizer::default()
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a language tag off `text`: a fresh analyzer (not the
    /// tokenizer's kept one) and the byte length of the tag.
    fn untag(text: &str) -> (Analyzer, usize) {
        match tag_of(text) {
            Some((lang, skip)) => (Analyzer::for_lang(Some(lang)), skip),
            None => (Analyzer::exact(), 0),
        }
    }

    fn terms(lang: Option<&str>, text: &str) -> Vec<(String, usize)> {
        Analyzer::for_lang(lang)
            .tokens(text)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect()
    }

    #[test]
    fn english_words_get_folded_and_stemmed_terms() {
        assert_eq!(
            terms(Some("en"), "Lawmakers #7Ene"),
            vec![
                ("lawmakers".into(), 0),
                ("en:lawmak".into(), 0),
                ("#7ene".into(), 1),
                ("7ene".into(), 1)
            ]
        );
    }

    #[test]
    fn accents_fold_before_stemming() {
        let a = Analyzer::for_lang(Some("fr"));
        assert_eq!(a.tokens("députés")[1].text, a.tokens("deputes")[1].text);
    }

    #[test]
    fn repeated_texts_replay_the_same_tokens() {
        fn stream(t: &mut GazetteTokenizer, text: &str) -> Vec<Token> {
            let mut s = t.token_stream(text);
            let mut out = Vec::new();
            while s.advance() {
                out.push(s.token().clone());
            }
            out
        }
        let title = tag_language("en", "Lawmakers elect Guaidó");
        let other = tag_language("es", "Los diputados eligen");
        let want = |text: &str| {
            let (analyzer, skip) = untag(text);
            let mut tokens = analyzer.tokens(&text[skip..]);
            for t in &mut tokens {
                t.offset_from += skip;
                t.offset_to += skip;
            }
            tokens
        };
        let mut t = GazetteTokenizer::default();
        // first sight, repeat (recorded), replays, another text, back again
        for text in [&title, &title, &title, &title, &other, &title, &title] {
            assert_eq!(stream(&mut t, text), want(text), "{text}");
        }
        assert!(t.replay.is_some());
        let long = tag_language("en", &"word ".repeat(REPLAY_MAX_BYTES));
        assert_eq!(stream(&mut t, &long), want(&long));
        assert_eq!(stream(&mut t, &long), want(&long));
    }

    #[test]
    fn tokens_that_fold_to_nothing_are_dropped() {
        assert_eq!(
            terms(Some("ar"), "ـ كتب"),
            vec![("كتب".into(), 1), ("ar:كتب".into(), 1)]
        );
    }

    #[test]
    fn turkish_drops_what_follows_an_apostrophe() {
        assert_eq!(
            terms(Some("tr"), "Türkiye'nin başkenti Ankara’dır"),
            vec![
                ("turkiye".into(), 0),
                ("tr:turki".into(), 0),
                ("baskenti".into(), 1),
                ("tr:baske".into(), 1),
                ("ankara".into(), 2),
                ("tr:ankar".into(), 2),
            ]
        );
        // Other languages split there and keep both parts.
        assert_eq!(
            terms(Some("en"), "body's")
                .into_iter()
                .map(|t| t.0)
                .collect::<Vec<_>>(),
            ["body", "en:bodi", "s", "en:s"]
        );
    }

    #[test]
    fn vietnamese_words_keep_their_marks_in_the_second_term() {
        assert_eq!(
            terms(Some("vi"), "Má mà MA Đà"),
            vec![
                ("ma".into(), 0),
                ("vi:má".into(), 0),
                ("ma".into(), 1),
                ("vi:mà".into(), 1),
                ("ma".into(), 2),
                ("vi:ma".into(), 2),
                ("da".into(), 3),
                ("vi:đà".into(), 3),
            ]
        );
        // Decomposed input gives the same (composed) term.
        let a = Analyzer::for_lang(Some("vi"));
        assert_eq!(a.tokens("ma\u{301}")[1].text, "vi:má");
        assert_eq!(a.stem_term("MÁ").as_deref(), Some("vi:má"));
    }

    fn grams(lang: Option<&str>, text: &str) -> Vec<(String, usize)> {
        Analyzer::for_lang(lang)
            .trigram_tokens(text)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect()
    }

    #[test]
    fn arabic_german_turkish_words_have_trigram_terms() {
        assert_eq!(
            grams(Some("de"), "Bundestag am 7."),
            vec![
                ("de#bun".into(), 0),
                ("de#und".into(), 0),
                ("de#nde".into(), 0),
                ("de#des".into(), 0),
                ("de#est".into(), 0),
                ("de#sta".into(), 0),
                ("de#tag".into(), 0),
            ]
        );
        // Trigrams of the folded word, each once; numbers have none.
        assert_eq!(
            grams(Some("tr"), "Şaşa 1990 Ankara'da")
                .into_iter()
                .map(|t| t.0)
                .collect::<Vec<_>>(),
            ["tr#sas", "tr#asa", "tr#ank", "tr#nka", "tr#kar", "tr#ara"]
        );
        assert_eq!(
            grams(Some("ar"), "الكتاب")
                .into_iter()
                .map(|t| t.0)
                .collect::<Vec<_>>(),
            ["ar#الك", "ar#لكت", "ar#كتا", "ar#تاب"]
        );
        // The passage text's own terms hold no trigrams.
        assert!(
            terms(Some("de"), "Bundestag")
                .iter()
                .all(|t| !t.0.contains(GRAM_SEP))
        );
        // The query side makes the same terms.
        let a = Analyzer::for_lang(Some("de"));
        assert_eq!(a.trigram_terms("aaaa"), ["de#aaa"]);
        let indexed: Vec<String> = grams(Some("de"), "Bundestag")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(a.trigram_terms("Bundestag"), indexed);
        // Other languages: no trigrams.
        assert!(
            Analyzer::for_lang(Some("en"))
                .trigram_terms("Bundestag")
                .is_empty()
        );
        assert!(grams(Some("es"), "diputados").is_empty());
        assert!(grams(None, "diputados").is_empty());
    }

    #[test]
    fn languages_without_a_stemmer_have_trigrams_too() {
        // Swahili (no stemmer): `mtoto` (child) and `watoto` (children)
        // share `tot` and `oto`.
        assert_eq!(
            grams(Some("sw"), "watoto")
                .into_iter()
                .map(|t| t.0)
                .collect::<Vec<_>>(),
            ["sw#wat", "sw#ato", "sw#tot", "sw#oto"]
        );
        assert_eq!(
            Analyzer::for_lang(Some("sw")).trigram_terms("Mtoto"),
            ["sw#mto", "sw#tot", "sw#oto"]
        );
        // Any code of two or three letters, ISO 639-3 included.
        assert_eq!(gram_size("xh"), Some(3));
        assert_eq!(gram_size("pcm"), Some(3));
        assert_eq!(gram_size("ru"), Some(3));
        assert_eq!(gram_size("ko"), Some(2));
        assert_eq!(gram_size("th"), Some(3));
        for none in [
            "en", "es", "fr", "pt", "it", "vi", "zh", "ja", "und", "x", "xh1", "XH", "",
        ] {
            assert_eq!(gram_size(none), None, "{none:?}");
        }
        // Their code is interned once, and analyzed.
        assert_eq!(lang::analyzed("sw"), Some("sw"));
        assert!(std::ptr::eq(lang::intern("sw"), lang::intern("sw")));
        assert_eq!(lang::intern("x1"), "und");
    }

    #[test]
    fn thai_text_has_trigram_terms_of_its_words_in_other_scripts_only() {
        // Thai runs are already trigrams (body terms); the Latin name and
        // the number beside them are words, and a word makes trigrams.
        assert_eq!(
            grams(Some("th"), "ทีม Scherzer ชนะ 2018"),
            vec![
                ("th#sch".into(), 1),
                ("th#che".into(), 1),
                ("th#her".into(), 1),
                ("th#erz".into(), 1),
                ("th#rze".into(), 1),
                ("th#zer".into(), 1),
            ]
        );
        let a = Analyzer::for_lang(Some("th"));
        assert_eq!(a.trigram_terms("FBI"), ["th#fbi"]);
        assert_eq!(a.stem_term("ทีม"), None);
        assert_eq!(
            terms(Some("th"), "ทีม Scherzer"),
            terms(None, "ทีม Scherzer"),
            "the word terms are those of untagged text"
        );
    }

    #[test]
    fn korean_hangul_words_have_bigram_terms() {
        // A word and its particle: the stem's bigram is shared.
        let terms_of = |text: &str| -> Vec<String> {
            grams(Some("ko"), text).into_iter().map(|t| t.0).collect()
        };
        assert_eq!(terms_of("정부는"), ["ko#정부", "ko#부는"]);
        assert_eq!(terms_of("정부가"), ["ko#정부", "ko#부가"]);
        // A one-syllable word has none, a Latin word in Korean text neither
        // (unless a particle is attached to it).
        assert_eq!(terms_of("재 AMLO가"), ["ko#am", "ko#ml", "ko#lo", "ko#o가"]);
        assert_eq!(terms_of("재 AMLO"), Vec::<String>::new());
        // Positions are the words'.
        assert_eq!(
            grams(Some("ko"), "멕시코 시티에"),
            vec![
                ("ko#멕시".into(), 0),
                ("ko#시코".into(), 0),
                ("ko#시티".into(), 1),
                ("ko#티에".into(), 1),
            ]
        );
        // The query side makes the same terms; the words' own terms are
        // unchanged (no stemmer).
        let a = Analyzer::for_lang(Some("ko"));
        assert_eq!(a.trigram_terms("정부는"), ["ko#정부", "ko#부는"]);
        assert_eq!(a.stem_term("정부는"), None);
        assert_eq!(
            terms(Some("ko"), "정부는"),
            terms(None, "정부는"),
            "the word terms are those of untagged text"
        );
    }

    /// The tokens a registered analyzer gives for `text`.
    fn registered_tokens(
        analyzer: &mut tantivy::tokenizer::TextAnalyzer,
        text: &str,
    ) -> Vec<Token> {
        let mut stream = analyzer.token_stream(text);
        let mut got = Vec::new();
        while stream.advance() {
            got.push(stream.token().clone());
        }
        got
    }

    #[test]
    fn the_body_and_gram_fields_share_a_texts_tokens_as_if_apart() {
        // tantivy analyzes a passage for the body field, then the gram
        // field, on one thread: the second takes the first's raw tokens.
        // Any interleaving gives what each analysis gives alone.
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        register(&index);
        let mut body = index.tokenizers().get(ANALYZER).unwrap();
        let mut gram = index.tokenizers().get(TRIGRAM_ANALYZER).unwrap();
        let collect = |analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str| {
            let tokens = registered_tokens(analyzer, text);
            let got: Vec<_> = tokens
                .into_iter()
                .map(|t| (t.text, t.offset_from, t.offset_to, t.position))
                .collect();
            got
        };
        let a = tag_language("sw", "Watoto wa shule walikwenda mjini");
        let b = tag_language("sw", "Mtoto mmoja alibaki nyumbani");
        let c = tag_language("de", "Watoto wa shule walikwenda mjini");
        let alone = |text: &str, grams_only: bool| {
            let (analyzer, skip) = untag(text);
            // Tokenized afresh, the shared tokens left as they were.
            let kept = LAST_RAW.with(|last| last.borrow().clone());
            let mut stream = GazetteTokenStream::new(analyzer, &text[skip..], skip, grams_only);
            LAST_RAW.with(|last| *last.borrow_mut() = kept);
            stream.raw = tokenizer::tokenize_lang(&text[skip..], analyzer.lang).into_iter();
            stream
                .collect_tokens()
                .into_iter()
                .map(|t| (t.text, t.offset_from, t.offset_to, t.position))
                .collect::<Vec<_>>()
        };
        for _ in 0..2 {
            assert_eq!(collect(&mut body, &a), alone(&a, false));
            assert_eq!(collect(&mut gram, &a), alone(&a, true));
            assert_eq!(collect(&mut body, &b), alone(&b, false));
            assert_eq!(collect(&mut gram, &a), alone(&a, true));
            assert_eq!(collect(&mut gram, &c), alone(&c, true));
            assert_eq!(collect(&mut body, &c), alone(&c, false));
        }
        // A gram stream dropped part-way leaves no gram behind for the
        // next (streams pass their emptied gram set on).
        let mut partial = gram.token_stream(&a);
        assert!(partial.advance());
        drop(partial);
        assert_eq!(collect(&mut gram, &a), alone(&a, true));
        assert!(alone(&a, true).iter().any(|t| t.0.ends_with("wat")));
    }

    #[test]
    fn trigram_analyzer_reads_the_language_tag() {
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        register(&index);
        let mut analyzer = index.tokenizers().get(TRIGRAM_ANALYZER).unwrap();
        let collect = |analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str| {
            let tokens = registered_tokens(analyzer, text);
            let got: Vec<_> = tokens
                .into_iter()
                .map(|t| (t.text, text[t.offset_from..t.offset_to].to_string()))
                .collect();
            got
        };
        assert_eq!(
            collect(&mut analyzer, &tag_language("de", "Am Tag")),
            [("de#tag".to_string(), "Tag".to_string())]
        );
        assert!(collect(&mut analyzer, &tag_language("en", "Tagging")).is_empty());
        assert!(collect(&mut analyzer, "Tagging").is_empty());
    }

    /// The distinct trigrams as first written: each char start whose
    /// three chars occur nowhere earlier in the word.
    fn trigrams_by_search(word: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (start, _) in word.char_indices() {
            let Some(end) = word[start..]
                .char_indices()
                .map(|(j, _)| start + j)
                .chain(std::iter::once(word.len()))
                .nth(3)
            else {
                break;
            };
            if word.find(&word[start..end]) == Some(start) {
                out.push((start, end));
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn trigrams_equal_a_search_for_earlier_occurrences(word in "[abçö\u{301}ب]{0,12}") {
            proptest::prop_assert_eq!(trigrams(&word).collect::<Vec<_>>(), trigrams_by_search(&word));
        }
    }

    #[test]
    fn trigrams_are_distinct_and_on_char_boundaries() {
        let w = "abcabcé";
        let got: Vec<&str> = trigrams(w).map(|(s, e)| &w[s..e]).collect();
        assert_eq!(got, ["abc", "bca", "cab", "bcé"]);
        assert_eq!(trigrams("ab").count(), 0);
        assert_eq!(trigrams("").count(), 0);
        assert_eq!(trigrams("çöü").collect::<Vec<_>>(), [(0, 6)]);
    }

    #[test]
    fn unknown_language_only_folds() {
        assert_eq!(terms(Some("zz"), "Ñandú"), vec![("nandu".into(), 0)]);
    }

    #[test]
    fn tagged_text_is_analyzed_in_its_language() {
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        register(&index);
        let mut analyzer = index.tokenizers().get(ANALYZER).unwrap();
        let text = tag_language("es", "Los diputados");
        let mut stream = analyzer.token_stream(&text);
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), text[t.offset_from..t.offset_to].to_string()));
        }
        let want = Analyzer::for_lang(Some("es")).tokens("Los diputados");
        assert_eq!(got.len(), want.len());
        assert_eq!(got[2], (want[2].text.clone(), "diputados".to_string()));
        assert!(got.iter().any(|(t, _)| t.starts_with("es:")));
        drop(stream);
        // Untagged text: no stems.
        let mut stream = analyzer.token_stream("Los diputados");
        while stream.advance() {
            assert!(!stream.token().text.contains(':'));
        }
    }

    #[test]
    fn registered_tokenizer_matches_pre_tokenized_terms() {
        let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
        register(&index);
        let mut analyzer = index.tokenizers().get("gazette_es").unwrap();
        let mut stream = analyzer.token_stream("Los diputados de @AsambleaVE");
        let mut got = Vec::new();
        while stream.advance() {
            got.push(stream.token().text.clone());
        }
        let want: Vec<String> = Analyzer::for_lang(Some("es"))
            .tokens("Los diputados de @AsambleaVE")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(got, want);
    }
}
