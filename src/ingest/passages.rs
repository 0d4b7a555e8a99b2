//! Cutting a document's text into passages: paragraphs, long paragraphs split
//! at sentence boundaries, and quoted tweets.

use std::sync::LazyLock;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use crate::analysis::bmp::BmpTable;
use crate::analysis::langid::{Census, Script};
use crate::analysis::tokenizer::{self, WordKind};
use crate::model::{Day, Kind, Passage, TweetMeta};

/// A paragraph longer than this many words is split at sentence boundaries
/// (a passage may hold up to [`SHORT_MAX_WORDS`] more: short paragraphs
/// joined to it).
///
/// Measured with `scripts/paragraph_lengths.py` on the shared news corpora:
/// where paragraphs are real paragraphs, 80 words is above the 99th
/// percentile of Reuters (59) and near that of NTREX (92) and the 90th of
/// the Spanish corpus (81), so ordinary paragraphs stay whole; the German,
/// Portuguese and MasakhaNEWS bodies are mostly one unbroken block (median
/// 303, 64 and 28 words, p90 682, 1055 and 412), which this splits into
/// passages of comparable size for BM25 and for display. The sample corpus's
/// longest paragraphs (81–106 words) are split in two.
pub const MAX_PASSAGE_WORDS: usize = 80;

/// Longest paragraph that is no passage of its own, unless it ends a
/// sentence: a lead-in ("Guaido said:"), a byline, a dateline, a caption,
/// a sign-off (`Reuter`), a table's row (`Revs 108.4 mln vs 110.0 mln`).
/// Alone, such a paragraph wins on length normalization with one matching
/// word, and a table of twelve rows naming `cocoa` counts as twelve
/// passages. It joins the paragraph it leads into (or, last or before a
/// tweet, the passage before it), only ever a neighbour in its own
/// script. Ten words is shorter than most sentences of news; 3, 6 and 10
/// all left ir-news-headlines as it was and raised the topical Reuters
/// check, 10 most. A short sentence (two words or more ending with a
/// sentence mark) stays a passage: text written a sentence a line (NTREX)
/// has many, and a word count is not one length across languages (the
/// same NTREX articles have 0.75× the words in Korean, 0.81× in Turkish,
/// that they have in English) (docs/RELEVANCE.md, "Short
/// paragraphs join their neighbours" and "A short sentence stays a
/// passage").
pub const SHORT_MAX_WORDS: usize = 10;

/// How paragraphs are separated in a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Blank lines separate paragraphs (text articles).
    BlankLines,
    /// Every line is a paragraph (JSON bodies).
    Lines,
}

/// Byte ranges of the non-blank paragraphs of `text`, trimmed.
pub fn paragraphs(text: &str, from: usize, layout: Layout) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = from;
    let bytes = text.as_bytes();
    let mut i = from;
    let push = |s: usize, e: usize, out: &mut Vec<(usize, usize)>| {
        let piece = &text[s..e];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            out.push((s + lead, s + lead + trimmed.len()));
        }
    };
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            let boundary = match layout {
                Layout::Lines => true,
                Layout::BlankLines => {
                    // a line holding only white space follows
                    let rest = &text[i + 1..];
                    let line_end = rest.find('\n').map_or(rest.len(), |p| p);
                    rest[..line_end].trim().is_empty()
                        && !(line_end == rest.len() && rest.is_empty())
                }
            };
            if boundary {
                push(start, i, &mut out);
                start = i + 1;
            }
        }
        i += 1;
    }
    push(start, text.len(), &mut out);
    out
}

/// `… text — Display Name (@handle) January 7, 2020` at the end of a paragraph.
static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)^(?P<text>.*?)\s+[—–]\s+(?P<name>[^—–\n]{1,80}?)\s+\(@(?P<handle>[A-Za-z0-9_]{1,30})\)\s+(?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4})\s*$",
    )
    .expect("valid regex")
});

/// A tweet quoted in an article paragraph, if the paragraph is signed as one.
struct Signed {
    text_end: usize,
    meta: TweetMeta,
}

fn signed_tweet(text: &str, start: usize, end: usize) -> Option<Signed> {
    if !text[start..end].contains("(@") {
        return None;
    }
    let caps = SIGNATURE.captures(&text[start..end])?;
    let body = caps.name("text")?;
    let mut meta = tweet_meta(body.as_str());
    meta.author = Some(caps["name"].trim().to_string());
    meta.handle = Some(caps["handle"].to_string());
    meta.date = Day::parse_english(&caps["date"]);
    Some(Signed {
        text_end: start + body.end(),
        meta,
    })
}

