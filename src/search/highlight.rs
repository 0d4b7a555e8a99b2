//! Highlighting: re-analyzes a passage with the analyzer that indexed it and
//! marks every token that matched the query — exact, accent-folded or
//! stemmed — and every occurrence of a quoted phrase as one span.

use crate::analysis::{Analyzer, GRAM_SEP, gram_size, tokenizer};
use crate::search::hit::Span;
use crate::search::query::HighlightSpec;

/// Highlighted spans of `text` (a passage in language `lang`), in order and
/// merged where they overlap or touch.
pub fn highlight(text: &str, lang: &str, spec: &HighlightSpec) -> Vec<Span> {
    Highlighter::new(spec).spans_of(text, lang)
}

/// A passage analyzed once for highlighting, to be matched against the
/// terms of many queries (see [`PassageCache`]).
#[derive(Debug)]
pub struct Analyzed {
    /// Tokens with a searchable form, in order.
    tokens: Vec<AnalyzedToken>,
    /// The end of the last token at each position, by position.
    ends: Vec<(usize, usize)>,
    /// The analyzer of the passage's language, for its words' grams.
    analyzer: Analyzer,
    /// In a language with trigrams, the trigrams of the tokens' folded
    /// forms (of four chars or more), each token's in a range of its own
    /// ([`AnalyzedToken::windows`]): hashed once per passage, not per
    /// query that hits it.
    windows: Vec<Window>,
}

/// A trigram of a token's folded form, packed in eight bytes (a passage
/// cache holds many): its hash ([`window_hash`], 48 bits) above the
/// byte offset where it starts in the folded form (16 bits); it ends
/// three chars later.
#[derive(Debug, Clone, Copy)]
struct Window(u64);

impl Window {
    fn new(hash: u64, start: u16) -> Window {
        Window(hash << 16 | u64::from(start))
    }

    fn hash(self) -> u64 {
        self.0 >> 16
    }

    /// The trigram in `folded`, the form it was taken from.
    fn gram(self, folded: &str) -> &str {
        let rest = &folded[(self.0 & 0xFFFF) as usize..];
        let end = rest.char_indices().nth(3).map_or(rest.len(), |(i, _)| i);
        &rest[..end]
    }
}

/// The hash of a trigram (48 bits), as [`Analyzed`] keeps it and
/// [`QueryGrams`] looks it up; equal hashes are checked against the
/// gram's text.
fn window_hash(gram: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(gram.as_bytes()) >> 16
}

/// The trigrams of `folded` (three chars each, in order, repeats kept)
/// into `out`; none for a word of fewer than four chars (two trigrams,
/// the fewest a word matches by, need four), nor for one too long for
/// the ranges (a token is at most [`tokenizer::MAX_TOKEN_BYTES`] bytes,
/// and folding seldom lengthens it).
fn push_windows(folded: &str, out: &mut Vec<Window>) {
    if folded.len() < 4 || folded.len() > usize::from(u16::MAX) || folded.chars().nth(3).is_none() {
        return;
    }
    // The last four char boundaries, in a ring: boundary n at n % 4.
    let mut ring = [0usize; 4];
    let mut n = 0;
    for b in folded
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain([folded.len()])
    {
        n += 1;
        ring[n % 4] = b;
        if n >= 3 {
            let start = ring[(n + 1) % 4];
            out.push(Window::new(window_hash(&folded[start..b]), start as u16));
        }
    }
}

#[derive(Debug)]
struct AnalyzedToken {
    start: usize,
    end: usize,
    position: usize,
    folded: Box<str>,
    /// The `lang:stem` term, for words of a language with a stemmer.
    stem: Option<Box<str>>,
    /// Its trigrams: a range of [`Analyzed::windows`].
    windows: (u32, u32),
}

/// Analyzes `text` (in language `lang`) for [`highlight_analyzed`].
pub fn analyze(text: &str, lang: &str) -> Analyzed {
    analyze_with(text, lang, true)
}

