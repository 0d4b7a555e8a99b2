//! `gazette index --watch`: the real binary watching a temporary folder;
//! files are written into it (one in two halves, with a pause) and queried
//! from other processes; SIGTERM commits what was written; `--prune` drops a
//! deleted file's documents.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gazette::index::writer::Summary;

use crate::common::{TestIndex, gazette};

/// Long enough for a loaded CI machine; polls end as soon as they succeed.
const DEADLINE: Duration = Duration::from_secs(30);

/// A running `gazette index --watch --format json`.
struct Watcher {
    child: Child,
    summaries: Receiver<Summary>,
    stderr: Arc<Mutex<String>>,
}

impl Watcher {
    /// Starts watching `folder` into `index` and waits for the first pass's
    /// summary, which it returns.
    fn start(index: &TestIndex, folder: &Path, args: &[&str]) -> (Watcher, Summary) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
            .env_remove("GAZETTE_INDEX")
            .current_dir(std::env::temp_dir())
            .arg("--index")
            .arg(index.path())
            .args(["index", "--watch", "--format", "json"])
            .args(args)
            .arg(folder)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gazette index --watch");
        let (tx, summaries) = channel();
        let out = BufReader::new(child.stdout.take().expect("stdout"));
        std::thread::spawn(move || {
            for line in out.lines() {
                let line = line.expect("stdout is UTF-8");
                let summary: Summary = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not a summary ({e}): {line}"));
                if tx.send(summary).is_err() {
                    return;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut w = Watcher {
            child,
            summaries,
            stderr,
        };
        let first = w.next_summary();
        (w, first)
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn next_summary(&mut self) -> Summary {
        match self.summaries.recv_timeout(DEADLINE) {
            Ok(s) => s,
            Err(_) => {
                let _ = self.child.kill();
                panic!(
                    "no summary line within {DEADLINE:?}; stderr:\n{}",
                    self.log()
                )
            }
        }
    }

    /// The summaries until their counts add up to `want` (added, updated,
    /// deleted, rejected all compared).
    fn summaries_until(&mut self, want: &Summary) -> Vec<Summary> {
        let mut got = Vec::new();
        let key = |s: &Summary| (s.added, s.deleted);
        while key(&total(&got)) < key(want) {
            got.push(self.next_summary());
        }
        got
    }

    /// Sends SIGTERM; returns the exit status, the summaries printed since
    /// and stderr.
    fn stop(mut self) -> (ExitStatus, Vec<Summary>, String) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("--watch did not stop on SIGTERM; stderr:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader threads see the pipes close.
        let mut rest = Vec::new();
        while let Ok(s) = self.summaries.recv_timeout(Duration::from_secs(5)) {
            rest.push(s);
        }
        std::thread::sleep(Duration::from_millis(50));
        (status, rest, self.log())
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn total(summaries: &[Summary]) -> Summary {
    let mut t = Summary::default();
    for s in summaries {
        t.added += s.added;
        t.updated += s.updated;
        t.unchanged += s.unchanged;
        t.deleted += s.deleted;
        t.rejected += s.rejected;
        t.passages += s.passages;
    }
    t
}

/// The ids of the documents a query finds, from a separate `gazette query`.
fn found(index: &TestIndex, query: &str) -> Vec<String> {
    let mut ids: Vec<String> = index
        .query(query, &["--limit", "100"])
        .hits
        .into_iter()
        .map(|h| h.doc.id)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Polls `query` from other processes until it finds exactly `want`.
fn wait_until_found(index: &TestIndex, query: &str, want: &[&str]) {
    let started = Instant::now();
    loop {
        let got = found(index, query);
        if got == want {
            return;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{query:?} still finds {got:?}, not {want:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(text.as_bytes()).expect("write");
    f.sync_all().expect("sync");
}

fn setup() -> (TestIndex, std::path::PathBuf) {
    let index = TestIndex {
        dir: tempfile::tempdir().expect("temp dir"),
    };
    let folder = index.dir.path().join("news");
    std::fs::create_dir(&folder).expect("mkdir");
    (index, folder)
}

const LLAMAS: &str = "date 2020-01-07\n\nLlamas crossed the Andes today in a large herd.\n";

#[test]
fn files_written_into_a_watched_folder_are_searchable_from_another_process() {
    let (index, folder) = setup();
    std::fs::write(folder.join("llamas.txt"), LLAMAS).unwrap();
    // Twice the default settle time: the 300 ms pause below stays well
    // inside it on a loaded machine.
    let (watcher, first) = Watcher::start(&index, &folder, &["--settle", "2000"]);
    let mut watcher = watcher;
    assert_eq!((first.added, first.rejected), (1, 0), "{first:?}");
    assert_eq!(found(&index, "llamas"), ["llamas.txt"]);

    // While it watches, it holds the writer lock: another run is refused
    // at once, not left waiting.
    let other = gazette()
        .arg("--index")
        .arg(index.path())
        .arg("index")
        .arg(&folder)
        .timeout(DEADLINE)
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&other.stderr).contains("being written by another gazette"),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );

    // A whole file, and a subfolder made after the watch began.
    std::fs::write(
        folder.join("narwhal.jsonl"),
        "{\"id\":\"n1\",\"title\":\"Narwhal\",\"body\":\"The narwhal surfaced near the ice.\"}\n",
    )
    .unwrap();
    std::fs::create_dir(folder.join("later")).unwrap();
    std::fs::write(
        folder.join("later/otter.txt"),
        "Otters held hands while asleep.\n",
    )
    .unwrap();
    // Two files written in two halves, with a pause: the JSON Lines file
    // stops in the middle of its second record, the article in the middle
    // of its paragraph. Read half, the first would reject a record and the
    // second be indexed short, then updated.
    let half_jsonl = folder.join("burrows.jsonl");
    let half_text = folder.join("harbour.txt");
    append(
        &half_jsonl,
        "{\"id\":\"b1\",\"title\":\"Moles\",\"body\":\"A mole dug under the lawn.\"}\n{\"id\":\"b2\",\"title\":\"Wom",
    );
    append(&half_text, "The ferry left the harbour at dawn, and ");
    std::thread::sleep(Duration::from_millis(300));
    append(&half_jsonl, "bats\",\"body\":\"A wombat dug a burrow.\"}\n");
    append(&half_text, "a quokka watched it go.\n");

    wait_until_found(&index, "narwhal", &["n1"]);
    wait_until_found(&index, "otters", &["later/otter.txt"]);
    wait_until_found(&index, "wombat", &["b2"]);
    wait_until_found(&index, "mole", &["b1"]);
    wait_until_found(&index, "quokka", &["harbour.txt"]);
    let hit = &index.query("quokka", &[]).hits[0];
    assert_eq!(
        hit.passage.text,
        "The ferry left the harbour at dawn, and a quokka watched it go."
    );

    let bursts = watcher.summaries_until(&Summary {
        added: 5,
        ..Summary::default()
    });
    let t = total(&bursts);
    assert_eq!(
        (t.added, t.updated, t.rejected, t.deleted),
        (5, 0, 0, 0),
        "nothing read half: {bursts:?}\n{}",
        watcher.log()
    );
    // The first file was not read again as new.
    assert_eq!(found(&index, "llamas"), ["llamas.txt"]);

    let (status, rest, log) = watcher.stop();
    assert_eq!(status.code(), Some(0), "{log}");
    assert_eq!(total(&rest).rejected, 0, "{rest:?}");
}

#[test]
fn sigterm_commits_what_was_written_and_exits_0() {
    let (index, folder) = setup();
    std::fs::write(folder.join("llamas.txt"), LLAMAS).unwrap();
    // A settle time no test waits for: only the stop commits the new files.
    let (watcher, first) = Watcher::start(&index, &folder, &["--settle", "600000"]);
    assert_eq!(first.added, 1);
    std::fs::write(
        folder.join("tweets.jsonl"),
        concat!(
            "{\"id\":\"t1\",\"text\":\"Puffins are back on the cliffs #birds\",\"author\":\"@seabirds\"}\n",
            "{\"id\":\"t2\",\"text\":\"Gannets dive from thirty metres\",\"author\":\"@seabirds\"}\n",
        ),
    )
    .unwrap();
    std::fs::write(folder.join("heron.txt"), "A heron stood in the reeds.\n").unwrap();
    // The files have no time to settle before the stop.
    assert!(found(&index, "puffins").is_empty());

    let (status, rest, log) = watcher.stop();
    assert_eq!(status.code(), Some(0), "{log}");
    let t = total(&rest);
    assert_eq!((t.added, t.rejected), (3, 0), "{rest:?}\n{log}");
    assert!(log.contains("stopping"), "{log}");
    assert_eq!(found(&index, "puffins"), ["t1"]);
    assert_eq!(found(&index, "gannets"), ["t2"]);
    assert_eq!(found(&index, "heron"), ["heron.txt"]);
    assert_eq!(found(&index, "llamas"), ["llamas.txt"]);
    // The lock is free again.
    gazette()
        .arg("--index")
        .arg(index.path())
        .args(["delete", "heron.txt"])
        .assert()
        .success();
}

#[test]
fn prune_removes_the_documents_of_a_deleted_file_or_record() {
    let (index, folder) = setup();
    std::fs::write(folder.join("llamas.txt"), LLAMAS).unwrap();
    std::fs::create_dir(folder.join("sub")).unwrap();
    std::fs::write(
        folder.join("sub/heron.txt"),
        "A heron stood in the reeds.\n",
    )
    .unwrap();
    let pair = folder.join("pair.jsonl");
    std::fs::write(
        &pair,
        concat!(
            "{\"id\":\"p1\",\"title\":\"Puffins\",\"body\":\"Puffins are back on the cliffs.\"}\n",
            "{\"id\":\"p2\",\"title\":\"Gannets\",\"body\":\"Gannets dive from thirty metres.\"}\n",
        ),
    )
    .unwrap();
    // A long settle time, so the two files a record moves between settle in
    // one burst on a loaded machine too.
    let (mut watcher, first) = Watcher::start(&index, &folder, &["--prune", "--settle", "2000"]);
    assert_eq!((first.added, first.deleted), (4, 0), "{first:?}");

    std::fs::remove_file(folder.join("llamas.txt")).unwrap();
    std::fs::remove_dir_all(folder.join("sub")).unwrap();
    // The record moves to another file: it stays.
    std::fs::write(
        &pair,
        "{\"id\":\"p1\",\"title\":\"Puffins\",\"body\":\"Puffins are back on the cliffs.\"}\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("moved.jsonl"),
        "{\"id\":\"p2\",\"title\":\"Gannets\",\"body\":\"Gannets dive from thirty metres.\"}\n",
    )
    .unwrap();

    wait_until_found(&index, "llamas", &[]);
    wait_until_found(&index, "heron", &[]);
    let bursts = watcher.summaries_until(&Summary {
        deleted: 2,
        ..Summary::default()
    });
    let t = total(&bursts);
    assert_eq!((t.deleted, t.added, t.rejected), (2, 0, 0), "{bursts:?}");
    assert_eq!(found(&index, "puffins"), ["p1"]);
    assert_eq!(found(&index, "gannets"), ["p2"]);

    // Now the record leaves its last file.
    std::fs::write(folder.join("moved.jsonl"), "").unwrap();
    wait_until_found(&index, "gannets", &[]);
    assert_eq!(found(&index, "puffins"), ["p1"]);

    let (status, _, log) = watcher.stop();
    assert_eq!(status.code(), Some(0), "{log}");
}

#[test]
fn a_record_cut_by_a_slow_writer_is_read_again_not_rejected() {
    let (index, folder) = setup();
    // A writer pausing longer than the settle time, in the middle of a line.
    let (mut watcher, _) = Watcher::start(&index, &folder, &["--settle", "200"]);
    let file = folder.join("burrows.jsonl");
    append(
        &file,
        "{\"id\":\"b1\",\"title\":\"Moles\",\"body\":\"A mole dug under the lawn.\"}\n{\"id\":\"b2\",\"title\":\"Wom",
    );
    // Found: the half file was read (and its cut line held back).
    wait_until_found(&index, "mole", &["b1"]);
    std::thread::sleep(Duration::from_millis(250));
    append(&file, "bats\",\"body\":\"A wombat dug a burrow.\"}\n");
    wait_until_found(&index, "wombat", &["b2"]);
    let bursts = watcher.summaries_until(&Summary {
        added: 2,
        ..Summary::default()
    });
    assert_eq!(total(&bursts).rejected, 0, "{bursts:?}");

    // A last line that stays broken is reported once it has been waited
    // for (ten settle times), and the good line before it is indexed.
    std::fs::write(
        folder.join("broken.jsonl"),
        "{\"id\":\"g1\",\"body\":\"Gophers are good diggers.\"}\n{\"id\":\"g2\",\"body\":",
    )
    .unwrap();
    let mut seen = Vec::new();
    while total(&seen).rejected == 0 {
        seen.push(watcher.next_summary());
    }
    let t = total(&seen);
    assert_eq!((t.added, t.rejected), (1, 1), "{seen:?}");
    let error = seen.iter().flat_map(|s| &s.errors).next().unwrap();
    assert!(error.source.ends_with("broken.jsonl"), "{error:?}");
    assert_eq!(error.line, 2, "{error:?}");
    assert_eq!(found(&index, "gophers"), ["g1"]);
    let (status, _, log) = watcher.stop();
    assert_eq!(status.code(), Some(0), "{log}");
}