/// Hashtags, mentions and links of a tweet's text, found by the same
/// tokenizer that indexes it.
pub fn tweet_meta(text: &str) -> TweetMeta {
    let mut meta = TweetMeta::default();
    for t in tokenizer::tokenize(text) {
        let s = &text[t.start..t.end];
        match t.kind {
            WordKind::Tag if s.starts_with('@') => meta.mentions.push(s[1..].to_string()),
            WordKind::Tag => {
                let tag = s.trim_start_matches(['#', '＃']);
                meta.hashtags.push(tag.to_string())
            }
            WordKind::Link => meta.links.push(s.to_string()),
            _ => {}
        }
    }
    meta
}

/// Passages of an article: quoted tweets found, other paragraphs split when long.
///
/// A signed tweet whose previous paragraph is unsigned and itself follows an
/// introducing paragraph ending with `:` spans both paragraphs (a tweet of two
/// paragraphs).
pub fn article_passages(text: &str, paras: &[(usize, usize)]) -> Vec<Passage> {
    let signed: Vec<Option<Signed>> = paras
        .iter()
        .map(|&(s, e)| signed_tweet(text, s, e))
        .collect();
    // Whether paragraph `j` is the unsigned first half of a tweet of two
    // paragraphs: a signed one follows, and the paragraph before it
    // introduces it (ends with `:`, as this one does not).
    let pair_starts = |j: usize| {
        j > 0
            && j + 1 < paras.len()
            && signed[j].is_none()
            && signed[j + 1].is_some()
            && signed[j - 1].is_none()
            && ends_with_colon(text, paras[j - 1])
            && !ends_with_colon(text, paras[j])
    };
    let starts_tweet = |j: usize| signed[j].is_some() || pair_starts(j);
    let mut out = Vec::new();
    // A run of short paragraphs that waits for the paragraph it leads
    // into: where it starts, and its script.
    let mut run: Option<(usize, Option<Script>)> = None;
    let mut i = 0;
    while i < paras.len() {
        // A two-paragraph tweet: this paragraph continues into a signed one.
        // (No run waits before a tweet: a short paragraph before one
        // joins the passage before it at once.)
        if pair_starts(i) {
            let tweet = signed[i + 1].as_ref().expect("checked");
            let mut meta = tweet_meta(&text[paras[i].0..tweet.text_end]);
            meta.author = tweet.meta.author.clone();
            meta.handle = tweet.meta.handle.clone();
            meta.date = tweet.meta.date;
            out.push(Passage {
                kind: Kind::Tweet,
                start: paras[i].0,
                end: tweet.text_end,
                tweet: Some(meta),
            });
            i += 2;
            continue;
        }
        if let Some(tweet) = &signed[i] {
            out.push(Passage {
                kind: Kind::Tweet,
                start: paras[i].0,
                end: tweet.text_end,
                tweet: Some(tweet.meta.clone()),
            });
            i += 1;
            continue;
        }
        let (start, end) = paras[i];
        let para = &text[start..end];
        let words = word_count_upto(para, SHORT_MAX_WORDS + 1);
        let short =
            words <= SHORT_MAX_WORDS && !(words >= MIN_SENTENCE_WORDS && ends_sentence(para));
        // The script matters only to a short paragraph or a waiting run.
        let script = match short || run.is_some() {
            true => Census::of(para).dominant(),
            false => None,
        };
        // A run in another script than this paragraph (a Greek line in a
        // Spanish article) is a passage of its own language.
        let (from, run_script) = match run.take() {
            Some((from, s)) if same_script(s, script) => (from, s),
            Some((from, s)) => {
                join_back(text, (from, paras[i - 1].1), s, &mut out);
                (start, None)
            }
            None => (start, None),
        };
        if !short && from < start {
            join_forward(text, (from, paras[i - 1].1), (start, end), &mut out);
        } else if !short {
            split_long(text, (start, end), &mut out);
        } else if i + 1 < paras.len() && !starts_tweet(i + 1) {
            // It leads into the next paragraph (a tweet's text must stay
            // the tweet's own).
            run = Some((from, run_script.or(script)));
        } else {
            join_back(text, (from, end), run_script.or(script), &mut out);
        }
        i += 1;
    }
    out
}

