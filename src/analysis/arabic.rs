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
//!
//! A word written with its short vowels or stretched with tatweel
//! (`وَالْمَدْرَسَة`, `والمـدرسة`) loses those marks first, as Snowball's own
//! normalization would remove them: else they would hide the prefix.

use std::borrow::Cow;

/// The article, alone or after `و` (and), `ب` (with), `ك` (as), `ف` (so),
/// and `لل` (`ل` + the article), light10's prefixes but its lone `و`
/// (which Snowball removes itself, except before `ا`, where it is mostly
/// a root letter: `واحد`, one). One is removed.
const PREFIXES: &[&str] = &["ال", "وال", "بال", "كال", "فال", "لل"];

/// Chars a word must keep after its prefix: `والد` and `والدة` (father,
/// mother) are a root with `و`, not `و` + the article.
const MIN_STEM: usize = 3;

/// The short vowels and other marks written above or below a letter
/// (harakat, U+064B–U+0652, and the dagger alef, U+0670) and tatweel
/// (U+0640), the stroke that stretches a word: none changes the word.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{0652}' | '\u{0670}' | '\u{0640}')
}

/// The stem of `word` (lower-cased, not folded): Snowball's (`snowball`)
/// after the word's marks, its article and the prefix before it go.
pub fn stem<'a>(snowball: &frostem::Stemmer, word: &'a str) -> Cow<'a, str> {
    if word.chars().any(is_mark) {
        let bare: String = word.chars().filter(|&c| !is_mark(c)).collect();
        return Cow::Owned(snowball.stem(strip_prefix(&bare)).into_owned());
    }
    snowball.stem(strip_prefix(word))
}

/// `word` (lower-cased, not folded, without marks) without its article and
/// the prefix before it.
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
    fn marks_and_tatweel_do_not_hide_the_prefix() {
        use crate::analysis::Analyzer;
        let ar = Analyzer::for_lang(Some("ar"));
        let bare = ar.stem_term("مدرسة");
        // With short vowels (fatha, sukun, damma), and stretched by tatweel.
        for word in ["وَالْمَدْرَسَةُ", "والمـدرسة", "بِالمدرسة", "المدرسة"]
        {
            assert_eq!(ar.stem_term(word), bare, "{word}");
        }
        assert!(is_mark('\u{064E}') && is_mark('\u{0640}') && !is_mark('ا'));
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
