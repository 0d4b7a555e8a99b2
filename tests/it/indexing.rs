//! Incremental indexing: unchanged documents are skipped, changed ones
//! replaced whole, `--prune`, `delete`, `--rebuild`, upserts by id, and the
//! schema-version check. Each test runs the real binary on tiny fixtures in
//! its own temporary folder.
//!
//! The small helpers at the top (`Ix`, `Run`, …) are shared with the
//! `faults` and `model` modules.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use gazette::index::stats::Stats;
use gazette::index::writer::Summary;
use gazette::search::Response;
use tempfile::TempDir;

use crate::common::gazette;

/// The outcome of one `gazette` run.
pub(crate) struct Run {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The JSON summary printed by `index --format json`.
    pub fn summary(&self) -> Summary {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not an index summary ({e}); exit {:?}\nstdout:\n{}\nstderr:\n{}",
                self.code, self.stdout, self.stderr
            )
        })
    }

    /// Panics unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A temporary folder holding an index (`root/index`) and input files.
pub(crate) struct Ix {
    tmp: TempDir,
}

impl Ix {
    pub fn new() -> Ix {
        Ix {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The folder for input files.
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// The index folder.
    pub fn dir(&self) -> PathBuf {
        self.tmp.path().join("index")
    }

    /// Writes `bytes` to `root/rel` (creating folders) and returns the path.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// JSON Lines from `records` written to `root/rel`.
    pub fn write_jsonl(&self, rel: &str, records: &[serde_json::Value]) -> PathBuf {
        let mut text = String::new();
        for r in records {
            text.push_str(&r.to_string());
            text.push('\n');
        }
        self.write(rel, text)
    }

    /// `gazette --index DIR ARGS…`, run to completion.
    pub fn run(&self, args: &[&dyn AsRef<OsStr>]) -> Run {
        let mut cmd = gazette();
        cmd.arg("--index").arg(self.dir());
        for a in args {
            cmd.arg(a);
        }
        Run::from(cmd.output().expect("run gazette"))
    }

    /// `gazette --index DIR index ARGS… --format json`.
    pub fn index(&self, args: &[&dyn AsRef<OsStr>]) -> Run {
        let mut all: Vec<&dyn AsRef<OsStr>> = vec![&"index"];
        all.extend_from_slice(args);
        all.push(&"--format");
        all.push(&"json");
        self.run(&all)
    }

    /// Indexes and expects success with nothing rejected.
    #[track_caller]
    pub fn index_ok(&self, args: &[&dyn AsRef<OsStr>]) -> Summary {
        let run = self.index(args);
        run.expect_code(0);
        let s = run.summary();
        assert!(s.errors.is_empty(), "unexpected rejections: {:?}", s.errors);
        s
    }

    /// `stats --format json`, which must succeed.
    #[track_caller]
    pub fn stats(&self) -> Stats {
        let run = self.run(&[&"stats", &"--format", &"json"]);
        run.expect_code(0);
        serde_json::from_str(run.stdout.trim())
            .unwrap_or_else(|e| panic!("stats is not JSON ({e}): {}", run.stdout))
    }

    /// `query Q --format json --limit 1000 --no-highlights`: exit 0 with hits,
    /// 1 without, and the JSON parses.
    #[track_caller]
    pub fn query(&self, q: &str) -> Response {
        let run = self.run(&[
            &"query",
            &q,
            &"--format",
            &"json",
            &"--limit",
            &"5000",
            &"--no-highlights",
        ]);
        let resp: Response = serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "query {q:?}: not a JSON response ({e}); exit {:?}\nstdout:\n{}\nstderr:\n{}",
                run.code, run.stdout, run.stderr
            )
        });
        let want = if resp.hits.is_empty() { 1 } else { 0 };
        assert_eq!(
            run.code,
            Some(want),
            "query {q:?}: exit code\n{}",
            run.stderr
        );
        resp
    }

    /// Document ids of the passages matching `q`, one entry per passage.
    #[track_caller]
    pub fn doc_ids(&self, q: &str) -> Vec<String> {
        let mut ids: Vec<String> = self.query(q).hits.into_iter().map(|h| h.doc.id).collect();
        ids.sort();
        ids
    }

    /// Passage texts matching `q`, sorted.
    #[track_caller]
    pub fn texts(&self, q: &str) -> Vec<String> {
        let mut t: Vec<String> = self
            .query(q)
            .hits
            .into_iter()
            .map(|h| h.passage.text)
            .collect();
        t.sort();
        t
    }
}