/// Whether two texts are in the same script (one without letters goes
/// with any).
fn same_script(a: Option<Script>, b: Option<Script>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// Most words of a passage that short paragraphs joined: a piece of a
/// paragraph and up to [`SHORT_MAX_WORDS`] more.
const MAX_JOINED_WORDS: usize = MAX_PASSAGE_WORDS + SHORT_MAX_WORDS;

/// A run of short paragraphs joins the passage that its paragraph `para`
/// starts: the paragraph is cut as it would be alone and the run put
/// before its first piece, unless that makes the piece too long (a long
/// table): then the run and the paragraph are cut together.
fn join_forward(text: &str, run: (usize, usize), para: (usize, usize), out: &mut Vec<Passage>) {
    let first = out.len();
    split_long(text, para, out);
    let piece = &out[first];
    let words = word_count_upto(&text[run.0..run.1], MAX_JOINED_WORDS + 1)
        + word_count_upto(&text[piece.start..piece.end], MAX_JOINED_WORDS + 1);
    if words <= MAX_JOINED_WORDS {
        out[first].start = run.0;
    } else {
        out.truncate(first);
        split_long(text, (run.0, para.1), out);
    }
}

/// Short paragraphs with nothing after them to lead into (the end of the
/// article, a tweet, a paragraph in another script): they join the
/// passage before them when it is an article's in their script (cut
/// again with them if that makes it too long), or stand alone.
fn join_back(
    text: &str,
    (start, end): (usize, usize),
    script: Option<Script>,
    out: &mut Vec<Passage>,
) {
    match out.last_mut() {
        Some(prev)
            if prev.kind == Kind::Article
                && same_script(Census::of(&text[prev.start..prev.end]).dominant(), script) =>
        {
            let words = word_count_upto(&text[prev.start..end], MAX_JOINED_WORDS + 1);
            if words <= MAX_JOINED_WORDS {
                prev.end = end;
            } else {
                let from = prev.start;
                out.pop();
                split_long(text, (from, end), out);
            }
        }
        _ => split_long(text, (start, end), out),
    }
}

/// Marks that end a sentence which UAX#29 (and so [`may_end_sentence`],
/// the sentence splitting's own test) does not count: the Greek question
/// mark (U+037E, which NFC turns into `;`) and the Tibetan shad.
const SENTENCE_ENDS_BEYOND_UAX29: &[char] = &['\u{037E}', '།'];

/// What may follow a sentence's last mark: closing quotes (English ” ’,
/// German “ ‘ and «, French and Russian »), brackets (ASCII, CJK), and
/// invisible format characters (a zero-width space, a byte-order mark,
/// direction marks).
fn closes_sentence(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\''
                | ')'
                | ']'
                | '”'
                | '’'
                | '“'
                | '‘'
                | '»'
                | '«'
                | '」'
                | '』'
                | '）'
                | '》'
                | '】'
                | '〉'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{FEFF}'
        )
}

/// Fewest words of a short paragraph that is a sentence: in no language
/// is one word ("Nil.", "Reuter.") a passage of its own; two may be a
/// whole sentence where a word carries its particles ("저는 몰랐습니다.").
pub const MIN_SENTENCE_WORDS: usize = 2;

/// Whether a paragraph ends a sentence: its last mark (before closing
/// quotes and brackets) may end one ([`may_end_sentence`]: a full stop, a
/// question or exclamation mark of any script; or one of
/// [`SENTENCE_ENDS_BEYOND_UAX29`]), and is not an ellipsis (a text cut
/// short or leading on: `REUTER...`). A short paragraph of
/// [`MIN_SENTENCE_WORDS`] or more that does is a sentence, a passage of
/// its own ("The Treasury declined comment on the figures.", or any line
/// of a text written one sentence a line); one that does not is a
/// lead-in, byline, sign-off or table row.
pub fn ends_sentence(para: &str) -> bool {
    let text = para.trim_end_matches(closes_sentence);
    let ellipsis = ["..", ". .", "。。", "．．"]
        .iter()
        .any(|e| text.ends_with(e));
    let ends = text
        .chars()
        .next_back()
        .is_some_and(|c| may_end_sentence(c) || SENTENCE_ENDS_BEYOND_UAX29.contains(&c));
    ends && !ellipsis
}

fn ends_with_colon(text: &str, (s, e): (usize, usize)) -> bool {
    text[s..e].trim_end().ends_with(':')
}

