//! Load for `gazette serve` (run by `scripts/bench_serve.sh`): CLIENTS
//! threads, each with its own keep-alive connection, send `GET /search`
//! for the queries of a file in turn, for SECONDS seconds (loopback only:
//! the address must be 127.0.0.1 or localhost). Prints one JSON line:
//! requests, failed (any status but 200, or no answer), requests/s, p50
//! and p99 latency in ms.
//!
//! Usage: `load URL QUERIES_FILE CLIENTS SECONDS [EXTRA_QUERY_STRING]`

use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: load URL QUERIES_FILE CLIENTS SECONDS [EXTRA]");
        std::process::exit(2);
    }
    let base = args[1].trim_end_matches('/').to_string();
    assert!(
        base.starts_with("http://127.0.0.1:") || base.starts_with("http://localhost:"),
        "load only targets this machine"
    );
    let queries: Vec<String> = std::fs::read_to_string(&args[2])
        .expect("queries file")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let clients: usize = args[3].parse().expect("CLIENTS");
    let seconds: f64 = args[4].parse().expect("SECONDS");
    let extra: Vec<(String, String)> = args
        .get(5)
        .map(|e| {
            e.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let (base, queries, extra) = (base.clone(), queries.clone(), extra.clone());
            std::thread::spawn(move || client(c, &base, &queries, &extra, deadline))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failed = 0u64;
    for w in workers {
        let (l, f) = w.join().expect("client thread");
        latencies.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let n = latencies.len() as u64 + failed;
    println!(
        "{{\"requests\": {n}, \"failed\": {failed}, \"rps\": {:.1}, \"p50_ms\": {:.2}, \"p99_ms\": {:.2}}}",
        n as f64 / elapsed,
        pct(0.50),
        pct(0.99)
    );
}

/// One client's latencies (successful requests) and failures.
fn client(
    id: usize,
    base: &str,
    queries: &[String],
    extra: &[(String, String)],
    deadline: Instant,
) -> (Vec<f64>, u64) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut latencies = Vec::new();
    let mut failed = 0;
    let mut i = id * 7;
    while Instant::now() < deadline {
        let q = &queries[i % queries.len()];
        i += 1;
        let start = Instant::now();
        let ok = agent
            .get(format!("{base}/search"))
            .query("q", q)
            .query_pairs(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .call()
            .ok()
            .filter(|r| r.status() == 200)
            .and_then(|mut r| r.body_mut().read_to_vec().ok())
            .is_some();
        if ok {
            latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        } else {
            failed += 1;
        }
    }
    (latencies, failed)
}
