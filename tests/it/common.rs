//! Helpers shared by the integration tests: run the real `gazette` binary
//! against an index in a fresh temporary folder and read its output through
//! the library's own JSON types.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use gazette::search::{Hit, Response};
use tempfile::TempDir;

/// The sample corpus shipped with the repository (three English articles).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The committed multilingual fixture (cut from ../shared/corpora).
pub fn multilingual_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multilingual.jsonl")
}

/// A `gazette` command with a clean environment: no `GAZETTE_INDEX`, no
/// `NO_COLOR`, no BM25 experiment overrides, run from a neutral folder so
/// that nothing can touch the repository's own `index/`.
pub fn gazette() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gazette"));
    cmd.env_remove("GAZETTE_INDEX")
        .env_remove("NO_COLOR")
        .env_remove("GAZETTE_BM25_K1")
        .env_remove("GAZETTE_BM25_B")
        .current_dir(std::env::temp_dir());
    cmd
}

/// An index in its own temporary folder; removed when dropped.
pub struct TestIndex {
    /// Holds the folder alive; the index is `dir/index`.
    pub dir: TempDir,
}

impl TestIndex {
    /// Indexes `paths` into a fresh temporary folder; indexing must succeed
    /// with no rejected record.
    pub fn build(paths: &[&Path]) -> TestIndex {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = gazette();
        cmd.arg("--index")
            .arg(dir.path().join("index"))
            .arg("index");
        for p in paths {
            cmd.arg(p);
        }
        cmd.assert().success();
        TestIndex { dir }
    }

    /// The sample corpus, indexed.
    pub fn corpus() -> TestIndex {
        TestIndex::build(&[&corpus_dir()])
    }

    /// The multilingual fixture, indexed.
    pub fn multilingual() -> TestIndex {
        TestIndex::build(&[&multilingual_fixture()])
    }

    /// The index folder.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// `gazette --index DIR query QUERY ARGS…`, not yet run.
    pub fn query_cmd(&self, query: &str, args: &[&str]) -> Command {
        let mut cmd = gazette();
        cmd.arg("--index")
            .arg(self.path())
            .arg("query")
            .arg(query)
            .args(args);
        cmd
    }

    /// Runs a query with `--format json` and deserializes the answer into
    /// the library's `Response`. Exit code must be 0 (hits) or 1 (none),
    /// consistent with the hits.
    pub fn query(&self, query: &str, args: &[&str]) -> Response {
        let out = self
            .query_cmd(query, args)
            .args(["--format", "json"])
            .output()
            .expect("run gazette");
        let resp: Response = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "query {query:?} {args:?}: stdout is not a Response ({e}); stdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let want = if resp.hits.is_empty() { 1 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(want),
            "query {query:?} {args:?}: exit code; stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        check_hits(&resp.hits);
        resp
    }

    /// Runs a query with `--format jsonl`: one `Hit` per line.
    pub fn query_jsonl(&self, query: &str, args: &[&str]) -> Vec<Hit> {
        let out = self
            .query_cmd(query, args)
            .args(["--format", "jsonl"])
            .output()
            .expect("run gazette");
        let text = String::from_utf8(out.stdout).expect("jsonl is UTF-8");
        let hits: Vec<Hit> = text
            .lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("bad jsonl line {l:?}: {e}"))
            })
            .collect();
        check_hits(&hits);
        hits
    }
}

/// Invariants every hit must keep, whatever the query: highlights select the
/// same text by bytes and by chars, in order and without overlap; the
/// passage offset span has the same length as the text.
pub fn check_hits(hits: &[Hit]) {
    for hit in hits {
        let p = &hit.passage;
        assert!(
            p.id.starts_with(&format!("{}#", hit.doc.id)),
            "passage id {:?} is not <doc id>#n for doc {:?}",
            p.id,
            hit.doc.id
        );
        assert_eq!(p.offset.end - p.offset.start, p.text.len(), "{}", p.id);
        assert_eq!(
            p.offset.char_end - p.offset.char_start,
            p.text.chars().count(),
            "{}",
            p.id
        );
        let mut prev_end = 0;
        for h in &p.highlights {
            assert!(
                h.start >= prev_end && h.start < h.end && h.end <= p.text.len(),
                "{}: highlight {h:?} out of order, empty or out of the text",
                p.id
            );
            prev_end = h.end;
            let by_bytes = p
                .text
                .get(h.start..h.end)
                .unwrap_or_else(|| panic!("{}: highlight {h:?} not on char boundaries", p.id));
            assert_eq!(
                by_bytes,
                char_slice(&p.text, h.char_start, h.char_end),
                "{}: byte and char offsets of {h:?} disagree",
                p.id
            );
        }
    }
}

/// `s[start..end]` counted in Unicode scalar values.
pub fn char_slice(s: &str, start: usize, end: usize) -> String {
    s.chars().skip(start).take(end - start).collect()
}

/// The highlighted texts of a hit, in order.
pub fn marked(hit: &Hit) -> Vec<&str> {
    hit.passage
        .highlights
        .iter()
        .map(|h| &hit.passage.text[h.start..h.end])
        .collect()
}

/// Passage ids of the hits, in rank order.
pub fn ids(resp: &Response) -> Vec<&str> {
    resp.hits.iter().map(|h| h.passage.id.as_str()).collect()
}

/// The tweet handle of a hit, if any.
pub fn handle(hit: &Hit) -> Option<&str> {
    hit.tweet.as_ref().and_then(|t| t.handle.as_deref())
}

/// The tweet date of a hit as `YYYY-MM-DD`, if any.
pub fn tweet_date(hit: &Hit) -> Option<String> {
    hit.tweet
        .as_ref()
        .and_then(|t| t.date.map(|d| d.to_string()))
}

/// The variable `.ci/run` sets so that a test missing what it needs
/// (the shared corpora, a tool) fails instead of being skipped.
pub const REQUIRE: &str = "GAZETTE_REQUIRE_SHARED";

/// Whether a test missing what it needs must fail rather than skip.
pub fn required() -> bool {
    std::env::var_os(REQUIRE).is_some_and(|v| !v.is_empty() && v != "0")
}

/// A test cannot run: with `GAZETTE_REQUIRE_SHARED` set (as `.ci/run`
/// does) it fails with `why`; otherwise it says on stderr that it was
/// skipped, and why, and the caller returns.
pub fn skip(test: &str, why: &str) {
    if required() {
        panic!("{why} ({REQUIRE} is set, so this test fails instead of being skipped)");
    }
    eprintln!("SKIPPED {test}: {why}");
}

/// Where the shared corpora live: `../shared/corpora` next to the checkout,
/// or `None` (the test says it was skipped) when they are missing.
pub fn shared_corpora(test: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the checkout has a parent folder");
    require_shared_in(root, test)
}

/// `base/shared/corpora`, or `None` after [`skip`] explained that the
/// test needs it.
pub fn require_shared_in(base: &Path, test: &str) -> Option<PathBuf> {
    let dir = base.join("shared").join("corpora");
    if !dir.is_dir() {
        skip(
            test,
            &format!(
                "this test reads the shared corpora in ../shared/corpora (looked for {}), \
                 which is missing; check out the shared folder next to this repository",
                dir.display()
            ),
        );
        return None;
    }
    Some(dir)
}
