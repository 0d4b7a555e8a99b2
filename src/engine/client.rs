//! A small blocking HTTP client for a Typesense cluster: the API key on
//! every request, and fail-over from node to node.
//!
//! A cluster is a list of nodes; a request goes to the node that answered
//! last, and on a connection error (or a node's `503 Not Ready or
//! Lagging`) to the next. Typesense forwards writes from any node to the
//! leader and serves reads from any node that is in step, so any live node
//! will do.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::error::{Error, Result};

/// Rounds over all nodes before giving up while they answer 503 (a
/// cluster electing a new leader).
const ROUNDS: usize = 10;
/// Pause between rounds.
const ROUND_PAUSE: Duration = Duration::from_millis(500);

/// The header Typesense reads the API key from.
const KEY_HEADER: &str = "X-TYPESENSE-API-KEY";

/// A Typesense cluster: its nodes and API key.
pub struct Client {
    agent: ureq::Agent,
    /// `http://host:port`, one per node.
    nodes: Vec<String>,
    key: String,
    /// The node that answered last.
    current: AtomicUsize,
}

/// An HTTP answer: status and body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body as text.
    pub body: String,
}

impl Answer {
    /// The body as JSON, or an error naming what failed when the status
    /// is not a success.
    pub fn json(self, what: &str) -> Result<serde_json::Value> {
        if !(200..300).contains(&self.status) {
            return Err(Error::Remote(format!(
                "{what}: Typesense answered {}: {}",
                self.status,
                message(&self.body)
            )));
        }
        serde_json::from_str(&self.body)
            .map_err(|e| Error::Remote(format!("{what}: unreadable answer from Typesense: {e}")))
    }
}

/// The `message` of a Typesense error body, else the body.
fn message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or_else(|| body.chars().take(300).collect())
}

/// Parses a comma-separated list of `host:port` (an `http://` scheme
/// allowed on each) into node base URLs.
pub fn parse_nodes(list: &str) -> Result<Vec<String>> {
    let mut nodes = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let hostport = item.strip_prefix("http://").unwrap_or(item);
        let hostport = hostport.trim_end_matches('/');
        if item.starts_with("https://") {
            return Err(Error::Invalid(format!(
                "{item}: https is not supported (this build has no TLS); reach the cluster over http on a private network"
            )));
        }
        let valid = hostport
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
            && !hostport.contains('/');
        if !valid {
            return Err(Error::Invalid(format!(
                "invalid Typesense node {item:?} (want HOST:PORT)"
            )));
        }
        nodes.push(format!("http://{hostport}"));
    }
    if nodes.is_empty() {
        return Err(Error::Invalid("no Typesense node given".into()));
    }
    Ok(nodes)
}

