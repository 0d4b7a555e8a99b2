//! Word segmentation: UAX#29 words (unicode-segmentation) plus the cases news
//! and tweets need — links kept whole, `#hashtags` and `@mentions` searchable
//! with and without their sigil, apostrophes splitting elisions and
//! possessives, and overlapping character bigrams for scripts written without
//! spaces (Chinese, Japanese, Lao, Khmer, Burmese, Tibetan; trigrams for Thai).

use unicode_segmentation::UnicodeSegmentation;

use super::bmp::BmpTable;

/// Longest token kept, in bytes; longer runs (base64 blobs, a 50 MB line
/// without spaces) are dropped rather than indexed as junk.
pub const MAX_TOKEN_BYTES: usize = 128;

/// What a raw token is, which decides how it is normalized and stemmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordKind {
    /// An ordinary word of a space-separated script: folded and stemmed.
    Word,
    /// A number or a word with digits: folded, never stemmed.
    Number,
    /// A `#hashtag` or `@mention` with its sigil (the bare word follows at the
    /// same position).
    Tag,
    /// A link, kept whole.
    Link,
    /// A character bigram (or lone character) of a script without spaces.
    Gram,
}

/// One raw token: a slice of the input with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawToken {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset past the last byte.
    pub end: usize,
    /// Token position (tokens sharing a position are alternatives).
    pub position: usize,
    /// How to treat it.
    pub kind: WordKind,
}

/// True for characters of scripts that do not separate words with spaces.
pub fn is_spaceless(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x0F00..=0x0FFF    // Tibetan
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x19E0..=0x19FF    // Khmer symbols
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0x20000..=0x3134F) // CJK extensions B–G
}

/// A letter or digit ([`is_alphabetic`] or [`is_numeric`]): ASCII by its
/// class, other BMP chars from a table (their range searches cost more
/// than the rest of what a word scan does with a char).
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    static TABLE: BmpTable = BmpTable::new();
    let word = |c: char| is_alphabetic(c) || is_numeric(c);
    TABLE.get(c, word).unwrap_or_else(|| word(c))
}

/// `char::is_alphabetic`, without its table search for the letters of the
/// scripts news is mostly written in (Latin, Greek, Cyrillic, Hebrew,
/// Arabic, Devanagari, Thai, kana, Han, Hangul) and for general
/// punctuation. Equal to `is_alphabetic` for every char (tested
/// exhaustively, so a Unicode update of std that moves a char fails the test).
pub fn is_alphabetic(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphabetic(),
        0x00AA | 0x00B5 | 0x00BA => true,
        0x0080..=0x00BF | 0x00D7 | 0x00F7 => false,
        0x00C0..=0x024F => true,
        0x0386 | 0x0388..=0x038A | 0x038C | 0x038E..=0x03A1 | 0x03A3..=0x03F5 => true,
        0x0400..=0x0481 | 0x048A..=0x052F => true,
        0x0482..=0x0489 => false,
        0x05D0..=0x05EA => true,
        0x0620..=0x0657 | 0x0659..=0x065F | 0x066E..=0x06D3 => true,
        0x0660..=0x066D => false,
        0x0900..=0x093B | 0x093D..=0x094C | 0x0955..=0x0963 => true,
        0x0964..=0x0970 => false,
        0x0E01..=0x0E3A | 0x0E40..=0x0E46 => true,
        0x2000..=0x206F => false,
        0x3041..=0x3096 | 0x30A1..=0x30FA => true,
        0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => true,
        _ => {
            // Other scripts (Ge'ez, Tamil, … in the news of 128 languages):
            // std searches its tables per char, the lazy table once per block.
            static OTHERS: BmpTable = BmpTable::new();
            OTHERS
                .get(c, char::is_alphabetic)
                .unwrap_or_else(|| c.is_alphabetic())
        }
    }
}

