//! Several indexes searched as one (`--index A --index B`, or a folder of
//! index folders): the same hits and the same scores as one index holding
//! everything, for query, batch, eval and serve.

use std::path::{Path, PathBuf};

use gazette::eval::Report;
use gazette::search::{Hit, Response};

use crate::common::{corpus_dir, gazette, multilingual_fixture};
use crate::server::{Server, server_fixture};

/// The records of the fixtures, split in two halves (each file's first
/// lines in one, the rest in the other), indexed three ways in one folder:
/// `all/` (everything), `split/a/` and `split/b/`.
struct Split {
    dir: tempfile::TempDir,
}

impl Split {
    fn new() -> Split {
        let dir = tempfile::tempdir().unwrap();
        let (mut a, mut b) = (String::new(), String::new());
        for path in [multilingual_fixture(), server_fixture()] {
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let half = lines.len() / 2;
            for l in &lines[..half] {
                a.push_str(l);
                a.push('\n');
            }
            for l in &lines[half..] {
                b.push_str(l);
                b.push('\n');
            }
        }
        let (fa, fb) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        std::fs::write(&fa, a).unwrap();
        std::fs::write(&fb, b).unwrap();
        let split = Split { dir };
        split.index(&split.all(), &[&corpus_dir(), &fa, &fb]);
        split.index(&split.a(), &[&corpus_dir(), &fa]);
        split.index(&split.b(), &[&fb]);
        split
    }

    fn index(&self, dir: &Path, inputs: &[&Path]) {
        gazette()
            .arg("--index")
            .arg(dir)
            .arg("index")
            .args(inputs)
            .assert()
            .success();
    }

    fn all(&self) -> PathBuf {
        self.dir.path().join("all")
    }
    fn split(&self) -> PathBuf {
        self.dir.path().join("split")
    }
    fn a(&self) -> PathBuf {
        self.split().join("a")
    }
    fn b(&self) -> PathBuf {
        self.split().join("b")
    }

    /// `--index D` for each of `dirs`, then `args`; the JSON it prints.
    fn json<T: serde::de::DeserializeOwned>(&self, dirs: &[PathBuf], args: &[&str]) -> T {
        let mut cmd = gazette();
        for d in dirs {
            cmd.arg("--index").arg(d);
        }
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    fn query(&self, dirs: &[PathBuf], query: &str, args: &[&str]) -> Response {
        let mut all = vec!["query", query, "--format", "json"];
        all.extend_from_slice(args);
        self.json(dirs, &all)
    }
}

/// The hits as (passage id, score), best first, ties by id; a tie group
/// cut by the limit is left out (which of its members make the page
/// depends on how the passages are laid out in the indexes).
fn ranked(hits: &[Hit], limit: usize) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = hits
        .iter()
        .map(|h| (h.passage.id.clone(), h.score))
        .collect();
    out.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    if out.len() == limit
        && let Some(last) = out.last().map(|l| l.1)
    {
        out.retain(|h| h.1 != last);
    }
    out
}

/// Scores agree to the float: the same statistics give the same sums.
fn assert_same(what: &str, one: &[(String, f32)], several: &[(String, f32)]) {
    let ids = |v: &[(String, f32)]| v.iter().map(|h| h.0.clone()).collect::<Vec<_>>();
    assert_eq!(ids(one), ids(several), "{what}: hits differ");
    for ((id, x), (_, y)) in one.iter().zip(several) {
        assert!(
            (x - y).abs() <= 1e-6 * x.abs().max(1.0),
            "{what}: {id} scores {x} in one index, {y} in two"
        );
    }
}

const QUERIES: &[(&str, &[&str])] = &[
    ("Guaidó", &[]),
    ("lawmakers security forces", &["--limit", "20"]),
    ("\"National Assembly\"", &[]),
    ("Valencia flood", &["--limit", "20"]),
    ("inundación Valencia", &["--lang", "es"]),
    ("terremoto tsunami Indonesia", &[]),
    ("Erdbeben Tsunamis Indonesien", &[]),
    ("تسونامي إندونيسيا", &[]),
    ("地震", &[]),
    ("Valencia", &["--kind", "tweet"]),
    (
        "Valencia",
        &["--since", "2024-10-29", "--until", "2024-10-31"],
    ),
    ("Guaidó lawmakers", &["--per-article", "1", "--limit", "5"]),
    ("Guaidó lawmakers", &["--offset", "3", "--limit", "4"]),
    ("Valencia flood", &["--collapse"]),
    ("title:Valencia OR Guaidó", &["--limit", "20"]),
];

#[test]
fn two_indexes_rank_as_one_index_of_everything() {
    let s = Split::new();
    let (one, two) = (vec![s.all()], vec![s.a(), s.b()]);
    for (q, args) in QUERIES {
        let what = format!("{q} {args:?}");
        let r1 = s.query(&one, q, args);
        let r2 = s.query(&two, q, args);
        assert!(!r1.hits.is_empty(), "{what}: no hits to compare");
        assert_eq!(r1.total, r2.total, "{what}: totals differ");
        let limit = r1.hits.len().max(r2.hits.len());
        assert_same(&what, &ranked(&r1.hits, limit), &ranked(&r2.hits, limit));
        // One index: no `index` field; several: the folder of each hit.
        assert!(r1.hits.iter().all(|h| h.index.is_none()), "{what}");
        let (a, b) = (s.a().display().to_string(), s.b().display().to_string());
        for h in &r2.hits {
            let from = h.index.as_deref().expect("index of the hit");
            assert!(from == a || from == b, "{what}: {from}");
            if h.doc.id.ends_with(".txt") {
                assert_eq!(from, a, "{what}: the sample corpus is in a");
            }
        }
    }
}

