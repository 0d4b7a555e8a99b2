//! Near-duplicate signatures: MinHash over word shingles of folded text.
//!
//! A text's shingles are its runs of [`SHINGLE`] consecutive words, folded
//! as the index folds them (case, diacritics), so two copies that differ in
//! case or accents are the same text. The Jaccard similarity of two texts'
//! shingle sets — the share of word triples they have in common — is the
//! probability that a random hash function has its minimum over both sets
//! on the same shingle. [`MinHash`] uses one hash function split into
//! [`HASHES`] bins (one permutation hashing, Li, Owen and Zhang 2012): each
//! shingle is hashed once, its top six bits choose a bin, and each bin
//! keeps its smallest value; an empty bin (a short text) takes the value
//! of a bin chosen by its own fixed probe sequence (optimal densification,
//! Shrivastava 2017), so two texts' bins agree with probability J. Stored,
//! each bin keeps four bits only (b-bit MinHash, Li and König
//! 2010), two bins to a byte: [`Signature`] is 32 bytes, and two
//! signatures agree on a bin with probability J + (1 − J)/16, which
//! [`similarity`] corrects for. The estimate's standard error is
//! sqrt(P (1 − P) / 64) / (15/16) with P that probability: 0.052 at
//! J = 0.8, against 0.050 keeping whole bytes, for half the bytes (the
//! signatures were the index's second largest field). The four bits are
//! those of a rehash of bin and minimum, so that bins a short text fills
//! by densification, all holding the same few minima, still agree by
//! chance independently of each other. Hashing each
//! shingle once instead of 64 times makes the signature cheaper than
//! reading the words.
//!
//! A document's signature is the position-wise minimum of its passages'
//! full MinHashes: the MinHash of the union of their shingles.

use xxhash_rust::xxh3::xxh3_64;

use crate::analysis::{fold, tokenizer};

/// Hash functions (bins) of a MinHash.
pub const HASHES: usize = 64;
/// Bytes of a stored signature: four bits per bin.
pub const SIG_BYTES: usize = HASHES / 2;
/// Words per shingle.
pub const SHINGLE: usize = 3;

/// The smallest hash of a text's shingles in each bin ([`EMPTY`] where
/// none falls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHash(pub [u32; HASHES]);

/// The stored form: four bits of each minimum ([`nibble`]), bins 2i and
/// 2i + 1 in the low and high half of byte i.
pub type Signature = [u8; SIG_BYTES];

/// The bin of a shingle hash: its top bits.
const BIN_SHIFT: u32 = 64 - HASHES.trailing_zeros();

/// A value no shingle has (near enough: 2^-32): an empty bin.
const EMPTY: u32 = u32::MAX;

/// Probe `attempt` of empty bin `bin`: the bin it takes its value from.
fn probe(bin: usize, attempt: u64) -> usize {
    let mut z = ((bin as u64) << 32 | attempt).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> BIN_SHIFT) as usize
}

/// Probes kept in [`probe_table`] per bin.
const PROBES_KEPT: usize = 256;

/// The first [`PROBES_KEPT`] probes of every bin, computed once: a short
/// text fills few bins, and each empty bin probes about `HASHES / filled`
/// times (64 for a text of one shingle: a tweet of three words).
fn probe_table() -> &'static [[u8; PROBES_KEPT]; HASHES] {
    static TABLE: std::sync::OnceLock<Box<[[u8; PROBES_KEPT]; HASHES]>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Box::new([[0u8; PROBES_KEPT]; HASHES]);
        for (bin, row) in table.iter_mut().enumerate() {
            for (attempt, slot) in row.iter_mut().enumerate() {
                *slot = probe(bin, attempt as u64) as u8;
            }
        }
        table
    })
}

impl MinHash {
    /// The signature of nothing: every bin empty.
    pub fn empty() -> MinHash {
        MinHash([EMPTY; HASHES])
    }

    /// The MinHash of `text`'s shingles; `None` when it has no words.
    pub fn of_text(text: &str) -> Option<MinHash> {
        let words = word_hashes(text);
        if words.is_empty() {
            return None;
        }
        let mut m = MinHash::empty();
        for shingle in words.windows(SHINGLE.min(words.len())) {
            m.add(shingle_hash(shingle));
        }
        Some(m)
    }

    /// Adds one shingle, by its hash.
    fn add(&mut self, h: u64) {
        let bin = &mut self.0[(h >> BIN_SHIFT) as usize];
        *bin = (*bin).min(h as u32);
    }