/// Counts words the way passage limits do: runs of letters and digits
/// between white space and punctuation, each character of a spaceless
/// script counting as one. (A cheap stand-in for UAX#29 words, which cost a
/// full segmentation pass per paragraph.)
pub fn word_count(text: &str) -> usize {
    word_count_upto(text, usize::MAX)
}

/// [`word_count`], stopping as soon as the count exceeds `limit`.
fn word_count_upto(text: &str, limit: usize) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            // A run of ASCII letters and digits (most of the text) in one go.
            if !in_word {
                count += 1;
                in_word = true;
            }
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
        } else if b.is_ascii() {
            i += 1;
            // As in UAX#29, an apostrophe or a point between letters or
            // digits ("body's", "U.S", "3.14", "1,000") does not end a word.
            in_word = in_word
                && matches!(b, b'\'' | b'.' | b',' | b':')
                && starts_with_word_char(&text[i..]);
        } else {
            let c = text[i..].chars().next().expect("a char starts here");
            i += c.len_utf8();
            if tokenizer::is_spaceless(c) {
                count += 1;
                in_word = false;
            } else if tokenizer::is_word_char(c) {
                if !in_word {
                    count += 1;
                    in_word = true;
                }
            } else {
                in_word = in_word && c == '’' && starts_with_word_char(&text[i..]);
            }
        }
        if count > limit {
            break;
        }
    }
    count
}

/// Whether `rest` starts with a char that continues a word across a joining
/// apostrophe or point: a letter or digit of a script written with spaces.
fn starts_with_word_char(rest: &str) -> bool {
    rest.chars()
        .next()
        .is_some_and(|c| tokenizer::is_word_char(c) && !tokenizer::is_spaceless(c))
}

/// Splits one paragraph into passages of at most [`MAX_PASSAGE_WORDS`] words
/// where sentence boundaries allow, balancing their sizes.
pub fn split_long(text: &str, (start, end): (usize, usize), out: &mut Vec<Passage>) {
    let para = &text[start..end];
    // Fewer bytes than twice the limit cannot hold more words than it.
    if para.len() < 2 * MAX_PASSAGE_WORDS {
        out.push(article(start, end));
        return;
    }
    if word_count_upto(para, MAX_PASSAGE_WORDS) <= MAX_PASSAGE_WORDS {
        out.push(article(start, end));
        return;
    }
    // Each sentence is counted once; the paragraph's total is their sum.
    let starts = sentence_starts(para);
    let sentences: Vec<(usize, &str, usize)> = std::iter::once(0)
        .chain(starts.iter().copied())
        .zip(starts.iter().copied().chain(std::iter::once(para.len())))
        .map(|(s, e)| (s, &para[s..e], word_count(&para[s..e])))
        .collect();
    let total: usize = sentences.iter().map(|s| s.2).sum();
    let pieces = total.div_ceil(MAX_PASSAGE_WORDS);
    let target = total.div_ceil(pieces);
    let mut chunk_start = 0;
    let mut words = 0;
    for (idx, &(offset, _, n)) in sentences.iter().enumerate() {
        if words > 0 && words + n > target.max(n.min(MAX_PASSAGE_WORDS)) {
            push_trimmed(text, start + chunk_start, start + offset, out);
            chunk_start = offset;
            words = 0;
        }
        words += n;
        if idx == sentences.len() - 1 {
            push_trimmed(text, start + chunk_start, end, out);
        }
    }
}

/// Whether UAX#29 can end a sentence right after `c` (a full stop, a
/// question or exclamation mark of any script, a line or paragraph
/// separator), asked of unicode-segmentation itself: `a{c} B` is then two
/// sentences.
fn may_end_sentence(c: char) -> bool {
    static TABLE: BmpTable = BmpTable::new();
    let probe = |c: char| format!("a{c} B").split_sentence_bounds().nth(1).is_some();
    TABLE.get(c, probe).unwrap_or_else(|| probe(c))
}

/// Byte offsets of the chars of `para` that [`may_end_sentence`]: ASCII
/// bytes from a 128-entry table (most news text is ASCII, and this pass
/// reads every char of a long paragraph), other chars decoded and asked.
fn sentence_end_candidates(para: &str) -> Vec<usize> {
    static ASCII: LazyLock<[bool; 128]> =
        LazyLock::new(|| std::array::from_fn(|b| may_end_sentence(char::from(b as u8))));
    let ascii = &*ASCII;
    let bytes = para.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if ascii[usize::from(b)] {
                out.push(i);
            }
            i += 1;
        } else {
            let c = para[i..].chars().next().expect("a char starts here");
            if may_end_sentence(c) {
                out.push(i);
            }
            i += c.len_utf8();
        }
    }
    out
}

