//! Language identification: a script census decides where the script names
//! the language, whatlang decides the rest, always on a bounded sample.
//!
//! A census counts the letters of each [`Script`] in the first
//! [`SAMPLE_BYTES`] of a text (digits, punctuation and symbols do not
//! count). Where the dominant script is written by one language in the
//! news (Greek, Thai, Hangul, Georgian …; see [`Script::language`]) that is
//! the answer, without looking further; Han with kana is Japanese, Han alone
//! Chinese, and Ethiopic is Tigrinya or Amharic by their spellings of /a/
//! (see [`ethiopic`]). Latin, Cyrillic, Arabic, Devanagari and Hebrew, each
//! written by many languages, go to whatlang on the same sample.
//!
//! Indexing uses the census twice: once to identify a document, and on
//! each passage to see whether it is written in another script than its
//! document (only such a passage, and a quoted tweet, is identified on its
//! own: `index::build`).

use super::lang::{Detected, iso639_1};

/// Bytes of a text that identification looks at. Measured with whatlang on
/// the shared corpora: 512 bytes keeps 99.9% of full-text accuracy on news
/// (256 bytes drops Russian to 92%) at half the cost of whole articles.
pub const SAMPLE_BYTES: usize = 512;

/// A writing system, as far as language identification cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Latin letters (with the accented ones and Vietnamese).
    Latin,
    /// Greek.
    Greek,
    /// Cyrillic.
    Cyrillic,
    /// Armenian.
    Armenian,
    /// Hebrew (Hebrew, Yiddish).
    Hebrew,
    /// Arabic (Arabic, Persian, Urdu, Pashto …).
    Arabic,
    /// Thaana (Dhivehi).
    Thaana,
    /// Devanagari (Hindi, Marathi, Nepali …).
    Devanagari,
    /// Bengali–Assamese.
    Bengali,
    /// Gurmukhi (Punjabi).
    Gurmukhi,
    /// Gujarati.
    Gujarati,
    /// Odia.
    Oriya,
    /// Tamil.
    Tamil,
    /// Telugu.
    Telugu,
    /// Kannada.
    Kannada,
    /// Malayalam.
    Malayalam,
    /// Sinhala.
    Sinhala,
    /// Thai.
    Thai,
    /// Lao.
    Lao,
    /// Tibetan (Tibetan, Dzongkha).
    Tibetan,
    /// Myanmar (Burmese).
    Myanmar,
    /// Georgian.
    Georgian,
    /// Hangul (Korean).
    Hangul,
    /// Ethiopic (Amharic, Tigrinya …).
    Ethiopic,
    /// Khmer.
    Khmer,
    /// Han ideographs and kana: Chinese or Japanese.
    Cjk,
    /// Any other letter.
    Other,
}

/// Every script, in the order of a [`Census`]'s counts.
const SCRIPTS: [Script; 27] = [
    Script::Latin,
    Script::Greek,
    Script::Cyrillic,
    Script::Armenian,
    Script::Hebrew,
    Script::Arabic,
    Script::Thaana,
    Script::Devanagari,
    Script::Bengali,
    Script::Gurmukhi,
    Script::Gujarati,
    Script::Oriya,
    Script::Tamil,
    Script::Telugu,
    Script::Kannada,
    Script::Malayalam,
    Script::Sinhala,
    Script::Thai,
    Script::Lao,
    Script::Tibetan,
    Script::Myanmar,
    Script::Georgian,
    Script::Hangul,
    Script::Ethiopic,
    Script::Khmer,
    Script::Cjk,
    Script::Other,
];

