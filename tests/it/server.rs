//! `gazette serve`: the real binary on a free port, over a small fixture
//! index (`tests/fixtures/server.jsonl`), every endpoint, status and error
//! read through the library's own types.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gazette::index::stats::Stats;
use gazette::index::writer::Summary;
use gazette::search::Response;
use gazette::search::batch::{BatchAnswer, BatchFailure};
use gazette::server::error::ErrorBody;

use crate::common::{TestIndex, gazette};

const KEY: &str = "test-key-7c1f";

pub fn server_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/server.jsonl")
}

/// A running `gazette serve`; stopped (SIGTERM) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    stderr: Arc<Mutex<String>>,
    agent: ureq::Agent,
}

/// An HTTP answer: status, headers we look at, body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not the expected JSON ({e}): {}", self.body))
    }

    /// The error body, checking the status and kind.
    pub fn error(&self, status: u16, kind: &str) -> ErrorBody {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type, "application/json", "{}", self.body);
        let e: ErrorBody = self.json();
        assert_eq!(e.error.kind, kind, "{}", self.body);
        assert!(!e.error.message.is_empty());
        e
    }
}

impl Server {
    /// Starts `gazette --index INDEX serve --addr 127.0.0.1:0 ARGS…`, with
    /// `$GAZETTE_API_KEY` set to `key` if given.
    pub fn start(index: &Path, key: Option<&str>, args: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gazette"));
        cmd.env_remove("GAZETTE_INDEX")
            .env_remove("GAZETTE_API_KEY")
            .current_dir(std::env::temp_dir())
            .arg("--index")
            .arg(index)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(k) = key {
            cmd.env("GAZETTE_API_KEY", k);
        }
        let mut child = cmd.spawn().expect("start gazette serve");
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
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the address line");
        let addr = line
            .trim()
            .strip_prefix("gazette: listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "no address line: {line:?}; stderr:\n{}",
                    stderr.lock().unwrap()
                )
            })
            .to_string();
        assert!(addr.starts_with("http://127.0.0.1:"), "{addr}");
        assert!(!addr.ends_with(":0"), "the real port is printed: {addr}");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Server {
            child,
            base: addr,
            stderr,
            agent,
        }
    }

    fn answer(mut resp: ureq::http::Response<ureq::Body>) -> Answer {
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type").unwrap_or_default();
        let retry_after = header("retry-after");
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .expect("read body");
        Answer {
            status,
            content_type,
            retry_after,
            body,
        }
    }

    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Answer {
        let resp = self
            .agent
            .get(format!("{}{path}", self.base))
            .query_pairs(query.iter().copied())
            .call()
            .expect("GET");
        Server::answer(resp)
    }

    pub fn search(&self, query: &[(&str, &str)]) -> Response {
        let a = self.get("/search", query);
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.content_type, "application/json");
        a.json()
    }

    pub fn post(&self, path: &str, key: Option<&str>, body: &[u8]) -> Answer {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        Server::answer(req.send(body).expect("POST"))
    }

    pub fn delete(&self, path: &str, key: Option<&str>) -> Answer {
        let mut req = self.agent.delete(format!("{}{path}", self.base));
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        Server::answer(req.call().expect("DELETE"))
    }

    /// Sends SIGTERM and waits for the exit; returns it with the log.
    pub fn stop(mut self) -> (ExitStatus, String) {
        let status = terminate(&mut self.child);
        // Let the reader thread take the last lines.
        std::thread::sleep(Duration::from_millis(100));
        let log = self.stderr.lock().unwrap().clone();
        (status, log)
    }
}