/// [`analyze`]; with `windows` false, without the words' trigrams (a
/// passage highlighted for one query that has no grams in its language).
fn analyze_with(text: &str, lang: &str, windows: bool) -> Analyzed {
    let analyzer = Analyzer::for_lang(Some(lang));
    let (mut folded, mut stem) = (String::new(), String::new());
    let raw = tokenizer::tokenize_lang(text, Some(lang));
    let mut ends: Vec<(usize, usize)> = Vec::new();
    for t in &raw {
        match ends.last_mut() {
            Some(last) if last.0 == t.position => last.1 = last.1.max(t.end),
            _ => ends.push((t.position, t.end)),
        }
    }
    let trigrams = windows && analyzer.lang().and_then(gram_size) == Some(3);
    let mut windows: Vec<Window> = Vec::new();
    let tokens = raw
        .iter()
        .filter_map(|t| {
            let (has_folded, has_stem) = analyzer.terms_into(text, t, &mut folded, &mut stem);
            has_folded.then(|| {
                let from = windows.len() as u32;
                if trigrams {
                    push_windows(&folded, &mut windows);
                }
                AnalyzedToken {
                    start: t.start,
                    end: t.end,
                    position: t.position,
                    folded: folded.as_str().into(),
                    stem: has_stem.then(|| stem.as_str().into()),
                    windows: (from, windows.len() as u32),
                }
            })
        })
        .collect();
    Analyzed {
        tokens,
        ends,
        analyzer,
        windows,
    }
}

/// [`highlight`] of a passage analyzed beforehand: the same spans.
pub fn highlight_analyzed(text: &str, analyzed: &Analyzed, spec: &HighlightSpec) -> Vec<Span> {
    Highlighter::new(spec).spans(text, analyzed)
}

/// Whether `spec` marks nothing (no terms, phrases or grams).
fn nothing_to_mark(spec: &HighlightSpec) -> bool {
    spec.terms.is_empty() && spec.phrases.is_empty() && spec.grams.is_empty()
}

/// Highlights the hits of one query: what the query gives in a passage's
/// language (its words' grams there, by hash) is made once per language,
/// not once per hit (for a query of ten words, most of the cost of
/// highlighting a sentence).
pub struct Highlighter<'a> {
    spec: &'a HighlightSpec,
    /// Per passage language met so far: the query's grams in it.
    grams: std::cell::RefCell<Vec<(Option<&'static str>, Option<QueryGrams<'a>>)>>,
}

