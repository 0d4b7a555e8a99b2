//! The metrics `gazette eval` scores, as trec_eval computes them.

use super::FULL_DEPTH;
use super::qrels::Judgments;

/// What a metric measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Normalized discounted cumulative gain.
    Ndcg,
    /// Reciprocal rank of the first relevant result.
    Mrr,
    /// Share of the relevant documents retrieved.
    Recall,
    /// Share of the results that are relevant.
    Precision,
    /// Average precision.
    Map,
}

/// A metric and its cutoff, e.g. `ndcg@10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// What it measures.
    pub kind: MetricKind,
    /// Results looked at; `None`: the whole ranking.
    pub cutoff: Option<usize>,
}

impl Metric {
    /// Parses `ndcg@10`, `mrr@10`, `recall@100`, `p@5`, `map`, `map@100`
    /// (also `rr` for `mrr`, `precision` for `p`; case-insensitive).
    pub fn parse(s: &str) -> std::result::Result<Metric, String> {
        let lower = s.trim().to_ascii_lowercase();
        let (name, cutoff) = match lower.split_once('@') {
            Some((n, k)) => {
                let k: usize = k
                    .parse()
                    .ok()
                    .filter(|k| *k > 0)
                    .ok_or_else(|| format!("bad cutoff in metric {s:?} (want e.g. ndcg@10)"))?;
                (n.to_string(), Some(k))
            }
            None => (lower.clone(), None),
        };
        let kind = match name.as_str() {
            "ndcg" => MetricKind::Ndcg,
            "mrr" | "rr" => MetricKind::Mrr,
            "recall" => MetricKind::Recall,
            "p" | "precision" => MetricKind::Precision,
            "map" => MetricKind::Map,
            _ => {
                return Err(format!(
                    "unknown metric {s:?} (known: ndcg, mrr, recall, p, map, each with an optional @k)"
                ));
            }
        };
        if kind == MetricKind::Precision && cutoff.is_none() {
            return Err(format!("metric {s:?} needs a cutoff, e.g. p@10"));
        }
        Ok(Metric { kind, cutoff })
    }

    /// Its name in reports: `ndcg@10`, `map`, …
    pub fn name(&self) -> String {
        let base = match self.kind {
            MetricKind::Ndcg => "ndcg",
            MetricKind::Mrr => "mrr",
            MetricKind::Recall => "recall",
            MetricKind::Precision => "p",
            MetricKind::Map => "map",
        };
        match self.cutoff {
            Some(k) => format!("{base}@{k}"),
            None => base.to_string(),
        }
    }

    /// Results this metric needs: its cutoff, else [`FULL_DEPTH`].
    pub fn depth(&self) -> usize {
        self.cutoff.unwrap_or(FULL_DEPTH)
    }

    /// The metric of one ranking (best first, distinct ids) against the
    /// judgments of its query.
    pub fn score(&self, ranking: &[String], judged: &Judgments) -> f64 {
        let k = self.cutoff.unwrap_or(usize::MAX);
        let top = &ranking[..ranking.len().min(k)];
        let rel = judged.relevant as f64;
        match self.kind {
            MetricKind::Ndcg => {
                let dcg: f64 = top
                    .iter()
                    .enumerate()
                    .map(|(i, d)| gain(judged.grade(d), i))
                    .sum();
                let ideal: f64 = judged
                    .ideal
                    .iter()
                    .take(k)
                    .enumerate()
                    .map(|(i, g)| gain(*g, i))
                    .sum();
                if ideal > 0.0 { dcg / ideal } else { 0.0 }
            }
            MetricKind::Mrr => top
                .iter()
                .position(|d| judged.is_relevant(d))
                .map_or(0.0, |i| 1.0 / (i + 1) as f64),
            MetricKind::Recall => {
                if judged.relevant == 0 {
                    return 0.0;
                }
                top.iter().filter(|d| judged.is_relevant(d)).count() as f64 / rel
            }
            MetricKind::Precision => {
                top.iter().filter(|d| judged.is_relevant(d)).count() as f64 / k as f64
            }
            MetricKind::Map => {
                if judged.relevant == 0 {
                    return 0.0;
                }
                let mut found = 0usize;
                let mut sum = 0.0;
                for (i, d) in top.iter().enumerate() {
                    if judged.is_relevant(d) {
                        found += 1;
                        sum += found as f64 / (i + 1) as f64;
                    }
                }
                sum / rel
            }
        }
    }
}

/// Discounted gain of `grade` at 0-based position `i` (rank i + 1):
/// grade / log2(rank + 1); non-positive grades gain nothing.
fn gain(grade: i64, i: usize) -> f64 {
    if grade <= 0 {
        0.0
    } else {
        grade as f64 / ((i + 2) as f64).log2()
    }
}

/// Parses a comma-separated metric list such as [`DEFAULT_METRICS`].
pub fn parse_metrics(list: &str) -> std::result::Result<Vec<Metric>, String> {
    let mut out: Vec<Metric> = Vec::new();
    for part in list.split(',').filter(|p| !p.trim().is_empty()) {
        let m = Metric::parse(part)?;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    if out.is_empty() {
        return Err("no metric given".into());
    }
    Ok(out)
}