impl Script {
    /// The script of a letter, `None` for anything that is not a letter
    /// (digits, punctuation, symbols, emoji, spaces).
    pub fn of(c: char) -> Option<Script> {
        if c.is_ascii() {
            return c.is_ascii_alphabetic().then_some(Script::Latin);
        }
        let script = match u32::from(c) {
            0xC0..=0x24F | 0x1E00..=0x1EFF if c != '×' && c != '÷' => Script::Latin,
            0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
            0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
            0x530..=0x58F => Script::Armenian,
            0x591..=0x5F4 | 0xFB1D..=0xFB4F => Script::Hebrew,
            0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
                Script::Arabic
            }
            0x780..=0x7BF => Script::Thaana,
            0x900..=0x97F | 0xA8E0..=0xA8FF => Script::Devanagari,
            0x980..=0x9FF => Script::Bengali,
            0xA00..=0xA7F => Script::Gurmukhi,
            0xA80..=0xAFF => Script::Gujarati,
            0xB00..=0xB7F => Script::Oriya,
            0xB80..=0xBFF => Script::Tamil,
            0xC00..=0xC7F => Script::Telugu,
            0xC80..=0xCFF => Script::Kannada,
            0xD00..=0xD7F => Script::Malayalam,
            0xD80..=0xDFF => Script::Sinhala,
            0xE00..=0xE7F => Script::Thai,
            0xE80..=0xEFF => Script::Lao,
            0xF00..=0xFFF => Script::Tibetan,
            0x1000..=0x109F => Script::Myanmar,
            0x10A0..=0x10FF | 0x1C90..=0x1CBF | 0x2D00..=0x2D2F => Script::Georgian,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xAC00..=0xD7FF => Script::Hangul,
            0x1200..=0x139F | 0x2D80..=0x2DDF | 0xAB00..=0xAB2F => Script::Ethiopic,
            0x1780..=0x17FF | 0x19E0..=0x19FF => Script::Khmer,
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Cjk,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => Script::Cjk,
            _ if c.is_alphabetic() => Script::Other,
            _ => return None,
        };
        Some(script)
    }

    /// The language this script names on its own in news text, if it does.
    /// Tibetan is also written by Dzongkha, which gets `bo`; Ethiopic and
    /// Han need the census ([`Census::language`]).
    pub fn language(self) -> Option<&'static str> {
        Some(match self {
            Script::Greek => "el",
            Script::Armenian => "hy",
            Script::Thaana => "dv",
            Script::Bengali => "bn",
            Script::Gurmukhi => "pa",
            Script::Gujarati => "gu",
            Script::Oriya => "or",
            Script::Tamil => "ta",
            Script::Telugu => "te",
            Script::Kannada => "kn",
            Script::Malayalam => "ml",
            Script::Sinhala => "si",
            Script::Thai => "th",
            Script::Lao => "lo",
            Script::Tibetan => "bo",
            Script::Myanmar => "my",
            Script::Georgian => "ka",
            Script::Hangul => "ko",
            Script::Khmer => "km",
            _ => return None,
        })
    }
}

/// Letters per script in the first [`SAMPLE_BYTES`] of a text, with the
/// few letters that tell Japanese from Chinese, Tigrinya from Amharic, and
/// Yoruba and Igbo from Vietnamese ([`LatinMarks`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    counts: [u16; SCRIPTS.len()],
    kana: u16,
    /// Letters only Tigrinya writes (ኣ ኸ ቕ), and only Amharic (አ ች).
    ethiopic: [u16; 2],
    latin: LatinMarks,
}

/// The marks on Latin letters that name Yoruba and Igbo, which whatlang
/// does not know (it takes them mostly for Vietnamese, which it does know,
/// and for Italian, Javanese, Shona …: wrong stems, and no character grams).
/// Both write vowels with a dot below, Yoruba ẹ ọ ṣ, Igbo ị ọ ụ (and ṅ);
/// Vietnamese writes dots below too, but never without the letters that
/// only it has among the three: ơ ư (the horn), ă, đ, â ê ô, a hook above,
/// a tilde on a vowel, ạ, ỵ. Measured on every text of the shared corpora
/// (the first 512 bytes of 95,000 news articles in 125 languages and
/// 24,000 tweets): 1% or more of the letters dotted below, and no
/// Vietnamese letter, in 99.7% of the Yoruba and 99.9% of the Igbo
/// articles, and in no text of any other language (Vietnamese included).
/// Fewer Latin letters than this are a short text for [`LatinMarks`]:
/// the headlines of ir-news-headlines name Yoruba and Igbo as often
/// with three dotted letters required below it as with one (182 of 200
/// Igbo, 178 of 200 Yoruba), and no question or headline of another
/// language either way.
const SHORT_LETTERS: u16 = 20;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct LatinMarks {
    /// Latin letters with a dot below.
    dot_below: u16,
    /// ẹ and ṣ (Yoruba's), ị ụ and ṅ (Igbo's).
    yoruba: u16,
    igbo: u16,
    /// Letters only Vietnamese writes, of the three.
    vietnamese: u16,
}