impl<'a> Highlighter<'a> {
    /// A highlighter of `spec`'s matches.
    pub fn new(spec: &'a HighlightSpec) -> Highlighter<'a> {
        Highlighter {
            spec,
            grams: Default::default(),
        }
    }

    /// The spans of `text`, a passage in language `lang` ([`highlight`]).
    pub fn spans_of(&self, text: &str, lang: &str) -> Vec<Span> {
        let spec = self.spec;
        if nothing_to_mark(spec) {
            return Vec::new();
        }
        // Its trigrams only if the query has grams in its language.
        let analyzer = Analyzer::for_lang(Some(lang));
        let windows = self.with_grams(analyzer.lang(), analyzer, |g| g.is_some());
        self.spans(text, &analyze_with(text, lang, windows))
    }

    /// `f` of the query's grams in language `lang` (made the first time).
    fn with_grams<T>(
        &self,
        lang: Option<&'static str>,
        analyzer: Analyzer,
        f: impl FnOnce(Option<&QueryGrams<'a>>) -> T,
    ) -> T {
        let mut by_lang = self.grams.borrow_mut();
        let at = match by_lang.iter().position(|(l, _)| *l == lang) {
            Some(at) => at,
            None => {
                by_lang.push((lang, QueryGrams::new(self.spec, analyzer)));
                by_lang.len() - 1
            }
        };
        f(by_lang[at].1.as_ref())
    }

    /// The spans of `text`, analyzed as `analyzed` ([`highlight_analyzed`]).
    pub fn spans(&self, text: &str, analyzed: &Analyzed) -> Vec<Span> {
        let spec = self.spec;
        if nothing_to_mark(spec) {
            return Vec::new();
        }
        self.with_grams(analyzed.analyzer.lang(), analyzed.analyzer, |grams| {
            spans_with(text, analyzed, spec, grams)
        })
    }
}

/// [`Highlighter::spans`] with the query's grams in the passage's
/// language.
fn spans_with(
    text: &str,
    analyzed: &Analyzed,
    spec: &HighlightSpec,
    grams: Option<&QueryGrams>,
) -> Vec<Span> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for t in &analyzed.tokens {
        if spec.terms.contains(&*t.folded)
            || t.stem.as_deref().is_some_and(|s| spec.terms.contains(s))
            || grams.is_some_and(|g| {
                let (from, to) = t.windows;
                let windows = &analyzed.windows[from as usize..to as usize];
                g.matches(&t.folded, &text[t.start..t.end], windows)
            })
        {
            ranges.push((t.start, t.end));
        }
    }
    if !spec.phrases.is_empty() {
        // Folded terms at each position (a tag and its bare word share one).
        let mut by_position: Vec<(usize, usize, Vec<String>)> = Vec::new();
        for t in &analyzed.tokens {
            match by_position.last_mut() {
                Some(last) if last.0 == t.position => {
                    last.2.push(t.folded.to_string());
                    last.1 = last.1.min(t.start);
                }
                _ => by_position.push((t.position, t.start, vec![t.folded.to_string()])),
            }
        }
        let ends = &analyzed.ends;
        let end_of = |pos: usize| {
            ends.binary_search_by_key(&pos, |e| e.0)
                .ok()
                .map(|i| ends[i].1)
        };
        for phrase in &spec.phrases {
            phrase_spans(&by_position, phrase, &end_of, &mut ranges);
        }
    }
    merge(text, ranges)
}

/// The query words' grams in a passage's language (trigrams; Korean
/// syllable bigrams), to highlight the words that matched by them.
struct QueryGrams<'a> {
    /// The gram size (3, or 2 in Korean).
    n: u8,
    /// Each query word's grams (without the language).
    words: Vec<Vec<&'a str>>,
    /// Each distinct gram of them by its [`window_hash`], with its number
    /// in `grams` and `owners`.
    ids: rustc_hash::FxHashMap<u64, usize>,
    /// Per distinct gram: its text.
    grams: Vec<&'a str>,
    /// Per distinct gram: the query words that have it, a bit each (word
    /// `i` of `words` is bit `i`).
    owners: Vec<u64>,
    /// Two distinct grams of the query have one hash (a chance of about
    /// one in 10^16), or the query has more than 64 words with grams:
    /// words are then matched by their text instead.
    collided: bool,
}