/// `char::is_numeric`, without its table search for the letters of the
/// scripts news is mostly written in (Latin, Greek, Cyrillic, Hebrew, Arabic,
/// Devanagari, Han, Hangul), which hold no numeric characters besides the
/// ones listed. Equal to `is_numeric` for every char (tested exhaustively).
pub fn is_numeric(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_digit(),
        0x0100..=0x05FF | 0x066A..=0x06EF | 0x06FA..=0x07BF => false,
        0x0660..=0x0669 | 0x06F0..=0x06F9 | 0x0966..=0x096F => true,
        0x0900..=0x0965 | 0x0970..=0x097F => false,
        0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => false,
        _ => c.is_numeric(),
    }
}

/// A char UAX#29 never breaks a word at, among the letters of Latin,
/// Greek, Cyrillic, Hebrew, Arabic and Devanagari text: `Some(true)` for a
/// letter (word-break class ALetter or Hebrew_Letter), `Some(false)` for a
/// combining mark (Extend: it joins the letter before it), `None` for
/// anything else (digits, punctuation, other scripts). Checked against
/// unicode-segmentation for every char it accepts.
fn plain_letter(c: char) -> Option<bool> {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A => Some(true),
        0xAA | 0xB5 | 0xBA | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F => Some(true),
        0x0386 | 0x0388..=0x038A | 0x038C | 0x038E..=0x03A1 | 0x03A3..=0x03F5 => Some(true),
        0x03F7..=0x03FF | 0x0400..=0x0481 | 0x048A..=0x052F => Some(true),
        0x05D0..=0x05EA => Some(true),
        0x0620..=0x063F | 0x0641..=0x064A | 0x066E..=0x066F | 0x0671..=0x06D3 => Some(true),
        0x064B..=0x065F | 0x0670 => Some(false),
        0x0904..=0x0939 | 0x093D | 0x0950 | 0x0958..=0x0961 | 0x0972..=0x097F => Some(true),
        0x0900..=0x0903 | 0x093A..=0x093C | 0x093E..=0x094F | 0x0951..=0x0957 => Some(false),
        0x0962..=0x0963 => Some(false),
        _ => None,
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Byte length of a link starting at `rest`, if one starts there.
fn link_len(rest: &str) -> Option<usize> {
    const PREFIXES: [&str; 4] = ["https://", "http://", "www.", "pic.twitter.com/"];
    let head = rest.get(..16.min(rest.len())).unwrap_or(rest);
    let starts = PREFIXES.iter().any(|p| {
        head.len() >= p.len() && head.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    });
    if !starts {
        return None;
    }
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>' | '“' | '”' | '«' | '»'))
        .unwrap_or(rest.len());
    let link = rest[..end].trim_end_matches(|c: char| {
        matches!(
            c,
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '\'' | '’' | '…'
        )
    });
    // "http" alone (anonymised tweets) or "www." is not a link.
    let min = if link.starts_with(['w', 'W']) { 5 } else { 9 };
    (link.len() >= min).then_some(link.len())
}

/// A chunk that is a link prefix ("www", "http", "https"; the rest of the
/// link would have made it non-alphanumeric) never takes the fast path.
fn starts_link(core: &[u8]) -> bool {
    core.eq_ignore_ascii_case(b"www")
        || core.eq_ignore_ascii_case(b"http")
        || core.eq_ignore_ascii_case(b"https")
}

/// Splits `text` into raw tokens. Offsets are byte offsets into `text`, always
/// on char boundaries, strictly increasing in `start` (bar the bare word of a
/// tag, which shares its tag's end).
pub fn tokenize(text: &str) -> Vec<RawToken> {
    tokenize_lang(text, None)
}

/// [`tokenize`] for text in language `lang`: in Turkish an apostrophe
/// ends a word and what follows it is dropped (`Türkiye'nin` → `Türkiye`,
/// one token: the suffix is a case ending, not a word), as Lucene's
/// Turkish analyzer does; elsewhere apostrophes split words.
pub fn tokenize_lang(text: &str, lang: Option<&str>) -> Vec<RawToken> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut segmenter = Segmenter::new(text, &mut out);
    segmenter.drop_after_apostrophe = lang == Some("tr");
    segmenter.run();
    out
}