#[test]
fn facets_of_several_indexes_add_up() {
    let s = Split::new();
    let args = ["--facets", "lang,kind,author,date", "--limit", "3"];
    for q in ["Valencia", "Guaidó OR Valencia OR terremoto"] {
        let r1 = s.query(&[s.all()], q, &args);
        let r2 = s.query(&[s.a(), s.b()], q, &args);
        assert!(r1.facets.as_ref().unwrap().lang.is_some());
        assert_eq!(r1.facets, r2.facets, "{q}");
    }
}

#[test]
fn a_folder_of_indexes_is_searched_as_the_indexes_in_it() {
    let s = Split::new();
    let by_folder = s.query(&[s.split()], "Valencia", &["--limit", "20"]);
    let by_list = s.query(&[s.a(), s.b()], "Valencia", &["--limit", "20"]);
    assert_eq!(by_folder.hits, by_list.hits);
    assert!(
        by_folder
            .hits
            .iter()
            .any(|h| h.index == Some(s.a().display().to_string()))
    );
    assert!(
        by_folder
            .hits
            .iter()
            .any(|h| h.index == Some(s.b().display().to_string()))
    );
}

#[test]
fn batch_and_eval_over_two_indexes_answer_as_one_index() {
    let s = Split::new();
    let queries = s.dir.path().join("queries.jsonl");
    std::fs::write(
        &queries,
        "{\"id\": \"q1\", \"query\": \"Valencia flood\"}\n\
         {\"id\": \"q2\", \"query\": \"Guaidó lawmakers\"}\n\
         {\"id\": \"q3\", \"query\": \"terremoto\", \"lang\": \"es\"}\n",
    )
    .unwrap();
    let batch = |dirs: &[PathBuf]| -> Vec<Response> {
        let mut cmd = gazette();
        for d in dirs {
            cmd.arg("--index").arg(d);
        }
        let out = cmd
            .args(["batch", "--limit", "20"])
            .arg(&queries)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (b1, b2) = (batch(&[s.all()]), batch(&[s.a(), s.b()]));
    assert_eq!(b1.len(), 3);
    for (r1, r2) in b1.iter().zip(&b2) {
        assert!(!r1.hits.is_empty(), "{}", r1.query);
        assert_eq!(r1.total, r2.total);
        assert_same(&r1.query, &ranked(&r1.hits, 20), &ranked(&r2.hits, 20));
    }
    // Judged documents from both halves.
    let qrels = s.dir.path().join("qrels.txt");
    std::fs::write(
        &qrels,
        "q1 0 a1 1\nq1 0 t1 1\nq2 0 000_76612771bb08419c.txt 2\nq3 0 ntrex-spa-euronews-en.153835 1\n",
    )
    .unwrap();
    let eval = |dirs: &[PathBuf]| -> Report {
        let args = [
            "eval",
            "--queries",
            queries.to_str().unwrap(),
            "--qrels",
            qrels.to_str().unwrap(),
            "--format",
            "json",
        ];
        s.json(dirs, &args)
    };
    let (e1, e2) = (eval(&[s.all()]), eval(&[s.a(), s.b()]));
    assert_eq!(e1.queries, 3);
    assert_eq!(
        serde_json::to_value(&e1.metrics).unwrap(),
        serde_json::to_value(&e2.metrics).unwrap()
    );
}

#[test]
fn commands_that_change_or_describe_one_index_refuse_several() {
    let s = Split::new();
    for cmd in [&["stats"][..], &["optimize"], &["delete", "a1"]] {
        let out = gazette()
            .arg("--index")
            .arg(s.a())
            .arg("--index")
            .arg(s.b())
            .args(cmd)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("works on one index"), "{cmd:?}: {err}");
    }
    let out = gazette()
        .arg("--index")
        .arg(s.a())
        .arg("--index")
        .arg(s.a())
        .args(["query", "Valencia"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("given twice"));
}

#[test]
fn a_server_of_two_indexes_searches_both_and_sees_new_commits_in_each() {
    let s = Split::new();
    let server = Server::start(&s.split(), Some("key"), &[]);
    let resp = server.search(&[("q", "Valencia"), ("limit", "20")]);
    let one = s.query(&[s.all()], "Valencia", &["--limit", "20"]);
    assert_same("serve", &ranked(&one.hits, 20), &ranked(&resp.hits, 20));
    // A commit to one of the indexes by another process is seen.
    let extra = s.dir.path().join("extra.jsonl");
    std::fs::write(
        &extra,
        "{\"id\": \"n1\", \"title\": \"Zaragoza\", \"body\": \"Snow in Zaragoza.\"}\n",
    )
    .unwrap();
    s.index(&s.b(), &[&extra]);
    let mut found = false;
    for _ in 0..50 {
        let r = server.search(&[("q", "Zaragoza")]);
        if r.hits.iter().any(|h| h.doc.id == "n1") {
            found = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(found, "the new commit was not seen");
    // Writes and stats need a server of one index.
    server
        .post(
            "/documents",
            Some("key"),
            extra.to_str().unwrap().as_bytes(),
        )
        .error(409, "several_indexes");
    server.get("/stats", &[]).error(409, "several_indexes");
}