/// Chars before a sentence-ending char that the segmenter is started at:
/// UAX#29 looks back one char (and the marks on it) from where a sentence
/// may end.
const SENTENCE_LOOKBEHIND: usize = 8;

/// Byte offsets in `para` where its second, third, … sentence start, as
/// `split_sentence_bound_indices` gives them; but the segmenter only runs
/// from a few chars before each char that may end a sentence, not over all
/// the text (a sentence boundary always follows one). Equal to segmenting
/// the whole paragraph (proptest) unless more than
/// [`SENTENCE_LOOKBEHIND`] combining marks precede a full stop.
fn sentence_starts(para: &str) -> Vec<usize> {
    let candidates = sentence_end_candidates(para);
    let mut starts = Vec::new();
    // Where the last window's segmentation reached: it ran on from its
    // candidate exactly as a run over the whole paragraph would (the state
    // of UAX#29 depends on the last few chars only), so no candidate before
    // this needs a window of its own. Each char is segmented about once,
    // however many sentence-ending chars follow each other ("......").
    let mut reached = 0;
    for (k, &t) in candidates.iter().enumerate() {
        if t < reached {
            continue;
        }
        let floor = if k > 0 { candidates[k - 1] } else { 0 };
        let from = para[floor..t]
            .char_indices()
            .rev()
            .nth(SENTENCE_LOOKBEHIND - 1)
            .map_or(floor, |(i, _)| floor + i);
        let Some(end) = para[from..]
            .split_sentence_bound_indices()
            .map(|(offset, sentence)| from + offset + sentence.len())
            .find(|&end| end > t)
        else {
            break;
        };
        if end < para.len() {
            starts.push(end);
        }
        reached = end;
    }
    starts
}

