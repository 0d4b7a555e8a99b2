//! Each language's share of the character-gram field: its gram terms
//! (counted per segment, as each commit writes them) and postings (the
//! passages holding each gram), beside all postings of the body field,
//! for the indexing-cost questions of BENCHMARKS.md ("Which records pay
//! it").
//!
//! `cargo run --release --example gram_postings -- INDEX_DIR`

use std::collections::BTreeMap;
use std::path::PathBuf;

use tantivy::schema::Field;

/// Per language tag (the term's text before `#`): terms and postings.
fn by_language(
    searcher: &tantivy::Searcher,
    field: Field,
) -> anyhow::Result<BTreeMap<String, (u64, u64)>> {
    let mut out: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for reader in searcher.segment_readers() {
        let inverted = reader.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let key = stream.key();
            let tag = match key.iter().position(|&b| b == b'#') {
                Some(i) => String::from_utf8_lossy(&key[..i]).into_owned(),
                None => "(untagged)".to_string(),
            };
            let row = out.entry(tag).or_default();
            row.0 += 1;
            row.1 += u64::from(stream.value().doc_freq);
        }
    }
    Ok(out)
}

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "index".into()));
    let g = gazette::index::open(&dir)?;
    let searcher = g.index.reader()?.searcher();
    let grams = by_language(&searcher, g.fields.body_gram)?;
    let gram_postings: u64 = grams.values().map(|r| r.1).sum();
    let gram_terms: u64 = grams.values().map(|r| r.0).sum();
    let body_postings: u64 = by_language(&searcher, g.fields.body)?
        .values()
        .map(|r| r.1)
        .sum();
    let mut rows: Vec<(&String, &(u64, u64))> = grams.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1.1));
    println!("| lang | gram terms | gram postings | share of gram postings |");
    println!("|---|---:|---:|---:|");
    for (lang, &(terms, postings)) in rows {
        println!(
            "| {lang} | {terms} | {postings} | {:.1}% |",
            100.0 * postings as f64 / gram_postings as f64
        );
    }
    println!("| all | {gram_terms} | {gram_postings} | 100% |");
    println!("\nbody postings (every language): {body_postings}");
    Ok(())
}
