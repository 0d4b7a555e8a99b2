//! Case and accent folding.
//!
//! Lower-cases, then removes the combining diacritics of the Latin, Greek and
//! Cyrillic scripts (U+0300–U+036F after canonical decomposition) and the
//! Arabic short-vowel marks, so `Guaidó` and `Guaido`, `députés` and `deputes`
//! meet. Marks that are letters' vowels in other scripts (Devanagari matras,
//! Thai vowels) are kept: removing them would merge unrelated words.
//!
//! Devanagari spells one word several ways that writers mix freely: with
//! or without the nukta (`ज़्यादा`, `ज्यादा`), with chandrabindu or anusvara
//! (`हैँ`, `हैं`), with a dead `न्` or anusvara before a consonant (`हिन्दी`,
//! `हिंदी`). The nukta goes, chandrabindu and a dead `न्` become anusvara (the
//! rules of Lucene's Hindi normalizer that the shared Hindi data supports:
//! docs/RELEVANCE.md, "Devanagari spellings"). In Bengali the nukta letters
//! are letters of their own (`ড়`, `য়`), and stay.

use std::sync::OnceLock;

use super::bmp::BmpTable;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Appends the folded form of `word` to `out`.
pub fn fold_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        // Copied, then lower-cased in place: pushing char by char costs
        // several times more (this is most words of most news).
        let from = out.len();
        out.push_str(word);
        out[from..].make_ascii_lowercase();
        return;
    }
    let from = out.len();
    let mut virama = false;
    // Char by char: no intermediate strings. (Lower-casing a whole string
    // only differs for a final Σ, which folds to σ anyway.) Chars that fold
    // to themselves (most of a word in a caseless script) are copied by
    // runs, not pushed one by one.
    let mut run = 0;
    for (i, c) in word.char_indices() {
        virama |= c == '\u{094D}';
        let itself = if c.is_ascii() {
            !c.is_ascii_uppercase()
        } else {
            folds_to_itself(c)
        };
        if itself {
            continue;
        }
        out.push_str(&word[run..i]);
        run = i + c.len_utf8();
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            fold_char_cached(c, out);
        }
    }
    out.push_str(&word[run..]);
    // Only a word with a Devanagari virama can have a dead NA.
    if virama && out[from..].contains(DEAD_NA) {
        let anusvara = dead_na_to_anusvara(&out[from..]);
        out.truncate(from);
        out.push_str(&anusvara);
    }
}

/// Devanagari NA with virama: written before a consonant for the nasal
/// that anusvara also writes.
const DEAD_NA: &str = "\u{0928}\u{094D}";

