//! Arabic: the article and the prefixes before it go before Snowball
//! stems a word.
//!
//! Snowball's Arabic stemmer removes the article in some shapes
//! (`المدرسة`, `بالمدرسة`, `للمدرسة` → `مدرس`) but not after the
//! conjunction (`والمدرسة`, and the school → `والمدرس`), among the commonest
//! shapes of an Arabic noun. Larkey, Ballesteros and Connell's "light10"
//! stemmer ("Improving Stemming for Arabic Information Retrieval", SIGIR
//! 2002; Lucene's `ArabicStemmer`) removes the article and its prefixes
//! first; gazette does the same, then lets Snowball remove the suffixes.
//!
//! Without its article Snowball does not take a word for a noun, and stems
//! some plurals apart from their singular (`الشركات` → `شركا`, `الشركة` →
//! `شرك`). Giving it only the conjunction's removal instead (the article
//! kept) was measured too, and was worse on all three shared collections
//! (docs/RELEVANCE.md, "Arabic prefixes and a Bengali stemmer").

/// The article, alone or after `و` (and), `ب` (with), `ك` (as), `ف` (so),
/// and `لل` (`ل` + the article), light10's prefixes but its lone `و`
/// (which Snowball removes itself, except before `ا`, where it is mostly
/// a root letter: `واحد`, one). One is removed.
const PREFIXES: &[&str] = &["ال", "وال", "بال", "كال", "فال", "لل"];

/// Chars a word must keep after its prefix: `والد` and `والدة` (father,
/// mother) are a root with `و`, not `و` + the article.
const MIN_STEM: usize = 3;

/// `word` (lower-cased, not folded) without its article and the prefix
/// before it.
pub fn strip_prefix(word: &str) -> &str {
    let n = word.chars().count();
    for p in PREFIXES {
        if n >= p.chars().count() + MIN_STEM
            && let Some(rest) = word.strip_prefix(p)
        {
            return rest;
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn what_stays_is_the_word_or_it_without_one_prefix(
            word in "[\\u{0621}-\\u{064A}a-z]{0,8}",
        ) {
            let rest = strip_prefix(&word);
            prop_assert!(word.ends_with(rest));
            if rest.len() < word.len() {
                let gone = &word[..word.len() - rest.len()];
                prop_assert!(PREFIXES.contains(&gone), "{gone}");
                prop_assert!(rest.chars().count() >= MIN_STEM);
            }
        }
    }

    #[test]
    fn the_article_and_its_prefix_go() {
        for word in ["المدرسة", "والمدرسة", "بالمدرسة", "كالمدرسة", "فالمدرسة"]
        {
            assert_eq!(strip_prefix(word), "مدرسة", "{word}");
        }
        assert_eq!(strip_prefix("للمدرسة"), "مدرسة");
    }

    #[test]
    fn root_letters_stay() {
        for word in ["وكتب", "واحد", "واشنطن", "والد", "والدة", "الم", "ترامب"]
        {
            assert_eq!(strip_prefix(word), word, "{word}");
        }
    }

    #[test]
    fn a_noun_stems_alike_in_each_of_its_prefixed_forms() {
        use crate::analysis::Analyzer;
        let ar = Analyzer::for_lang(Some("ar"));
        for noun in ["مدرسة", "شركات", "انتخابات"] {
            let bare = ar.stem_term(noun);
            for p in ["ال", "وال", "بال", "لل"] {
                let word = format!("{p}{noun}");
                assert_eq!(ar.stem_term(&word), bare, "{word}");
            }
        }
    }
}