/// One JSON article record.
pub(crate) fn article(id: &str, body: &str) -> serde_json::Value {
    serde_json::json!({ "id": id, "body": body })
}

/// Checks the counters of a summary (everything but `elapsed_ms`).
#[track_caller]
pub(crate) fn assert_counts(
    s: &Summary,
    added: u64,
    updated: u64,
    unchanged: u64,
    deleted: u64,
    passages: u64,
) {
    let got = (s.added, s.updated, s.unchanged, s.deleted, s.passages);
    assert_eq!(
        got,
        (added, updated, unchanged, deleted, passages),
        "(added, updated, unchanged, deleted, passages) of {s:?}"
    );
}

#[test]
fn reindexing_a_folder_skips_unchanged_and_replaces_changed_files() {
    let ix = Ix::new();
    let docs = ix.root().join("docs");
    ix.write(
        "docs/a.txt",
        "Apple orchard kqoldz grows, and its trees stand in long rows on the hill.\n\nSecond paragraph here, long enough to be a passage of its own.\n",
    );
    ix.write("docs/b.txt", "Bravo harbour report.\n");
    ix.write("docs/c.txt", "Charlie market news.\n");

    let s = ix.index_ok(&[&docs]);
    assert_counts(&s, 3, 0, 0, 0, 4);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (3, 4));

    // Same files again: nothing is written.
    let s = ix.index_ok(&[&docs]);
    assert_counts(&s, 0, 0, 3, 0, 0);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (3, 4));

    // One file changes (and grows a paragraph): it is replaced whole.
    ix.write(
        "docs/a.txt",
        "Apple orchard kqnewz grows, and its trees stand in long rows on the hill.\n\nSecond paragraph here, long enough to be a passage of its own.\n\nThird paragraph too, long enough to be a passage of its own.\n",
    );
    let s = ix.index_ok(&[&docs]);
    assert_counts(&s, 0, 1, 2, 0, 3);
    assert!(
        ix.query("kqoldz").hits.is_empty(),
        "a word of the old version is still found"
    );
    assert_eq!(ix.doc_ids("kqnewz"), ["a.txt"]);
    assert_eq!(
        ix.texts("paragraph"),
        [
            "Second paragraph here, long enough to be a passage of its own.",
            "Third paragraph too, long enough to be a passage of its own."
        ],
        "each passage of the new version once, none of the old one"
    );
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (3, 5));

    // A new file is added, the others are left alone.
    ix.write("docs/sub/d.txt", "Delta kqdeltaz river.\n");
    let s = ix.index_ok(&[&docs]);
    assert_counts(&s, 1, 0, 3, 0, 1);
    assert_eq!(ix.doc_ids("kqdeltaz"), ["sub/d.txt"]);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (4, 6));
}

#[test]
fn the_index_folder_inside_the_indexed_folder_is_not_input() {
    let ix = Ix::new();
    ix.write("a.txt", "Apple orchard report.\n");
    // The index is root/index: indexing root walks past it.
    let s = ix.index_ok(&[&ix.root()]);
    assert_counts(&s, 1, 0, 0, 0, 1);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let s = ix.index_ok(&[&ix.root()]);
    assert_counts(&s, 0, 0, 1, 0, 0);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(ix.stats().documents, 1);
}

