//! Language identification compared side by side, per language: accuracy
//! and speed of gazette's identification and of the candidates it was
//! chosen against, on the shared corpora's tweets (tweets-xlmt), XQuAD-R
//! sentences and news articles (every `news-*`), whose `lang` fields are
//! the truth. Each detector sees what gazette identifies a document on: the
//! first 512 bytes of the text (a news article's body).
//!
//! Run: `cargo run --release --example lang_accuracy [../shared/corpora]`.
//! Speed is single-threaded wall time per text; the first call (lazy
//! tables) and py3langid_rs's model loading are reported apart.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::time::Instant;

use gazette::analysis::{lang, langid};
use whatlang::{Detector, Lang};

/// A detector: a name, and the code it gives a text (`None`: no answer).
type Detect = Box<dyn Fn(&str) -> Option<String>>;

fn detectors() -> Vec<(&'static str, Detect)> {
    // The whatlang languages whose analysis differs (a stemmer, or
    // Vietnamese marks): an allowlist cuts whatlang's work.
    let allow: Vec<Lang> = Lang::all()
        .iter()
        .copied()
        .filter(|l| gazette::analysis::stem::STEMMED_LANGUAGES.contains(&lang::iso639_1(*l)))
        .collect();
    let allowlist = Detector::with_allowlist(allow);
    let load = Instant::now();
    let py3 = py3langid_rs::LanguageIdentifier::new();
    println!(
        "py3langid_rs: model loaded in {:.1} ms",
        load.elapsed().as_secs_f64() * 1e3
    );
    vec![
        (
            "whatlang",
            Box::new(|t: &str| whatlang::detect(langid::sample(t)).map(|i| code(i.lang()))),
        ),
        (
            "whatlang, stemmed languages only",
            Box::new(move |t: &str| allowlist.detect(langid::sample(t)).map(|i| code(i.lang()))),
        ),
        (
            "whichlang",
            Box::new(|t: &str| {
                lang::normalize(whichlang::detect_language(langid::sample(t)).three_letter_code())
            }),
        ),
        (
            "py3langid_rs",
            Box::new(move |t: &str| Some(py3.classify(langid::sample(t)).0)),
        ),
        (
            "gazette (langid)",
            Box::new(|t: &str| langid::identify(t).map(|d| d.lang.to_string())),
        ),
    ]
}

fn code(l: Lang) -> String {
    lang::iso639_1(l).to_string()
}

/// `(truth, text)` of every record of `files` with both.
fn texts(root: &str, files: &[String], field: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for file in files {
        let path = format!("{root}/{file}");
        let f = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
        let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(f));
        for line in reader.lines() {
            let line = line.map_err(|e| format!("{path}: {e}"))?;
            let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
            if let (Some(want), Some(text)) = (v["lang"].as_str(), v[field].as_str())
                && !text.trim().is_empty()
            {
                out.push((want.to_string(), text.to_string()));
            }
        }
    }
    Ok(out)
}

/// Runs every detector over `data`: per-language right answers, and
/// (µs per text, ms of the first call).
fn score(data: &[(String, String)], dets: &[(&str, Detect)]) -> (Vec<Vec<bool>>, Vec<(f64, f64)>) {
    let mut right = Vec::new();
    let mut speed = Vec::new();
    for (_, det) in dets {
        let first = Instant::now();
        let got0 = det(&data[0].1);
        let first_ms = first.elapsed().as_secs_f64() * 1e3;
        let start = Instant::now();
        let mut got = vec![got0];
        got.extend(data[1..].iter().map(|(_, t)| det(t)));
        let us = start.elapsed().as_secs_f64() * 1e6 / (data.len() - 1).max(1) as f64;
        right.push(
            data.iter()
                .zip(&got)
                .map(|((want, _), g)| g.as_deref() == Some(want.as_str()))
                .collect(),
        );
        speed.push((us, first_ms));
    }
    (right, speed)
}

fn print_table(name: &str, data: &[(String, String)], dets: &[(&str, Detect)]) {
    let (right, speed) = score(data, dets);
    let mut by_lang: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (want, _)) in data.iter().enumerate() {
        by_lang.entry(want).or_default().push(i);
    }
    let names: Vec<&str> = dets.iter().map(|d| d.0).collect();
    println!("\n{name}: accuracy per language\n");
    println!("| lang | n | {} |", names.join(" | "));
    println!("|---|---:|{}", "---:|".repeat(names.len()));
    let pct = |ok: usize, n: usize| format!("{:.1}%", 100.0 * ok as f64 / n.max(1) as f64);
    for (l, idx) in &by_lang {
        let cells: Vec<String> = right
            .iter()
            .map(|r| pct(idx.iter().filter(|&&i| r[i]).count(), idx.len()))
            .collect();
        println!("| {l} | {} | {} |", idx.len(), cells.join(" | "));
    }
    let all: Vec<String> = right
        .iter()
        .map(|r| pct(r.iter().filter(|&&b| b).count(), r.len()))
        .collect();
    println!("| all | {} | {} |", data.len(), all.join(" | "));
    let us: Vec<String> = speed.iter().map(|s| format!("{:.1}", s.0)).collect();
    println!("| µs per text | | {} |", us.join(" | "));
    let first: Vec<String> = speed.iter().map(|s| format!("{:.2}", s.1)).collect();
    println!("| first call, ms | | {} |", first.join(" | "));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpora".into());
    let mut news: Vec<String> = std::fs::read_dir(&root)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("news-"))
        .map(|n| format!("{n}/news.jsonl.gz"))
        .collect();
    news.sort();
    let dets = detectors();
    for (name, files, field) in [
        (
            "tweets-xlmt",
            vec!["tweets-xlmt/tweets.jsonl.gz".into()],
            "text",
        ),
        (
            "ir-xquad-r sentences",
            vec!["ir-xquad-r/docs.jsonl.gz".into()],
            "body",
        ),
        ("news (every news-* corpus; body)", news, "body"),
    ] {
        let data = texts(&root, &files, field)?;
        print_table(name, &data, &dets);
    }
    Ok(())
}