    /// Makes this the MinHash of the union of both texts' shingles.
    pub fn union(&mut self, other: &MinHash) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = (*a).min(*b);
        }
    }

    /// The stored signature: four bits of each bin's minimum, empty bins
    /// densified.
    pub fn signature(&self) -> Signature {
        let mut s = [0u8; SIG_BYTES];
        let any = self.0.iter().any(|v| *v != EMPTY);
        let probes = probe_table();
        for bin in 0..HASHES {
            let mut v = self.0[bin];
            let mut attempt = 0;
            while v == EMPTY && any {
                let from = match probes[bin].get(attempt) {
                    Some(&b) => usize::from(b),
                    None => probe(bin, attempt as u64),
                };
                v = self.0[from];
                attempt += 1;
            }
            s[bin / 2] |= nibble(bin, v) << (4 * (bin % 2));
        }
        s
    }
}

/// The four stored bits of bin `bin` holding minimum `v`: the low bits of
/// a rehash of both. Equal minima give equal bits; different minima agree
/// one time in 16, independently in every bin. Keeping `v`'s own low bits
/// would not be independent after densification: a text of one shingle
/// has the same minimum in all 64 bins, so two different one-shingle
/// texts would agree everywhere one time in 16 and look like copies.
fn nibble(bin: usize, v: u32) -> u8 {
    let mut z = (u64::from(v) << 6 | bin as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z ^= z >> 29;
    z = z.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (z >> 60) as u8
}

/// The hash of each folded word of `text`. A word is a run of letters and
/// digits (what `char::is_alphabetic` and `is_numeric` say), each char of a
/// script written without spaces (Han, kana, Thai, …) a word of its own;
/// anything else separates words. Folded as the index folds words (case,
/// diacritics), so copies that differ in case or accents are one text.
/// Not the analyzer's tokenizer: a signature only needs the same words
/// cut the same way in both copies, and this scan costs a fraction of
/// UAX#29 segmentation (the signature of every passage was 11% of
/// indexing time with it).
fn word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut folded = String::new();
    let mut word_start: Option<usize> = None;
    // The classes of the current word's chars so far: a word of lower-case
    // ASCII letters and digits (most words of most news) folds to itself
    // and is hashed where it lies; one of ASCII only is lower-cased.
    let mut word = 0u8;
    let mut push = |w: &str, classes: u8, out: &mut Vec<u64>| {
        let bytes = if classes & OTHER != 0 {
            folded.clear();
            fold::fold_into(w, &mut folded);
            folded.as_bytes()
        } else if classes & UPPER != 0 {
            folded.clear();
            folded.push_str(w);
            folded.make_ascii_lowercase();
            folded.as_bytes()
        } else {
            w.as_bytes()
        };
        if !bytes.is_empty() {
            out.push(xxh3_64(bytes));
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII (most of the text) by a table, without decoding a char.
        let class = BYTE_CLASS[usize::from(bytes[i])];
        if class & (LOWER | UPPER) != 0 {
            if word_start.is_none() {
                word_start = Some(i);
                word = 0;
            }
            word |= class;
            i += 1;
            continue;
        }
        let (word_char, spaceless, len) = match class {
            OTHER => {
                let c = text[i..].chars().next().expect("a char starts here");
                let word_char = tokenizer::is_word_char(c);
                (
                    word_char,
                    word_char && tokenizer::is_spaceless(c),
                    c.len_utf8(),
                )
            }
            _ => (false, false, 1),
        };
        if word_char && !spaceless {
            if word_start.is_none() {
                word_start = Some(i);
                word = 0;
            }
            word |= OTHER;
            i += len;
            continue;
        }
        if let Some(start) = word_start.take() {
            push(&text[start..i], word, &mut out);
        }
        if word_char {
            push(&text[i..i + len], OTHER, &mut out);
        }
        i += len;
    }
    if let Some(start) = word_start {
        push(&text[start..], word, &mut out);
    }
    out
}

/// [`BYTE_CLASS`] of a lower-case ASCII letter or digit.
const LOWER: u8 = 1;
/// [`BYTE_CLASS`] of an upper-case ASCII letter.
const UPPER: u8 = 2;
/// [`BYTE_CLASS`] of the first byte of a char beyond ASCII.
const OTHER: u8 = 4;

/// The class of each byte that starts a char: [`LOWER`], [`UPPER`],
/// [`OTHER`], or 0 for ASCII that separates words.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'a'..=b'z' | b'0'..=b'9' => LOWER,
            b'A'..=b'Z' => UPPER,
            0x80.. => OTHER,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// The hash of a shingle: of its words' hashes, in order.
fn shingle_hash(words: &[u64]) -> u64 {
    let mut bytes = [0u8; 8 * SHINGLE];
    for (chunk, w) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    xxh3_64(&bytes[..8 * words.len()])
}

/// The estimated Jaccard similarity of the texts of two signatures
/// (0 when either is not a signature).
pub fn similarity(a: &[u8], b: &[u8]) -> f32 {
    if a.len() != SIG_BYTES || b.len() != SIG_BYTES {
        return 0.0;
    }
    let same = a
        .iter()
        .zip(b)
        .map(|(x, y)| {
            let d = x ^ y;
            u32::from(d & 0xF == 0) + u32::from(d >> 4 == 0)
        })
        .sum::<u32>() as f32
        / HASHES as f32;
    // P(same four bits) = J + (1 - J) / 16.
    ((same - 1.0 / 16.0) / (1.0 - 1.0 / 16.0)).clamp(0.0, 1.0)
}

/// Bands of the locality-sensitive index over signatures: two signatures
/// become candidates when they agree on all [`ROWS`] bytes (four bins) of
/// any band. With 16 bands of 4 bins, texts at J = 0.8 are candidates with
/// probability 0.9999, at J = 0.5 with 0.74, at J = 0.2 with 0.061, and
/// unrelated texts with 0.0002 (each bin agreeing by chance one time in
/// 16); candidates are then compared whole.
pub const BANDS: usize = 16;
/// Bytes per band.
pub const ROWS: usize = SIG_BYTES / BANDS;

/// The band keys of a signature: band number and its bytes.
pub fn bands(sig: &[u8]) -> impl Iterator<Item = u64> + '_ {
    sig.chunks_exact(ROWS).enumerate().map(|(i, chunk)| {
        let mut key = (i as u64) << 32;
        for (j, b) in chunk.iter().enumerate() {
            key |= u64::from(*b) << (8 * j);
        }
        key
    })
}

