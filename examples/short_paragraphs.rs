//! Short paragraphs of ir-news-headlines by language and source: those of
//! ten words or fewer (the short-paragraph rule's limit,
//! `passages::SHORT_MAX_WORDS`), and the share of them that are sentences
//! (`MIN_SENTENCE_WORDS` words or more that `passages::ends_sentence`),
//! which the rule leaves a passage of their own; the others join a
//! neighbour. Counted with the cutting's own functions, on the body's
//! lines (NTREX, MasakhaNEWS and Reuters write a paragraph a line).
//!
//! Run: `cargo run --release --example short_paragraphs [LANG...]`
//! (default: every language), from the project's root.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};

use gazette::ingest::passages::{MIN_SENTENCE_WORDS, SHORT_MAX_WORDS, ends_sentence, word_count};

fn main() -> anyhow::Result<()> {
    let path = "../shared/corpora/ir-news-headlines/docs.jsonl.gz";
    let langs: BTreeSet<String> = std::env::args().skip(1).collect();
    let file = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    // (lang, source) -> (paragraphs, short ones, short sentences)
    let mut n: BTreeMap<(String, String), [usize; 3]> = BTreeMap::new();
    for line in reader.lines() {
        let d: serde_json::Value = serde_json::from_str(&line?)?;
        let lang = d["lang"].as_str().unwrap_or("und").to_string();
        if !langs.is_empty() && !langs.contains(&lang) {
            continue;
        }
        let id = d["id"].as_str().unwrap_or("");
        let source = id.split('-').next().unwrap_or("").to_string();
        let c = n.entry((lang, source)).or_default();
        for p in d["body"].as_str().unwrap_or("").split('\n') {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            c[0] += 1;
            let words = word_count(p);
            if words <= SHORT_MAX_WORDS {
                c[1] += 1;
                if words >= MIN_SENTENCE_WORDS && ends_sentence(p) {
                    c[2] += 1;
                }
            }
        }
    }
    println!("| lang | source | paragraphs | short | of them sentences |");
    println!("|---|---|---:|---:|---:|");
    for ((lang, source), [all, short, sentences]) in n {
        let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
        println!(
            "| {lang} | {source} | {all} | {:.1}% | {:.0}% |",
            pct(short, all),
            pct(sentences, short)
        );
    }
    Ok(())
}