fn terminate(child: &mut Child) -> ExitStatus {
    if let Ok(Some(status)) = child.try_wait() {
        return status;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("gazette serve did not stop within 20 s of SIGTERM");
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn fixture_index() -> TestIndex {
    TestIndex::build(&[&server_fixture()])
}

/// Passage ids of a response, in rank order.
fn ids(resp: &Response) -> Vec<&str> {
    resp.hits.iter().map(|h| h.passage.id.as_str()).collect()
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn search_answers_the_json_of_gazette_query() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), None, &[]);
    for args in [
        vec![("q", "Valencia")],
        vec![("q", "flood"), ("limit", "2"), ("offset", "1")],
        vec![("q", "Valencia"), ("lang", "es"), ("kind", "tweet")],
        vec![
            ("q", "Valencia"),
            ("since", "2024-10-29"),
            ("until", "2024-10-30"),
        ],
        vec![
            ("q", "Valencia"),
            ("author", "@mruiz"),
            ("per_article", "1"),
        ],
        vec![("q", "Valencia"), ("highlights", "false")],
    ] {
        let mut http = server.search(&args);
        let mut cli_args: Vec<String> = Vec::new();
        for (k, v) in &args[1..] {
            match *k {
                "highlights" => cli_args.push("--no-highlights".into()),
                _ => {
                    cli_args.push(format!("--{}", k.replace('_', "-")));
                    cli_args.push(v.to_string());
                }
            }
        }
        let cli_refs: Vec<&str> = cli_args.iter().map(String::as_str).collect();
        let mut cli = idx.query(args[0].1, &cli_refs);
        (http.took_ms, cli.took_ms) = (0.0, 0.0);
        assert_eq!(http, cli, "{args:?}");
        assert!(http.facets.is_none(), "no facets unless asked");
    }
    // The plain search, exactly: every passage with Valencia, the HTML as text.
    let resp = server.search(&[("q", "Valencia"), ("limit", "20")]);
    let mut found = ids(&resp);
    found.sort_unstable();
    assert_eq!(
        found,
        ["a1#0", "a2#0", "e1#0", "t1#0", "t2#0", "u1#0", "x1#0"]
    );
    assert_eq!(resp.total, 7);
    let x1 = resp.hits.iter().find(|h| h.doc.id == "x1").unwrap();
    assert_eq!(
        x1.passage.text,
        "Valencia: <script>alert(1)</script> is not a flood report."
    );
    assert_eq!(x1.doc.title.as_deref(), Some("<b>Bold</b> claims"));
    let t2 = resp.hits.iter().find(|h| h.doc.id == "t2").unwrap();
    let marked: Vec<&str> = t2
        .passage
        .highlights
        .iter()
        .map(|s| &t2.passage.text[s.start..s.end])
        .collect();
    assert_eq!(marked, ["Valencia"]);
}

