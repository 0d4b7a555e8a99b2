//! Faults while indexing: bad records (reported as `file:line: reason`,
//! skipped, every good record around them indexed), `--strict`, the writer
//! lock between processes, and SIGKILL in the middle of a run.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gazette::index::writer::{RecordError, Summary};

use crate::indexing::{Ix, article, distinct_docs};

/// The error of `summary` for `source` (by path) at `line`.
#[track_caller]
fn error_at<'a>(summary: &'a Summary, source: &Path, line: u64) -> &'a RecordError {
    let source = source.display().to_string();
    summary
        .errors
        .iter()
        .find(|e| e.source == source && e.line == line)
        .unwrap_or_else(|| {
            panic!(
                "no error reported for {source}:{line}; errors: {:#?}",
                summary.errors
            )
        })
}

/// Asserts that `source:line` was rejected with a message containing one of
/// `words` (case-insensitive).
#[track_caller]
fn assert_rejected(summary: &Summary, source: &Path, line: u64, words: &[&str]) {
    let e = error_at(summary, source, line);
    let msg = e.message.to_lowercase();
    assert!(
        words.iter().any(|w| msg.contains(&w.to_lowercase())),
        "{source}:{line}: message {:?} names none of {words:?}",
        e.message,
        source = source.display()
    );
}

