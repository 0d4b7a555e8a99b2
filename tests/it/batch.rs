//! `gazette batch`: order under parallelism, per-line errors, the co-process
//! pattern, TREC output.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use gazette::search::batch::{BatchAnswer, BatchFailure};

use crate::common::TestIndex;

/// Runs `gazette batch ARGS` with `input` on stdin; returns (stdout lines, exit code).
fn batch(idx: &TestIndex, input: &str, args: &[&str]) -> (Vec<String>, Option<i32>) {
    let out = crate::common::gazette()
        .arg("--index")
        .arg(idx.path())
        .arg("batch")
        .args(args)
        .write_stdin(input)
        .output()
        .expect("run gazette batch");
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    (
        text.lines().map(str::to_string).collect(),
        out.status.code(),
    )
}

#[test]
fn answers_come_back_in_input_order_under_parallelism() {
    let idx = TestIndex::corpus();
    let words = [
        "Guaido",
        "diputados",
        "lawmaker",
        "Parra",
        "Maduro",
        "chamber",
        "anthem",
        "Caracas",
    ];
    // 400 queries: plenty for the rayon pool to finish them out of order.
    let input: String = (0..400)
        .map(|i| format!("{}\n", words[i % words.len()]))
        .collect();
    let (lines, code) = batch(&idx, &input, &["--no-highlights", "--limit", "3"]);
    assert_eq!(code, Some(0));
    assert_eq!(lines.len(), 400);
    for (i, line) in lines.iter().enumerate() {
        let a: BatchAnswer = serde_json::from_str(line).expect("an answer");
        assert_eq!(a.id, serde_json::json!(i as u64 + 1), "line {i}");
        assert_eq!(a.response.query, words[i % words.len()]);
        assert!(!a.response.hits.is_empty(), "{}", a.response.query);
        assert!(
            a.response
                .hits
                .iter()
                .all(|h| h.passage.highlights.is_empty())
        );
    }
}

#[test]
fn a_bad_line_is_an_error_for_that_line_only() {
    let idx = TestIndex::corpus();
    let input = "Guaido\n\
                 # a comment\n\
                 \n\
                 {\"id\": \"q-json\", \"query\": \"diputados\", \"kind\": \"tweet\", \"limit\": 2}\n\
                 {\"query\": \n\
                 {\"id\": \"bad-opt\", \"query\": \"x\", \"colour\": \"red\"}\n\
                 {\"id\": \"empty\", \"query\": \"  \"}\n\
                 lawmaker\n";
    let (lines, code) = batch(&idx, input, &[]);
    assert_eq!(code, Some(3), "some queries failed");
    assert_eq!(lines.len(), 6, "{lines:#?}");
    let ok = |i: usize| serde_json::from_str::<BatchAnswer>(&lines[i]).expect("an answer");
    let failed = |i: usize| serde_json::from_str::<BatchFailure>(&lines[i]).expect("a failure");
    assert_eq!(ok(0).id, serde_json::json!(1));
    let q = ok(1);
    assert_eq!(q.id, serde_json::json!("q-json"));
    assert_eq!(q.response.hits.len(), 2);
    assert!(
        q.response
            .hits
            .iter()
            .all(|h| h.passage.kind == gazette::model::Kind::Tweet)
    );
    assert_eq!(failed(2).error.kind, "invalid_json");
    assert_eq!(failed(2).id, serde_json::json!(5));
    assert_eq!(failed(3).error.kind, "invalid_option");
    assert_eq!(failed(3).id, serde_json::json!("bad-opt"));
    assert!(failed(3).error.message.contains("colour"));
    assert_eq!(failed(4).error.kind, "empty_query");
    let last = ok(5);
    assert_eq!(last.id, serde_json::json!(8));
    assert_eq!(last.response.query, "lawmaker");
    // Invalid UTF-8 on one line.
    let out = crate::common::gazette()
        .arg("--index")
        .arg(idx.path())
        .arg("batch")
        .write_stdin(b"Guaido\n\xff\xfe\nParra\n".to_vec())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        serde_json::from_str::<BatchFailure>(lines[1])
            .unwrap()
            .error
            .kind,
        "invalid_utf8"
    );
    assert_eq!(
        serde_json::from_str::<BatchAnswer>(lines[2])
            .unwrap()
            .response
            .query,
        "Parra"
    );
}

