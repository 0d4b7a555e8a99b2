//! Near-duplicates: `query --collapse`, `stats`, `index --skip-duplicates`,
//! on a fixture of a wire story, an edited copy (headline rewritten, a word
//! changed, the last paragraph dropped), a re-published correction and
//! another story of the same topic.

use std::path::PathBuf;

use crate::common::{TestIndex, gazette};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/duplicates.jsonl")
}

fn dup_ids(hit: &gazette::search::Hit) -> Vec<&str> {
    hit.duplicates
        .iter()
        .map(|d| d.passage_id.as_str())
        .collect()
}

#[test]
fn collapse_keeps_the_best_copy_and_lists_the_others() {
    let idx = TestIndex::build(&[&fixture()]);
    let plain = idx.query("governor reporters Santiago", &[]);
    let ids: Vec<&str> = plain.hits.iter().map(|h| h.passage.id.as_str()).collect();
    // Three copies of one paragraph (one with "Rosanna M." for "Rosanna").
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ["outlet-2#1", "outlet-3#1", "wire-1#1"]);
    assert!(plain.hits.iter().all(|h| h.duplicates.is_empty()));
    let collapsed = idx.query("governor reporters Santiago", &["--collapse"]);
    assert_eq!(collapsed.hits.len(), 1);
    let best = &collapsed.hits[0];
    assert_eq!(best.passage.id, ids[0]);
    let mut dups = dup_ids(best);
    dups.sort();
    let mut others: Vec<&str> = ids[1..].to_vec();
    others.sort();
    assert_eq!(dups, others);
    for (d, h) in best.duplicates.iter().zip(&plain.hits[1..]) {
        assert_eq!(d.passage_id, h.passage.id);
        assert_eq!(d.doc_id, h.doc.id);
        assert_eq!(d.score, h.score);
    }
    // A threshold above their similarity keeps the edited paragraph apart.
    let strict = idx.query(
        "governor reporters Santiago",
        &["--collapse", "--collapse-threshold", "1"],
    );
    assert!(strict.hits.len() >= 2, "{:?}", strict.hits.len());
}

#[test]
fn text_output_collapses_unless_told_not_to() {
    let idx = TestIndex::build(&[&fixture()]);
    let run = |args: &[&str]| {
        let out = idx
            .query_cmd("copper price peso", args)
            .args(["--color", "never"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&[]);
    assert!(text.contains("+2 similar (ids "), "{text}");
    let all = run(&["--no-collapse"]);
    assert!(!all.contains("similar (ids"), "{all}");
    assert!(all.matches("#1 ").count() >= 3, "{all}");
    // JSON does not collapse by default, and always has "duplicates".
    let json = idx.query("copper price peso", &[]);
    assert!(json.hits.len() >= 3);
    let out = idx
        .query_cmd("copper", &["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hits"][0]["duplicates"], serde_json::json!([]));
}

#[test]
fn batch_lines_choose_collapse() {
    let idx = TestIndex::build(&[&fixture()]);
    let input = "{\"id\": \"a\", \"query\": \"governor Santiago\", \"collapse\": true}\n\
                 {\"id\": \"b\", \"query\": \"governor Santiago\"}\n\
                 {\"id\": \"c\", \"query\": \"x\", \"collapse_threshold\": 2}\n";
    let out = gazette()
        .arg("--index")
        .arg(idx.path())
        .arg("batch")
        .write_stdin(input)
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["hits"].as_array().unwrap().len(), 1);
    assert_eq!(
        lines[0]["hits"][0]["duplicates"].as_array().unwrap().len(),
        2
    );
    assert_eq!(lines[1]["hits"].as_array().unwrap().len(), 3);
    assert_eq!(lines[2]["error"]["kind"], "invalid_option");
}

#[test]
fn stats_count_documents_with_a_near_duplicate() {
    let idx = TestIndex::build(&[&fixture()]);
    let out = gazette()
        .arg("--index")
        .arg(idx.path())
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    let stats: gazette::index::stats::Stats = serde_json::from_slice(&out.stdout).unwrap();
    // wire-1 and its correction outlet-3; the edited copy lost a fifth of
    // its word triples (under 0.8), the copper story shares none.
    assert_eq!(stats.documents, 4);
    assert_eq!(stats.near_duplicates, 2);
}

#[test]
fn skip_duplicates_leaves_out_copies_and_names_what_they_copy() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let run = |args: &[&str]| {
        let out = gazette()
            .arg("--index")
            .arg(&index)
            .arg("index")
            .args(args)
            .arg(fixture())
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let s: gazette::index::writer::Summary = serde_json::from_slice(&out.stdout).unwrap();
        s
    };
    let s = run(&["--skip-duplicates"]);
    assert_eq!((s.added, s.duplicates), (3, 1));
    assert_eq!(s.duplicate_of.len(), 1);
    assert_eq!(s.duplicate_of[0].id, "outlet-3");
    assert_eq!(s.duplicate_of[0].copies, "wire-1");
    assert!(s.duplicate_of[0].similarity >= 0.8);
    // A lower threshold also takes the edited copy, against the index.
    let dir2 = tempfile::tempdir().unwrap();
    let out = gazette()
        .arg("--index")
        .arg(dir2.path().join("i"))
        .args(["index", "--skip-duplicates", "--duplicate-threshold", "0.5"])
        .arg(fixture())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let s: gazette::index::writer::Summary = serde_json::from_slice(&out.stdout).unwrap();
    let mut copies: Vec<(String, String)> = s
        .duplicate_of
        .iter()
        .map(|d| (d.id.clone(), d.copies.clone()))
        .collect();
    copies.sort();
    assert_eq!(
        copies,
        [
            ("outlet-2".to_string(), "wire-1".to_string()),
            ("outlet-3".to_string(), "wire-1".to_string())
        ]
    );
    assert_eq!(s.added, 2);
    // Without the option every document is indexed.
    let s = run(&[]);
    assert_eq!(s.duplicates, 0);
}