impl<'a> QueryGrams<'a> {
    /// The query's grams in the language of `analyzer` (the query's
    /// grams carry their language, `sw#tot`: a word of another language
    /// never matches); `None` when it has none there.
    fn new(spec: &'a HighlightSpec, analyzer: Analyzer) -> Option<QueryGrams<'a>> {
        let lang = analyzer.lang()?;
        let n = gram_size(lang)?;
        // Two trigrams, or one bigram (see `matches`).
        let fewest = if n == 2 { 1 } else { 2 };
        let words: Vec<Vec<&str>> = spec
            .grams
            .iter()
            .map(|q| {
                q.iter()
                    .filter_map(|g| g.strip_prefix(lang)?.strip_prefix(GRAM_SEP))
                    .collect::<Vec<&str>>()
            })
            .filter(|q| q.len() >= fewest)
            .collect();
        let mut ids = rustc_hash::FxHashMap::default();
        let mut grams: Vec<&str> = Vec::new();
        let mut owners: Vec<u64> = Vec::new();
        let mut collided = words.len() > 64;
        for (w, q) in words.iter().enumerate().take(64) {
            for &g in q {
                let id = *ids.entry(window_hash(g)).or_insert_with(|| {
                    grams.push(g);
                    owners.push(0);
                    owners.len() - 1
                });
                collided |= grams[id] != g;
                owners[id] |= 1 << w;
            }
        }
        (!words.is_empty()).then_some(QueryGrams {
            n,
            words,
            ids,
            grams,
            owners,
            collided,
        })
    }

    /// Whether a word shares half of some query word's grams: two
    /// trigrams at least (a trigram of a word is a substring of its
    /// `folded` form), or one syllable bigram (a substring of the word as
    /// written, lower-cased: folding would split Hangul syllables into
    /// letters).
    /// `windows`: the word's trigrams ([`push_windows`]).
    fn matches(&self, folded: &str, raw: &str, windows: &[Window]) -> bool {
        if self.n == 2 {
            if raw.chars().nth(1).is_none() {
                return false;
            }
            // Hangul has no case: most words are compared as they are.
            let lower: std::borrow::Cow<str> = if raw.chars().any(char::is_uppercase) {
                raw.chars().flat_map(char::to_lowercase).collect()
            } else {
                raw.into()
            };
            return self.words.iter().any(|q| {
                let shared = q.iter().filter(|g| lower.contains(*g)).count();
                shared >= 1 && 2 * shared >= q.len()
            });
        }
        if self.collided {
            return self.words.iter().any(|q| {
                let shared = q.iter().filter(|g| folded.contains(*g)).count();
                shared >= 2 && 2 * shared >= q.len()
            });
        }
        // The word's trigrams that are the query's, each once (most
        // words: none). A query gram (three chars) is in the word exactly
        // when it is one of its windows.
        let mut found: Vec<usize> = Vec::new();
        for w in windows {
            if let Some(&id) = self.ids.get(&w.hash())
                && self.grams[id] == w.gram(folded)
                && !found.contains(&id)
            {
                found.push(id);
            }
        }
        if found.is_empty() {
            return false;
        }
        // Each query word's grams in the word.
        let mut shared = vec![0usize; self.words.len()];
        for id in found {
            let mut bits = self.owners[id];
            while bits != 0 {
                shared[bits.trailing_zeros() as usize] += 1;
                bits &= bits - 1;
            }
        }
        (self.words.iter().zip(shared)).any(|(q, shared)| shared >= 2 && 2 * shared >= q.len())
    }
}

/// Analyzed passages shared by the queries of a batch, by passage: hits
/// repeat across queries (on XQuAD-R, nine in ten), and analyzing the
/// passage is most of the cost of highlighting it. The oldest entry goes
/// when `capacity` is reached.
pub struct PassageCache {
    capacity: usize,
    entries: std::sync::Mutex<PassageEntries>,
}

type PassageKey = (tantivy::index::SegmentId, tantivy::DocId);

#[derive(Default)]
struct PassageEntries {
    map: rustc_hash::FxHashMap<PassageKey, std::sync::Arc<Analyzed>>,
    order: std::collections::VecDeque<PassageKey>,
}

impl PassageCache {
    /// A cache of at most `capacity` passages.
    pub fn new(capacity: usize) -> PassageCache {
        PassageCache {
            capacity,
            entries: Default::default(),
        }
    }

    /// The analysis of the passage `key`, made by `analyze` if not kept.
    pub fn get_or_analyze(
        &self,
        key: PassageKey,
        analyze: impl FnOnce() -> Analyzed,
    ) -> std::sync::Arc<Analyzed> {
        let lock = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = lock().map.get(&key) {
            return a.clone();
        }
        // Analyzed outside the lock: another thread may do the same
        // passage at the same time, which costs only time.
        let analyzed = std::sync::Arc::new(analyze());
        let mut entries = lock();
        if entries.map.insert(key, analyzed.clone()).is_none() {
            entries.order.push_back(key);
            while entries.order.len() > self.capacity {
                if let Some(old) = entries.order.pop_front() {
                    entries.map.remove(&old);
                }
            }
        }
        analyzed
    }

