//! Accuracy of gazette's language detection per language, on the shared
//! corpora's tweets (tweets-xlmt) and XQuAD-R sentences.
//! Run: `cargo run --release --example lang_accuracy [../shared/corpora]`.

use std::collections::BTreeMap;
use std::io::BufRead;

use gazette::analysis::lang;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpora".into());
    for (name, file, field) in [
        ("tweets-xlmt", "tweets-xlmt/tweets.jsonl.gz", "text"),
        ("ir-xquad-r sentences", "ir-xquad-r/docs.jsonl.gz", "body"),
    ] {
        let path = format!("{root}/{file}");
        let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
            std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?,
        ));
        // lang -> (right, total, reliable, right among reliable)
        let mut counts: BTreeMap<String, [u64; 4]> = BTreeMap::new();
        let mut guesses: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for line in reader.lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            let (Some(want), Some(text)) = (v["lang"].as_str(), v[field].as_str()) else {
                continue;
            };
            let got = lang::detect(text);
            let c = counts.entry(want.to_string()).or_default();
            c[1] += 1;
            if let Some(d) = got {
                if d.lang == want {
                    c[0] += 1;
                }
                if d.reliable {
                    c[2] += 1;
                    c[3] += u64::from(d.lang == want);
                }
                *guesses
                    .entry(want.to_string())
                    .or_default()
                    .entry(d.lang.to_string())
                    .or_default() += 1;
            }
        }
        println!(
            "\n{name}\n\n| lang | n | accuracy | reliable share | accuracy when reliable | most frequent guesses |"
        );
        println!("|---|---:|---:|---:|---:|---|");
        let (mut right, mut total) = (0, 0);
        for (l, [ok, n, rel, rel_ok]) in &counts {
            right += ok;
            total += n;
            let mut top: Vec<(&String, &u64)> = guesses[l].iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1));
            let top: Vec<String> = top
                .iter()
                .take(3)
                .map(|(g, n)| format!("{g} {n}"))
                .collect();
            println!(
                "| {l} | {n} | {:.1}% | {:.1}% | {:.1}% | {} |",
                100.0 * *ok as f64 / *n as f64,
                100.0 * *rel as f64 / *n as f64,
                100.0 * *rel_ok as f64 / (*rel).max(1) as f64,
                top.join(", ")
            );
        }
        println!(
            "| all | {total} | {:.1}% | | | |",
            100.0 * right as f64 / total.max(1) as f64
        );
    }
    Ok(())
}
