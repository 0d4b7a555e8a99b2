//! `gazette passages`: the passages gazette would index, as JSON Lines.

use gazette::index::build::PassageView;
use gazette::index::stats::Stats;
use gazette::model::Kind;
use gazette::search::hit::Span;

use crate::common::{TestIndex, corpus_dir, gazette};

fn passages(args: &[&str], stdin: &str) -> (Vec<PassageView>, String, Option<i32>) {
    let out = gazette()
        .arg("passages")
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("gazette runs");
    let views = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a PassageView per line"))
        .collect();
    (
        views,
        String::from_utf8(out.stderr).expect("utf-8"),
        out.status.code(),
    )
}

#[test]
fn passages_prints_each_passage_with_its_language_and_offsets() {
    let input = concat!(
        r#"{"id": "a1", "title": "Elecciones", "lang": "es", "body": "Él votó el domingo en Caracas, en una escuela del centro de la ciudad.\n\nLa Asamblea Nacional eligió a su presidente tras una larga sesión de debate."}"#,
        "\n",
        "not json\n",
        r#"{"id": "t1", "type": "tweet", "text": "Guaidó presta juramento como presidente de la Asamblea Nacional de Venezuela"}"#,
        "\n",
    );
    let (views, stderr, code) = passages(&["-"], input);
    let first = "Él votó el domingo en Caracas, en una escuela del centro de la ciudad.";
    let second = "La Asamblea Nacional eligió a su presidente tras una larga sesión de debate.";
    let tweet = "Guaidó presta juramento como presidente de la Asamblea Nacional de Venezuela";
    let expected = vec![
        PassageView {
            id: "a1#0".into(),
            doc_id: "a1".into(),
            position: 0,
            kind: Kind::Article,
            lang: "es".into(),
            doc_lang: "es".into(),
            title: Some("Elecciones".into()),
            text: first.into(),
            offset: Span {
                start: 0,
                end: first.len(),
                char_start: 0,
                char_end: first.chars().count(),
            },
        },
        PassageView {
            id: "a1#1".into(),
            doc_id: "a1".into(),
            position: 1,
            kind: Kind::Article,
            lang: "es".into(),
            doc_lang: "es".into(),
            title: Some("Elecciones".into()),
            text: second.into(),
            offset: Span {
                start: first.len() + 2,
                end: first.len() + 2 + second.len(),
                char_start: first.chars().count() + 2,
                char_end: first.chars().count() + 2 + second.chars().count(),
            },
        },
        PassageView {
            id: "t1#0".into(),
            doc_id: "t1".into(),
            position: 0,
            kind: Kind::Tweet,
            lang: "es".into(),
            doc_lang: "es".into(),
            title: None,
            text: tweet.into(),
            offset: Span {
                start: 0,
                end: tweet.len(),
                char_start: 0,
                char_end: tweet.chars().count(),
            },
        },
    ];
    assert_eq!(views, expected);
    assert_eq!(code, Some(3), "a rejected record exits 3");
    assert!(stderr.contains("-:2: malformed JSON"), "{stderr}");
}

#[test]
fn passages_are_the_passages_that_index_stores() {
    let (views, stderr, code) = passages(&[corpus_dir().to_str().expect("utf-8 path")], "");
    assert_eq!(code, Some(0), "{stderr}");
    let ix = TestIndex::corpus();
    let out = gazette()
        .args([
            "--index",
            ix.path().to_str().expect("path"),
            "stats",
            "--format",
            "json",
        ])
        .output()
        .expect("gazette stats");
    let stats: Stats = serde_json::from_slice(&out.stdout).expect("stats JSON");
    assert_eq!(views.len() as u64, stats.passages);
    let docs: std::collections::BTreeSet<&str> = views.iter().map(|v| v.doc_id.as_str()).collect();
    assert_eq!(docs.len() as u64, stats.documents);
    // Every passage printed is found in the index under its id, with its text.
    let v = &views[views.len() / 2];
    let hits = ix.query_jsonl(
        &format!(
            "\"{}\"",
            v.text
                .split_whitespace()
                .take(6)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        &[],
    );
    assert!(
        hits.iter()
            .any(|h| h.passage.id == v.id && h.passage.text == v.text),
        "{} not found: {hits:?}",
        v.id
    );
}
