//! `gazette eval`: scores on a tiny hand-judged collection, and a run on
//! XQuAD-R (../shared/corpora) checked against trec_eval's own code (the
//! `pytrec_eval` Python package).

use std::path::Path;
use std::process::Command as StdCommand;

use gazette::eval::Report;

use crate::common::{TestIndex, gazette, shared_corpora, skip};

const DOCS: &str = r#"{"id":"en-1","title":"Football","body":"The Panthers won the football game.","lang":"en"}
{"id":"en-2","title":"Weather","body":"Rain is expected tomorrow in the city, with strong winds along the coast.\n\nThe Panthers stayed at home all day and waited for the storm to pass.","lang":"en"}
{"id":"es-1","title":"Fútbol","body":"Los Panthers ganaron el partido de fútbol ayer por la tarde.","lang":"es"}
{"id":"es-2","title":"Tiempo","body":"Se espera lluvia mañana en la ciudad.","lang":"es"}
"#;

const QUERIES: &str = r#"{"id":"q-en-1","query":"Panthers football"}
{"id":"q-es-2","query":"Panthers"}
{"id":"q3","query":"lluvia ciudad","lang":"es"}
{"id":"q-en-4","query":"nothing judged"}
"#;

// q-en-4 has only a non-relevant judgment (skipped); x-en-9 is not a query
// of the file (ignored).
const QRELS: &str = "q-en-1 0 en-1 1
q-es-2 0 es-1 1
q3 0 es-2 2
q3 0 es-1 1
q-en-4 0 en-2 0
x-en-9 0 en-1 1
";

struct Tiny {
    index: TestIndex,
}

impl Tiny {
    fn new() -> Tiny {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs.jsonl");
        std::fs::write(&docs, DOCS).unwrap();
        let index = TestIndex::build(&[&docs]);
        for (name, text) in [("queries.jsonl", QUERIES), ("qrels.txt", QRELS)] {
            std::fs::write(index.dir.path().join(name), text).unwrap();
        }
        Tiny { index }
    }

    fn file(&self, name: &str) -> std::path::PathBuf {
        self.index.dir.path().join(name)
    }