#[test]
fn bad_json_lines_are_reported_and_every_good_line_is_indexed() {
    let ix = Ix::new();
    let deep_closed = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_open = "[".repeat(10_000);
    let lines: Vec<Vec<u8>> = vec![
        br#"{"id":"g1","body":"Good kqg1z."}"#.to_vec(),
        b"{\"id\":\"utf\",\"body\":\"caf\xe9 \xff\"}".to_vec(), // 2: invalid UTF-8
        br#"{"id":"g2","body":"Good kqg2z."}"#.to_vec(),
        b"{\"id\":\"nul\",\"body\":\"a\x00b\"}".to_vec(), // 4: NUL byte
        br#"{"id":"g3","body":"Good kqg3z."}"#.to_vec(),
        br#"{"id":"mal","body": "#.to_vec(), // 6: malformed
        br#"{"id":"g4","body":"Good kqg4z."}"#.to_vec(),
        br#"{"id":"typ","title":5,"body":"x"}"#.to_vec(), // 8: wrong type
        br#"{"id":"g5","body":"Good kqg5z."}"#.to_vec(),
        br#"{"id":"x"}"#.to_vec(), // 10: missing body
        br#"{"id":"g6","body":"Good kqg6z."}"#.to_vec(),
        br#"{"id":"d","body":"x","date":"yesterday"}"#.to_vec(), // 12: bad date
        // 13: deep nesting in an ignored field, closed: a good record.
        format!(r#"{{"id":"n","body":"Nested kqnestz.","x":{deep_closed}}}"#).into_bytes(),
        // 14: deep nesting never closed: malformed.
        format!(r#"{{"id":"n2","body":"Open kqopenz.","x":{deep_open}"#).into_bytes(),
        br#"{"id":"g7","body":"Good kqg7z."}"#.to_vec(),
        br#"[1, 2]"#.to_vec(), // 16: not an object
    ];
    let path = ix.write("in/mixed.jsonl", lines.join(&b'\n'));

    let run = ix.index(&[&path]);
    run.expect_code(3);
    let s = run.summary();
    assert_rejected(&s, &path, 2, &["UTF-8"]);
    assert_rejected(&s, &path, 4, &["NUL", "control character", "binary"]);
    assert_rejected(&s, &path, 6, &["malformed"]);
    assert_rejected(&s, &path, 8, &["wrong type"]);
    assert_rejected(&s, &path, 10, &["missing body"]);
    assert_rejected(&s, &path, 12, &["date"]);
    assert_rejected(&s, &path, 14, &["malformed"]);
    assert_rejected(&s, &path, 16, &["wrong type", "malformed"]);
    assert_eq!(s.rejected, 8, "{:#?}", s.errors);
    assert_eq!(s.errors.len(), 8);
    assert_eq!(s.added, 8);

    for n in 1..=7 {
        assert_eq!(ix.doc_ids(&format!("kqg{n}z")), [format!("g{n}")]);
    }
    assert_eq!(ix.doc_ids("kqnestz"), ["n"]);
    assert!(ix.query("kqopenz").hits.is_empty());
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (8, 8));
    // stderr carries the same `file:line: reason` lines.
    assert!(
        run.stderr
            .contains(&format!("{}:10: missing body", path.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_files_and_missing_paths_are_reported() {
    let ix = Ix::new();
    let dir = ix.root().join("in");
    ix.write("in/a_good.txt", "Good kqtextz article.\n");
    let binary = ix.write("in/binary.txt", b"Line one.\nLine \x00two.\n");
    let empty_jsonl = ix.write("in/empty.jsonl", b"");
    let empty_txt = ix.write("in/empty.txt", b"  \n\n");
    let bad_utf8 = ix.write("in/latin1.txt", b"Caf\xe9 au lait.\n");
    ix.write_jsonl("in/z.jsonl", &[article("z1", "Good kqz1z.")]);
    let missing = ix.root().join("no/such/file.jsonl");

    let run = ix.index(&[&dir, &missing]);
    run.expect_code(3);
    let s = run.summary();
    assert_rejected(&s, &binary, 2, &["binary", "NUL"]);
    assert_rejected(&s, &empty_jsonl, 0, &["empty"]);
    assert_rejected(&s, &empty_txt, 0, &["empty"]);
    assert_rejected(&s, &bad_utf8, 1, &["UTF-8"]);
    assert_rejected(&s, &missing, 0, &["cannot read", "no such"]);
    assert_eq!(s.rejected, 5, "{:#?}", s.errors);
    assert_eq!(s.added, 2);
    assert_eq!(ix.doc_ids("kqtextz"), ["a_good.txt"]);
    assert_eq!(ix.doc_ids("kqz1z"), ["z1"]);
    assert_eq!(ix.stats().documents, 2);
}

#[test]
fn a_line_over_16_mb_is_rejected_and_the_next_line_indexed() {
    let ix = Ix::new();
    let path = ix.root().join("long.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(br#"{"id":"before","body":"Before kqbeforez."}"#)
            .unwrap();
        f.write_all(b"\n{\"id\":\"big\",\"body\":\"").unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..17 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"}\n").unwrap();
        f.write_all(br#"{"id":"after","body":"After kqafterz."}"#)
            .unwrap();
        f.write_all(b"\n").unwrap();
    }
    let run = ix.index(&[&path]);
    run.expect_code(3);
    let s = run.summary();
    assert_rejected(&s, &path, 2, &["16 MB", "longer"]);
    assert_eq!(s.rejected, 1);
    assert_eq!(ix.doc_ids("kqbeforez"), ["before"]);
    assert_eq!(ix.doc_ids("kqafterz"), ["after"]);
    let st = ix.stats();
    assert_eq!((st.documents, st.passages), (2, 2));
}

#[test]
fn strict_commits_nothing_when_a_record_is_bad() {
    let ix = Ix::new();
    let first = ix.write_jsonl("first.jsonl", &[article("keep", "Kept kqkeepz.")]);
    ix.index_ok(&[&first]);

    // Many good records (several batches, --commit-every 1), then one bad.
    let mut text = String::new();
    for i in 0..600 {
        text.push_str(&article(&format!("s{i}"), &format!("Strict kqs{i}z.")).to_string());
        text.push('\n');
    }
    text.push_str("{\"id\":\"bad\",\"body\":\n");
    let batch = ix.write("batch.jsonl", text);
    let run = ix.index(&[&batch, &"--strict", &"--commit-every", &"1"]);
    assert_eq!(
        run.code,
        Some(2),
        "--strict with a bad record:\n{}",
        run.stderr
    );
    let st = ix.stats();
    assert_eq!(
        (st.documents, st.passages),
        (1, 1),
        "--strict committed something"
    );
    assert!(ix.query("strict").hits.is_empty());
    assert_eq!(ix.doc_ids("kqkeepz"), ["keep"]);

    // On a fresh index, too (and with --rebuild it keeps the old state).
    let fresh = Ix::new();
    let run = fresh.index(&[&batch, &"--strict"]);
    assert_eq!(run.code, Some(2));
    if fresh.dir().join("meta.json").exists() {
        assert_eq!(fresh.stats().documents, 0);
    }
    let run = ix.index(&[&batch, &"--strict", &"--rebuild"]);
    assert_eq!(run.code, Some(2));
    assert_eq!(ix.stats().documents, 1);
}

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gazette"));
    cmd.env_remove("GAZETTE_INDEX")
        .env_remove("NO_COLOR")
        .current_dir(std::env::temp_dir());
    cmd
}

/// Waits for `child` up to `limit`; panics (after killing it) if it runs on.
fn wait_within(child: &mut Child, limit: Duration, what: &str) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

const LOCKED: &str = "being written by another gazette process";

#[test]
fn a_second_writer_fails_at_once_or_waits_and_readers_go_on() {
    let ix = Ix::new();
    let first = ix.write_jsonl("first.jsonl", &[article("c1", "Committed kqc1z.")]);
    ix.index_ok(&[&first]);

    // A writer that holds the lock while it waits for standard input.
    let mut holder = bin()
        .arg("--index")
        .arg(ix.dir())
        .args(["index", "-", "--wait", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The lock file stays on disk between runs, so its presence says
    // nothing: wait until a harmless writer (deleting an unknown id) is
    // refused.
    let start = Instant::now();
    loop {
        let probe = ix.run(&[&"delete", &"no-such-id"]);
        if probe.code == Some(2) && probe.stderr.contains(LOCKED) {
            break;
        }
        probe.expect_code(0);
        assert!(
            holder.try_wait().unwrap().is_none(),
            "the holder ended early"
        );
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the holder never took the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // A second writer fails at once.
    let second = ix.write_jsonl("second.jsonl", &[article("s1", "Second kqs1z.")]);
    let started = Instant::now();
    let run = ix.index(&[&second]);
    run.expect_code(2);
    assert!(run.stderr.contains(LOCKED), "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "did not fail at once"
    );

    // Readers see the last commit.
    assert_eq!(ix.doc_ids("kqc1z"), ["c1"]);
    assert_eq!(ix.stats().documents, 1);

    // With --wait, a writer blocks until the holder is done.
    let mut waiter = bin()
        .arg("--index")
        .arg(ix.dir())
        .arg("index")
        .arg(&second)
        .args(["--wait", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = holder.stdin.take().unwrap();
    stdin
        .write_all(format!("{}\n", article("p1", "Piped kqp1z.")).as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert!(
        waiter.try_wait().unwrap().is_none(),
        "--wait did not wait for the holder"
    );
    // Not committed yet: readers still see the last commit.
    assert!(ix.query("kqp1z").hits.is_empty());
    assert_eq!(ix.doc_ids("kqc1z"), ["c1"]);
    drop(stdin);

    let status = wait_within(&mut holder, Duration::from_secs(20), "the holder");
    let out = holder.wait_with_output().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s.added, 1);

    let status = wait_within(&mut waiter, Duration::from_secs(20), "the --wait writer");
    let out = waiter.wait_with_output().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s.added, 1);

    assert_eq!(ix.doc_ids("kqp1z"), ["p1"]);
    assert_eq!(ix.doc_ids("kqs1z"), ["s1"]);
    assert_eq!(ix.stats().documents, 3);
}

/// splitmix64: a small deterministic generator.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const RECORDS: usize = 3000;
const PASSAGES_PER_RECORD: u64 = 2;

/// After a crash: the index opens, queries work, and it holds only whole
/// documents, each once.
#[track_caller]
fn check_consistent(ix: &Ix, when: &str) -> u64 {
    let st = ix.stats();
    assert!(st.documents <= RECORDS as u64, "{when}: {st:?}");
    assert_eq!(
        st.passages,
        st.documents * PASSAGES_PER_RECORD,
        "{when}: half-written documents: {st:?}"
    );
    // Every record's first passage says "harbour": one hit per document.
    let resp = ix.query("harbour");
    assert_eq!(resp.total as u64, st.documents, "{when}");
    let docs = distinct_docs(&resp);
    assert_eq!(docs.len() as u64, st.documents, "{when}");
    for h in &resp.hits {
        assert_eq!(h.passage.id, format!("{}#0", h.doc.id), "{when}");
    }
    st.documents
}

#[test]
fn sigkill_in_the_middle_of_a_run_leaves_a_consistent_index() {
    let ix = Ix::new();
    let mut text = String::new();
    for i in 0..RECORDS {
        // Two paragraphs long enough to be passages of their own.
        let body = format!(
            "Report kq{i}z about the harbour and the ships that came in from the north.\n\
             Second line of news w{i}v today, on the weather and the markets of the week."
        );
        text.push_str(&article(&format!("r{i}"), &body).to_string());
        text.push('\n');
    }
    let fixture = ix.write("big.jsonl", text);

    let mut killed = 0;
    for round in 0..15u64 {
        let mut seed = 0x5EED_0000 + round;
        let delay = splitmix(&mut seed) % 400;
        let mut cmd = bin();
        cmd.arg("--index")
            .arg(ix.dir())
            .arg("index")
            .arg(&fixture)
            .args(["--commit-every", "200"]);
        // Every third round starts afresh, so a kill also lands in a run
        // that writes (not only one that skips unchanged records).
        if round % 3 == 2 {
            cmd.arg("--rebuild");
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let status = match child.try_wait().unwrap() {
            Some(status) => {
                assert_eq!(
                    status.code(),
                    Some(0),
                    "round {round}: finished with {status}"
                );
                status
            }
            None => {
                child.kill().unwrap();
                killed += 1;
                child.wait().unwrap()
            }
        };
        let when = format!("round {round}, after {delay} ms ({status})");
        if ix.dir().join("meta.json").exists() {
            let docs = check_consistent(&ix, &when);
            eprintln!("{when}: {docs} documents");
        }
    }
    assert!(killed >= 5, "only {killed} runs were killed mid-way");

    let s = ix.index_ok(&[&fixture, &"--commit-every", &"200"]);
    assert_eq!(s.added + s.unchanged, RECORDS as u64, "{s:?}");
    assert_eq!(s.updated, 0, "{s:?}");
    assert_eq!(check_consistent(&ix, "after a full run"), RECORDS as u64);
    for i in [0, 1, 255, 256, 1234, 2999] {
        assert_eq!(ix.doc_ids(&format!("kq{i}z")), [format!("r{i}")]);
    }
}

#[test]
fn an_interrupted_rebuild_keeps_the_index_it_replaces() {
    // --rebuild commits once, at the end: killed half-way (after enough
    // records for several periodic commits of an ordinary run), it leaves
    // the old index whole instead of a partial new one.
    let ix = Ix::new();
    let old = ix.write(
        "old.jsonl",
        format!(
            "{}\n",
            article("old1", "The harbour report of the old index.")
        ),
    );
    ix.index_ok(&[&old]);
    let mut child = bin()
        .arg("--index")
        .arg(ix.dir())
        .args(["index", "--rebuild", "--commit-every", "1", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..1000 {
        let line = article(&format!("new{i}"), "A new harbour report.");
        writeln!(stdin, "{line}").unwrap();
    }
    stdin.flush().unwrap();
    // The records are read, analyzed and added; the run waits for more.
    std::thread::sleep(Duration::from_millis(2000));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(ix.doc_ids("harbour"), ["old1"]);
}
