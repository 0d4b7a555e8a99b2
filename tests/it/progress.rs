//! Progress on long work: `index`, `batch` and `eval` draw a bar on stderr
//! when it is a terminal (and the input a file), and nothing on a pipe. The
//! terminal is a pseudo-terminal from util-linux's `script`.

use std::path::Path;
use std::process::Command as StdCommand;

use crate::common::{TestIndex, corpus_dir, gazette, skip};

/// Single-quotes `p` for `sh -c`.
fn quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// Runs `gazette ARGS > out` under a pseudo-terminal: what reached the
/// terminal (stderr), or `None` when `script` is missing.
fn on_a_terminal(test: &str, args: &[String], out: &Path) -> Option<String> {
    if StdCommand::new("script").arg("--version").output().is_err() {
        skip(
            test,
            "util-linux's `script` (a pseudo-terminal) is not installed",
        );
        return None;
    }
    let line = format!(
        "{} {} > {}",
        quoted(Path::new(env!("CARGO_BIN_EXE_gazette"))),
        args.join(" "),
        quoted(out)
    );
    let run = StdCommand::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env_remove("GAZETTE_INDEX")
        .env("TERM", "xterm")
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    Some(String::from_utf8_lossy(&run.stdout).into_owned())
}

fn queries(dir: &Path) -> std::path::PathBuf {
    let q = dir.join("queries.txt");
    std::fs::write(&q, "Guaidó\nAsamblea Nacional\n\nParlement\n").unwrap();
    q
}

#[test]
fn batch_shows_queries_answered_on_a_terminal_and_nothing_on_a_pipe() {
    let idx = TestIndex::corpus();
    let q = queries(idx.dir.path());
    let out = idx.dir.path().join("out.jsonl");
    let args = [
        "--index".to_string(),
        quoted(&idx.path()),
        "batch".into(),
        quoted(&q),
    ];
    let Some(tty) = on_a_terminal("batch progress", &args, &out) else {
        return;
    };
    // Three queries answered of the file's four lines (one blank).
    assert!(tty.contains("3/4 queries"), "{tty:?}");
    assert!(tty.contains("ETA"), "{tty:?}");
    let answers = std::fs::read_to_string(&out).unwrap();
    assert_eq!(answers.lines().count(), 3, "{answers}");

    // On a pipe: the same answers, and nothing on stderr.
    let piped = gazette()
        .arg("--index")
        .arg(idx.path())
        .arg("batch")
        .arg(&q)
        .output()
        .unwrap();
    assert!(piped.status.success());
    let timeless = |text: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("took_ms");
                v
            })
            .collect()
    };
    assert_eq!(
        timeless(&String::from_utf8_lossy(&piped.stdout)),
        timeless(&answers)
    );
    assert_eq!(String::from_utf8_lossy(&piped.stderr), "");
}

#[test]
fn eval_and_index_show_progress_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let summary = dir.path().join("summary.txt");
    let args = [
        "--index".to_string(),
        quoted(&index),
        "index".into(),
        quoted(&corpus_dir()),
    ];
    let Some(tty) = on_a_terminal("index progress", &args, &summary) else {
        return;
    };
    assert!(tty.contains("records/s"), "{tty:?}");

    let q = dir.path().join("q.tsv");
    std::fs::write(&q, "q1\tGuaidó\nq2\tParlement\n").unwrap();
    let qrels = dir.path().join("qrels.txt");
    std::fs::write(&qrels, "q1 0 000_76612771bb08419c 1\nq2 0 x 1\n").unwrap();
    let args = [
        "--index".to_string(),
        quoted(&index),
        "eval".into(),
        "--input-format".into(),
        "tsv".into(),
        "--queries".into(),
        quoted(&q),
        "--qrels".into(),
        quoted(&qrels),
    ];
    let report = dir.path().join("report.txt");
    let tty = on_a_terminal("eval progress", &args, &report).unwrap();
    assert!(tty.contains("2/2 queries"), "{tty:?}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("ndcg@10"), "{text}");
}
