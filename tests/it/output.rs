//! Output: JSON and JSON Lines against the schema, offsets, raw keys,
//! colour and control characters, exit codes, a closed pipe.

use std::io::Read;
use std::process::Stdio;

use gazette::search::Response;
use serde_json::Value;

use crate::common::{TestIndex, char_slice, corpus_dir, gazette, marked};

/// Queries whose every hit is checked against the corpus files.
const QUERIES: &[(&str, &[&str])] = &[
    ("", &["--limit", "100"]),
    ("Guaido", &["--limit", "100"]),
    ("diputados", &["--kind", "tweet"]),
    ("deputes", &[]),
    ("\"National Guard\"", &[]),
    ("lawmaker", &["--limit", "100"]),
];

#[test]
fn json_and_jsonl_parse_into_the_library_types() {
    let idx = TestIndex::corpus();
    for (q, args) in QUERIES {
        let resp = idx.query(q, args);
        assert_eq!(resp.query, *q);
        assert!(resp.took_ms >= 0.0);
        assert!(resp.total >= resp.hits.len());
        let ranks: Vec<usize> = resp.hits.iter().map(|h| h.rank).collect();
        assert_eq!(ranks, (1..=resp.hits.len()).collect::<Vec<_>>(), "{q}");
        for w in resp.hits.windows(2) {
            assert!(w[0].score >= w[1].score, "{q}: hits not sorted by score");
        }

        // JSON Lines: the same hits, one per line.
        let lines = idx.query_jsonl(q, args);
        assert_eq!(lines, resp.hits, "{q}: jsonl and json disagree");
    }
}

