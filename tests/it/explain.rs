//! `--explain`: every hit's explanation tree adds up to its score.

use gazette::search::explain::{Combine, Explanation};

use crate::common::TestIndex;

/// Every node whose description says it is a sum, product or result
/// matches its details; the root is the hit's score.
fn check(query: &str, args: &[&str], idx: &TestIndex) -> usize {
    let mut all = vec!["--explain", "--limit", "30"];
    all.extend_from_slice(args);
    let resp = idx.query(query, &all);
    for hit in &resp.hits {
        let e = hit
            .explain
            .as_ref()
            .unwrap_or_else(|| panic!("{query}: {} has no explanation", hit.passage.id));
        let scale = hit.score.abs().max(1.0);
        assert!(
            (e.value - hit.score).abs() <= 1e-5 * scale,
            "{query}: {} scores {} but explains {}",
            hit.passage.id,
            hit.score,
            e.value
        );
        if let Some(bad) = e.inconsistency(1e-4) {
            panic!(
                "{query}: {}: a part does not add up: {}\n{}",
                hit.passage.id,
                bad.description,
                e.lines().join("\n")
            );
        }
        // Every BM25 term names its field, tf, df, length and weight.
        visit(e, &mut |node| {
            if node.description.starts_with("weight(") {
                assert_eq!(node.combine(), Combine::Product, "{}", node.description);
                let inputs: Vec<&str> = node
                    .details
                    .iter()
                    .flat_map(|d| d.details.iter())
                    .map(|d| d.description.as_str())
                    .collect();
                for what in ["freq", "dl,", "avgdl", "n,", "N,"] {
                    assert!(
                        inputs.iter().any(|i| i.starts_with(what)),
                        "{}: no {what} among {inputs:?}",
                        node.description
                    );
                }
            }
        });
    }
    resp.hits.len()
}

fn visit(e: &Explanation, f: &mut dyn FnMut(&Explanation)) {
    f(e);
    for d in &e.details {
        visit(d, f);
    }
}

#[test]
fn explanations_add_up_to_the_score_on_the_sample_corpus() {
    let idx = TestIndex::corpus();
    let mut hits = 0;
    for (q, args) in [
        ("Guaidó national assembly", &[][..]),
        ("\"National Guard\" deputies", &[]),
        ("title:guaido parliament", &[]),
        ("+guaido -maduro", &["--per-article", "1"]),
        ("diputados", &["--kind", "tweet"]),
        ("assembly", &["--since", "2020-01-01", "--lang", "en"]),
    ] {
        hits += check(q, args, &idx);
    }
    assert!(hits > 60, "only {hits} hits checked");
}

#[test]
fn explanations_add_up_on_the_multilingual_fixture() {
    let idx = TestIndex::multilingual();
    let mut hits = 0;
    for q in [
        "tsunami Indonesia",
        "terremoto",
        "\"Sutopo Purwo\" agency",
        "Erdbeben",
        "地震",
    ] {
        hits += check(q, &[], &idx);
    }
    assert!(hits > 10, "only {hits} hits checked");
}

#[test]
fn the_parts_are_the_title_the_document_and_each_term() {
    let idx = TestIndex::corpus();
    let resp = idx.query("Guaidó assembly", &["--explain", "--limit", "1"]);
    let e = resp.hits[0].explain.as_ref().unwrap();
    assert_eq!(e.combine(), Combine::Sum);
    let parts: Vec<&str> = e.details.iter().map(|d| d.description.as_str()).collect();
    assert!(parts.iter().any(|p| p.starts_with("title:")), "{parts:?}");
    let evidence = e
        .details
        .iter()
        .find(|d| {
            d.details
                .iter()
                .any(|x| x.description.starts_with("document evidence"))
        })
        .expect("document evidence");
    assert_eq!(evidence.details[0].description, "boost");
    assert_eq!(evidence.details[0].value, 2.0);
    // Without --explain: no explanation in the JSON at all.
    let out = idx
        .query_cmd("Guaidó", &["--format", "json", "--limit", "1"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["hits"][0].get("explain").is_none(), "{v}");
    // Text output: an indented tree under the hit.
    let out = idx
        .query_cmd("Guaidó", &["--explain", "--limit", "1", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let tree: Vec<&str> = text.lines().filter(|l| l.contains("sum of:")).collect();
    assert!(tree.len() >= 2, "{text}");
    assert!(
        text.contains("      ") && text.contains("weight(body:"),
        "{text}"
    );
}