#[test]
fn facets_count_every_match_and_ignore_their_own_filter() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), None, &[]);
    let all = server.search(&[
        ("q", "Valencia"),
        ("limit", "1"),
        ("facets", "lang,kind,author,date"),
    ]);
    let f = all.facets.clone().expect("facets asked for");
    assert_eq!(f.lang, Some(counts(&[("en", 5), ("es", 2)])));
    assert_eq!(f.kind, Some(counts(&[("article", 5), ("tweet", 2)])));
    assert_eq!(
        f.author,
        Some(counts(&[("@mruiz", 2), ("Ann Lee", 2), ("Luis Gil", 1)]))
    );
    assert_eq!(
        f.date,
        Some(counts(&[
            ("2024-10-28", 2),
            ("2024-10-29", 2),
            ("2024-10-30", 1),
            ("2024-11-01", 1),
        ]))
    );
    assert_eq!(all.hits.len(), 1, "the page is one hit, the counts all");

    // Each count is the total of the search filtered by that value.
    for (lang, n) in f.lang.as_ref().unwrap() {
        assert_eq!(
            server.search(&[("q", "Valencia"), ("lang", lang)]).total as u64,
            *n
        );
    }
    for (author, n) in f.author.as_ref().unwrap() {
        let r = server.search(&[("q", "Valencia"), ("author", author)]);
        assert_eq!(r.total as u64, *n, "{author}");
    }
    for (day, n) in f.date.as_ref().unwrap() {
        let r = server.search(&[("q", "Valencia"), ("since", day), ("until", day)]);
        assert_eq!(r.total as u64, *n, "{day}");
    }

    // Filtered by language: the lang facet still shows both languages,
    // the others count only Spanish passages.
    let es = server.search(&[
        ("q", "Valencia"),
        ("lang", "es"),
        ("facets", "lang,kind,author,date"),
    ]);
    let fe = es.facets.expect("facets");
    assert_eq!(es.total, 2);
    assert_eq!(fe.lang, f.lang);
    assert_eq!(fe.kind, Some(counts(&[("article", 1), ("tweet", 1)])));
    assert_eq!(fe.author, Some(counts(&[("@mruiz", 1), ("Luis Gil", 1)])));
    assert_eq!(
        fe.date,
        Some(counts(&[("2024-10-28", 1), ("2024-10-29", 1)]))
    );
    // A date range: the date facet keeps every day, the others narrow.
    let day = server.search(&[
        ("q", "Valencia"),
        ("since", "2024-10-29"),
        ("until", "2024-10-29"),
        ("facets", "date,kind"),
    ]);
    let fd = day.facets.expect("facets");
    assert_eq!(fd.date, f.date);
    assert_eq!(fd.kind, Some(counts(&[("tweet", 2)])));
    assert_eq!(fd.lang, None, "only the facets asked for");

    // `gazette query --facets` gives the same JSON.
    let mut cli = idx.query(
        "Valencia",
        &["--lang", "es", "--facets", "lang,kind,author,date"],
    );
    let mut http = server.search(&[
        ("q", "Valencia"),
        ("lang", "es"),
        ("facets", "lang,kind,author,date"),
    ]);
    (http.took_ms, cli.took_ms) = (0.0, 0.0);
    assert_eq!(http, cli);
}

#[test]
fn query_facets_in_text_output_are_a_short_summary() {
    let idx = fixture_index();
    let out = idx
        .query_cmd(
            "Valencia",
            &["--facets", "lang,author,date", "--color", "never"],
        )
        .output()
        .expect("run");
    let text = String::from_utf8(out.stdout).unwrap();
    let tail: Vec<&str> = text.lines().rev().take(3).collect();
    assert_eq!(
        tail,
        [
            "date:   2024-10-28 – 2024-11-01 (4 days), busiest 2024-10-28 (2)",
            "author: @mruiz 2, Ann Lee 2, Luis Gil 1",
            "lang:   en 5, es 2",
        ]
    );
    let bad = idx
        .query_cmd("Valencia", &["--facets", "source"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown facet \"source\""));
}

#[test]
fn bad_requests_get_json_errors_with_their_status() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), None, &["--max-body-mb", "1"]);
    server.get("/search", &[]).error(400, "empty_query");
    server
        .get("/search", &[("q", "  ")])
        .error(400, "empty_query");
    let long = "word ".repeat(500);
    server
        .get("/search", &[("q", &long)])
        .error(400, "query_too_long");
    for bad in [
        vec![("q", "x"), ("kind", "video")],
        vec![("q", "x"), ("since", "yesterday")],
        vec![("q", "x"), ("since", "2024-11-01"), ("until", "2024-10-01")],
        vec![("q", "x"), ("limit", "ten")],
        vec![("q", "x"), ("limit", "100000")],
        vec![("q", "x"), ("lang", "12345")],
        vec![("q", "x"), ("facets", "lang,source")],
        vec![("q", "x"), ("colour", "red")],
    ] {
        server.get("/search", &bad).error(400, "invalid_parameter");
    }
    server.get("/nothing/here", &[]).error(404, "not_found");
    server
        .post("/search", None, b"")
        .error(405, "method_not_allowed");
    let big = vec![b'x'; (1 << 20) + 1];
    let e = server
        .post("/batch", None, &big)
        .error(413, "body_too_large");
    assert!(e.error.message.contains("--max-body-mb"));
    let health = server.get("/health", &[]);
    assert_eq!(
        (health.status, health.body.as_str()),
        (200, r#"{"status":"ok"}"#)
    );
}