    /// Passages kept.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.map.len())
    }

    /// Whether no passage is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn phrase_spans(
    positions: &[(usize, usize, Vec<String>)],
    phrase: &[String],
    end_of: &dyn Fn(usize) -> Option<usize>,
    out: &mut Vec<(usize, usize)>,
) {
    if phrase.is_empty() || positions.len() < phrase.len() {
        return;
    }
    for window in positions.windows(phrase.len()) {
        let consecutive = window.windows(2).all(|w| w[1].0 == w[0].0 + 1);
        if consecutive
            && window.iter().zip(phrase).all(|(p, w)| p.2.contains(w))
            && let Some(end) = end_of(window[window.len() - 1].0)
        {
            out.push((window[0].1, end));
        }
    }
}

/// Sorts, merges overlapping ranges (CJK bigrams overlap) and adds char offsets.
fn merge(text: &str, mut ranges: Vec<(usize, usize)>) -> Vec<Span> {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut spans = Vec::with_capacity(merged.len());
    let mut chars = 0;
    let mut byte = 0;
    for (s, e) in merged {
        chars += text[byte..s].chars().count();
        let char_start = chars;
        chars += text[s..e].chars().count();
        byte = e;
        spans.push(Span {
            start: s,
            end: e,
            char_start,
            char_end: chars,
        });
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(terms: &[&str], phrases: &[&[&str]]) -> HighlightSpec {
        HighlightSpec {
            terms: terms.iter().map(|s| s.to_string()).collect(),
            phrases: phrases
                .iter()
                .map(|p| p.iter().map(|s| s.to_string()).collect())
                .collect(),
            grams: Vec::new(),
        }
    }

    #[test]
    fn words_that_matched_by_their_grams_are_highlighted() {
        // Swahili `mtoto` (a child): `Watoto` (children) shares `tot` and
        // `oto`, two of its three trigrams; `toto` too; `mto` (a river)
        // shares one, `photo` is English (its grams are not `sw#`).
        let mut s = spec(&["mtoto"], &[]);
        s.grams = vec![Analyzer::for_lang(Some("sw")).trigram_terms("mtoto")];
        let text = "Watoto na toto mto photo mtoto.";
        assert_eq!(marked(text, "sw", &s), ["Watoto", "toto", "mtoto"]);
        assert_eq!(marked("photo watoto", "en", &s), Vec::<String>::new());
    }

    #[test]
    fn a_words_grams_count_once_and_for_every_query_word_that_has_them() {
        // `anaxyz` has four trigrams; `anabana` holds one of them, `ana`,
        // twice: one of four, not half (counted twice, it would be);
        // `banana` holds `ana` and `nan`, of `ananas`'s three.
        let sw = Analyzer::for_lang(Some("sw"));
        let mut s = spec(&[], &[]);
        s.grams = vec![sw.trigram_terms("anaxyz")];
        assert_eq!(s.grams[0].len(), 4, "{:?}", s.grams);
        assert_eq!(marked("anabana anaxy", "sw", &s), ["anaxy"]);
        s.grams = vec![sw.trigram_terms("ananas")];
        assert_eq!(marked("banana", "sw", &s), ["banana"]);
        // A gram of two query words counts for each: `kitabu` shares
        // `kit` and `ita` with `kitanda` (two of its five: not half)
        // and `kit`, `ita` with `kita` (two of its two).
        s.grams = vec![sw.trigram_terms("kitanda"), sw.trigram_terms("kita")];
        assert_eq!(marked("kitabu", "sw", &s), ["kitabu"]);
        s.grams = vec![sw.trigram_terms("kitanda")];
        assert_eq!(marked("kitabu", "sw", &s), Vec::<String>::new());
    }

    #[test]
    fn a_query_of_more_than_64_words_with_grams_still_highlights_by_them() {
        // The words past the 64th have no bit of their own: matched by
        // their text instead, with the same rule.
        let sw = Analyzer::for_lang(Some("sw"));
        let mut s = spec(&[], &[]);
        s.grams = (0..70)
            .map(|i| sw.trigram_terms(&format!("neno{i:02}x")))
            .collect();
        s.grams.push(sw.trigram_terms("mtoto"));
        assert_eq!(
            marked("Watoto na neno69 mto", "sw", &s),
            ["Watoto", "neno69"]
        );
        // One highlighter serves passages of several languages.
        let h = Highlighter::new(&s);
        assert_eq!(h.spans_of("Watoto", "sw").len(), 1);
        assert_eq!(h.spans_of("Watoto", "en").len(), 0);
        assert_eq!(h.spans_of("watoto wetu", "sw").len(), 1);
    }

    #[test]
    fn korean_words_that_matched_by_their_syllable_bigrams_are_highlighted() {
        // `정부` (government) is in `정부가` and `행정부` (its one bigram);
        // `정부는` has `정부` and `부는`: half of its two, so `정부가` is
        // marked; `부산` (Busan) shares none.
        let ko = Analyzer::for_lang(Some("ko"));
        let mut s = spec(&[], &[]);
        s.grams = vec![ko.trigram_terms("정부")];
        assert_eq!(marked("정부가 행정부 부산", "ko", &s), ["정부가", "행정부"]);
        s.grams = vec![ko.trigram_terms("정부는")];
        assert_eq!(marked("정부가 발표 부산", "ko", &s), ["정부가"]);
    }

    fn marked(text: &str, lang: &str, s: &HighlightSpec) -> Vec<String> {
        highlight(text, lang, s)
            .iter()
            .map(|h| {
                assert_eq!(
                    text[h.start..h.end].chars().count(),
                    h.char_end - h.char_start
                );
                text[h.start..h.end].to_string()
            })
            .collect()
    }

    #[test]
    fn marks_folded_and_stemmed_matches() {
        let s = spec(&["guaido", "en:lawmak"], &[]);
        assert_eq!(
            marked("Guaidó met lawmakers and Guaido", "en", &s),
            vec!["Guaidó", "lawmakers", "Guaido"]
        );
    }

    #[test]
    fn phrases_are_one_span_and_only_where_whole() {
        let s = spec(&[], &[&["national", "guard"]]);
        assert_eq!(
            marked(
                "The National Guard and a guard of the national team",
                "en",
                &s
            ),
            vec!["National Guard"]
        );
    }

    #[test]
    fn overlapping_bigrams_merge() {
        let s = spec(&["黑豹", "豹队"], &[]);
        assert_eq!(marked("黑豹队的防守", "zh", &s), vec!["黑豹队"]);
    }

    #[test]
    fn cached_analysis_serves_every_query_and_stays_bounded() {
        use tantivy::index::SegmentId;
        let cache = PassageCache::new(2);
        let seg = SegmentId::generate_random();
        let text = "Guaidó met the National Guard and lawmakers";
        let analyses = std::cell::Cell::new(0);
        let get = |doc| {
            cache.get_or_analyze((seg, doc), || {
                analyses.set(analyses.get() + 1);
                analyze(text, "en")
            })
        };
        let first = get(0);
        let again = get(0);
        assert!(std::sync::Arc::ptr_eq(&first, &again));
        assert_eq!(analyses.get(), 1);
        for s in [
            spec(&["guaido", "en:lawmak"], &[]),
            spec(&[], &[&["national", "guard"]]),
            spec(&["met"], &[&["guard", "and"]]),
        ] {
            assert_eq!(
                highlight_analyzed(text, &first, &s),
                highlight(text, "en", &s)
            );
        }
        get(1);
        get(2);
        assert_eq!(cache.len(), 2);
        get(0); // evicted first, analyzed again
        assert_eq!(analyses.get(), 4);
    }

    #[test]
    fn tags_highlight_whole() {
        let s = spec(&["#7ene"], &[]);
        assert_eq!(marked("Hoy #7Ene en la AN", "es", &s), vec!["#7Ene"]);
    }
}
