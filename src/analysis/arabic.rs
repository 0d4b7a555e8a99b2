//! Arabic: the prefixes that Snowball's Arabic stemmer leaves on a word.
//!
//! Snowball removes the article (`المدرسة` → `مدرس`) but not the article
//! after a conjunction or preposition (`والمدرسة` → `والمدرس`), one of the
//! commonest shapes of an Arabic noun. The prefixes below are those of
//! Larkey, Ballesteros and Connell's "light10" stemmer ("Improving Stemming
//! for Arabic Information Retrieval", SIGIR 2002), as Lucene's
//! `ArabicStemmer` removes them; the word is stemmed by Snowball after.

/// Prefixes: the article alone or after و (and), ب (with), ك (as), ف (so);
/// ل + article (`لل`); the conjunction و alone. One is removed.
const PREFIXES: &[&str] = &["ال", "وال", "بال", "كال", "فال", "لل", "و"];

/// `word` (lower-cased, not folded) without its light10 prefix, if the
/// rest keeps two letters or more (three for the lone و).
pub fn strip_prefix(word: &str) -> &str {
    let n = word.chars().count();
    for p in PREFIXES {
        let len = p.chars().count();
        let rest = if len == 1 { 3 } else { 2 };
        if n >= len + rest
            && let Some(stripped) = word.strip_prefix(p)
        {
            return stripped;
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
        fn what_stays_is_the_word_or_its_end_after_one_prefix(
            word in "[\u{0621}-\u{064A}a-z]{0,8}",
        ) {
            let rest = strip_prefix(&word);
            prop_assert!(word.ends_with(rest));
            if rest.len() < word.len() {
                prop_assert!(PREFIXES.contains(&&word[..word.len() - rest.len()]));
                prop_assert!(rest.chars().count() >= 2);
            }
        }
    }

    #[test]
    fn article_after_a_conjunction_or_preposition_goes() {
        assert_eq!(strip_prefix("والمدرسة"), "مدرسة");
        assert_eq!(strip_prefix("بالمدرسة"), "مدرسة");
        assert_eq!(strip_prefix("المدرسة"), "مدرسة");
        assert_eq!(strip_prefix("للمدرسة"), "مدرسة");
        assert_eq!(strip_prefix("وكتب"), "كتب");
    }

    #[test]
    fn short_words_keep_their_letters() {
        // و of a three-letter word is a root letter (وصل, arrived).
        assert_eq!(strip_prefix("وصل"), "وصل");
        assert_eq!(strip_prefix("الم"), "الم");
        assert_eq!(strip_prefix("ترامب"), "ترامب");
    }
}