fn push_trimmed(text: &str, s: usize, e: usize, out: &mut Vec<Passage>) {
    let piece = &text[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let len = piece.trim().len();
    if len > 0 {
        out.push(article(s + lead, s + lead + len));
    }
}

fn article(start: usize, end: usize) -> Passage {
    Passage {
        kind: Kind::Article,
        start,
        end,
        tweet: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_separate_paragraphs() {
        let text = "One.\nstill one\n\n  \nTwo.\n\nThree";
        let p = paragraphs(text, 0, Layout::BlankLines);
        let got: Vec<&str> = p.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(got, vec!["One.\nstill one", "Two.", "Three"]);
    }

    #[test]
    fn lines_are_paragraphs_in_json_bodies() {
        let text = "a\n\nb\nc";
        let p = paragraphs(text, 0, Layout::Lines);
        assert_eq!(p.len(), 3);
    }

    /// The passages of a JSON body (a paragraph per line), as text.
    fn cut(text: &str) -> Vec<(Kind, &str)> {
        let paras = paragraphs(text, 0, Layout::Lines);
        let p = article_passages(text, &paras);
        p.iter().map(|p| (p.kind, &text[p.start..p.end])).collect()
    }

    const LONG: &str =
        "The assembly met on Tuesday and elected a new president after a long debate.";
    const LONG2: &str =
        "Opposition lawmakers said they would not recognize the vote and called for protests.";

    #[test]
    fn a_sign_off_joins_the_last_paragraph() {
        let text = format!("{LONG}\n{LONG2}\nReuter");
        assert_eq!(
            cut(&text),
            [
                (Kind::Article, LONG),
                (Kind::Article, &*format!("{LONG2}\nReuter"))
            ]
        );
    }

    #[test]
    fn short_rows_lead_into_the_next_paragraph() {
        let rows = "Revs 108.4 mln vs 110.0 mln\nNet 327.2 mln vs 148.0 mln";
        let text = format!("{LONG}\n{rows}\n{LONG2}");
        assert_eq!(
            cut(&text),
            [
                (Kind::Article, LONG),
                (Kind::Article, &*format!("{rows}\n{LONG2}"))
            ]
        );
    }

    #[test]
    fn a_short_paragraph_never_joins_a_tweet() {
        let tweet = "Vamos a la calle #7Ene — Juan Guaidó (@jguaido) January 7, 2020";
        // Before a tweet: it joins the paragraph before it.
        let text = format!("{LONG}\nGuaido said:\n{tweet}\nImages:\n{tweet}");
        let got = cut(&text);
        assert_eq!(got[0], (Kind::Article, &*format!("{LONG}\nGuaido said:")));
        assert_eq!(got[1].0, Kind::Tweet);
        // Between two tweets: alone.
        assert_eq!(got[2], (Kind::Article, "Images:"));
        assert_eq!(got[3].0, Kind::Tweet);
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn a_short_paragraph_in_another_script_stays_apart() {
        let text = format!("{LONG}\nΗ Εθνοσυνέλευση\n{LONG2}");
        assert_eq!(
            cut(&text),
            [
                (Kind::Article, LONG),
                (Kind::Article, "Η Εθνοσυνέλευση"),
                (Kind::Article, LONG2)
            ]
        );
    }

    #[test]
    fn a_short_sentence_is_a_passage_of_its_own() {
        // Ends with a sentence mark, before closing quotes too; in any
        // script that has one.
        for short in [
            "The Treasury declined comment on the figures.",
            "\"It is over,\" he said. \"We won.\"",
            "Did they vote?)",
            "„Wir haben gewonnen.“",
            "« C'est fini. »\u{200B}",
        ] {
            let text = format!("{LONG}\n{short}\n{LONG2}");
            assert_eq!(
                cut(&text),
                [
                    (Kind::Article, LONG),
                    (Kind::Article, short),
                    (Kind::Article, LONG2)
                ],
                "{short}"
            );
        }
        // In articles of their own script (the script guard would keep
        // them apart in a Latin one).
        let korean = [
            "캐버노는 목요일 의회 앞에서 증언하면서 강력하고 감정적으로 크리스틴 블레이시 포드가 제기한 혐의에 대해서 부인했습니다.",
            "포드도 해당 청문회에서 그녀의 혐의에 대해서 증언했습니다.",
            "토요일 대통령은 그 날 캐버노의 “뛰어난 능력과 용기를 미국 국민이 보았습니다”라고 말했습니다.",
        ];
        let greek = [
            "Η Εθνοσυνέλευση συνεδρίασε την Τρίτη και εξέλεξε νέο πρόεδρο μετά από μακρά συζήτηση στην αίθουσα.",
            "Ποιος ψήφισε\u{037E}",
            "Οι βουλευτές της αντιπολίτευσης είπαν ότι δεν θα αναγνωρίσουν την ψηφοφορία και κάλεσαν σε διαμαρτυρίες.",
        ];
        let hindi = [
            "संसद ने मंगलवार को लंबी बहस के बाद एक नए अध्यक्ष का चुनाव किया और विपक्ष ने इसका विरोध किया।",
            "वह चुनाव हार गए।",
            "विपक्षी सांसदों ने कहा कि वे इस मतदान को मान्यता नहीं देंगे और उन्होंने विरोध प्रदर्शन का आह्वान किया।",
        ];
        for lines in [korean, greek, hindi] {
            let text = lines.join("\n");
            let want: Vec<(Kind, &str)> = lines.iter().map(|l| (Kind::Article, *l)).collect();
            assert_eq!(cut(&text), want, "{}", lines[1]);
        }
        // A lead-in, a byline, a row: no sentence mark at the end; a
        // sign-off or heading cut short; a sentence mark after one word.
        for short in [
            "He said:",
            "By Jane Doe",
            "Net 327.2 mln vs 148.0 mln",
            "Photo: “AFP”",
            "REUTER...",
            "NYSE STOCKS...",
            "NYSE STOCKS . . .",
            "NYSE STOCKS…",
            "Nil.",
        ] {
            let text = format!("{LONG}\n{short}\n{LONG2}");
            assert_eq!(cut(&text).len(), 2, "{short}");
        }
    }

    #[test]
    fn a_table_alone_is_cut_into_passages_of_the_usual_size() {
        let text: String = (0..100)
            .map(|i| format!("Row {i} holds 12 and 13\n"))
            .collect();
        let got = cut(&text);
        assert!(got.len() > 1, "{got:?}");
        assert!(got.iter().all(|(_, t)| word_count(t) <= MAX_PASSAGE_WORDS));
    }

    /// A paragraph of `sentences` sentences of 20 words.
    fn sentences(n: usize, tag: usize) -> String {
        (0..n)
            .map(|k| format!("Sentence {k} of paragraph {tag} has words enough to count as one of the twenty words here now, in all."))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_short_paragraph_joins_a_full_one_without_cutting_it() {
        // 80 words in four sentences: one passage alone, and still one
        // with a byline before it and a sign-off after it.
        let para = sentences(4, 0);
        assert_eq!(word_count(&para), 80);
        let text = format!("By Jane Doe\n{para}\nReporting by John Smith");
        assert_eq!(cut(&text), [(Kind::Article, text.as_str())]);
    }

    #[test]
    fn a_byline_before_a_paragraph_that_a_tweet_follows_joins_it() {
        let tweet = "Vamos a la calle #7Ene — Juan Guaidó (@jguaido) January 7, 2020";
        let text = format!("By Jane Doe\n{LONG}\n{tweet}");
        let got = cut(&text);
        assert_eq!(got[0], (Kind::Article, &*format!("By Jane Doe\n{LONG}")));
        assert_eq!(got[1].0, Kind::Tweet);
        assert_eq!(got.len(), 2);
    }

    proptest::proptest! {
        /// Every byte of every paragraph (but a tweet's signature) is in
        /// exactly one passage, in order; every signed tweet is one tweet
        /// passage; an article passage has at most MAX_PASSAGE_WORDS words
        /// plus the short paragraphs joined to it.
        #[test]
        fn passages_cover_every_paragraph_once(
            kinds in proptest::collection::vec(0u8..9, 0..14),
        ) {
            let lines: Vec<String> = kinds.iter().enumerate().map(|(i, k)| match k {
                0 => format!("Short {i}"),
                1 => format!("{LONG} {LONG2} {i}"),
                2 => format!("Tweet {i} — Jane Doe (@janedoe) January 7, 2020"),
                3 => format!("Κείμενο {i}"),
                4 => format!("Said {i}:"),
                5 => format!("Short sentence {i}."),
                6 => sentences(3 + i % 3, i),
                7 => format!("Row {i} holds 12 and 13 and 14"),
                _ => format!("{i} {i} {i}"),
            }).collect();
            let text = lines.join("\n");
            let paras = paragraphs(&text, 0, Layout::Lines);
            let passages = article_passages(&text, &paras);
            let mut last_end = 0;
            for p in &passages {
                proptest::prop_assert!(p.start >= last_end && p.start < p.end);
                last_end = p.end;
                if p.kind == Kind::Article {
                    let words = word_count(&text[p.start..p.end]);
                    proptest::prop_assert!(words <= MAX_JOINED_WORDS, "{words}");
                }
            }
            for &(s, e) in &paras {
                let signed = signed_tweet(&text, s, e);
                let text_end = signed.as_ref().map_or(e, |t| t.text_end);
                for b in (s..text_end).filter(|&b| !text.as_bytes()[b].is_ascii_whitespace()) {
                    let n = passages.iter().filter(|p| p.start <= b && b < p.end).count();
                    proptest::prop_assert_eq!(n, 1, "byte {} of {:?}", b, &text[s..e]);
                }
                if signed.is_some() {
                    let tweets = passages
                        .iter()
                        .filter(|p| p.kind == Kind::Tweet && p.start <= s && p.end == text_end)
                        .count();
                    proptest::prop_assert_eq!(tweets, 1, "{:?}", &text[s..e]);
                }
            }
        }
    }

    #[test]
    fn signed_tweet_with_credit() {
        let text = "#7Ene Ciudadanos. #7Ene pic.twitter.com/LFr1KqDqWW – @GregJaimes — Reporte Ya (@ReporteYa) January 7, 2020";
        let t = signed_tweet(text, 0, text.len()).unwrap();
        assert_eq!(
            &text[..t.text_end],
            "#7Ene Ciudadanos. #7Ene pic.twitter.com/LFr1KqDqWW – @GregJaimes"
        );
        assert_eq!(t.meta.handle.as_deref(), Some("ReporteYa"));
        assert_eq!(t.meta.author.as_deref(), Some("Reporte Ya"));
        assert_eq!(t.meta.date.unwrap().to_string(), "2020-01-07");
        assert_eq!(t.meta.hashtags, vec!["7Ene", "7Ene"]);
        assert_eq!(t.meta.mentions, vec!["GregJaimes"]);
        assert_eq!(t.meta.links, vec!["pic.twitter.com/LFr1KqDqWW"]);
    }

    /// The char-by-char count that `word_count_upto` makes faster.
    fn word_count_by_chars(text: &str) -> usize {
        let mut count = 0;
        let mut in_word = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if tokenizer::is_spaceless(c) {
                count += 1;
                in_word = false;
            } else if tokenizer::is_alphabetic(c) || tokenizer::is_numeric(c) {
                if !in_word {
                    count += 1;
                    in_word = true;
                }
            } else {
                let joins = matches!(c, '\'' | '’' | '.' | ',' | ':')
                    && chars.peek().is_some_and(|n| {
                        (tokenizer::is_alphabetic(*n) || tokenizer::is_numeric(*n))
                            && !tokenizer::is_spaceless(*n)
                    });
                in_word = in_word && joins;
            }
        }
        count
    }

    proptest::proptest! {
        #[test]
        fn the_byte_fast_path_counts_as_char_by_char(
            text in "[a-zA-Z0-9 .,:'’éßжب黑ที฿\\-\u{301}\u{a0}\u{2014}\u{200b}𝐀😀𠀀]{0,40}",
            limit in 0usize..20,
        ) {
            let full = word_count_by_chars(&text);
            proptest::prop_assert_eq!(word_count(&text), full);
            // Stops as soon as the count exceeds the limit: at limit + 1.
            proptest::prop_assert_eq!(word_count_upto(&text, limit), full.min(limit + 1));
        }
    }

    proptest::proptest! {
        #[test]
        fn sentences_start_where_uax29_says(
            text in "[aZ1 .!?。\\)\"'\n,:;\u{301}\u{a0}\u{2029}ü黑]{0,60}",
        ) {
            let want: Vec<usize> = text
                .split_sentence_bound_indices()
                .map(|(i, _)| i)
                .filter(|&i| i > 0)
                .collect();
            proptest::prop_assert_eq!(sentence_starts(&text), want);
        }
    }

    proptest::proptest! {
        #[test]
        fn sentence_end_candidates_are_the_chars_that_may_end_one(
            text in "[\\x00-\\x7f\u{85}\u{a0}\u{2028}\u{2029}。！？।؟黑é\u{301}]{0,60}",
        ) {
            let want: Vec<usize> = text
                .char_indices()
                .filter(|&(_, c)| may_end_sentence(c))
                .map(|(i, _)| i)
                .collect();
            proptest::prop_assert_eq!(sentence_end_candidates(&text), want);
        }
    }

    #[test]
    fn a_long_run_of_full_stops_is_segmented_once() {
        // Every char may end a sentence and none does until the end: each
        // window used to run to the end of the run, so this took minutes
        // (quadratic); now each char is segmented once.
        let text = format!("Contents{} Next", ".".repeat(1 << 18));
        assert_eq!(sentence_starts(&text), [text.len() - "Next".len()]);
    }

    #[test]
    fn sentence_starts_on_news_text() {
        for text in [
            "Mr. Guaidó said: \"No.\" He left. The U.S. Army (and e.g. others) paid 3.5 bn. Fin",
            "他说。我们走！好吗？ 是的",
            "One... two?! Three.\u{2029}Four. five",
        ] {
            let want: Vec<usize> = text
                .split_sentence_bound_indices()
                .map(|(i, _)| i)
                .filter(|&i| i > 0)
                .collect();
            assert_eq!(sentence_starts(text), want, "{text}");
        }
    }

    #[test]
    fn words_are_counted_as_uax29_does() {
        for text in [
            "Guaidó’s new term, voted 100 to 0 in 2018.",
            "The U.S. paid 1,000.50 dollars — re-elected: yes",
            "黑豹队 and ที่นี่",
            "",
        ] {
            let uax29: usize = text
                .unicode_words()
                .map(|w| {
                    if w.chars().any(tokenizer::is_spaceless) {
                        w.chars().count()
                    } else {
                        1
                    }
                })
                .sum();
            assert_eq!(word_count(text), uax29, "{text}");
        }
    }

    #[test]
    fn long_paragraphs_split_at_sentences() {
        let sentence = "Word".to_string() + &" word".repeat(29) + ". ";
        let para = sentence.repeat(5);
        let mut out = Vec::new();
        split_long(&para, (0, para.trim_end().len()), &mut out);
        assert!(out.len() >= 2);
        for p in &out {
            assert!(word_count(&para[p.start..p.end]) <= MAX_PASSAGE_WORDS);
        }
        assert_eq!(out[0].start, 0);
        assert_eq!(out.last().unwrap().end, para.trim_end().len());
    }
}
