//! Snowball stemmers (frostem, the crate tantivy's own `Stemmer` wraps) by
//! ISO 639-1 language code.

use frostem::{Algorithm, Stemmer};

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
    "ar", "ca", "cs", "da", "de", "el", "en", "eo", "es", "et", "eu", "fa", "fi", "fr", "ga", "hi",
    "hu", "hy", "id", "it", "lt", "nb", "ne", "nl", "nn", "no", "pl", "pt", "ro", "ru", "sr", "sv",
    "ta", "tr", "vi", "yi",
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

/// Appends the stem of `word` in `lang` (whose stemmer is `stemmer`) to `out`.
pub fn stem_into(lang: &'static str, stemmer: Stemmer, word: &str, out: &mut String) {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        // Codes are interned `'static` strings: compare addresses first.
        let slot = match cache
            .iter()
            .position(|(l, _)| std::ptr::eq(*l, lang) || *l == lang)
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
        let stem = stemmer.stem(word);
        out.push_str(&stem);
        if map.len() >= CACHE_WORDS {
            map.clear();
        }
        map.insert(word.into(), stem.into());
    })
}

/// A stemmer for `lang`, if it has one.
pub fn stemmer(lang: &str) -> Option<Stemmer> {
    algorithm(lang).map(Stemmer::new)
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