#[test]
fn stats_space_accounts_for_every_byte_by_field() {
    let ix = Ix::new();
    ix.write(
        "docs/a.txt",
        "Apple orchard report from the valley.\n\nA second paragraph on apples.\n",
    );
    ix.write("docs/b.txt", "Bravo harbour report.\n");
    ix.index_ok(&[&ix.root().join("docs")]);
    assert_eq!(ix.stats().space, None, "only with --space");
    let run = ix.run(&[&"stats", &"--space", &"--format", &"json"]);
    run.expect_code(0);
    let st: Stats = serde_json::from_str(run.stdout.trim()).unwrap();
    let space = st.space.expect("space");
    let field = |name: &str| {
        space
            .fields
            .iter()
            .find(|f| f.field == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", space.fields))
    };
    let body = field("body");
    assert!(body.terms > 0 && body.postings > 0 && body.positions > 0 && body.norms > 0);
    assert_eq!(body.fast, 0);
    // Filters have postings, no norms; signatures are fast values only.
    assert_eq!(field("kind").norms, 0);
    assert_eq!(field("lang").norms, 0);
    let sig = field("sig");
    assert!(sig.fast > 0 && sig.terms + sig.postings + sig.norms == 0);
    for f in &space.fields {
        assert_eq!(
            f.total,
            f.terms + f.postings + f.positions + f.fast + f.norms
        );
    }
    let sum: u64 = space.fields.iter().map(|f| f.total).sum();
    assert_eq!(space.total, sum + space.store + space.deletes);
    assert!(space.store > 0 && space.total <= st.bytes);
    assert!(space.fields.windows(2).all(|w| w[0].total >= w[1].total));
    // The text table names the same fields.
    let run = ix.run(&[&"stats", &"--space"]);
    run.expect_code(0);
    assert!(run.stdout.contains("\nspace (MB)"), "{}", run.stdout);
    assert!(run.stdout.lines().any(|l| l.starts_with("body ")));
    assert!(run.stdout.lines().any(|l| l.starts_with("store ")));
}

#[test]
fn prune_delete_and_rebuild() {
    let ix = Ix::new();
    let docs = ix.root().join("docs");
    // Paragraphs of more than ten words: each a passage.
    ix.write(
        "docs/a.txt",
        "Alpha kqaz one, a paragraph long enough to be a passage.\n\nAlpha two, a paragraph long enough to be a passage too.\n",
    );
    ix.write("docs/b.txt", "Bravo kqbz.\n");
    ix.write(
        "docs/c.txt",
        "Charlie kqcz first, a paragraph long enough to be a passage.\n\nCharlie kqcz second, a paragraph long enough to be a passage.\n",
    );
    let other = ix.write_jsonl("other.jsonl", &[article("j1", "Juliet kqjz.")]);
    let s = ix.index_ok(&[&docs, &other]);
    assert_counts(&s, 4, 0, 0, 0, 6);

    // Without --prune a vanished file stays indexed.
    std::fs::remove_file(docs.join("c.txt")).unwrap();
    let s = ix.index_ok(&[&docs]);
    assert_counts(&s, 0, 0, 2, 0, 0);
    assert_eq!(ix.doc_ids("kqcz"), ["c.txt", "c.txt"]);

    // With --prune it goes, and only it: documents from elsewhere stay.
    let s = ix.index_ok(&[&docs, &"--prune"]);
    assert_counts(&s, 0, 0, 2, 1, 0);
    assert!(ix.query("kqcz").hits.is_empty(), "pruned passages found");
    assert_eq!(ix.doc_ids("kqjz"), ["j1"]);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (3, 4));

    // delete ID removes one document, all its passages.
    ix.run(&[&"delete", &"a.txt"]).expect_code(0);
    assert!(ix.query("alpha").hits.is_empty(), "deleted passages found");
    assert_eq!(ix.doc_ids("kqbz"), ["b.txt"]);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (2, 2));
    // An unknown id is not an error and changes nothing.
    ix.run(&[&"delete", &"no-such-id"]).expect_code(0);
    assert_eq!(ix.stats().documents, 2);

    // --rebuild keeps just what it is given.
    let fresh = ix.write_jsonl(
        "fresh.jsonl",
        &[
            article("f1", "Foxtrot kqf1z."),
            article(
                "f2",
                "Foxtrot kqf2z, a paragraph long enough to be a passage here.\n\
                 Golf line, another paragraph long enough to be a passage here.",
            ),
        ],
    );
    let s = ix.index_ok(&[&fresh, &"--rebuild"]);
    assert_counts(&s, 2, 0, 0, 0, 3);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (2, 3));
    assert!(ix.query("kqbz OR kqjz").hits.is_empty());
    assert_eq!(ix.doc_ids("foxtrot"), ["f1", "f2"]);
}

#[test]
fn jsonl_records_are_upserted_by_id() {
    let ix = Ix::new();
    // Within one run: the later record of an id wins.
    let one = ix.write_jsonl(
        "one.jsonl",
        &[
            article("u1", "Story kqv1z first."),
            article("u2", "Other kqw1z story."),
            article(
                "u1",
                "Story kqv2z second, in a paragraph long enough to be a passage.\n\
                 With a second line, also long enough to be a passage of its own.",
            ),
        ],
    );
    ix.index_ok(&[&one]);
    assert!(ix.query("kqv1z").hits.is_empty());
    assert_eq!(ix.doc_ids("kqv2z"), ["u1"]);
    assert_eq!(ix.doc_ids("story"), ["u1", "u2"]);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (2, 3));

    // Across runs and files: still one document, the latest body.
    let two = ix.write_jsonl("two.jsonl", &[article("u1", "Story kqv3z third.")]);
    let s = ix.index_ok(&[&two]);
    assert_counts(&s, 0, 1, 0, 0, 1);
    assert!(ix.query("kqv1z OR kqv2z").hits.is_empty());
    assert_eq!(ix.doc_ids("kqv3z"), ["u1"]);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (2, 2));

    // A numeric id is the same document as its string form; a tweet
    // replaces an article of the same id.
    let three = ix.write_jsonl(
        "three.jsonl",
        &[
            serde_json::json!({"id": 7, "body": "Number kqn1z."}),
            serde_json::json!({"id": "7", "text": "Tweet kqn2z #news", "lang": "en", "author": "@desk"}),
            serde_json::json!({"id": "u2", "text": "Tweet kqw2z now", "lang": "en", "author": "@desk"}),
        ],
    );
    ix.index_ok(&[&three]);
    assert!(ix.query("kqn1z OR kqw1z").hits.is_empty());
    assert_eq!(ix.doc_ids("kqn2z"), ["7"]);
    assert_eq!(ix.doc_ids("kqw2z"), ["u2"]);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages, st.tweets), (3, 3, 2));
}

