//! Stemmers by ISO 639-1 language code: Snowball's (frostem, the crate
//! tantivy's own `Stemmer` wraps), Arabic's after the article and its prefixes
//! ([`super::arabic`]), and a light Bengali stemmer ([`super::bengali`]),
//! a language Snowball lacks.

use std::borrow::Cow;

use frostem::Algorithm;

/// A stemmer: Snowball's, or gazette's own for a language Snowball lacks.
#[derive(Clone, Copy)]
pub enum Stemmer {
    /// A Snowball algorithm (frostem).
    Snowball(frostem::Stemmer),
    /// Snowball's Arabic after the marks, the article and its prefixes
    /// ([`super::arabic`]).
    Arabic(frostem::Stemmer),
    /// [`super::bengali`].
    Bengali,
}

impl Stemmer {
    /// The stem of `word`.
    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        match self {
            Stemmer::Snowball(s) => s.stem(word),
            Stemmer::Arabic(s) => super::arabic::stem(s, word),
            Stemmer::Bengali => Cow::Borrowed(super::bengali::stem(word)),
        }
    }
}

/// The Snowball algorithm for an ISO 639-1 (or 639-3) code, if there is one.
pub fn algorithm(lang: &str) -> Option<Algorithm> {
    Some(match lang {
        "ar" => Algorithm::Arabic,
        "hy" => Algorithm::Armenian,
        "eu" => Algorithm::Basque,
        "ca" => Algorithm::Catalan,
        "cs" => Algorithm::Czech,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "eo" => Algorithm::Esperanto,
        "et" => Algorithm::Estonian,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hi" => Algorithm::Hindi,
        "hu" => Algorithm::Hungarian,
        "id" => Algorithm::Indonesian,
        "ga" => Algorithm::Irish,
        "it" => Algorithm::Italian,
        "lt" => Algorithm::Lithuanian,
        "ne" => Algorithm::Nepali,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "fa" => Algorithm::Persian,
        "pl" => Algorithm::Polish,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sr" => Algorithm::Serbian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        "yi" => Algorithm::Yiddish,
        _ => return None,
    })
}

/// Every language code that has a stemmer (or, Vietnamese, a marked
/// second term: [`MARKED_LANGUAGE`]), for query expansion.
pub const STEMMED_LANGUAGES: &[&str] = &[
    "ar", "bn", "ca", "cs", "da", "de", "el", "en", "eo", "es", "et", "eu", "fa", "fi", "fr", "ga",
    "hi", "hu", "hy", "id", "it", "lt", "nb", "ne", "nl", "nn", "no", "pl", "pt", "ro", "ru", "sr",
    "sv", "ta", "tr", "vi", "yi",
];

/// The language whose second term keeps the marks that folding removes
/// (see [`marked_into`]) instead of a stem.
pub const MARKED_LANGUAGE: &str = "vi";

/// Appends `word` lower-cased with its marks (NFC) to `out`: in Vietnamese
/// the tone and vowel marks tell words apart (`má` mother, `mà` but, `mã`
/// code, `ma` ghost), which folding merges.
pub fn marked_into(word: &str, out: &mut String) {
    use unicode_normalization::UnicodeNormalization;
    out.extend(word.chars().flat_map(char::to_lowercase).nfc());
}

/// Words cached per thread and language before the cache is cleared.
const CACHE_WORDS: usize = 1 << 16;

/// Stems by word, for one language.
type StemMap = rustc_hash::FxHashMap<Box<str>, Box<str>>;