impl LatinMarks {
    /// Counts the mark `mark` on the (lower-case) letter `base`.
    fn add(&mut self, base: char, mark: char) {
        match mark {
            '\u{323}' => {
                self.dot_below += 1;
                match base {
                    'e' | 's' => self.yoruba += 1,
                    'i' | 'u' => self.igbo += 1,
                    'a' | 'y' => self.vietnamese += 1,
                    _ => {}
                }
            }
            '\u{307}' if base == 'n' => self.igbo += 1,
            // The horn (ơ ư) and the hook above (ả ẻ …).
            '\u{31B}' | '\u{309}' => self.vietnamese += 1,
            '\u{306}' if base == 'a' => self.vietnamese += 1,
            '\u{302}' if matches!(base, 'a' | 'e' | 'o') => self.vietnamese += 1,
            '\u{303}' if matches!(base, 'a' | 'e' | 'i' | 'o' | 'u' | 'y') => self.vietnamese += 1,
            _ => {}
        }
    }

    /// Counts a non-ASCII Latin letter's marks (decomposed); returns its
    /// base letter, lower case, for a combining mark typed after it (`é`
    /// then a dot below).
    fn add_letter(&mut self, c: char) -> Option<char> {
        if matches!(c, 'đ' | 'Đ') {
            self.vietnamese += 1;
            return Some('đ');
        }
        let mut base = None;
        unicode_normalization::char::decompose_canonical(c, |d| match base {
            None => base = Some(d.to_ascii_lowercase()),
            Some(b) => self.add(b, d),
        });
        base
    }

    /// Yoruba or Igbo, if `letters` Latin letters with these marks are
    /// written in one of them: 1% or more dotted below (three at least in
    /// a text of under [`SHORT_LETTERS`] letters: `bụi mịn` is Vietnamese,
    /// `Congrats to Ṣeun Kuti!` English), no Vietnamese letter, and more
    /// of one language's dotted letters than of the other's (only ọ,
    /// which both write: neither).
    fn language(&self, letters: u16) -> Option<&'static str> {
        let least = if letters < SHORT_LETTERS { 3 } else { 1 };
        if self.vietnamese > 0
            || self.dot_below < least
            || u32::from(self.dot_below) * 100 < u32::from(letters)
        {
            return None;
        }
        match self.yoruba.cmp(&self.igbo) {
            std::cmp::Ordering::Greater => Some("yo"),
            std::cmp::Ordering::Less => Some("ig"),
            std::cmp::Ordering::Equal => None,
        }
    }
}

impl Census {
    /// Counts the letters of the first [`SAMPLE_BYTES`] of `text`.
    pub fn of(text: &str) -> Census {
        let mut census = Census::default();
        // The last Latin letter, lower case, for a combining mark after it
        // (decomposed text).
        let mut latin_base = None;
        for c in sample(text).chars() {
            if let Some(script) = Script::of(c) {
                census.counts[script as usize] += 1;
                latin_base = None;
                match c {
                    'a'..='z' | 'A'..='Z' => latin_base = Some(c.to_ascii_lowercase()),
                    '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' if script == Script::Latin => {
                        latin_base = census.latin.add_letter(c)
                    }
                    '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => {
                        census.kana += 1
                    }
                    'ኣ' | 'ኸ' | 'ቕ' => census.ethiopic[0] += 1,
                    'አ' | 'ች' => census.ethiopic[1] += 1,
                    _ => {}
                }
            } else if let ('\u{300}'..='\u{36F}', Some(base)) = (c, latin_base) {
                census.latin.add(base, c);
            } else {
                latin_base = None;
            }
        }
        census
    }

    /// Letters counted.
    pub fn letters(&self) -> usize {
        self.counts.iter().map(|&n| usize::from(n)).sum()
    }

    /// The script with the most letters (the first of a tie in
    /// [`Script`]'s order); `None` without letters.
    pub fn dominant(&self) -> Option<Script> {
        let (i, n) = self
            .counts
            .iter()
            .enumerate()
            .rev()
            .max_by_key(|&(_, n)| *n)?;
        (*n > 0).then_some(SCRIPTS[i])
    }

    /// The language the dominant script names, if it names one: see
    /// [`Script::language`]; Han with at least 5% kana (whatlang's
    /// threshold) is `ja`, else `zh`; Ethiopic is [`ethiopic`]; Latin
    /// with Yoruba's or Igbo's dotted letters is `yo` or `ig`
    /// ([`LatinMarks`]).
    pub fn language(&self) -> Option<&'static str> {
        match self.dominant()? {
            Script::Cjk => {
                let kana = usize::from(self.kana) * 20;
                Some(if kana > self.counts[Script::Cjk as usize].into() {
                    "ja"
                } else {
                    "zh"
                })
            }
            Script::Ethiopic => Some(ethiopic(self.ethiopic[0], self.ethiopic[1])),
            Script::Latin => self.latin.language(self.counts[Script::Latin as usize]),
            script => script.language(),
        }
    }
}