#[test]
fn offsets_select_the_passage_in_the_original_file() {
    let idx = TestIndex::corpus();
    let mut checked = 0;
    for (q, args) in QUERIES {
        for hit in idx.query(q, args).hits {
            let path = corpus_dir().join(&hit.doc.id);
            let content = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let p = &hit.passage;
            let o = p.offset;
            assert_eq!(
                content.get(o.start..o.end),
                Some(p.text.as_str()),
                "{}: byte offset {o:?} does not select the passage",
                p.id
            );
            assert_eq!(
                char_slice(&content, o.char_start, o.char_end),
                p.text,
                "{}: char offset {o:?} does not select the passage",
                p.id
            );
            // And every highlight lands on the same text in the file.
            for h in &p.highlights {
                assert_eq!(
                    &content[o.start + h.start..o.start + h.end],
                    char_slice(
                        &content,
                        o.char_start + h.char_start,
                        o.char_start + h.char_end
                    ),
                    "{}",
                    p.id
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} hits checked");
}

/// Every key of the schema is present; missing values are `null`.
fn assert_schema(resp: &Value) {
    let obj = resp.as_object().expect("response is an object");
    for key in ["query", "total", "took_ms", "warnings", "hits"] {
        assert!(obj.contains_key(key), "response lacks {key:?}");
    }
    assert!(resp["query"].is_string());
    assert!(resp["total"].is_u64());
    assert!(resp["took_ms"].is_number());
    assert!(resp["warnings"].is_array());
    for hit in resp["hits"].as_array().unwrap() {
        let keys = |v: &Value, want: &[&str], what: &str| {
            let o = v
                .as_object()
                .unwrap_or_else(|| panic!("{what} is not an object: {v}"));
            for k in want {
                assert!(o.contains_key(*k), "{what} lacks {k:?}: {v}");
            }
        };
        keys(hit, &["rank", "score", "passage", "doc", "tweet"], "hit");
        keys(
            &hit["passage"],
            &["id", "kind", "lang", "text", "offset", "highlights"],
            "passage",
        );
        keys(
            &hit["passage"]["offset"],
            &["start", "end", "char_start", "char_end"],
            "offset",
        );
        for h in hit["passage"]["highlights"].as_array().unwrap() {
            keys(h, &["start", "end", "char_start", "char_end"], "highlight");
        }
        keys(
            &hit["doc"],
            &["id", "kind", "title", "date", "source", "url", "lang"],
            "doc",
        );
        let tweet = &hit["tweet"];
        assert!(tweet.is_null() || tweet.is_object(), "tweet: {tweet}");
        if tweet.is_object() {
            keys(
                tweet,
                &["author", "handle", "date", "hashtags", "mentions", "links"],
                "tweet",
            );
        }
        let kind = hit["passage"]["kind"].as_str().unwrap();
        assert!(kind == "article" || kind == "tweet", "kind {kind:?}");
        assert_eq!(kind == "tweet", tweet.is_object(), "tweet iff kind tweet");
    }
}

#[test]
fn raw_json_has_every_key_and_null_for_missing_values() {
    let idx = TestIndex::corpus();
    let out = idx
        .query_cmd("Guaido", &["--limit", "100", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_schema(&v);
    let hits = v["hits"].as_array().unwrap();

    // An undated text article: date, source and url are present and null;
    // its paragraphs have `"tweet": null`.
    let undated = hits
        .iter()
        .find(|h| h["doc"]["id"] == "000_76612771bb08419c.txt")
        .expect("a hit from 000");
    let doc = undated["doc"].as_object().unwrap();
    assert_eq!(doc.get("date"), Some(&Value::Null));
    assert_eq!(doc.get("source"), Some(&Value::Null));
    assert_eq!(doc.get("url"), Some(&Value::Null));
    assert_eq!(
        undated.as_object().unwrap().get("tweet"),
        Some(&Value::Null)
    );
    assert!(doc["title"].is_string());

    // A quoted tweet: metadata filled in.
    let tweet = hits
        .iter()
        .find(|h| h["passage"]["id"] == "001_909ce76226cad930.txt#10")
        .expect("the BenjiDelylo tweet");
    assert_eq!(tweet["tweet"]["handle"], "BenjiDelylo");
    assert_eq!(tweet["tweet"]["date"], "2020-01-07");
    assert_eq!(tweet["tweet"]["mentions"], Value::Array(vec![]));
    assert_eq!(tweet["doc"]["date"], "2020-01-07");
    assert_eq!(tweet["passage"]["kind"], "tweet");
    assert_eq!(tweet["doc"]["kind"], "article");

    // JSON Lines: the same keys on each line.
    let out = idx
        .query_cmd("Guaido", &["--limit", "100", "--format", "jsonl"])
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), hits.len());
    assert_schema(&serde_json::json!({
        "query": "", "total": 0, "took_ms": 0.0, "warnings": [], "hits": lines
    }));
}

#[test]
fn standalone_tweet_json_has_null_author_handle_date_title() {
    let idx = TestIndex::multilingual();
    let out = idx
        .query_cmd("", &["--kind", "tweet", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_schema(&v);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 5);
    for hit in hits {
        let t = hit["tweet"].as_object().expect("tweet object");
        for k in ["author", "handle", "date"] {
            assert_eq!(t.get(k), Some(&Value::Null), "tweet.{k} in {hit}");
        }
        let d = hit["doc"].as_object().unwrap();
        for k in ["title", "date", "source", "url"] {
            assert_eq!(d.get(k), Some(&Value::Null), "doc.{k} in {hit}");
        }
        assert_eq!(hit["doc"]["kind"], "tweet");
    }
}

#[test]
fn exit_codes() {
    let idx = TestIndex::corpus();
    // 0: hits.
    idx.query_cmd("Guaido", &[]).assert().code(0);
    // 1: a query that matches nothing; the JSON still parses and is empty.
    let out = idx
        .query_cmd("zzyzxqqq", &["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let resp: Response = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(resp.total, 0);
    assert!(resp.hits.is_empty());
    // 1 too when filters exclude everything.
    idx.query_cmd("Guaido", &["--since", "2030-01-01"])
        .assert()
        .code(1);

    // 2: an empty folder is not an index.
    let empty = tempfile::tempdir().unwrap();
    let out = gazette()
        .arg("--index")
        .arg(empty.path())
        .args(["query", "Guaido"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no gazette index"), "{stderr}");
    // Querying must not have created an index there.
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);

    // 2: bad dates.
    for args in [
        &["--since", "2020-13-45"][..],
        &["--until", "yesterday"],
        &["--since", "2020-01-08", "--until", "2020-01-01"],
    ] {
        let out = idx.query_cmd("Guaido", args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}: no message");
    }
    // 2: unknown --kind, invalid --lang.
    idx.query_cmd("Guaido", &["--kind", "video"])
        .assert()
        .code(2);
    let out = idx
        .query_cmd("Guaido", &["--lang", "123"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid language"));
}

#[test]
fn index_reports_rejected_records_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("mixed.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"title\":\"T\",\"body\":\"hello world\"}\n\
         not json\n\
         {\"id\":\"b\",\"text\":\"hola mundo\",\"lang\":\"es\"}\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    let out = gazette()
        .arg("--index")
        .arg(&index)
        .arg("index")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mixed.jsonl:2:"), "{stderr}");
    // The good records are indexed.
    let out = gazette()
        .arg("--index")
        .arg(&index)
        .args(["query", "", "--format", "json"])
        .output()
        .unwrap();
    let resp: Response = serde_json::from_slice(&out.stdout).unwrap();
    let mut docs: Vec<&str> = resp.hits.iter().map(|h| h.doc.id.as_str()).collect();
    docs.sort_unstable();
    assert_eq!(docs, ["a", "b"]);
}

#[test]
fn color_never_has_no_escape_and_always_has() {
    let idx = TestIndex::corpus();
    let never = idx
        .query_cmd("Guaido", &["--color", "never", "--limit", "100"])
        .output()
        .unwrap();
    assert_eq!(never.status.code(), Some(0));
    assert!(!never.stdout.contains(&0x1b), "ESC with --color never");
    let text = String::from_utf8(never.stdout).unwrap();
    assert!(text.contains("[Guaidó]"), "highlight not bracketed: {text}");
    assert!(text.contains("@BenjiDelylo"));

    let always = idx
        .query_cmd("Guaido", &["--color", "always"])
        .output()
        .unwrap();
    assert!(always.stdout.contains(&0x1b), "no ESC with --color always");

    // auto: stdout is a pipe here, so no colour.
    let auto = idx
        .query_cmd("Guaido", &["--color", "auto"])
        .output()
        .unwrap();
    assert!(
        !auto.stdout.contains(&0x1b),
        "ESC with --color auto on a pipe"
    );
}

#[test]
fn control_characters_in_articles_are_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("evil.txt"), "Evil \x1b[31m text \x07 here\n").unwrap();
    let idx = TestIndex::build(&[&docs]);

    for query in ["evil", "text", ""] {
        let out = idx
            .query_cmd(query, &["--color", "never"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{query:?}");
        assert!(!out.stdout.contains(&0x1b), "{query:?}: ESC printed");
        assert!(!out.stdout.contains(&0x07), "{query:?}: BEL printed");
        assert!(String::from_utf8_lossy(&out.stdout).contains("here"));

        // With colour, gazette's own styling is the only ESC: the article's
        // `ESC[31m` never reaches the terminal, nor its BEL.
        let out = idx
            .query_cmd(query, &["--color", "always"])
            .output()
            .unwrap();
        assert!(!out.stdout.contains(&0x07), "{query:?}: BEL printed");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("\x1b[31m text"),
            "{query:?}: raw ESC printed"
        );
    }

    // JSON keeps the text as it is (escaped by JSON), offsets intact.
    let resp = idx.query("evil", &[]);
    assert_eq!(resp.hits[0].passage.text, "Evil \x1b[31m text \x07 here");
    assert_eq!(marked(&resp.hits[0]), ["Evil"]);
}

#[test]
fn closed_pipe_ends_quietly() {
    let idx = TestIndex::corpus();
    let corpus = crate::common::corpus_dir();
    let corpus = corpus.to_str().expect("utf-8 path");
    let commands: [&[&str]; 6] = [
        &["query", "", "--limit", "100", "--format", "text"],
        &["query", "", "--limit", "100", "--format", "json"],
        &["query", "", "--limit", "100", "--format", "jsonl"],
        &["stats"],
        &["stats", "--format", "json"],
        &["passages", corpus],
    ];
    for args in commands {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
            .arg("--index")
            .arg(idx.path())
            .args(args)
            .env_remove("GAZETTE_INDEX")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close our end before gazette has written anything.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(stderr, "", "{args:?}: message on a closed pipe");
        assert!(status.success(), "{args:?}: {status}");
    }
}
