//! Text analysis: the one place that decides which terms a text produces.
//!
//! Indexing, querying and highlighting all call [`Analyzer`], and every path
//! that opens an index calls [`register`], so the writer, the reader and the
//! highlighter can never tokenize differently.
//!
//! A word produces its folded form (`guaidó` → `guaido`) and, in a language
//! with a Snowball stemmer, its language-tagged stem at the same position
//! (`lawmakers` → `en:lawmak`). Tagging stems with their language keeps one
//! language's stems from colliding with another's words, and lets an exact
//! match score above a stemmed one (it matches both terms).

pub mod fold;
pub mod lang;
pub mod stem;
pub mod tokenizer;

use frostem::Stemmer;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

pub use tokenizer::{RawToken, WordKind};

/// Name of the registered tantivy analyzer without stemming.
pub const ANALYZER: &str = "gazette";

/// Separator between a stem's language and the stem, in stem terms.
pub const STEM_SEP: char = ':';

/// Analysis settings for one language.
#[derive(Clone, Copy)]
pub struct Analyzer {
    lang: Option<&'static str>,
    stemmer: Option<Stemmer>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Analyzer({:?})", self.lang)
    }
}

impl Analyzer {
    /// The analyzer for a language code (stemming when it has a stemmer).
    pub fn for_lang(lang: Option<&str>) -> Analyzer {
        match lang.and_then(|l| stem::stemmer(l).map(|s| (lang::intern(l), s))) {
            Some((lang, stemmer)) => Analyzer {
                lang: Some(lang),
                stemmer: Some(stemmer),
            },
            None => Analyzer::exact(),
        }
    }

    /// Folding without stemming.
    pub fn exact() -> Analyzer {
        Analyzer {
            lang: None,
            stemmer: None,
        }
    }

    /// The language whose stems this analyzer adds, if any.
    pub fn stem_lang(&self) -> Option<&'static str> {
        self.lang
    }

    /// Calls `emit(term, is_stem)` for each term of one raw token of `text`.
    pub fn terms_of(&self, text: &str, raw: &RawToken, mut emit: impl FnMut(String, bool)) {
        let surface = &text[raw.start..raw.end];
        let folded = fold::fold(surface);
        if folded.is_empty() {
            // only marks or tatweel: nothing to search for
            return;
        }
        if raw.kind == WordKind::Word
            && let (Some(lang), Some(stemmer)) = (self.lang, self.stemmer)
        {
            let stemmed = stemmer.stem(&folded);
            let mut term = String::with_capacity(lang.len() + 1 + stemmed.len());
            term.push_str(lang);
            term.push(STEM_SEP);
            term.push_str(&stemmed);
            emit(folded, false);
            emit(term, true);
            return;
        }
        emit(folded, false);
    }

    /// The stem term of one word, as [`Analyzer::terms_of`] would index it.
    pub fn stem_term(&self, folded_word: &str) -> Option<String> {
        let (lang, stemmer) = (self.lang?, self.stemmer?);
        Some(format!("{lang}{STEM_SEP}{}", stemmer.stem(folded_word)))
    }

    /// All index tokens of `text`, in position order, as tantivy wants them.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let raw = tokenizer::tokenize(text);
        let mut out = Vec::with_capacity(raw.len() * 2);
        for r in &raw {
            self.terms_of(text, r, |term, _| {
                out.push(Token {
                    offset_from: r.start,
                    offset_to: r.end,
                    position: r.position,
                    text: term,
                    position_length: 1,
                })
            });
        }
        out
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

/// Splits a language tag off `text`: the analyzer and the byte length of the tag.
fn untag(text: &str) -> (Analyzer, usize) {
    if let Some(rest) = text.strip_prefix(TAG_START)
        && let Some(end) = rest.find(TAG_END).filter(|&e| e <= 8)
    {
        return (Analyzer::for_lang(Some(&rest[..end])), 1 + end + 1);
    }
    (Analyzer::exact(), 0)
}

/// gazette's analysis as a tantivy [`Tokenizer`]: registered under
/// [`ANALYZER`] it analyzes language-tagged text (see [`tag_language`]) in
/// its language, untagged text without stemming; under `gazette_<lang>` it
/// always stems in that language. Tantivy's indexing threads run it, so the
/// text reaches tantivy as a plain string.
#[derive(Clone, Debug)]
pub struct GazetteTokenizer {
    analyzer: Option<Analyzer>,
}

/// The token stream of [`GazetteTokenizer`].
pub struct GazetteTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl Tokenizer for GazetteTokenizer {
    type TokenStream<'a> = GazetteTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GazetteTokenStream {
        let tokens = match self.analyzer {
            Some(analyzer) => analyzer.tokens(text),
            None => {
                let (analyzer, skip) = untag(text);
                let mut tokens = analyzer.tokens(&text[skip..]);
                for t in &mut tokens {
                    t.offset_from += skip;
                    t.offset_to += skip;
                }
                tokens
            }
        };
        GazetteTokenStream {
            tokens: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for GazetteTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(t) => {
                self.current = t;
                true
            }
            None => false,
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
    manager.register(ANALYZER, GazetteTokenizer { analyzer: None });
    for lang in stem::STEMMED_LANGUAGES {
        manager.register(
            &format!("{ANALYZER}_{lang}"),
            GazetteTokenizer {
                analyzer: Some(Analyzer::for_lang(Some(lang))),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn tokens_that_fold_to_nothing_are_dropped() {
        assert_eq!(
            terms(Some("ar"), "ـ كتب"),
            vec![("كتب".into(), 1), ("ar:كتب".into(), 1)]
        );
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