/// Signatures with a locality-sensitive index: which earlier signature a
/// new one nearly copies.
#[derive(Debug, Default)]
pub struct NearIndex {
    sigs: Vec<Signature>,
    buckets: rustc_hash::FxHashMap<u64, Vec<u32>>,
}

impl NearIndex {
    /// Adds a signature; returns its number.
    pub fn insert(&mut self, sig: Signature) -> u32 {
        let n = self.sigs.len() as u32;
        for key in bands(&sig) {
            self.buckets.entry(key).or_default().push(n);
        }
        self.sigs.push(sig);
        n
    }

    /// The most similar signature added, if its similarity is at least
    /// `threshold`, skipping those `skip` rejects; with the similarity.
    pub fn nearest(
        &self,
        sig: &Signature,
        threshold: f32,
        skip: impl Fn(u32) -> bool,
    ) -> Option<(u32, f32)> {
        let mut best: Option<(u32, f32)> = None;
        for key in bands(sig) {
            for &n in self.buckets.get(&key).map_or(&[][..], Vec::as_slice) {
                if skip(n) {
                    continue;
                }
                let s = similarity(sig, &self.sigs[n as usize]);
                if s >= threshold && best.is_none_or(|(_, b)| s > b) {
                    best = Some((n, s));
                }
            }
        }
        best
    }