#[test]
fn stats_are_those_of_gazette_stats() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), None, &[]);
    let http: Stats = server.get("/stats", &[]).json();
    let out = gazette()
        .arg("--index")
        .arg(idx.path())
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    let cli: Stats = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(http, cli);
    assert_eq!((http.documents, http.passages, http.tweets), (8, 9, 2));
}

#[test]
fn batch_streams_answers_in_input_order() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), None, &[]);
    let input = "Valencia\n{\"id\": \"q2\", \"query\": \"flood\", \"kind\": \"tweet\"}\n\n{\"query\": \n{\"id\": \"q4\", \"query\": \"inondations\", \"limit\": 1}\n";
    let a = server.post("/batch", None, input.as_bytes());
    assert_eq!(a.status, 200);
    assert_eq!(a.content_type, "application/x-ndjson");
    let lines: Vec<&str> = a.body.lines().collect();
    assert_eq!(lines.len(), 4, "{}", a.body);
    let first: BatchAnswer = serde_json::from_str(lines[0]).unwrap();
    assert_eq!((first.id.clone(), first.response.total), (1.into(), 7));
    let second: BatchAnswer = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(second.id, "q2");
    assert_eq!(ids(&second.response), ["t1#0"]);
    let third: BatchFailure = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(
        (third.id.clone(), third.error.kind.as_str()),
        (4.into(), "invalid_json")
    );
    let fourth: BatchAnswer = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(fourth.id, "q4");
    assert_eq!(ids(&fourth.response), ["f1#0"]);
    // The same as `gazette batch` on the same input, but for the times.
    let out = gazette()
        .arg("--index")
        .arg(idx.path())
        .arg("batch")
        .write_stdin(input)
        .output()
        .unwrap();
    let strip = |s: &str| -> Vec<serde_json::Value> {
        s.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                if let Some(o) = v.as_object_mut() {
                    o.remove("took_ms");
                }
                v
            })
            .collect()
    };
    assert_eq!(
        strip(&a.body),
        strip(&String::from_utf8(out.stdout).unwrap())
    );
}