/// `word` with each dead NA before a consonant (U+0915–U+0939) written as
/// anusvara.
fn dead_na_to_anusvara(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(at) = rest.find(DEAD_NA) {
        out.push_str(&rest[..at]);
        let after = &rest[at + DEAD_NA.len()..];
        if after
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '\u{0915}'..='\u{0939}'))
        {
            out.push('\u{0902}');
        } else {
            out.push_str(DEAD_NA);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Appends the folded form of one char: lower-cased, decomposed, marks
/// dropped (every char folds on its own, without context).
fn fold_char(c: char, out: &mut String) {
    for lower in c.to_lowercase() {
        decompose_canonical(lower, |d| push_folded(d, out));
    }
}

/// The folded forms of a block of 256 chars ([`fold_char_cached`]), each
/// computed the first time it is asked for.
type FoldBlock = [OnceLock<Option<Box<str>>>; 256];

/// [`fold_char`], from a table of the folded forms of the Basic
/// Multilingual Plane, each filled the first time its char is folded:
/// lower-casing and decomposing cost table searches (about 260
/// instructions a char, on every upper-case or accented letter and every
/// Hangul syllable), a copy does not. A char's own form only (a one-shot
/// query folds a few, and pays for those). `None` for a char that folds to
/// itself, which [`fold_into`] copies without asking.
fn fold_char_cached(c: char, out: &mut String) {
    static BLOCKS: [OnceLock<Box<FoldBlock>>; 256] = [const { OnceLock::new() }; 256];
    let u = c as u32;
    if u > 0xFFFF {
        return fold_char(c, out);
    }
    let block =
        BLOCKS[(u >> 8) as usize].get_or_init(|| Box::new([const { OnceLock::new() }; 256]));
    let folded = block[(u & 0xFF) as usize].get_or_init(|| {
        let mut folded = String::new();
        fold_char(c, &mut folded);
        let mut chars = folded.chars();
        let itself = chars.next() == Some(c) && chars.next().is_none();
        (!itself).then(|| folded.into_boxed_str())
    });
    match folded {
        Some(folded) => out.push_str(folded),
        None => out.push(c),
    }
}

/// Whether `c` folds to itself (most letters of caseless scripts and
/// lower-case letters without accents), from a table of the Basic
/// Multilingual Plane that [`fold_char`] fills one block of 256 chars at a
/// time, the first time a char of the block is folded: lower-casing and
/// decomposing cost table searches per char, a bit test does not.
fn folds_to_itself(c: char) -> bool {
    static TABLE: BmpTable = BmpTable::new();
    TABLE
        .get(c, |ch| {
            let mut folded = String::new();
            fold_char(ch, &mut folded);
            let mut chars = folded.chars();
            chars.next() == Some(ch) && chars.next().is_none()
        })
        .unwrap_or(false)
}

fn push_folded(c: char, out: &mut String) {
    if is_combining_mark(c) && is_foldable_mark(c) {
        return;
    }
    match c {
        'ς' => out.push('σ'),
        'ß' => out.push_str("ss"),
        'ı' => out.push('i'),
        'ø' => out.push('o'),
        'æ' => out.push_str("ae"),
        'œ' => out.push_str("oe"),
        'đ' => out.push('d'),
        'ł' => out.push('l'),
        '\u{0640}' => {}                    // Arabic tatweel
        '\u{0901}' => out.push('\u{0902}'), // Devanagari chandrabindu -> anusvara
        _ => out.push(c),
    }
}

/// The folded form of `word`.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

fn is_foldable_mark(c: char) -> bool {
    matches!(
        c as u32,
        0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x093C | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`fold_into`] as it was written first: char by char.
    fn fold_by_char(word: &str) -> String {
        let mut out = String::new();
        for c in word.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else if folds_to_itself(c) {
                out.push(c);
            } else {
                fold_char(c, &mut out);
            }
        }
        if out.contains(DEAD_NA) {
            out = dead_na_to_anusvara(&out);
        }
        out
    }

    proptest! {
        #[test]
        fn folding_by_runs_is_folding_by_chars(
            word in "(\\PC|[A-Za-z]|[ÀÉÎõüßǅΣσἄДжअन्क़ँ्ا-يক-হ]){0,12}",
            before in "[a-zA-Zé]{0,3}",
        ) {
            let mut out = before.clone();
            fold_into(&word, &mut out);
            prop_assert_eq!(&out[before.len()..], fold_by_char(&word));
            prop_assert_eq!(&out[..before.len()], before.as_str());
        }
    }

    #[test]
    fn every_char_folds_as_without_the_table() {
        let mut fast = String::new();
        let mut slow = String::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            fast.clear();
            slow.clear();
            fold_into(c.encode_utf8(&mut [0; 4]), &mut fast);
            if c.is_ascii() {
                slow.push(c.to_ascii_lowercase());
            } else {
                fold_char(c, &mut slow);
            }
            assert_eq!(fast, slow, "U+{:04X}", c as u32);
        }
        assert!(folds_to_itself('ж') && folds_to_itself('ب') && folds_to_itself('黑'));
        assert!(!folds_to_itself('Ж') && !folds_to_itself('é') && !folds_to_itself('أ'));
    }

    #[test]
    fn folds_case_and_accents() {
        for (input, want) in [
            ("Guaidó", "guaido"),
            ("DÉPUTÉS", "deputes"),
            ("Crónica", "cronica"),
            ("Straße", "strasse"),
            ("ΚΑΛΗΜΈΡΑ", "καλημερα"),
            ("λόγος", "λογοσ"),
            ("İstanbul", "istanbul"),
            ("Ёлка", "елка"),
        ] {
            assert_eq!(fold(input), want, "{input}");
        }
    }

    #[test]
    fn devanagari_spellings_meet() {
        for (a, b) in [
            ("ज़्यादा", "ज्यादा"),        // nukta
            ("\u{095B}्यादा", "ज्यादा"), // precomposed nukta letter
            ("हैँ", "हैं"),                // chandrabindu, anusvara
            ("हिन्दी", "हिंदी"),         // dead NA before a consonant
        ] {
            assert_eq!(fold(a), fold(b), "{a} {b}");
        }
        // A dead NA at the end or before a vowel sign stays.
        assert_eq!(fold("\u{0928}\u{094D}"), "\u{0928}\u{094D}");
        // Bengali nukta letters stay letters of their own.
        assert_ne!(fold("বাড়ি"), fold("বাডি"));
    }

    #[test]
    fn keeps_vowel_signs_of_other_scripts() {
        assert_eq!(fold("पैंथर्स"), "पैंथर्स");
        assert_eq!(fold("ที่นี่"), "ที่นี่");
    }
}