    fn eval(&self, queries: &str, qrels: &str, args: &[&str]) -> std::process::Output {
        gazette()
            .arg("--index")
            .arg(self.index.path())
            .arg("eval")
            .arg("--queries")
            .arg(self.file(queries))
            .arg("--qrels")
            .arg(self.file(qrels))
            .args(args)
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Report {
        let out = self.eval(
            "queries.jsonl",
            "qrels.txt",
            &[&["--format", "json"], args].concat(),
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn eval_scores_a_hand_judged_collection() {
    let t = Tiny::new();
    let r = t.json(&["--by-lang", "--per-query"]);
    // q-en-4 has no relevant document: skipped.
    assert_eq!((r.queries, r.skipped, r.failed, r.depth), (3, 1, 0, 1000));
    let per = r.per_query.as_ref().unwrap();
    let ids: Vec<&str> = per.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["q-en-1", "q-es-2", "q3"]);
    // Languages: from the id (q-en-1, q-es-2), from the JSON line (q3).
    let langs: Vec<&str> = per.iter().map(|q| q.lang.as_str()).collect();
    assert_eq!(langs, ["en", "es", "es"]);
    // q-en-1: en-1 first: every metric 1.
    for v in per[0].metrics.values() {
        close(*v, 1.0);
    }
    // q-es-2 "Panthers": es-1 ranks first (its stem es:panth is rarer than
    // en:panther, which two English passages share): every metric 1.
    for v in per[1].metrics.values() {
        close(*v, 1.0);
    }
    // q3 (filtered to es by its JSON lang) finds es-2 (grade 2) only; es-1
    // (grade 1) is missed. nDCG@10 = 2 / (2 + 1/log2 3) = 0.7602; recall 1/2;
    // AP = (1/1) / 2 = 0.5.
    let m = &per[2].metrics;
    close(m["ndcg@10"], 2.0 / (2.0 + 1.0 / 3f64.log2()));
    close(m["mrr@10"], 1.0);
    close(m["recall@100"], 0.5);
    close(m["map"], 0.5);
    close(r.metrics["mrr@10"], 1.0);
    let by = r.by_lang.as_ref().unwrap();
    assert_eq!(by.keys().collect::<Vec<_>>(), ["en", "es"]);
    assert_eq!(by["es"].queries, 2);
    close(by["es"].metrics["map"], (1.0 + 0.5) / 2.0);
}

#[test]
fn eval_monolingual_searches_each_query_in_its_own_language() {
    let t = Tiny::new();
    let r = t.json(&[
        "--monolingual",
        "--per-query",
        "--metrics",
        "mrr@10,recall@1",
    ]);
    let per = r.per_query.unwrap();
    // q-es-2 now sees only Spanish passages: es-1 first.
    close(per[1].metrics["mrr@10"], 1.0);
    close(per[1].metrics["recall@1"], 1.0);
    // Only the metrics asked for, the depth of the deepest (at least --limit).
    assert_eq!(per[1].metrics.len(), 2);
    assert_eq!(r.depth, 10);
    // --monolingual and --lang contradict each other.
    let out = t.eval(
        "queries.jsonl",
        "qrels.txt",
        &["--monolingual", "--lang", "es"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn eval_text_output_and_passage_unit() {
    let t = Tiny::new();
    std::fs::write(
        t.file("passages.txt"),
        "q-en-1 0 en-1#0 1\nq-es-2 0 en-2#1 1\n",
    )
    .unwrap();
    let out = t.eval(
        "queries.jsonl",
        "passages.txt",
        &["--unit", "passage", "--by-lang", "--metrics", "mrr@10"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    // For "Panthers", en-2's second passage ("The Panthers stayed at home all day …")
    // is third, after es-1 and en-1: the short documents that are about the
    // Panthers carry more document evidence than en-2, mostly about rain.
    assert!(text.contains("lang       n  mrr@10"), "{text}");
    assert!(text.contains("en         1  1.0000"), "{text}");
    assert!(text.contains("es         1  0.3333"), "{text}");
    assert!(text.contains("all        2  0.6667"), "{text}");
    assert!(text.contains("2 queries scored, 2 skipped"), "{text}");
}

#[test]
fn eval_reports_failed_queries_and_mismatched_ids() {
    let t = Tiny::new();
    std::fs::write(
        t.file("bad.jsonl"),
        "{\"id\":\"q-en-1\",\"query\":\"Panthers\",\"since\":\"soon\"}\n{\"id\":\"q-es-2\",\"query\":\"Panthers\"}\n",
    )
    .unwrap();
    // The bad line is reported, scored as an empty ranking; exit code 3.
    let out = t.eval("bad.jsonl", "qrels.txt", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("query q-en-1"), "{stderr}");
    let r: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((r.queries, r.failed), (2, 1));
    close(r.metrics["mrr@10"], (0.0 + 1.0) / 2.0);
    // No query id in the qrels: an error that says so.
    std::fs::write(t.file("other.txt"), "zz 0 en-1 1\n").unwrap();
    let out = t.eval("queries.jsonl", "other.txt", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("do the ids match?"));
    // A malformed qrels line is named.
    std::fs::write(t.file("broken.txt"), "q-en-1 0 en-1\n").unwrap();
    let out = t.eval("queries.jsonl", "broken.txt", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.txt:1: expected"));
    let out = t.eval("queries.jsonl", "qrels.txt", &["--metrics", "bleu@4"]);
    assert_eq!(out.status.code(), Some(2));
    let out = t.eval("queries.jsonl", "qrels.txt", &["--offset", "5"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Reads a TREC run and qrels, scores the queries of the query file with
/// pytrec_eval (trec_eval's C code) and prints means, per language and per
/// query as JSON. trec_eval re-sorts a run by score and breaks ties by doc id,
/// so each result's score is set to -rank to keep gazette's order. MRR@10 is
/// recip_rank on the run cut at rank 10. A query with no results scores 0.
const PYTREC_SCRIPT: &str = r#"
import sys, json, collections
import pytrec_eval
run_path, qrels_path, queries_path = sys.argv[1:4]
ids = [l.split('\t', 1)[0] for l in open(queries_path, encoding='utf-8') if l.strip()]
qrels = collections.defaultdict(dict)
for line in open(qrels_path, encoding='utf-8'):
    if line.strip():
        q, _, d, g = line.split()
        qrels[q][d] = int(g)
run, run10 = collections.defaultdict(dict), collections.defaultdict(dict)
for line in open(run_path, encoding='utf-8'):
    q, _, d, rank, score, _ = line.split()
    run[q][d] = -float(rank)
    if int(rank) <= 10:
        run10[q][d] = -float(rank)
scored = [q for q in ids if any(g > 0 for g in qrels.get(q, {}).values())]
judged = {q: qrels[q] for q in scored}
res = pytrec_eval.RelevanceEvaluator(judged, {'ndcg_cut.10', 'recall.100', 'map'}).evaluate(
    {q: run[q] for q in scored if run.get(q)})
res10 = pytrec_eval.RelevanceEvaluator(judged, {'recip_rank'}).evaluate(
    {q: run10[q] for q in scored if run10.get(q)})
names = {'ndcg@10': 'ndcg_cut_10', 'recall@100': 'recall_100', 'map': 'map'}
per = {}
for q in scored:
    m = {k: res.get(q, {}).get(v, 0.0) for k, v in names.items()}
    m['mrr@10'] = res10.get(q, {}).get('recip_rank', 0.0)
    per[q] = m
def mean(qs):
    return {k: sum(per[q][k] for q in qs) / len(qs) for k in ['ndcg@10', 'mrr@10', 'recall@100', 'map']}
langs = collections.defaultdict(list)
for q in scored:
    langs[q.split('-')[1]].append(q)
print(json.dumps({'queries': len(scored), 'metrics': mean(scored), 'per_query': per,
                  'by_lang': {l: {'queries': len(qs), 'metrics': mean(qs)} for l, qs in langs.items()}}))
"#;

/// Whether python3 can import pytrec_eval, or why not.
fn pytrec_eval() -> Result<(), String> {
    let ok = StdCommand::new("python3")
        .args(["-c", "import pytrec_eval"])
        .output()
        .map(|o| o.status.success());
    match ok {
        Ok(true) => Ok(()),
        Ok(false) => Err(
            "this test compares gazette eval with trec_eval through the Python \
             package pytrec_eval, which is missing: pip install pytrec-eval-terrier"
                .into(),
        ),
        Err(e) => Err(format!(
            "this test runs python3 ({e}) with the package pytrec_eval: install Python 3, \
             then pip install pytrec-eval-terrier"
        )),
    }
}

/// Every `step`-th line of `from`, written to `to` (all 11 languages).
fn sample_lines(from: &Path, to: &Path, step: usize) -> usize {
    let text = std::fs::read_to_string(from).unwrap_or_else(|e| {
        panic!(
            "{} ({e}); this test reads ../shared/corpora",
            from.display()
        )
    });
    let lines: Vec<&str> = text.lines().step_by(step).collect();
    std::fs::write(to, lines.join("\n") + "\n").unwrap();
    lines.len()
}

/// XQuAD-R, about 200 queries over all 13,014 sentences: `gazette eval`
/// agrees with trec_eval (pytrec_eval) on the run `gazette batch --format
/// trec` writes for the same queries, per query and in the means.
#[test]
fn shared_eval_matches_pytrec_eval_on_xquad_r() {
    const TEST: &str = "shared_eval_matches_pytrec_eval_on_xquad_r";
    let Some(corpora) = shared_corpora(TEST) else {
        return;
    };
    let xq = corpora.join("ir-xquad-r");
    if let Err(why) = pytrec_eval() {
        skip(TEST, &why);
        return;
    }
    let index = TestIndex::build(&[&xq.join("docs.jsonl.gz")]);
    let work = index.dir.path();
    let queries = work.join("queries.tsv");
    let n = sample_lines(&xq.join("queries.tsv"), &queries, 65);
    assert!(n > 150, "{n} queries");
    let qrels = xq.join("qrels.txt");

    let run = gazette()
        .arg("--index")
        .arg(index.path())
        .arg("batch")
        .arg(&queries)
        .args([
            "--input-format",
            "tsv",
            "--format",
            "trec",
            "--limit",
            "1000",
        ])
        .args(["--no-highlights"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let run_file = work.join("run.txt");
    std::fs::write(&run_file, &run.stdout).unwrap();

    let out = gazette()
        .arg("--index")
        .arg(index.path())
        .arg("eval")
        .arg("--queries")
        .arg(&queries)
        .arg("--qrels")
        .arg(&qrels)
        .args([
            "--input-format",
            "tsv",
            "--format",
            "json",
            "--by-lang",
            "--per-query",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((ours.queries, ours.skipped, ours.failed), (n, 0, 0));

    let script = work.join("pytrec.py");
    std::fs::write(&script, PYTREC_SCRIPT).unwrap();
    let py = StdCommand::new("python3")
        .arg(&script)
        .arg(&run_file)
        .arg(&qrels)
        .arg(&queries)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();

    assert_eq!(theirs["queries"], n);
    let near = |what: &str, ours: f64, theirs: &serde_json::Value| {
        let theirs = theirs.as_f64().unwrap();
        assert!(
            (ours - theirs).abs() < 1e-6,
            "{what}: gazette eval {ours}, trec_eval {theirs}"
        );
    };
    for (name, v) in &ours.metrics {
        near(name, *v, &theirs["metrics"][name]);
    }
    let by = ours.by_lang.as_ref().unwrap();
    assert_eq!(by.len(), 11);
    for (lang, g) in by {
        assert_eq!(theirs["by_lang"][lang]["queries"], g.queries, "{lang}");
        for (name, v) in &g.metrics {
            near(
                &format!("{lang} {name}"),
                *v,
                &theirs["by_lang"][lang]["metrics"][name],
            );
        }
    }
    for q in ours.per_query.as_ref().unwrap() {
        for (name, v) in &q.metrics {
            near(
                &format!("{} {name}", q.id),
                *v,
                &theirs["per_query"][&q.id][name],
            );
        }
    }
}