/// The last record of an id wins even when it brings back the content that
/// is already indexed: a run reading B then A for an id indexed as A must
/// leave A.
#[test]
fn upsert_back_to_the_indexed_version_within_one_run() {
    let ix = Ix::new();
    let v1 = ix.write_jsonl("v1.jsonl", &[article("x", "Version kqalphaz.")]);
    ix.index_ok(&[&v1]);
    let v2 = ix.write_jsonl(
        "v2.jsonl",
        &[
            article("x", "Version kqbetaz."),
            article("x", "Version kqalphaz."),
        ],
    );
    ix.index_ok(&[&v2]);
    assert_eq!(
        ix.texts("version"),
        ["Version kqalphaz."],
        "the later record of id x (kqalphaz) must be the indexed one"
    );
    assert_eq!(ix.stats().documents, 1);
}

/// Writes a different schema version into the marker.
fn bump_schema(ix: &Ix) {
    let marker = ix.dir().join("gazette.json");
    let text = std::fs::read_to_string(&marker).expect("gazette.json");
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cur = v["schema_version"].as_u64().expect("schema_version");
    v["schema_version"] = (cur + 100).into();
    std::fs::write(&marker, v.to_string()).unwrap();
}

#[test]
fn another_schema_version_is_refused_with_a_rebuild_hint() {
    let ix = Ix::new();
    let f = ix.write_jsonl("a.jsonl", &[article("a", "Alpha kqaz.")]);
    ix.index_ok(&[&f]);
    bump_schema(&ix);
    let runs: [&[&dyn AsRef<OsStr>]; 5] = [
        &[&"query", &"alpha", &"--format", &"json"],
        &[&"index", &f],
        &[&"stats", &"--format", &"json"],
        &[&"delete", &"a"],
        &[&"optimize"],
    ];
    for args in runs {
        let r = ix.run(args);
        r.expect_code(2);
        assert!(
            r.stderr.contains("rebuild"),
            "{:?}: stderr does not mention rebuild:\n{}",
            args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
            r.stderr
        );
    }
}

/// The schema-version error says "rebuild it with `gazette index
/// --rebuild`": that command must then work.
#[test]
fn rebuild_recovers_from_another_schema_version() {
    let ix = Ix::new();
    let f = ix.write_jsonl("a.jsonl", &[article("a", "Alpha kqaz.")]);
    ix.index_ok(&[&f]);
    bump_schema(&ix);
    let g = ix.write_jsonl("g.jsonl", &[article("g", "Golf kqgz.")]);
    ix.index_ok(&[&g, &"--rebuild"]);
    let st = ix.stats();
    assert_eq!(st.documents, 1);
    assert_eq!(ix.doc_ids("kqgz"), ["g"]);
}

/// Document ids of `resp`, checked to be distinct.
#[track_caller]
pub(crate) fn distinct_docs(resp: &Response) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for h in &resp.hits {
        assert!(
            set.insert(h.doc.id.clone()),
            "document {} found twice (passage {})",
            h.doc.id,
            h.passage.id
        );
    }
    set
}

