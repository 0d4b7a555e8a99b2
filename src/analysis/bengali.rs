//! A light Bengali stemmer: a word loses its longest inflectional ending
//! that leaves a stem of two chars or more (a vowel sign counts as one).
//! Snowball has no Bengali algorithm and no maintained crate stems it; the
//! approach is that of Lucene's `BengaliStemmer` and of Jacques Savoy's light
//! stemmers for CLEF: strip inflection, never derivation. The endings below
//! are those of standard (colloquial) and literary Bengali grammar.

/// Verb endings: tense and aspect with the person ending, colloquial
/// (`করছিলাম` → `কর`) and literary (`করিয়াছিলেন` → `কর`) forms, and the
/// non-finite forms (infinitive `-তে`, conditional `-লে`).
const VERB: &[&str] = &[
    // present simple (1st, 2nd intimate, 2nd familiar, honorific, 3rd)
    "ি",
    "িস",
    "ো",
    "েন",
    "ে",
    // present continuous and present perfect
    "ছি",
    "ছিস",
    "ছো",
    "ছেন",
    "ছে",
    "েছি",
    "েছিস",
    "েছো",
    "েছেন",
    "েছে",
    // simple past, past continuous, past perfect
    "লাম",
    "লি",
    "লে",
    "লেন",
    "লো",
    "িলাম",
    "িলি",
    "িলে",
    "িলেন",
    "িলা",
    "ছিলাম",
    "ছিলি",
    "ছিলে",
    "ছিলেন",
    "ছিলো",
    "ছিলা",
    "েছিলাম",
    "েছিলি",
    "েছিলে",
    "েছিলেন",
    "েছিলো",
    "েছিলা",
    // habitual past, future
    "তাম",
    "তিস",
    "তে",
    "তেন",
    "তো",
    "িতাম",
    "িতেন",
    "বো",
    "বি",
    "বে",
    "বেন",
    "িবে",
    "িবেন",
    "িবি",
    "িবা",
    // imperative, infinitive, verbal noun
    "ুন",
    "ুক",
    "িতে",
    "িতা",
    "িতি",
    // literary continuous and perfect
    "িতেছি",
    "িতেছে",
    "িতেছেন",
    "িতেছিস",
    "িতেছিলাম",
    "িতেছিলেন",
    "িতেছিলে",
    "িতেছিলি",
    "িয়াছি",
    "িয়াছে",
    "িয়াছেন",
    "িয়াছিস",
    "িয়াছিলাম",
    "িয়াছিলেন",
    "িয়াছিলে",
    "িয়াছিলি",
    "িয়া",
];

/// Noun endings: plural markers, classifiers and the cases, alone and
/// combined (`শিশুদেরকে` → `শিশু`, `বইগুলো` → `বই`, `ঢাকায়` → `ঢাকা`).
const NOUN: &[&str] = &[
    // plural
    "রা",
    "েরা",
    "য়েরা",
    "দের",
    "েদের",
    "য়েদের",
    "দেরকে",
    "েদেরকে",
    "য়েদেরকে",
    "গুলো",
    "গুলি",
    "গুলোর",
    "গুলির",
    "গুলোকে",
    "গুলোতে",
    // classifiers
    "টা",
    "টি",
    "টার",
    "টির",
    "টাকে",
    "টিকে",
    "খানা",
    "খানি",
    // cases: objective, genitive, locative
    "কে",
    "ের",
    "য়ের",
    "য়",
    "েতে",
];

/// All endings decomposed as folding leaves words (`য়` as `য` and a
/// nukta), the longest first.
fn endings() -> &'static [(usize, String)] {
    use unicode_normalization::UnicodeNormalization;
    static ENDINGS: std::sync::OnceLock<Vec<(usize, String)>> = std::sync::OnceLock::new();
    ENDINGS.get_or_init(|| {
        let mut all: Vec<(usize, String)> = VERB
            .iter()
            .chain(NOUN)
            .map(|e| {
                let e: String = e.nfd().collect();
                (e.chars().count(), e)
            })
            .collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        all.dedup();
        all
    })
}

/// The stem of a folded Bengali word.
pub fn stem(word: &str) -> &str {
    let len = word.chars().count();
    endings()
        .iter()
        .find(|(n, e)| len >= n + 2 && word.ends_with(e.as_str()))
        .map_or(word, |(_, e)| &word[..word.len() - e.len()])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::fold::fold;

    proptest! {
        #[test]
        fn a_stem_is_the_word_or_a_prefix_of_two_chars_or_more(
            word in "[\u{0980}-\u{09FF}a-z]{0,10}",
        ) {
            let folded = fold(&word);
            let stem = stem(&folded);
            prop_assert!(folded.starts_with(stem));
            if stem.len() < folded.len() {
                prop_assert!(stem.chars().count() >= 2);
                let ending = &folded[stem.len()..];
                prop_assert!(endings().iter().any(|(_, e)| e == ending));
            }
        }
    }

    fn stem_of(word: &str) -> String {
        stem(&fold(word)).to_string()
    }

    #[test]
    fn inflections_share_their_stem() {
        // verb: did (was doing), does, will do, to do
        for w in ["করছিলাম", "করেন", "করবে", "করতে", "করিয়াছিলেন"]
        {
            assert_eq!(stem_of(w), fold("কর"), "{w}");
        }
        // noun: children (objective), books, in Dhaka, of the night
        assert_eq!(stem_of("শিশুদেরকে"), fold("শিশু"));
        assert_eq!(stem_of("বইগুলো"), fold("বই"));
        assert_eq!(stem_of("ঢাকায়"), fold("ঢাকা"));
        assert_eq!(stem_of("রাতের"), fold("রাত"));
    }

    #[test]
    fn a_stem_keeps_two_chars() {
        // `কে` (who) and `তে` are whole words, not endings.
        assert_eq!(stem_of("কে"), fold("কে"));
        // at home / home: `-িতে` and `-ি` both go.
        assert_eq!(stem_of("বাড়িতে"), stem_of("বাড়ি"));
        assert_eq!(stem_of("বে"), fold("বে"));
        assert_eq!(stem_of(""), "");
    }

    #[test]
    fn words_without_an_ending_are_left_alone() {
        for w in ["সমাবেশ", "ঘুম", "নষ্ট"] {
            assert_eq!(stem_of(w), fold(w), "{w}");
        }
    }
}