impl Client {
    /// A client of the nodes (base URLs, see [`parse_nodes`]) with `key`.
    pub fn new(nodes: Vec<String>, key: String) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(2)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Client {
            agent,
            nodes,
            key,
            current: AtomicUsize::new(0),
        }
    }

    /// The nodes, as base URLs.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// `GET path` (with its query string).
    pub fn get(&self, path: &str) -> Result<Answer> {
        self.call("GET", path, None)
    }

    /// `POST path` with a body.
    pub fn post(&self, path: &str, body: &[u8]) -> Result<Answer> {
        self.call("POST", path, Some(body))
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> Result<Answer> {
        self.call("DELETE", path, None)
    }

    /// `GET path`, the body read line by line (a collection export).
    pub fn get_lines(&self, path: &str, mut f: impl FnMut(&str) -> Result<()>) -> Result<()> {
        let mut last = String::new();
        for node in self.order() {
            let url = format!("{}{path}", self.nodes[node]);
            match self.agent.get(&url).header(KEY_HEADER, &self.key).call() {
                Ok(mut resp) if resp.status().is_success() => {
                    self.current.store(node, Ordering::Relaxed);
                    let mut reader = std::io::BufReader::new(resp.body_mut().as_reader());
                    let mut line = String::new();
                    loop {
                        line.clear();
                        let n = std::io::BufRead::read_line(&mut reader, &mut line)
                            .map_err(|e| Error::Remote(format!("{url}: {e}")))?;
                        if n == 0 {
                            return Ok(());
                        }
                        if !line.trim().is_empty() {
                            f(line.trim_end())?;
                        }
                    }
                }
                Ok(mut resp) => {
                    let mut body = String::new();
                    let _ = resp.body_mut().as_reader().read_to_string(&mut body);
                    last = format!("{url}: {} {}", resp.status().as_u16(), message(&body));
                    if resp.status().as_u16() != 503 {
                        break;
                    }
                }
                Err(e) => last = format!("{url}: {e}"),
            }
        }
        Err(Error::Remote(format!(
            "no Typesense node answered ({last})"
        )))
    }

    /// Node indexes to try, starting with the one that answered last.
    fn order(&self) -> impl Iterator<Item = usize> + '_ {
        let n = self.nodes.len();
        let start = self.current.load(Ordering::Relaxed) % n;
        (0..n).map(move |i| (start + i) % n)
    }

    fn call(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<Answer> {
        let mut failures: Vec<String> = Vec::new();
        for round in 0..ROUNDS {
            if round > 0 {
                std::thread::sleep(ROUND_PAUSE);
            }
            let mut unready = false;
            for node in self.order() {
                let url = format!("{}{path}", self.nodes[node]);
                match self.send(method, &url, body) {
                    Ok(answer) if answer.status == 503 => {
                        unready = true;
                        failures.push(format!("{url}: 503 {}", message(&answer.body)));
                    }
                    Ok(answer) => {
                        self.current.store(node, Ordering::Relaxed);
                        return Ok(answer);
                    }
                    Err(e) => failures.push(format!("{url}: {e}")),
                }
            }
            // No node is electing or catching up: waiting will not help.
            if !unready {
                break;
            }
        }
        let last: Vec<&String> = failures.iter().rev().take(self.nodes.len()).collect();
        Err(Error::Remote(format!(
            "no Typesense node answered: {}",
            last.iter()
                .rev()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )))
    }

    fn send(&self, method: &str, url: &str, body: Option<&[u8]>) -> Result<Answer, ureq::Error> {
        let resp = match (method, body) {
            ("POST", Some(b)) => self
                .agent
                .post(url)
                .header(KEY_HEADER, &self.key)
                .header("Content-Type", "application/json")
                .send(b)?,
            ("DELETE", _) => self
                .agent
                .delete(url)
                .header(KEY_HEADER, &self.key)
                .call()?,
            _ => self.agent.get(url).header(KEY_HEADER, &self.key).call()?,
        };
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .with_config()
            .limit(1 << 30)
            .read_to_string()?;
        Ok(Answer { status, body })
    }
}

/// `s` percent-encoded for a URL path segment or query value: every byte
/// but ASCII letters, digits and `-._~`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A query string from pairs, each value encoded.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_parse_with_or_without_scheme() {
        assert_eq!(
            parse_nodes("127.0.0.1:8108, http://h2:9000/").unwrap(),
            ["http://127.0.0.1:8108", "http://h2:9000"]
        );
        assert!(parse_nodes("").is_err());
        assert!(parse_nodes("host").is_err());
        assert!(parse_nodes("host:port").is_err());
        assert!(parse_nodes("https://h:1").is_err());
    }

    #[test]
    fn encoding_keeps_only_unreserved_bytes() {
        assert_eq!(encode("a.txt#1 é/&"), "a.txt%231%20%C3%A9%2F%26");
    }

    #[test]
    fn an_unreachable_cluster_is_an_error_naming_the_nodes() {
        // A port nothing listens on: bind one, then free it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = Client::new(vec![format!("http://127.0.0.1:{port}")], "k".into());
        let err = client.get("/health").unwrap_err().to_string();
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    }
}