#[test]
fn writes_need_the_api_key() {
    let idx = fixture_index();
    let doc = br#"{"id": "n1", "title": "Zaragoza", "body": "Snow in Zaragoza."}"#;
    {
        let server = Server::start(&idx.path(), None, &[]);
        server
            .post("/documents", Some(KEY), doc)
            .error(403, "forbidden");
        server
            .delete("/documents/a1", Some(KEY))
            .error(403, "forbidden");
    }
    let key_file = idx.dir.path().join("key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let by_file = ["--api-key-file", key_file.to_str().unwrap()];
    for (env, args) in [(Some(KEY), &[][..]), (None, &by_file[..])] {
        let server = Server::start(&idx.path(), env, args);
        server
            .post("/documents", None, doc)
            .error(401, "unauthorized");
        let wrong = server.post("/documents", Some("nope"), doc);
        wrong.error(401, "unauthorized");
        server
            .delete("/documents/a1", None)
            .error(401, "unauthorized");
        server
            .delete("/documents/a1", Some("test-key-7c1F"))
            .error(401, "unauthorized");
        assert_eq!(server.search(&[("q", "Zaragoza")]).total, 0);
    }
}

#[test]
fn documents_added_and_deleted_are_seen_by_the_next_search() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), Some(KEY), &[]);
    let doc = br#"{"id": "n1", "title": "Zaragoza", "body": "Snow in Zaragoza.", "date": "2024-12-01", "lang": "en"}
{"id": "n2", "text": "Zaragoza under snow", "handle": "ebro", "lang": "en"}
"#;
    let a = server.post("/documents", Some(KEY), doc);
    assert_eq!(a.status, 200, "{}", a.body);
    let s: Summary = a.json();
    assert_eq!((s.added, s.updated, s.rejected, s.passages), (2, 0, 0, 2));
    let resp = server.search(&[("q", "Zaragoza"), ("facets", "author")]);
    let mut found = ids(&resp);
    found.sort_unstable();
    assert_eq!(found, ["n1#0", "n2#0"]);
    assert_eq!(resp.facets.unwrap().author, Some(counts(&[("@ebro", 1)])));
    // A text article: its id is the name given.
    let a = server.post(
        "/documents?name=snow.txt",
        Some(KEY),
        "Snowfall in Huesca\n\nHuesca woke up under snow.".as_bytes(),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let huesca = server.search(&[("q", "Huesca")]);
    assert_eq!(huesca.hits[0].doc.id, "snow.txt");
    // An id with a slash is deleted by its path.
    let a = server.post(
        "/documents",
        Some(KEY),
        br#"{"id": "dir/page.txt", "body": "Tarragona."}"#,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let d = server.delete("/documents/dir/page.txt", Some(KEY));
    assert_eq!(
        (d.status, d.json::<Summary>().deleted),
        (200, 1),
        "{}",
        d.body
    );
    assert_eq!(server.search(&[("q", "Tarragona")]).total, 0);
    // Deleting.
    let d = server.delete("/documents/n1", Some(KEY));
    assert_eq!(d.status, 200, "{}", d.body);
    let s: Summary = d.json();
    assert_eq!((s.added, s.deleted), (0, 1));
    assert_eq!(ids(&server.search(&[("q", "Zaragoza")])), ["n2#0"]);
    server
        .delete("/documents/n1", Some(KEY))
        .error(404, "not_found");
    server
        .post("/documents?name=a/b.txt", Some(KEY), b"x")
        .error(400, "invalid_parameter");
    server
        .post("/documents", Some(KEY), b"")
        .error(400, "invalid_body");
}

#[test]
fn bad_records_are_422_with_their_lines_and_the_good_ones_indexed() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), Some(KEY), &[]);
    let body = br#"{"id": "g1", "body": "Good record about Teruel."}
{"id": "b1", "body": 42}
{"id": "b2", "body": "not closed"
{"id": "g2", "body": "Another good one from Teruel."}
"#;
    let e = server
        .post("/documents", Some(KEY), body)
        .error(422, "rejected");
    assert_eq!(e.error.errors.len(), 2, "{:?}", e.error.errors);
    assert!(e.error.errors[0].starts_with("2: "), "{:?}", e.error.errors);
    assert!(e.error.errors[1].starts_with("3: "), "{:?}", e.error.errors);
    let s = e.summary.expect("the summary of what was indexed");
    assert_eq!((s.added, s.rejected), (2, 2));
    assert_eq!(server.search(&[("q", "Teruel")]).total, 2);
}

