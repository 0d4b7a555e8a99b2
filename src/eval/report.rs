//! Scores per query, their means overall and per language, and the text report.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::EvalQuery;
use super::metric::Metric;
use super::qrels::Qrels;

/// Metric means (or one query's values), by metric name.
pub type MetricValues = BTreeMap<String, f64>;

/// The means of a group of queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Queries scored.
    pub queries: usize,
    /// Mean of each metric.
    pub metrics: MetricValues,
}

/// One query's metrics (`--per-query`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryScore {
    /// Query id.
    pub id: String,
    /// Query language.
    pub lang: String,
    /// Each metric.
    pub metrics: MetricValues,
    /// Why the query failed (scored as an empty ranking), or null.
    pub error: Option<String>,
}

/// The result of an evaluation (`gazette eval --format json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Queries scored (those with a relevant document in the qrels).
    pub queries: usize,
    /// Queries left out: no relevant document in the qrels.
    pub skipped: usize,
    /// Queries that failed (bad line, search error); those with judgments
    /// are scored as an empty ranking.
    pub failed: usize,
    /// Results asked of each query.
    pub depth: usize,
    /// Mean of each metric over the queries scored.
    pub metrics: MetricValues,
    /// The same per query language (`--by-lang`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_lang: Option<BTreeMap<String, Group>>,
    /// Each scored query, in query-file order (`--per-query`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_query: Option<Vec<QueryScore>>,
}

fn means(scores: &[&QueryScore], metrics: &[Metric]) -> MetricValues {
    metrics
        .iter()
        .map(|m| {
            let name = m.name();
            let sum: f64 = scores.iter().map(|s| s.metrics[&name]).sum();
            let mean = if scores.is_empty() {
                0.0
            } else {
                sum / scores.len() as f64
            };
            (name, mean)
        })
        .collect()
}

/// Scores `rankings` (one per query, as [`rank`] returns them) against
/// `qrels`. `by_lang` and `per_query` fill the report's optional parts.
pub fn score(
    queries: &[EvalQuery],
    rankings: &[std::result::Result<Vec<String>, String>],
    qrels: &Qrels,
    metrics: &[Metric],
    depth: usize,
    by_lang: bool,
    per_query: bool,
) -> Report {
    let mut scored = Vec::new();
    let mut skipped = 0;
    let mut failed = 0;
    let empty = Vec::new();
    for (q, r) in queries.iter().zip(rankings) {
        if r.is_err() {
            failed += 1;
        }
        let Some(judged) = qrels.get(&q.id).filter(|j| j.relevant > 0) else {
            skipped += 1;
            continue;
        };
        let ranking = r.as_ref().unwrap_or(&empty);
        scored.push(QueryScore {
            id: q.id.clone(),
            lang: q.lang.clone(),
            metrics: metrics
                .iter()
                .map(|m| (m.name(), m.score(ranking, judged)))
                .collect(),
            error: r.as_ref().err().cloned(),
        });
    }
    let all: Vec<&QueryScore> = scored.iter().collect();
    let by_lang = by_lang.then(|| {
        let mut groups: BTreeMap<String, Vec<&QueryScore>> = BTreeMap::new();
        for s in &scored {
            groups.entry(s.lang.clone()).or_default().push(s);
        }
        groups
            .into_iter()
            .map(|(l, g)| {
                let group = Group {
                    queries: g.len(),
                    metrics: means(&g, metrics),
                };
                (l, group)
            })
            .collect()
    });
    Report {
        queries: scored.len(),
        skipped,
        failed,
        depth,
        metrics: means(&all, metrics),
        by_lang,
        per_query: per_query.then_some(scored),
    }
}

/// Prints a report as aligned tables: each query (with `per_query`), then
/// one row per language (with `by_lang`) and the row `all`, then the counts.
pub fn write_text(out: &mut dyn Write, report: &Report, metrics: &[Metric]) -> io::Result<()> {
    let names: Vec<String> = metrics.iter().map(Metric::name).collect();
    let widths: Vec<usize> = names.iter().map(|n| n.len().max(6)).collect();
    let row = |out: &mut dyn Write, label: &str, lw: usize, n: &str, values: &MetricValues| {
        write!(out, "{label:<lw$}  {n:>6}")?;
        for (name, w) in names.iter().zip(&widths) {
            write!(out, "  {:>w$.4}", values[name])?;
        }
        writeln!(out)
    };
    let header = |out: &mut dyn Write, label: &str, lw: usize| {
        write!(out, "{label:<lw$}  {:>6}", "n")?;
        for (name, w) in names.iter().zip(&widths) {
            write!(out, "  {name:>w$}")?;
        }
        writeln!(out)
    };
    if let Some(per) = &report.per_query {
        let lw = per.iter().map(|s| s.id.len()).max().unwrap_or(0).max(5);
        write!(out, "{:<lw$}  {:>6}", "query", "lang")?;
        for (name, w) in names.iter().zip(&widths) {
            write!(out, "  {name:>w$}")?;
        }
        writeln!(out)?;
        for s in per {
            row(out, &s.id, lw, &s.lang, &s.metrics)?;
        }
        writeln!(out)?;
    }
    let lw = report
        .by_lang
        .iter()
        .flat_map(|g| g.keys())
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max(4);
    header(out, "lang", lw)?;
    for (l, g) in report.by_lang.iter().flatten() {
        row(out, l, lw, &g.queries.to_string(), &g.metrics)?;
    }
    row(out, "all", lw, &report.queries.to_string(), &report.metrics)?;
    writeln!(
        out,
        "\n{} queries scored, {} skipped (no relevant document in the qrels), {} failed; {} results per query",
        report.queries, report.skipped, report.failed, report.depth
    )
}