    /// The numbers of signatures that nearly copy another one.
    pub fn with_near_copy(&self, threshold: f32) -> Vec<u32> {
        let mut has = vec![false; self.sigs.len()];
        for bucket in self.buckets.values() {
            for (i, &a) in bucket.iter().enumerate() {
                for &b in &bucket[i + 1..] {
                    if (!has[a as usize] || !has[b as usize])
                        && similarity(&self.sigs[a as usize], &self.sigs[b as usize]) >= threshold
                    {
                        has[a as usize] = true;
                        has[b as usize] = true;
                    }
                }
            }
        }
        (0..self.sigs.len() as u32)
            .filter(|n| has[*n as usize])
            .collect()
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn sig(text: &str) -> Signature {
        MinHash::of_text(text).unwrap().signature()
    }

    /// The exact Jaccard similarity of two texts' shingle sets.
    fn jaccard(a: &str, b: &str) -> f32 {
        let set = |t: &str| -> std::collections::HashSet<Vec<u64>> {
            let w = word_hashes(t);
            w.windows(SHINGLE.min(w.len()))
                .map(|s| s.to_vec())
                .collect()
        };
        let (a, b) = (set(a), set(b));
        a.intersection(&b).count() as f32 / a.union(&b).count() as f32
    }

    #[test]
    fn copies_that_differ_in_case_and_accents_are_the_same_text() {
        let a = sig("Juan Guaidó entered the National Assembly on Tuesday.");
        let b = sig("JUAN GUAIDO ENTERED THE NATIONAL ASSEMBLY ON TUESDAY");
        assert_eq!(similarity(&a, &b), 1.0);
        assert!(MinHash::of_text(" , ; ").is_none());
        assert_eq!(similarity(&a, &a[..10]), 0.0);
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_folded_and_spaceless_chars_alone() {
        let h = |w: &str| xxh3_64(w.as_bytes());
        assert_eq!(
            word_hashes("#Guaidó, l'Assemblée (2020) — @reporteYa"),
            ["guaido", "l", "assemblee", "2020", "reporteya"].map(h)
        );
        assert_eq!(
            word_hashes("中国 人民ok"),
            ["中", "国", "人", "民", "ok"].map(h)
        );
        assert_eq!(word_hashes("नमस्ते"), word_hashes("नमस्ते"));
        assert!(word_hashes(" ,;— ").is_empty());
    }

    /// The signature as computed before the probe table: each probe
    /// hashed anew. Stored signatures must not change with the table.
    fn signature_without_table(m: &MinHash) -> Signature {
        let mut s = [0u8; SIG_BYTES];
        let any = m.0.iter().any(|v| *v != EMPTY);
        for bin in 0..HASHES {
            let mut v = m.0[bin];
            let mut attempt = 0;
            while v == EMPTY && any {
                v = m.0[probe(bin, attempt)];
                attempt += 1;
            }
            s[bin / 2] |= nibble(bin, v) << (4 * (bin % 2));
        }
        s
    }

    #[test]
    fn the_probe_table_gives_the_signatures_of_hashed_probes() {
        // From one shingle (63 empty bins, some probing past the table)
        // to many (none empty).
        let words: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        for n in [1, 2, 3, 4, 5, 8, 20, 40, 70, 300] {
            let m = MinHash::of_text(&words[..n].join(" ")).unwrap();
            assert_eq!(m.signature(), signature_without_table(&m), "{n} words");
        }
        // A bin whose probes all miss the table's 256: one filled bin
        // that the first 256 probes of some empty bin never reach.
        let probes = probe_table();
        let (bin, filled) = (0..HASHES)
            .flat_map(|bin| (0..HASHES).map(move |f| (bin, f)))
            .find(|&(bin, f)| bin != f && !probes[bin].contains(&(f as u8)))
            .expect("some bin's first probes miss some bin");
        let mut m = MinHash::empty();
        m.0[filled] = 12345;
        assert_eq!(m.signature(), signature_without_table(&m), "bin {bin}");
    }

    /// The word scan as a char-by-char loop (before the ASCII fast path).
    fn word_hashes_by_char(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut Vec<u64>| {
            let folded = fold::fold(word);
            if !folded.is_empty() {
                out.push(xxh3_64(folded.as_bytes()));
            }
            word.clear();
        };
        for c in text.chars() {
            let word_char = tokenizer::is_alphabetic(c) || c.is_numeric();
            if word_char && !tokenizer::is_spaceless(c) {
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                flush(&mut word, &mut out);
            }
            if word_char {
                word.push(c);
                flush(&mut word, &mut out);
            }
        }
        if !word.is_empty() {
            flush(&mut word, &mut out);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn the_word_scan_cuts_as_the_char_loop(text in "[a-zA-Z0-9 ,.'éÉßñ中国ไทยनमस्ते\u{301}\u{64B}ـ٣²]{0,40}") {
            proptest::prop_assert_eq!(word_hashes(&text), word_hashes_by_char(&text));
        }
    }

    #[test]
    fn a_document_signature_is_the_union_of_its_passages() {
        let (p, q) = ("one two three four five", "six seven eight nine ten");
        let mut doc = MinHash::of_text(p).unwrap();
        doc.union(&MinHash::of_text(q).unwrap());
        // The union of the shingle sets, without those across the break.
        let mut want = MinHash::empty();
        for text in [p, q] {
            let w: Vec<u64> = text.split(' ').map(|w| xxh3_64(w.as_bytes())).collect();
            for s in w.windows(SHINGLE) {
                want.add(shingle_hash(s));
            }
        }
        assert_eq!(doc, want);
    }

    #[test]
    fn the_near_index_finds_copies_and_not_strangers() {
        let base = "the central bank raised interest rates by half a point on thursday \
                    citing inflation that has stayed above its target for a year";
        let edited = base.replace("thursday", "friday");
        let other = "heavy rain flooded the coastal towns and closed the main roads \
                     while rescue teams searched for people missing since monday";
        let mut idx = NearIndex::default();
        let a = idx.insert(sig(base));
        idx.insert(sig(other));
        let (n, s) = idx.nearest(&sig(&edited), 0.6, |_| false).expect("found");
        assert_eq!(n, a);
        assert!(s >= 0.6, "{s}");
        assert!(idx.nearest(&sig(&edited), 0.6, |n| n == a).is_none());
        idx.insert(sig(&edited));
        assert_eq!(idx.with_near_copy(0.6), [0, 2]);
    }

    #[test]
    fn long_texts_are_estimated_closely() {
        // 400 distinct words; copies with every k-th word replaced.
        let words: Vec<String> = (0..400).map(|i| format!("w{}", i * 7919 % 10007)).collect();
        let text = words.join(" ");
        for k in [5, 10, 20, 40, 400] {
            let edited: Vec<String> = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i % k == 3 {
                        format!("x{i}")
                    } else {
                        w.clone()
                    }
                })
                .collect();
            let edited = edited.join(" ");
            let (exact, est) = (
                jaccard(&text, &edited),
                similarity(&sig(&text), &sig(&edited)),
            );
            assert!((est - exact).abs() <= 0.15, "every {k}th: {est} vs {exact}");
        }
    }

    #[test]
    fn short_texts_that_differ_are_not_copies() {
        // One shingle each: every bin holds the same minimum after
        // densification. 2000 pairs of different one- and two-word texts;
        // keeping the minima's own low bits, about one pair in 16 came out
        // as an exact copy.
        let mut worst = 0.0f32;
        for i in 0..2000 {
            let (a, b) = (format!("w{i} x{i}"), format!("y{i}"));
            worst = worst.max(similarity(&sig(&a), &sig(&b)));
            assert_eq!(similarity(&sig(&a), &sig(&a)), 1.0);
        }
        assert!(worst < 0.3, "{worst}");
        // The pair that showed it.
        assert!(similarity(&sig("d a"), &sig("be b bfd")) < 0.3);
    }

    /// Pairs of texts sharing a run of words, drawn from a fixed seed:
    /// the estimate is a random variable, and a test of it must not fail
    /// one run in a thousand. Each estimate is within five standard
    /// errors of the exact Jaccard similarity — counting as samples the
    /// bins, or the shingles when there are fewer (densified bins copy
    /// the few there are) — and over all pairs the estimate is unbiased.
    #[test]
    fn the_estimate_follows_the_exact_similarity() {
        use proptest::strategy::{Strategy, ValueTree};
        use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
        let words = |max| proptest::collection::vec("[a-f]{1,3}", 0..max);
        let pairs = (words(60), words(30), words(30));
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let (mut cases, mut bias, mut worst) = (0, 0.0f64, 0.0f64);
        while cases < 3000 {
            let (common, left, right) = pairs.new_tree(&mut runner).unwrap().current();
            let a = [left, common.clone()].concat().join(" ");
            let b = [common, right].concat().join(" ");
            if a.trim().is_empty() || b.trim().is_empty() {
                continue;
            }
            cases += 1;
            let (exact, est) = (jaccard(&a, &b), similarity(&sig(&a), &sig(&b)));
            if a == b {
                assert_eq!(est, 1.0);
            }
            let w = word_hashes(&a).len().max(word_hashes(&b).len());
            let samples = w.clamp(1, HASHES) as f64;
            let p = f64::from(exact) + (1.0 - f64::from(exact)) / 16.0;
            let se = (p * (1.0 - p) / samples).sqrt() / (15.0 / 16.0);
            let err = f64::from(est) - f64::from(exact);
            assert!(
                err.abs() <= 5.0 * se + 1e-6,
                "{est} vs {exact} (5 se = {}) for {a:?} / {b:?}",
                5.0 * se
            );
            bias += err;
            worst = worst.max(err.abs() / se.max(1e-9));
        }
        let bias = bias / f64::from(cases);
        assert!(bias.abs() < 0.02, "mean error {bias}, worst {worst} se");
    }
}
