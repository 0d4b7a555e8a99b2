//! A light Bengali stemmer: a word loses its longest inflectional ending
//! that leaves a stem of two chars or more (chars of the folded word: a
//! vowel sign is one, `ো`, `ৌ` and the nukta letters `য়`, `ড়` two), and
//! then a vowel sign that is an ending of its own, as the bare word loses
//! it. Snowball has no Bengali algorithm and no maintained crate stems it;
//! the approach is that of Lucene's `BengaliStemmer` and of Jacques Savoy's
//! light stemmers for CLEF: strip inflection, never derivation. The endings
//! below are those of standard (colloquial) and literary Bengali grammar.

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
    // plural (after a stem in `-য়ে` such as `মেয়ে`, `-রা` and `-দের`:
    // the `য়ে` is the stem's)
    "রা",
    "েরা",
    "দের",
    "েদের",
    "দেরকে",
    "েদেরকে",
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
    // cases: objective, genitive, locative (`য়` after a vowel only:
    // `ঢাকায়`, not `সময়`)
    "কে",
    "ের",
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

/// The vowel signs that are endings of their own ([`VERB`]'s present
/// simple), decomposed (`ো` is `ে` + `া`), the longest first: a stem that
/// ends in one after a longer ending went loses it too, as the bare word
/// does (`ব্যক্তি` → `ব্যক্ত`, `ব্যক্তিকে` → `ব্যক্তি` → `ব্যক্ত`).
const FINAL_VOWELS: &[&str] = &["\u{09C7}\u{09BE}", "ি", "ে"];

/// Bengali virama (hasant): an ending after it would cut a conjunct in two
/// (`ঘণ্টা`, hour, is no `ঘণ্` + `টা`).
const VIRAMA: char = '\u{09CD}';

/// Whether `c` is a vowel: an independent vowel letter or a vowel sign.
fn is_vowel(c: char) -> bool {
    matches!(c, '\u{0985}'..='\u{0994}' | '\u{09BE}'..='\u{09CC}' | '\u{09D7}')
}

/// Whether `ending` may be cut from the end of `word`, leaving `stem`.
fn may_cut(stem: &str, ending: &str) -> bool {
    let before = stem.chars().next_back();
    before != Some(VIRAMA) && (!ending.starts_with('য') || before.is_some_and(is_vowel))
}

/// The stem of a folded Bengali word.
pub fn stem(word: &str) -> &str {
    let len = word.chars().count();
    let Some((n, e)) = endings().iter().find(|(n, e)| {
        len >= n + 2 && word.ends_with(e.as_str()) && may_cut(&word[..word.len() - e.len()], e)
    }) else {
        return word;
    };
    let stem = &word[..word.len() - e.len()];
    if *n == 1 || FINAL_VOWELS.contains(&e.as_str()) {
        return stem;
    }
    // The stem's own final vowel goes, as it goes from the bare word.
    let left = len - n;
    FINAL_VOWELS
        .iter()
        .find(|v| stem.ends_with(**v) && left >= v.chars().count() + 2)
        .map_or(stem, |v| &stem[..stem.len() - v.len()])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::fold::fold;

    proptest! {
        #[test]
        fn a_stem_is_the_word_or_a_prefix_of_two_chars_or_more(
            word in "[\\u{0980}-\\u{09FF}a-z]{0,10}",
        ) {
            let folded = fold(&word);
            let stem = stem(&folded);
            prop_assert!(folded.starts_with(stem));
            if stem.len() < folded.len() {
                prop_assert!(stem.chars().count() >= 2);
                prop_assert!(!stem.ends_with(VIRAMA));
                // What went is a listed ending, after a final vowel sign
                // that is an ending of its own.
                let gone = &folded[stem.len()..];
                let listed = |e: &str| endings().iter().any(|(_, x)| x == e);
                prop_assert!(
                    listed(gone)
                        || FINAL_VOWELS
                            .iter()
                            .any(|v| gone.strip_prefix(*v).is_some_and(listed)),
                    "{gone:?}"
                );
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
        // `কে` (who) and `বে` are whole words, not endings.
        assert_eq!(stem_of("কে"), fold("কে"));
        // at home / home: `-িতে` and `-ি` both go.
        assert_eq!(stem_of("বাড়িতে"), stem_of("বাড়ি"));
        assert_eq!(stem_of("বে"), fold("বে"));
        assert_eq!(stem_of(""), "");
    }

    #[test]
    fn a_word_and_its_inflected_forms_share_a_stem() {
        for (bare, inflected) in [
            ("নারী", "নারীদের"),    // women, of the women
            ("ব্যক্তি", "ব্যক্তিকে"), // person, to the person
            ("ঘণ্টা", "ঘণ্টায়"),      // hour, per hour
            ("রক্ত", "রক্তে"),      // blood, in the blood
            ("সময়", "সময়ে"),      // time, in time
            ("বিষয়", "বিষয়ে"),    // subject, on the subject
            ("মেয়ে", "মেয়েরা"),    // girl, girls
            ("ঢাকা", "ঢাকায়"),        // Dhaka, in Dhaka
            ("শিশু", "শিশুদেরকে"),  // child, to the children
            ("বই", "বইগুলো"),      // book, the books
            ("সরকার", "সরকারের"),   // government, of the government
        ] {
            assert_eq!(stem_of(bare), stem_of(inflected), "{bare} / {inflected}");
        }
    }

    #[test]
    fn an_ending_never_cuts_a_conjunct() {
        // `টা` (a classifier) after the virama of `ণ্` is part of the
        // conjunct `ণ্ট`: hour stays whole.
        assert_eq!(stem_of("ঘণ্টা"), fold("ঘণ্টা"));
        assert_eq!(stem_of("রক্তে"), fold("রক্ত"));
    }

    #[test]
    fn words_without_an_ending_are_left_alone() {
        for w in ["সমাবেশ", "ঘুম", "নষ্ট"] {
            assert_eq!(stem_of(w), fold(w), "{w}");
        }
    }
}