struct Segmenter<'t, 'o> {
    text: &'t str,
    out: &'o mut Vec<RawToken>,
    position: usize,
    /// Pending run of spaceless-script characters: (start, end).
    run: Option<(usize, usize)>,
    /// Keep only what comes before a word's first apostrophe (Turkish).
    drop_after_apostrophe: bool,
}

impl<'t, 'o> Segmenter<'t, 'o> {
    fn new(text: &'t str, out: &'o mut Vec<RawToken>) -> Self {
        Segmenter {
            text,
            out,
            position: 0,
            run: None,
            drop_after_apostrophe: false,
        }
    }

    fn push(&mut self, start: usize, end: usize, kind: WordKind) {
        if end - start > MAX_TOKEN_BYTES {
            return;
        }
        self.out.push(RawToken {
            start,
            end,
            position: self.position,
            kind,
        });
        self.position += 1;
    }

    /// Tokenizes chunk by chunk between white space (always a word boundary
    /// in UAX#29): a chunk that is an ASCII word with at most simple
    /// punctuation around it — most of a Latin-script text — is taken as is;
    /// any other goes through the UAX#29 segmenter. `tests::fast_path_is_uax29`
    /// checks both give the same tokens.
    fn run(mut self) {
        let text = self.text;
        let mut chunk_start = None;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = chunk_start.take() {
                    self.chunk(s, i);
                }
            } else if chunk_start.is_none() {
                chunk_start = Some(i);
            }
        }
        if let Some(s) = chunk_start {
            self.chunk(s, text.len());
        }
        self.flush_run();
    }

    fn chunk(&mut self, start: usize, end: usize) {
        let bytes = &self.text.as_bytes()[start..end];
        let lead = bytes
            .iter()
            .take_while(|b| matches!(b, b'"' | b'(' | b'['))
            .count();
        let trail = bytes[lead..]
            .iter()
            .rev()
            .take_while(|b| {
                matches!(
                    b,
                    b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']' | b'"'
                )
            })
            .count();
        let core = &bytes[lead..bytes.len() - trail];
        if !core.is_empty() && core.iter().all(u8::is_ascii_alphanumeric) && !starts_link(core) {
            self.flush_run();
            let kind = if core.iter().any(u8::is_ascii_digit) {
                WordKind::Number
            } else {
                WordKind::Word
            };
            self.push(start + lead, start + lead + core.len(), kind);
            return;
        }
        // Letters (and their combining marks) of one of the common
        // space-separated scripts: one word, as UAX#29 would say, without
        // its per-char table lookups.
        if !core.is_empty() && !starts_link(core) {
            let word = &self.text[start + lead..start + lead + core.len()];
            let mut chars = word.chars();
            if chars.next().and_then(plain_letter) == Some(true)
                && chars.all(|c| plain_letter(c).is_some())
            {
                self.flush_run();
                self.push(start + lead, start + lead + core.len(), WordKind::Word);
                return;
            }
        }
        self.segment(start, end);
    }

    /// UAX#29 segmentation of `text[from..to]`.
    fn segment(&mut self, from: usize, to: usize) {
        let text = self.text;
        let mut skip_until = 0;
        let mut pending_sigil: Option<usize> = None;
        for (offset, seg) in text[from..to].split_word_bound_indices() {
            let start = from + offset;
            if start < skip_until {
                continue;
            }
            let first = seg.chars().next().unwrap_or(' ');
            if first.is_ascii_alphabetic()
                && let Some(len) = link_len(&text[start..])
            {
                self.flush_run();
                self.push(start, start + len, WordKind::Link);
                skip_until = start + len;
                pending_sigil = None;
                continue;
            }
            if seg == "#" || seg == "@" || seg == "＃" {
                self.flush_run();
                pending_sigil = Some(start);
                continue;
            }
            let sigil = pending_sigil.take();
            if !seg.chars().any(is_word_char) {
                self.flush_run();
                continue;
            }
            if seg.chars().any(is_spaceless) {
                self.add_spaceless(start, seg);
                continue;
            }
            self.flush_run();
            let end = start + seg.len();
            match sigil {
                Some(s) if s + text[s..].chars().next().map_or(1, char::len_utf8) == start => {
                    // The tag as written, then its bare word at the same position.
                    if end - s <= MAX_TOKEN_BYTES {
                        self.out.push(RawToken {
                            start: s,
                            end,
                            position: self.position,
                            kind: WordKind::Tag,
                        });
                    }
                    self.push_word(start, seg);
                }
                _ => self.push_word(start, seg),
            }
        }
    }

    /// An ordinary word, split at apostrophes ("l’extérieur" → l, extérieur).
    fn push_word(&mut self, start: usize, seg: &str) {
        let mut piece_start = 0;
        for (i, c) in seg.char_indices() {
            if is_apostrophe(c) {
                self.push_piece(start, &seg[piece_start..i], piece_start);
                if self.drop_after_apostrophe {
                    return;
                }
                piece_start = i + c.len_utf8();
            }
        }
        self.push_piece(start, &seg[piece_start..], piece_start);
    }

    fn push_piece(&mut self, base: usize, piece: &str, offset: usize) {
        // One pass: does the piece hold a letter or digit, and a digit?
        let (mut word_char, mut numeric) = (false, false);
        for c in piece.chars() {
            if is_numeric(c) {
                (word_char, numeric) = (true, true);
                break;
            }
            word_char = word_char || is_alphabetic(c);
        }
        if !word_char {
            return;
        }
        let kind = if numeric {
            WordKind::Number
        } else {
            WordKind::Word
        };
        let start = base + offset;
        self.push(start, start + piece.len(), kind);
    }

    /// Characters of spaceless scripts accumulate into one run, which becomes
    /// overlapping bigrams when it ends.
    fn add_spaceless(&mut self, start: usize, seg: &str) {
        let end = start + seg.len();
        match &mut self.run {
            Some((_, run_end)) if *run_end == start => *run_end = end,
            _ => {
                self.flush_run();
                self.run = Some((start, end));
            }
        }
    }

    fn flush_run(&mut self) {
        let Some((start, end)) = self.run.take() else {
            return;
        };
        let run = &self.text[start..end];
        let (units, n): (Vec<(usize, usize)>, usize) = if run.starts_with(is_thai) {
            // Thai: trigrams of characters, marks counted as characters
            // (XQuAD-R: 0.823 nDCG@10 against 0.817 with bigrams of letters
            // with their marks, and 0.820 with trigrams of those).
            let chars = run.char_indices();
            (
                chars
                    .map(|(s, c)| (start + s, start + s + c.len_utf8()))
                    .collect(),
                3,
            )
        } else {
            // Bigrams over letters; combining marks stay with the letter before them.
            let units = unit_bounds(run).map(|(s, e)| (start + s, start + e));
            (units.collect(), 2)
        };
        if units.len() < n {
            // Shorter than one gram: the whole run.
            self.push(units[0].0, units[units.len() - 1].1, WordKind::Gram);
            return;
        }
        for gram in units.windows(n) {
            self.push(gram[0].0, gram[n - 1].1, WordKind::Gram);
        }
    }
}