/// The title is indexed on a document's first passage only; `title:` and
/// the title bonus reach every passage of the document, whatever updates,
/// deletes and merges did to the segments.
#[test]
fn title_queries_reach_every_passage_across_updates_and_merges() {
    let ix = Ix::new();
    // Each paragraph long enough (more than ten words) to be a passage.
    let doc = |id: &str, title: &str, paras: &[&str]| {
        let paras: Vec<String> = paras
            .iter()
            .map(|p| format!("{p} This paragraph is long enough to be a passage."))
            .collect();
        serde_json::json!({"id": id, "title": title, "lang": "en", "body": paras.join("\n\n")})
    };
    let ids_of = |q: &str| -> Vec<String> {
        let mut ids: Vec<String> = ix.query(q).hits.into_iter().map(|h| h.passage.id).collect();
        ids.sort();
        ids
    };
    let v1 = ix.write_jsonl(
        "v1.jsonl",
        &[
            doc(
                "a",
                "Alpha report",
                &["First of a.", "Second of a.", "Third of a."],
            ),
            doc("b", "Beta report", &["Only of b."]),
            doc("c", "Gamma report", &["First of c.", "Second of c."]),
        ],
    );
    ix.index_ok(&[&v1]);
    assert_eq!(ids_of("title:alpha"), ["a#0", "a#1", "a#2"]);
    assert_eq!(ids_of("title:report").len(), 6);
    assert_eq!(ids_of("+title:gamma +second"), ["c#1"]);
    assert_eq!(ids_of("first -title:alpha"), ["c#0"]);
    // a changes (two passages now, in a new segment) and b goes.
    let v2 = ix.write_jsonl(
        "v2.jsonl",
        &[doc(
            "a",
            "Alpha revised",
            &["New first of a.", "New second of a."],
        )],
    );
    ix.index_ok(&[&v2]);
    ix.run(&[&"delete", &"b"]).expect_code(0);
    let check = || {
        assert_eq!(ids_of("title:alpha"), ["a#0", "a#1"]);
        assert_eq!(ids_of("title:revised"), ["a#0", "a#1"]);
        assert_eq!(ids_of("title:beta"), Vec::<String>::new());
        assert_eq!(ids_of("title:report"), ["c#0", "c#1"]);
        // The bonus: the same passage text ranks higher under a matching title.
        let hits = ix.query("second revised").hits;
        assert_eq!(hits[0].passage.id, "a#1", "{hits:?}");
    };
    check();
    ix.run(&[&"optimize"]).expect_code(0);
    assert_eq!(ix.stats().segments, 1);
    check();
}

/// A run merges nothing while it indexes and merges its commits' segments
/// at its end; an id repeated across its commits is one document, the last
/// record's, and a record repeated word for word is counted unchanged.
#[test]
fn a_runs_segments_are_merged_at_its_end_and_repeated_ids_kept_once() {
    let ix = Ix::new();
    let repeated = [0, 1000, 2000];
    let mut records: Vec<serde_json::Value> = (0..2304)
        .map(|i| match repeated.contains(&i) {
            true => article("rep", &format!("Repeated kqrep{i}z version.")),
            false => article(&format!("r{i}"), &format!("Record kq{i}z.")),
        })
        .collect();
    records.push(article("r5", "Record kq5z."));
    let input = ix.write_jsonl("many.jsonl", &records);
    // A commit after each batch of 256 records read: ten commits, ten
    // segments of one indexing thread.
    let s = ix.index_ok(&[&input, &"--commit-every", &"1", &"--threads", &"1"]);
    assert_counts(&s, 2302, 2, 1, 0, 2304);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (2302, 2302));
    assert_eq!(st.segments, 1, "the run's ten segments merged into one");
    let stores = std::fs::read_dir(ix.dir())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some(OsStr::new("store")))
        .count();
    assert_eq!(stores, 1, "the merged segments' files are gone");
    assert!(ix.query("kqrep0z OR kqrep1000z").hits.is_empty());
    assert_eq!(ix.doc_ids("kqrep2000z"), ["rep"]);
    assert_eq!(ix.doc_ids("kq5z"), ["r5"]);
    assert_eq!(ix.doc_ids("kq2303z"), ["r2303"]);
}

/// Runs leave fewer than three small segments (under 16 MB) unmerged and
/// merge them when the third comes: a query pays per segment, and small
/// ones cost little to merge (larger ones wait for eight of a level).
#[test]
fn small_segments_of_several_runs_are_merged_by_threes() {
    let ix = Ix::new();
    for run in 1..=8 {
        let input = ix.write_jsonl(
            &format!("run{run}.jsonl"),
            &[article(&format!("d{run}"), &format!("Run kqrun{run}z."))],
        );
        ix.index_ok(&[&input, &"--threads", &"1"]);
        let st = ix.stats();
        assert_eq!(st.documents, run);
        // 1, 2, then 3 merged into 1; the merged one and the next run's…
        assert_eq!(
            st.segments,
            if run % 2 == 1 { 1 } else { 2 },
            "after run {run}"
        );
    }
    assert_eq!(ix.doc_ids("kqrun1z OR kqrun8z"), ["d1", "d8"]);
}