#[test]
fn a_write_lock_held_elsewhere_is_503_with_retry_after() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), Some(KEY), &[]);
    let held = gazette::index::open(&idx.path()).unwrap();
    let writer = gazette::index::writer::open_writer(&held, &Default::default()).unwrap();
    let a = server.post("/documents", Some(KEY), br#"{"id": "l1", "body": "Lock."}"#);
    a.error(503, "locked");
    assert_eq!(a.retry_after.as_deref(), Some("1"));
    server
        .delete("/documents/a1", Some(KEY))
        .error(503, "locked");
    // Searches go on meanwhile.
    assert_eq!(server.search(&[("q", "Valencia")]).total, 7);
    drop(writer);
    let a = server.post("/documents", Some(KEY), br#"{"id": "l1", "body": "Lock."}"#);
    assert_eq!(a.status, 200, "{}", a.body);
}

#[test]
fn searches_run_during_writes_and_see_other_processes_commits() {
    let idx = fixture_index();
    let server = Arc::new(Server::start(&idx.path(), Some(KEY), &[]));
    let writer = {
        let server = server.clone();
        std::thread::spawn(move || {
            for i in 0..6 {
                let doc = format!(r#"{{"id": "w{i}", "body": "Castellon report number {i}."}}"#);
                let a = server.post("/documents", Some(KEY), doc.as_bytes());
                assert_eq!(a.status, 200, "{}", a.body);
            }
        })
    };
    let mut seen = Vec::new();
    while !writer.is_finished() {
        let r = server.search(&[("q", "Valencia")]);
        assert_eq!(r.total, 7);
        seen.push(server.search(&[("q", "Castellon")]).total);
    }
    writer.join().unwrap();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(server.search(&[("q", "Castellon")]).total, 6);
    // Another process adds a document: the server sees it without a restart.
    let extra = idx.dir.path().join("extra.jsonl");
    std::fs::write(
        &extra,
        r#"{"id": "o1", "body": "Alicante from another process."}"#,
    )
    .unwrap();
    gazette()
        .arg("--index")
        .arg(idx.path())
        .arg("index")
        .arg(&extra)
        .assert()
        .success();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.search(&[("q", "Alicante")]).total == 0 {
        assert!(
            Instant::now() < deadline,
            "the other process's commit was not seen in 10 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_saturated_server_answers_503_with_retry_after() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), None, &["--workers", "1", "--queue", "0"]);
    // A long batch whose answer nobody reads holds the only worker.
    let input = "Valencia\n".repeat(20_000);
    let held = server
        .agent
        .post(format!("{}/batch", server.base))
        .send(input.as_bytes())
        .expect("batch");
    assert_eq!(held.status().as_u16(), 200);
    let a = server.get("/search", &[("q", "Valencia")]);
    a.error(503, "busy");
    assert_eq!(a.retry_after.as_deref(), Some("1"));
    // Health needs no worker.
    assert_eq!(server.get("/health", &[]).status, 200);
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.get("/search", &[("q", "Valencia")]).status != 200 {
        assert!(Instant::now() < deadline, "the worker was never freed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_finishes_the_write_in_flight_and_logs_one_line_per_request() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), Some(KEY), &[]);
    assert_eq!(server.get("/health", &[]).status, 200);
    assert_eq!(server.search(&[("q", "Valencia")]).total, 7);
    let body: String = (0..2000)
        .map(|i| format!("{{\"id\": \"s{i}\", \"body\": \"Murcia story {i}.\"}}\n"))
        .collect();
    let base = server.base.clone();
    let post = std::thread::spawn(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .post(format!("{base}/documents"))
            .header("Authorization", format!("Bearer {KEY}"))
            .send(body.as_bytes())
            .expect("POST");
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    });
    std::thread::sleep(Duration::from_millis(300));
    let (status, log) = server.stop();
    let (code, answer) = post.join().unwrap();
    assert!(status.success(), "exit {status:?}; log:\n{log}");
    assert_eq!(code, 200, "{answer}");
    let s: Summary = serde_json::from_str(&answer).unwrap();
    assert_eq!(s.added, 2000);
    assert_eq!(idx.query("Murcia", &["--limit", "1"]).total, 2000);
    let requests: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("127.0.0.1:"))
        .collect();
    assert_eq!(requests.len(), 3, "{log}");
    assert!(requests[0].contains(" GET /health 200 "), "{log}");
    assert!(
        requests[1].contains(" GET /search?q=Valencia 200 "),
        "{log}"
    );
    assert!(requests[2].contains(" POST /documents 200 "), "{log}");
}

#[test]
fn the_page_is_self_contained_and_never_renders_corpus_text_as_html() {
    let idx = fixture_index();
    let server = Server::start(&idx.path(), None, &[]);
    let resp = server
        .agent
        .get(format!("{}/", server.base))
        .call()
        .expect("GET /");
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let page = Server::answer(resp);
    assert_eq!(page.content_type, "text/html; charset=utf-8");
    assert!(
        !page.body.contains("http"),
        "the page refers to nothing elsewhere"
    );
    assert!(!page.body.contains("<script>") && !page.body.contains("style="));
    let js = server.get("/app.js", &[]);
    assert_eq!(js.content_type, "text/javascript; charset=utf-8");
    // The only URL in the script is the SVG namespace, which loads nothing.
    assert_eq!(js.body.matches("http").count(), 1);
    assert!(js.body.contains("\"http://www.w3.org/2000/svg\""));
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!js.body.contains(sink), "app.js uses {sink}");
    }
}

/// The Chromium of Debian's package (`.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The page's DOM after its script ran, from headless Chromium.
fn rendered(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        dom.contains("data-ready=\"true\""),
        "the page did not finish its search; DOM:\n{dom}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

#[test]
fn browser_shows_highlighted_hits_facets_and_the_timeline() {
    let Some(browser) = chromium() else {
        if std::env::var_os("CI").is_some() || crate::common::required() {
            panic!("no chromium on PATH: .ci/run installs Debian's chromium for this test");
        }
        eprintln!("SKIPPED browser test: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let idx = fixture_index();
    let server = Server::start(&idx.path(), None, &["--quiet"]);
    let dom = rendered(&browser, &format!("{}/?q=Valencia&lang=es", server.base));
    // Hits, highlighted, with title, date and tweet author and handle.
    assert_eq!(dom.matches("<li class=\"hit\">").count(), 2, "{dom}");
    assert!(dom.contains("<mark>Valencia</mark>"), "{dom}");
    assert!(dom.contains("Inundación en Valencia"), "{dom}");
    assert!(
        dom.contains("2024-10-29 · Maria Ruiz @mruiz · tweet, es"),
        "{dom}"
    );
    assert!(dom.contains("2 passages match (showing 1–2)"), "{dom}");
    // A language given is no news; one gazette chose is said.
    assert!(!dom.contains("read as"), "{dom}");
    // Facet counts (the lang facet ignores lang=es), as links that filter.
    for (facet, value, n) in [
        ("lang", "en", 5),
        ("lang", "es", 2),
        ("kind", "tweet", 1),
        ("author", "@mruiz", 1),
    ] {
        let class = if value == "es" {
            "facet active"
        } else {
            "facet"
        };
        let link = format!(
            "<a class=\"{class}\" data-facet=\"{facet}\" data-value=\"{value}\">{value}</a><span class=\"count\">{n}</span>"
        );
        assert!(dom.contains(&link), "{link} in {dom}");
    }
    // The timeline: one bar per day with matches.
    assert_eq!(dom.matches("<rect ").count(), 2, "{dom}");
    assert!(
        dom.contains("data-day=\"2024-10-28\" data-count=\"1\""),
        "{dom}"
    );
    assert!(
        dom.contains("data-day=\"2024-10-29\" data-count=\"1\""),
        "{dom}"
    );
    // The form holds the search from the URL.
    assert!(dom.contains("id=\"timeline\""));

    // Corpus text with HTML in it shows as text.
    let dom = rendered(&browser, &format!("{}/?q=alert", server.base));
    assert!(
        dom.contains("&lt;b&gt;Bold&lt;/b&gt; claims"),
        "the title as text: {dom}"
    );
    assert!(
        dom.contains("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"),
        "the body as text: {dom}"
    );
    assert!(!dom.contains("<script>alert"), "{dom}");
    assert!(!dom.contains("<b>Bold"), "{dom}");

    // A sentence's language, identified, is said after the count.
    let q = "La+lluvia+inund%C3%B3+Valencia+el+lunes+por+la+noche";
    let dom = rendered(&browser, &format!("{}/?q={q}", server.base));
    assert!(dom.contains("7 passages match (showing 1–7)"), "{dom}");
    assert!(dom.contains(" ms, read as es"), "{dom}");
    // And the words it left out as stop words of that language.
    assert!(
        dom.contains("read as es; left out as stop words: la, el, por"),
        "{dom}"
    );
}