/// Thai letters, vowels, tone marks and digits (U+0E00–U+0E7F).
fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

/// Units of a spaceless run: each base character with its combining marks.
fn unit_bounds(run: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut iter = run.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, c) = iter.next()?;
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = iter.peek() {
            if is_mark(next) {
                end = i + next.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        Some((start, end))
    })
}

/// Combining marks of the spaceless scripts (Thai vowels above/below and tone
/// marks, Lao, Khmer, Myanmar and Tibetan signs) and the kana voicing marks.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E
        | 0x0EB1 | 0x0EB4..=0x0EBC | 0x0EC8..=0x0ECE
        | 0x0F71..=0x0F84 | 0x0F8D..=0x0FBC
        | 0x102B..=0x103E | 0x1056..=0x1059 | 0x105E..=0x1060 | 0x1062..=0x1064
        | 0x1067..=0x106D | 0x1071..=0x1074 | 0x1082..=0x108D | 0x108F | 0x109A..=0x109D
        | 0x17B4..=0x17D3 | 0x17DD
        | 0x3099 | 0x309A)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_letters_are_what_uax29_says() {
        use unicode_segmentation::UnicodeSegmentation;
        let one_word = |s: &str| s.split_word_bounds().count() == 1;
        let mut n = 0;
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let Some(base) = plain_letter(c) else {
                continue;
            };
            n += 1;
            assert!(!is_numeric(c) && !is_spaceless(c));
            assert!(is_alphabetic(c) || !base, "U+{:04X}", c as u32);
            assert!(!is_apostrophe(c) && !c.is_ascii_digit());
            // Joins the letters around it.
            assert!(one_word(&format!("a{c}a")), "U+{:04X}", c as u32);
            assert!(one_word(&format!("ж{c}ж")), "U+{:04X}", c as u32);
            if base {
                // Starts a word, and letters of any of the scripts join it.
                for x in ['a', 'é', 'ж', 'λ', 'ש', 'ب', 'क', '\u{064E}', '\u{093E}'] {
                    assert!(one_word(&format!("{c}{x}")), "U+{:04X} {x:?}", c as u32);
                }
            } else {
                // A mark at the start of a text stands alone.
                assert!(!one_word(&format!("{c}a")), "U+{:04X}", c as u32);
            }
        }
        assert!(n > 1100, "{n}");
    }

    #[test]
    fn fast_is_alphabetic_equals_std_for_every_char() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(
                is_alphabetic(c),
                c.is_alphabetic(),
                "{c:?} U+{:04X}",
                c as u32
            );
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn fast_is_numeric_equals_std_for_every_char() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_numeric(c), c.is_numeric(), "{c:?} U+{:04X}", c as u32);
        }
    }

    fn words(text: &str) -> Vec<(&str, usize, WordKind)> {
        tokenize(text)
            .into_iter()
            .map(|t| (&text[t.start..t.end], t.position, t.kind))
            .collect()
    }

    #[test]
    fn plain_words_and_punctuation() {
        assert_eq!(
            words("Guaidó, the body’s chief!"),
            vec![
                ("Guaidó", 0, WordKind::Word),
                ("the", 1, WordKind::Word),
                ("body", 2, WordKind::Word),
                ("s", 3, WordKind::Word),
                ("chief", 4, WordKind::Word),
            ]
        );
    }

    #[test]
    fn turkish_apostrophe_ends_the_word() {
        let text = "Türkiye'nin Ankara’dır, l'eau";
        let tr: Vec<(&str, usize)> = tokenize_lang(text, Some("tr"))
            .into_iter()
            .map(|t| (&text[t.start..t.end], t.position))
            .collect();
        assert_eq!(tr, [("Türkiye", 0), ("Ankara", 1), ("l", 2)]);
        let other: Vec<&str> = tokenize_lang(text, Some("fr"))
            .into_iter()
            .map(|t| &text[t.start..t.end])
            .collect();
        assert_eq!(other, ["Türkiye", "nin", "Ankara", "dır", "l", "eau"]);
    }

    #[test]
    fn hashtags_and_mentions_keep_both_forms() {
        assert_eq!(
            words("#7Ene con @jguaido."),
            vec![
                ("#7Ene", 0, WordKind::Tag),
                ("7Ene", 0, WordKind::Number),
                ("con", 1, WordKind::Word),
                ("@jguaido", 2, WordKind::Tag),
                ("jguaido", 2, WordKind::Word),
            ]
        );
    }

    #[test]
    fn links_stay_whole() {
        assert_eq!(
            words("see pic.twitter.com/IXcQQv7GON — https://t.co/abc?x=1. http"),
            vec![
                ("see", 0, WordKind::Word),
                ("pic.twitter.com/IXcQQv7GON", 1, WordKind::Link),
                ("https://t.co/abc?x=1", 2, WordKind::Link),
                ("http", 3, WordKind::Word),
            ]
        );
    }

    #[test]
    fn chinese_runs_become_bigrams() {
        assert_eq!(
            words("黑豹队 a 中"),
            vec![
                ("黑豹", 0, WordKind::Gram),
                ("豹队", 1, WordKind::Gram),
                ("a", 2, WordKind::Word),
                ("中", 3, WordKind::Gram),
            ]
        );
    }

    #[test]
    fn thai_runs_become_character_trigrams() {
        // ท ี ่ น ี ่: six characters (vowel and tone marks count), four trigrams.
        assert_eq!(
            words("ที่นี่ มา ก"),
            vec![
                ("ที่", 0, WordKind::Gram),
                ("ี่น", 1, WordKind::Gram),
                ("่นี", 2, WordKind::Gram),
                ("นี่", 3, WordKind::Gram),
                ("มา", 4, WordKind::Gram),
                ("ก", 5, WordKind::Gram),
            ]
        );
    }

    #[test]
    fn lao_marks_stay_with_their_letter() {
        // ບໍ່ (three characters, one letter with two marks) is one unit.
        let toks = words("ບໍ່ມີ");
        assert_eq!(toks.iter().map(|t| t.0).collect::<Vec<_>>(), ["ບໍ່ມີ"]);
    }

    #[test]
    fn emoji_and_symbols_are_skipped() {
        assert_eq!(
            words("🚨 #URGENTE | 📷: ok"),
            vec![
                ("#URGENTE", 0, WordKind::Tag),
                ("URGENTE", 0, WordKind::Word),
                ("ok", 1, WordKind::Word),
            ]
        );
    }

    #[test]
    fn overlong_runs_are_dropped() {
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(words(&format!("x {long} y")).len(), 2);
    }

    /// UAX#29 over the whole text, without the chunk fast path.
    fn reference(text: &str) -> Vec<RawToken> {
        let mut out = Vec::new();
        let mut seg = Segmenter::new(text, &mut out);
        seg.segment(0, text.len());
        seg.flush_run();
        out
    }

    proptest::proptest! {
        #[test]
        fn fast_path_is_uax29(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[A-Za-z0-9]{1,8}",
                    "[a-zà-ÿα-ωа-яא-תء-يक-ह][a-zà-ÿα-ωа-яא-תء-يक-ह\u{064B}-\u{0652}\u{093C}-\u{094D}\u{0301}]{0,5}",
                    "[ \\n\\t]{1,2}",
                    "[.,;:!?()\\[\\]\"'#@_-]{1,2}",
                    proptest::strategy::Just("U.S.".to_string()),
                    proptest::strategy::Just("3.14".to_string()),
                    proptest::strategy::Just("www.x.com".to_string()),
                    proptest::strategy::Just("http".to_string()),
                    proptest::strategy::Just("Guaidó".to_string()),
                    proptest::strategy::Just("黑豹".to_string()),
                ],
                0..40,
            )
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(tokenize(&text), reference(&text), "{:?}", text);
        }

        #[test]
        fn any_text_tokenizes_on_char_boundaries(text in "\\PC{0,200}") {
            let toks = tokenize(&text);
            let mut last_start = 0;
            let mut last_pos = 0;
            for t in &toks {
                proptest::prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
                proptest::prop_assert!(t.start < t.end && t.end <= text.len());
                proptest::prop_assert!(t.end - t.start <= MAX_TOKEN_BYTES);
                proptest::prop_assert!(t.start >= last_start || t.kind != WordKind::Tag);
                proptest::prop_assert!(t.position >= last_pos);
                last_start = t.start;
                last_pos = t.position;
            }
        }

        #[test]
        fn mixed_scripts_and_symbols_never_panic(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("#".to_string()),
                    proptest::strategy::Just("@".to_string()),
                    proptest::strategy::Just("https://x.co/a".to_string()),
                    proptest::strategy::Just("ที่นี่".to_string()),
                    proptest::strategy::Just("黑豹".to_string()),
                    proptest::strategy::Just("’".to_string()),
                    proptest::strategy::Just("Guaidó".to_string()),
                    "\\PC{0,6}",
                ],
                0..30,
            )
        ) {
            let text: String = parts.concat();
            for lang in [None, Some("en"), Some("ar"), Some("hi")] {
                let tokens = crate::analysis::Analyzer::for_lang(lang).tokens(&text);
                for t in tokens {
                    proptest::prop_assert!(!t.text.is_empty());
                    proptest::prop_assert!(text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to));
                }
            }
        }
    }
}