#[test]
fn works_as_a_co_process() {
    let idx = TestIndex::corpus();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .arg("--index")
        .arg(idx.path())
        .args(["batch", "-", "--limit", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn gazette batch");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for (i, q) in ["Guaido", "diputados", "anthem"].iter().enumerate() {
        // Write one query, read its answer before writing the next.
        writeln!(stdin, "{q}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let a: BatchAnswer = serde_json::from_str(&line).expect("an answer");
        assert_eq!(a.id, serde_json::json!(i as u64 + 1));
        assert_eq!(a.response.query, *q);
        assert_eq!(a.response.hits.len(), 1);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn trec_output_is_valid_for_every_query() {
    let idx = TestIndex::corpus();
    let input = "q1\tGuaido\nq 2\tdiputados\nq3\tzzzznothing\n";
    for unit in ["doc", "passage"] {
        let (lines, code) = batch(
            &idx,
            input,
            &["--input-format", "tsv", "--format", "trec", "--unit", unit],
        );
        assert_eq!(code, Some(0));
        let mut seen = std::collections::HashMap::<String, Vec<(String, usize, f64)>>::new();
        for line in &lines {
            let f: Vec<&str> = line.split(' ').collect();
            assert_eq!(f.len(), 6, "{line}");
            assert_eq!((f[1], f[5]), ("Q0", "gazette"), "{line}");
            let rank: usize = f[3].parse().expect("rank");
            let score: f64 = f[4].parse().expect("score");
            seen.entry(f[0].to_string())
                .or_default()
                .push((f[2].to_string(), rank, score));
        }
        assert_eq!(seen.len(), 2, "{unit}: no line for a query without hits");
        assert!(
            seen.contains_key("q_2"),
            "a qid with a space is made one field"
        );
        for (qid, rows) in &seen {
            let ranks: Vec<usize> = rows.iter().map(|r| r.1).collect();
            assert_eq!(ranks, (1..=rows.len()).collect::<Vec<_>>(), "{qid}");
            assert!(
                rows.windows(2).all(|w| w[0].2 >= w[1].2),
                "{qid}: scores descend"
            );
            let ids: std::collections::HashSet<&String> = rows.iter().map(|r| &r.0).collect();
            assert_eq!(ids.len(), rows.len(), "{qid}: no docid twice");
            if unit == "passage" {
                assert!(rows.iter().all(|r| r.0.contains('#')), "{qid}");
            }
        }
        if unit == "doc" {
            assert_eq!(seen["q1"].len(), 3, "Guaido is in all three articles");
        }
    }
}

#[test]
fn repeated_passages_highlight_as_one_query_does() {
    // Batch keeps analyzed passages across queries: queries hitting the same
    // passages again (and the same passage with other terms, a phrase, in
    // another language) must get exactly what `gazette query` gives.
    let idx = TestIndex::corpus();
    let queries = [
        "Guaido",
        "diputados",
        "\"Asamblea Nacional\"",
        "Guaido diputados",
        "national assembly",
        "Guaido",
        "asamblea",
        "\"Asamblea Nacional\"",
    ];
    let input: String = queries.iter().map(|q| format!("{q}\n")).collect();
    let (lines, code) = batch(&idx, &input, &["--limit", "5"]);
    assert_eq!(code, Some(0));
    let mut highlighted = 0;
    for (line, q) in lines.iter().zip(queries) {
        let a: BatchAnswer = serde_json::from_str(line).expect("an answer");
        let one = idx.query(q, &["--limit", "5"]);
        assert_eq!(a.response.hits.len(), one.hits.len(), "{q}");
        for (b, o) in a.response.hits.iter().zip(&one.hits) {
            assert_eq!(b.passage.id, o.passage.id, "{q}");
            assert_eq!(b.passage.highlights, o.passage.highlights, "{q}");
            highlighted += usize::from(!b.passage.highlights.is_empty());
        }
    }
    assert!(highlighted > 8, "{highlighted}");
}