/// Tigrinya or Amharic from counts of their distinctive letters: Tigrinya
/// writes word-initial /a/ as ኣ and has ኸ and ቕ, where Amharic writes አ and
/// has ች (in the shared news: ኣ is 3.5% of Tigrinya letters and 0.001% of
/// Amharic ones; አ is 2.4% of Amharic letters and 0.08% of Tigrinya ones).
/// A tie is Amharic, the language with more speakers (and whatlang's only
/// Ethiopic language).
pub fn ethiopic(tigrinya: u16, amharic: u16) -> &'static str {
    if tigrinya > amharic { "ti" } else { "am" }
}

/// The first [`SAMPLE_BYTES`] of `text`, cut at a char boundary.
pub fn sample(text: &str) -> &str {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Identifies the language of `text` from its first [`SAMPLE_BYTES`];
/// `None` when it has no letters or whatlang cannot tell.
pub fn identify(text: &str) -> Option<Detected> {
    identify_with(text, &Census::of(text))
}

/// [`identify`] with the census of `text` already taken.
pub fn identify_with(text: &str, census: &Census) -> Option<Detected> {
    identify_by(text, census, None)
}

/// [`identify`], whatlang choosing only among `detector`'s languages
/// (those of an index, for its queries; see [`super::lang::detector_for`]).
pub fn identify_among(text: &str, detector: &whatlang::Detector) -> Option<Detected> {
    identify_by(text, &Census::of(text), Some(detector))
}

fn identify_by(
    text: &str,
    census: &Census,
    detector: Option<&whatlang::Detector>,
) -> Option<Detected> {
    if let Some(lang) = census.language() {
        return Some(Detected {
            lang,
            reliable: true,
        });
    }
    census.dominant()?;
    let info = match detector {
        Some(d) => d.detect(sample(text))?,
        None => whatlang::detect(sample(text))?,
    };
    Some(Detected {
        lang: iso639_1(info.lang()),
        reliable: info.is_reliable(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(text: &str) -> Option<&'static str> {
        identify(text).map(|d| d.lang)
    }

    #[test]
    fn scripts_that_name_their_language() {
        let cases = [
            ("Η Εθνοσυνέλευση ήταν σκηνή χάους σήμερα.", "el"),
            ("สภาแห่งชาติเป็นฉากของความวุ่นวาย", "th"),
            ("국회는 오늘 혼란의 현장이었다.", "ko"),
            ("国会は今日、混乱の場となった。", "ja"),
            ("国民议会今天陷入混乱。", "zh"),
            ("Ազգային ժողովը այսօր քաոսի վայր էր։", "hy"),
            ("ეროვნული ასამბლეა დღეს ქაოსის ადგილი იყო.", "ka"),
            ("জাতীয় পরিষদ আজ বিশৃঙ্খলার দৃশ্য ছিল।", "bn"),
            ("தேசிய சட்டமன்றம் இன்று குழப்பமாக இருந்தது.", "ta"),
            ("ສະພາແຫ່ງຊາດເປັນບ່ອນວຸ້ນວາຍໃນມື້ນີ້", "lo"),
            ("ብሔራዊ ምክር ቤቱ ዛሬ የትርምስ መድረክ ነበር። አዲስ አበባ", "am"),
            ("ኣብ ሃገራዊ ባይቶ ሎሚ ዕግርግር ኣጋጢሙ።", "ti"),
        ];
        for (text, want) in cases {
            let census = Census::of(text);
            assert_eq!(census.language(), Some(want), "{text}");
            assert_eq!(lang(text), Some(want), "{text}");
        }
    }

    #[test]
    fn shared_scripts_go_to_whatlang() {
        let cases = [
            (
                "The National Assembly was the scene of a chaotic struggle for control today.",
                "en",
            ),
            (
                "Национальное собрание сегодня стало ареной хаотичной борьбы за контроль.",
                "ru",
            ),
            (
                "الجمعية الوطنية كانت مسرحا لصراع فوضوي على السيطرة اليوم.",
                "ar",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Census::of(text).language(), None, "{text}");
            assert_eq!(lang(text), Some(want), "{text}");
        }
    }

    #[test]
    fn yoruba_and_igbo_by_their_dotted_letters_not_vietnamese() {
        use unicode_normalization::UnicodeNormalization;
        let yoruba = "Ọ̀gá àgbà ilé iṣẹ́ ọlọ́pàá sọ pé àwọn ẹlẹ́wọ̀n méjì ti sá lọ ní alẹ́ àná.";
        let igbo = "Ndị uwe ojii kwuru na ha jidere mmadụ abụọ n'ụlọ ahịa dị n'obodo ahụ.";
        for (text, want) in [(yoruba, "yo"), (igbo, "ig")] {
            // Composed or decomposed, the same.
            for form in [text.nfc().collect::<String>(), text.nfd().collect()] {
                assert_eq!(Census::of(&form).language(), Some(want), "{form}");
                let d = identify(&form).expect("identified");
                assert_eq!((d.lang, d.reliable), (want, true), "{form}");
            }
        }
        // Vietnamese writes dots below too, with letters of its own.
        for text in [
            "Quốc hội Việt Nam đã họp phiên đầu tiên của nhiệm kỳ mới.",
            "Chính phủ Việt Nam",
            "Cái gì bao quanh lục lạp?",
        ] {
            assert_eq!(Census::of(text).language(), None, "{text}");
        }
        assert_eq!(
            lang("Quốc hội Việt Nam đã họp phiên đầu tiên của nhiệm kỳ mới."),
            Some("vi")
        );
        // A name or two with a dot below in English news: under 1%.
        let english = "The scholar Ḥasan al-Baṣrī was quoted by the speaker of the \
                       National Assembly during a chaotic session today, as opposition \
                       lawmakers tried to enter the building and were pushed back by the \
                       police; the government said the vote had been held lawfully and that \
                       the new leadership of the chamber would be sworn in next week.";
        assert_eq!(Census::of(english).language(), None);
        // Only ọ, which both write: neither is named.
        assert_eq!(Census::of("Ọlọ́run").language(), None);
        // A short text needs three dotted letters.
        for text in ["bụi mịn", "thịt", "Congrats to Ṣeun Kuti!"] {
            assert_eq!(Census::of(text).language(), None, "{text}");
        }
        assert_eq!(Census::of("ìṣẹ̀lẹ̀ ilẹ̀").language(), Some("yo"));
        assert_eq!(Census::of("ụlọ ọrụ").language(), Some("ig"));
        // A dot below typed after a composed letter (é, then U+0323).
        let typed = "\u{e9}\u{323}gb\u{e9}\u{323} \u{f2}\u{323}r\u{f2}\u{323} ti s\u{f2}\u{323} n\u{ed} il\u{e9}\u{323}";
        assert_eq!(Census::of(typed).language(), Some("yo"), "{typed}");
    }

    #[test]
    fn census_counts_letters_only() {
        let census = Census::of("2020-01-07 — 12:30 #!? 🙂 abc");
        assert_eq!(census.letters(), 3);
        assert_eq!(census.dominant(), Some(Script::Latin));
        assert_eq!(Census::of("2020 — 12:30 🙂").dominant(), None);
        assert_eq!(identify("2020 — 12:30 🙂"), None);
        assert_eq!(identify(""), None);
    }

    #[test]
    fn census_looks_at_a_bounded_sample() {
        // Greek after the sample does not count.
        let text = format!("{}{}", "a".repeat(SAMPLE_BYTES), "αβγ".repeat(1000));
        let census = Census::of(&text);
        assert_eq!(census.letters(), SAMPLE_BYTES);
        assert_eq!(census.dominant(), Some(Script::Latin));
        // The sample is cut at a char boundary.
        let text = format!("a{}", "é".repeat(SAMPLE_BYTES));
        assert_eq!(sample(&text).len(), SAMPLE_BYTES - 1);
        assert_eq!(Census::of(&text).letters(), SAMPLE_BYTES / 2);
    }

    #[test]
    fn dominant_script_wins_a_mix() {
        let text = "Ο πρόεδρος Trump είπε σήμερα στην Αθήνα ότι";
        assert_eq!(Census::of(text).dominant(), Some(Script::Greek));
        assert_eq!(lang(text), Some("el"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_gets_a_known_code_or_none(text in "\\PC{0,300}") {
            if let Some(d) = identify(&text) {
                proptest::prop_assert!(
                    (2..=3).contains(&d.lang.len())
                        && d.lang.chars().all(|c| c.is_ascii_lowercase()),
                    "{:?}", d
                );
            }
        }
    }
}