thread_local! {
    /// Stems already computed, per language: word frequencies are Zipfian,
    /// so most tokens hit (a lookup costs a fraction of a Snowball run).
    static CACHE: std::cell::RefCell<Vec<(&'static str, StemMap)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Languages whose stemmer is given the word lower-cased but not folded,
/// its stem folded after: folding takes letters their rules need (Russian
/// й → и breaks the adjective endings -ый, -ий, -ой; Turkish ç ğ ı ö ş ü
/// carry its vowel harmony; Arabic hamza forms). Elsewhere the folded word
/// is stemmed, so a word typed without its accents (`deputes`) gets the
/// stem of the accented one (`députés`). XQuAD-R (docs/RELEVANCE.md):
/// ru +0.009, tr +0.007, ar +0.002 nDCG@10; es +0.001, de, el, en, hi ±0.0001.
pub const STEMMED_BEFORE_FOLDING: &[&str] = &["ar", "ru", "tr"];

thread_local! {
    /// The lower-cased word of [`word_stem_into`], reused.
    static LOWER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Appends the stem of a word in `lang` (whose stemmer is `stemmer`) to
/// `out`: of `word` (as written) lower-cased then folded in a language of
/// [`STEMMED_BEFORE_FOLDING`], else of `folded` (the word folded).
pub fn word_stem_into(
    lang: &'static str,
    stemmer: Stemmer,
    word: &str,
    folded: &str,
    out: &mut String,
) {
    if !STEMMED_BEFORE_FOLDING.contains(&lang) {
        return stem_into(lang, stemmer, folded, out);
    }
    LOWER.with(|lower| {
        let mut lower = lower.borrow_mut();
        lower.clear();
        lower_into(lang, word, &mut lower);
        cached(lang, &lower, out, |w| super::fold::fold(&stemmer.stem(w)));
    })
}

/// Lower-cases `word` as `lang` does (Turkish: I → ı, İ → i).
fn lower_into(lang: &str, word: &str, out: &mut String) {
    for c in word.chars() {
        match c {
            'I' if lang == "tr" => out.push('ı'),
            'İ' if lang == "tr" => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// Appends the stem of `word` in `lang` (whose stemmer is `stemmer`) to `out`.
fn stem_into(lang: &'static str, stemmer: Stemmer, word: &str, out: &mut String) {
    cached(lang, word, out, |w| stemmer.stem(w).into_owned())
}

/// Appends what `compute` gives for `word` in `lang` to `out`, through the
/// per-thread cache of the language.
fn cached(lang: &'static str, word: &str, out: &mut String, compute: impl FnOnce(&str) -> String) {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        // Codes are interned `'static` strings: look by address, and by
        // content only when no address matches.
        let slot = match cache
            .iter()
            .position(|(l, _)| std::ptr::eq(*l, lang))
            .or_else(|| cache.iter().position(|(l, _)| *l == lang))
        {
            Some(i) => i,
            None => {
                cache.push((lang, Default::default()));
                cache.len() - 1
            }
        };
        let map = &mut cache[slot].1;
        if let Some(stem) = map.get(word) {
            out.push_str(stem);
            return;
        }
        let stem = compute(word);
        out.push_str(&stem);
        if map.len() >= CACHE_WORDS {
            map.clear();
        }
        map.insert(word.into(), stem.into());
    })
}

/// A stemmer for `lang`, if it has one.
pub fn stemmer(lang: &str) -> Option<Stemmer> {
    match lang {
        "bn" => Some(Stemmer::Bengali),
        "ar" => Some(Stemmer::Arabic(frostem::Stemmer::new(Algorithm::Arabic))),
        _ => algorithm(lang).map(|a| Stemmer::Snowball(frostem::Stemmer::new(a))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_language_has_a_stemmer() {
        for lang in STEMMED_LANGUAGES.iter().filter(|l| **l != MARKED_LANGUAGE) {
            assert!(stemmer(lang).is_some(), "{lang}");
        }
        assert!(stemmer("zh").is_none());
    }

    #[test]
    fn cached_stems_equal_fresh_ones() {
        let en = stemmer("en").unwrap();
        for word in ["lawmakers", "running", "lawmakers", "the", "running"] {
            let mut out = String::new();
            stem_into("en", en, word, &mut out);
            assert_eq!(out, en.stem(word));
        }
    }

    #[test]
    fn some_languages_stem_before_folding() {
        let stem = |lang: &'static str, word: &str| {
            let mut out = String::new();
            word_stem_into(
                lang,
                stemmer(lang).unwrap(),
                word,
                &crate::analysis::fold::fold(word),
                &mut out,
            );
            out
        };
        // й folded to и would leave the ending -ый unrecognised.
        assert_eq!(stem("ru", "Новый"), "нов");
        assert_eq!(stem("ru", "новая"), "нов");
        // Turkish: the stemmer sees ş, ı, İ → i as written, then the stem is folded.
        assert_eq!(
            [stem("tr", "kitapları"), stem("tr", "evleri")],
            ["kitap", "ev"]
        );
        let tr = stemmer("tr").unwrap();
        assert_eq!(
            stem("tr", "ŞEHİRLERİ"),
            crate::analysis::fold::fold(&tr.stem("şehirleri"))
        );
        assert_eq!(stem("tr", "ISTANBUL"), stem("tr", "ıstanbul"));
        // French stems the folded word: with or without accents, one stem.
        assert_eq!(stem("fr", "députés"), stem("fr", "deputes"));
    }

    #[test]
    fn hindi_stemmer_leaves_romanized_hindi_alone() {
        let hi = stemmer("hi").unwrap();
        for word in ["bahut", "accha", "kahaniyan", "dosto"] {
            assert_eq!(hi.stem(word), word);
        }
    }

    #[test]
    fn stems_plurals() {
        assert_eq!(stemmer("en").unwrap().stem("lawmakers"), "lawmak");
        assert_eq!(stemmer("en").unwrap().stem("lawmaker"), "lawmak");
        assert_eq!(
            stemmer("es").unwrap().stem("diputados"),
            stemmer("es").unwrap().stem("diputado")
        );
    }
}
