//! `gazette eval`: rank a query file and score the rankings against TREC
//! relevance judgments (qrels), the way `trec_eval` does.
//!
//! Queries are read with the batch parser ([`crate::search::batch::parse_line`]),
//! answered in parallel by one [`Engine`] and scored per query; means are
//! taken over the queries that have at least one relevant document in the
//! qrels (the others are *skipped*, as trec_eval skips them).
//!
//! Metrics (grade = the qrels' integer judgment; relevant = grade > 0, i.e.
//! trec_eval's default relevance level 1; rank `i` counts from 1):
//!
//! - `ndcg@k`: Σ_{i≤k} grade_i / log2(i+1) over the ranking, divided by the
//!   same sum over the qrels' positive grades sorted high to low (trec_eval's
//!   `ndcg_cut.k`: gain = grade, not 2^grade − 1). `ndcg` without `@k`: the
//!   whole ranking against every relevant document (trec_eval's `ndcg`).
//! - `mrr@k`: 1 / rank of the first relevant document within the top k, else 0
//!   (trec_eval's `recip_rank` on the run cut at k).
//! - `recall@k`: relevant documents in the top k / relevant documents.
//! - `p@k`: relevant documents in the top k / k (trec_eval's `P.k`).
//! - `map`: non-interpolated average precision over the whole ranking, divided
//!   by the number of relevant documents (trec_eval's `map`); `map@k` cuts the
//!   ranking at k (`map_cut.k`).
//!
//! Depth: every query is asked for the deepest cutoff needed; a metric without
//! a cutoff (`map`, `ndcg`, `mrr`, `recall`) looks at [`FULL_DEPTH`] = 1000
//! results, trec_eval's default for runs. A larger `limit` deepens it.
//!
//! Ties: the ranking is scored in gazette's order as given. trec_eval instead
//! re-sorts a run by score (descending) and breaks ties by document id
//! (descending), so for results with equal scores it can order them
//! differently than gazette ranked them; give it scores that decrease
//! strictly with the rank (e.g. `-rank`) to make it score gazette's order.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use rayon::prelude::*;

mod metric;
mod qrels;
mod report;

pub use metric::{Metric, MetricKind, parse_metrics};
pub use qrels::{Judgments, Qrels};
pub use report::{Group, MetricValues, QueryScore, Report, score, write_text};

use crate::analysis::lang;
use crate::error::{Error, Result};
use crate::search::batch::{self, BatchOptions, InputFormat, Item, OutputFormat, Unit};
use crate::search::{Engine, Request};

/// How many results a metric without a cutoff (`map`, …) looks at:
/// trec_eval's default depth.
pub const FULL_DEPTH: usize = 1000;

/// The metrics scored when none are asked for.
pub const DEFAULT_METRICS: &str = "ndcg@10,mrr@10,recall@100,map";

/// The language of a query whose language cannot be told.
pub const UNDETERMINED: &str = "und";

/// Settings of an evaluation run.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Defaults of every query (`lang` here is a filter for all queries; a
    /// JSON line may override any of them, as in `gazette batch`).
    pub defaults: Request,
    /// Query file format.
    pub input: InputFormat,
    /// What the rankings (and the qrels) hold: documents or passages.
    pub unit: Unit,
    /// Metrics to score.
    pub metrics: Vec<Metric>,
    /// Search each query only among passages of its own language.
    pub monolingual: bool,
}

impl EvalOptions {
    /// Results asked of every query: the deepest metric, or `limit` if larger.
    pub fn depth(&self) -> usize {
        self.metrics
            .iter()
            .map(Metric::depth)
            .max()
            .unwrap_or(FULL_DEPTH)
            .max(self.defaults.limit)
    }
}

/// A query of the query file, ready to run.
#[derive(Debug, Clone)]
pub struct EvalQuery {
    /// Its id as in a TREC run (white space replaced by `_`).
    pub id: String,
    /// Its language: a JSON line's `lang`, else the id's language part
    /// (`xquadr-es-…`), else the detected language of its text, else `und`.
    pub lang: String,
    /// The request to run, or why the line cannot run.
    pub request: std::result::Result<Request, String>,
}

/// The language part of an id such as `xquadr-es-5726…`: its second
/// dash-separated part, if that is a 2–3 letter code.
pub fn id_lang(id: &str) -> Option<String> {
    let part = id.split('-').nth(1)?;
    if (2..=3).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphabetic()) {
        lang::normalize(part)
    } else {
        None
    }
}

fn query_lang(id: &str, given: Option<&str>, text: Option<&str>) -> String {
    given
        .map(|l| lang::normalize(l).unwrap_or_else(|| l.to_string()))
        .or_else(|| id_lang(id))
        .or_else(|| text.and_then(lang::detect).map(|d| d.lang.to_string()))
        .unwrap_or_else(|| UNDETERMINED.to_string())
}

/// Reads the query file: blank and `#` lines skipped, each other line one
/// query (a line that cannot run is kept with its error). Errors on a
/// non-zero default `offset` and on a query id given twice.
pub fn read_queries(input: impl BufRead, opts: &EvalOptions) -> Result<Vec<EvalQuery>> {
    if opts.defaults.offset != 0 {
        return Err(Error::Invalid(
            "eval scores rankings from the top: --offset is not allowed".into(),
        ));
    }
    let depth = opts.depth();
    // The global --lang is a filter, not a query's language: parse without it.
    let mut defaults = opts.defaults.clone();
    let global_lang = defaults.lang.take();
    let parse_opts = BatchOptions {
        defaults,
        input: opts.input,
        output: OutputFormat::Trec,
        unit: opts.unit,
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    let mut input = input;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        let Some(item) = batch::parse_line(&buf, line_no, &parse_opts) else {
            continue;
        };
        let query = match item {
            Item::Fail(f) => {
                let id = batch::no_space(&batch::id_text(&f.id));
                EvalQuery {
                    lang: query_lang(&id, None, f.query.as_deref()),
                    id,
                    request: Err(f.error.message),
                }
            }
            Item::Run { id, mut req } => {
                let id = batch::no_space(&batch::id_text(&id));
                let given = req.lang.take();
                let qlang = query_lang(&id, given.as_deref(), Some(&req.query));
                req.lang = given
                    .or_else(|| global_lang.clone())
                    .or_else(|| (opts.monolingual && qlang != UNDETERMINED).then(|| qlang.clone()));
                req.limit = req.limit.max(depth);
                req.highlights = false;
                if opts.unit == Unit::Doc {
                    req.per_article = Some(1);
                }
                let request = if req.offset != 0 {
                    Err(format!(
                        "line {line_no}: eval scores rankings from the top: offset is not allowed"
                    ))
                } else {
                    Ok(req)
                };
                EvalQuery {
                    id,
                    lang: qlang,
                    request,
                }
            }
        };
        if let Some(first) = seen.insert(query.id.clone(), line_no) {
            return Err(Error::Invalid(format!(
                "query id {:?} is on line {first} and again on line {line_no}",
                query.id
            )));
        }
        out.push(query);
    }
    Ok(out)
}

/// Answers every query in parallel: for each, in order, the ranked ids
/// (documents, each once at its best passage; or passages) as written in a
/// TREC run by `gazette batch --format trec`, or why it failed. `answered`
/// is called (from any thread) after each query.
pub fn rank(
    engine: &Engine,
    queries: &[EvalQuery],
    unit: Unit,
    answered: &(dyn Fn() + Sync),
) -> Vec<std::result::Result<Vec<String>, String>> {
    queries
        .par_iter()
        .map(|q| {
            let req = q.request.as_ref().map_err(Clone::clone)?;
            let resp = engine.search(req).map_err(|e| e.to_string());
            answered();
            let resp = resp?;
            let mut seen = HashSet::new();
            Ok(resp
                .hits
                .iter()
                .map(|h| {
                    batch::no_space(match unit {
                        Unit::Doc => &h.doc.id,
                        Unit::Passage => &h.passage.id,
                    })
                })
                .filter(|id| seen.insert(id.clone()))
                .collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qrels(text: &str) -> Qrels {
        Qrels::parse(text.as_bytes(), "qrels").unwrap()
    }

    fn ranking(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn m(s: &str) -> Metric {
        Metric::parse(s).unwrap()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    // One query, relevant: a (grade 1), b (grade 2), c (grade 1), e (grade 0,
    // judged non-relevant). Ranking: x a y b e; c is not retrieved.
    const Q: &str = "q1 0 a 1\nq1 0 b 2\nq1 0 c 1\nq1 0 e 0\n";
    const RUN: &[&str] = &["x", "a", "y", "b", "e"];

    #[test]
    fn ndcg_is_trec_evals_ndcg_cut() {
        let qr = qrels(Q);
        let j = qr.get("q1").unwrap();
        let r = ranking(RUN);
        // DCG@5 = 1/log2(3) + 2/log2(5) = 0.6309298 + 0.8613531 = 1.4922829
        // ideal grades 2 1 1: 2/log2(2) + 1/log2(3) + 1/log2(4)
        //                   = 2 + 0.6309298 + 0.5 = 3.1309298
        let dcg = 1.0 / 3f64.log2() + 2.0 / 5f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2() + 0.5;
        close(m("ndcg@5").score(&r, j), dcg / idcg); // 0.4766
        close(m("ndcg@10").score(&r, j), dcg / idcg);
        close(m("ndcg").score(&r, j), dcg / idcg);
        // @2: DCG = 1/log2(3) = 0.6309298; ideal = 2 + 0.6309298 = 2.6309298
        close(
            m("ndcg@2").score(&r, j),
            (1.0 / 3f64.log2()) / (2.0 + 1.0 / 3f64.log2()),
        ); // 0.2398
        // @1: x is not relevant: 0.
        close(m("ndcg@1").score(&r, j), 0.0);
        // A perfect ranking scores 1.
        close(m("ndcg@10").score(&ranking(&["b", "a", "c"]), j), 1.0);
        close(m("ndcg@10").score(&ranking(&["b", "c", "a", "x"]), j), 1.0);
        // Empty ranking: 0.
        close(m("ndcg@10").score(&[], j), 0.0);
    }

    #[test]
    fn mrr_is_the_first_relevant_rank_within_the_cutoff() {
        let qr = qrels(Q);
        let j = qr.get("q1").unwrap();
        let r = ranking(RUN);
        // First relevant (a) at rank 2: 1/2.
        close(m("mrr@10").score(&r, j), 0.5);
        close(m("mrr").score(&r, j), 0.5);
        close(m("mrr@2").score(&r, j), 0.5);
        // Cut before it: 0.
        close(m("mrr@1").score(&r, j), 0.0);
        // e is judged with grade 0: not relevant.
        close(m("mrr@10").score(&ranking(&["e", "y", "x", "c"]), j), 0.25);
    }

    #[test]
    fn recall_and_precision_count_relevant_in_the_top_k() {
        let qr = qrels(Q);
        let j = qr.get("q1").unwrap();
        let r = ranking(RUN);
        // 3 relevant (a b c); top 5 holds a and b: 2/3.
        close(m("recall@5").score(&r, j), 2.0 / 3.0);
        close(m("recall@100").score(&r, j), 2.0 / 3.0);
        // top 3 holds a: 1/3.
        close(m("recall@3").score(&r, j), 1.0 / 3.0);
        close(m("recall@1").score(&r, j), 0.0);
        // P@4 = 2/4; P@10 divides by 10 even with 5 results: 2/10.
        close(m("p@4").score(&r, j), 0.5);
        close(m("p@10").score(&r, j), 0.2);
    }

    #[test]
    fn map_averages_precision_over_all_relevant() {
        let qr = qrels(Q);
        let j = qr.get("q1").unwrap();
        let r = ranking(RUN);
        // a at rank 2: P = 1/2; b at rank 4: P = 2/4; c never: 0.
        // AP = (0.5 + 0.5) / 3 = 0.3333
        close(m("map").score(&r, j), 1.0 / 3.0);
        // map@3 sees only a: 0.5 / 3.
        close(m("map@3").score(&r, j), 0.5 / 3.0);
        // Perfect: (1/1 + 2/2 + 3/3) / 3 = 1.
        close(m("map").score(&ranking(&["c", "a", "b"]), j), 1.0);
        // c a at 1 and 3 of [c x a]: (1 + 2/3) / 3 = 0.5556
        close(
            m("map").score(&ranking(&["c", "x", "a"]), j),
            (1.0 + 2.0 / 3.0) / 3.0,
        );
    }

    #[test]
    fn metric_names_parse_and_print() {
        let ms = parse_metrics(DEFAULT_METRICS).unwrap();
        let names: Vec<String> = ms.iter().map(Metric::name).collect();
        assert_eq!(names, ["ndcg@10", "mrr@10", "recall@100", "map"]);
        assert_eq!(ms.iter().map(Metric::depth).max(), Some(FULL_DEPTH));
        assert_eq!(m("NDCG@5").name(), "ndcg@5");
        assert_eq!(m("rr@10").name(), "mrr@10");
        assert_eq!(m("precision@5").name(), "p@5");
        assert!(Metric::parse("p").is_err());
        assert!(Metric::parse("ndcg@0").is_err());
        assert!(Metric::parse("ndcg@x").is_err());
        assert!(Metric::parse("bleu").is_err());
        assert!(parse_metrics(" , ").is_err());
        assert_eq!(parse_metrics("map,map").unwrap().len(), 1);
    }

    #[test]
    fn qrels_parse_and_report_bad_lines() {
        let qr = qrels("q1 0 a 1\n\nq1 0 b 0\nq2 Q0 c 3\nq3 0 d 0\nq1 0 b 2\n");
        assert_eq!(qr.len(), 3);
        // The second judgment of b wins.
        assert_eq!(qr.get("q1").unwrap().relevant, 2);
        assert_eq!(qr.get("q2").unwrap().grade("c"), 3);
        assert_eq!(qr.get("q3").unwrap().relevant, 0);
        let err = Qrels::parse("q1 0 a 1\nq1 0 b\n".as_bytes(), "f.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.txt:2: expected `qid 0 docid grade`, found 3 fields"
        );
        let err = Qrels::parse("q1 0 a high\n".as_bytes(), "f.txt").unwrap_err();
        assert!(err.to_string().contains("not an integer"), "{err}");
    }

    fn opts(input: InputFormat, metrics: &str, monolingual: bool) -> EvalOptions {
        EvalOptions {
            defaults: Request::default(),
            input,
            unit: Unit::Doc,
            metrics: parse_metrics(metrics).unwrap(),
            monolingual,
        }
    }

    #[test]
    fn query_languages_come_from_json_then_id_then_text() {
        assert_eq!(id_lang("xquadr-es-5726"), Some("es".into()));
        assert_eq!(id_lang("xquadr-ES-5726"), Some("es".into()));
        assert_eq!(id_lang("q-12"), None);
        assert_eq!(id_lang("plain"), None);
        let input = concat!(
            "{\"id\": \"a-de-1\", \"query\": \"x\", \"lang\": \"fr\"}\n",
            "{\"id\": \"b-de-2\", \"query\": \"wer hat das Spiel gewonnen\"}\n",
            "{\"id\": \"c\", \"query\": \"¿Quién ganó el partido de fútbol ayer por la tarde?\"}\n",
            "\n# comment\n",
            "{\"id\": \"d\", \"query\": \"   \"}\n",
        );
        let qs = read_queries(
            input.as_bytes(),
            &opts(InputFormat::Lines, "ndcg@10", false),
        )
        .unwrap();
        let langs: Vec<&str> = qs.iter().map(|q| q.lang.as_str()).collect();
        assert_eq!(langs, ["fr", "de", "es", "und"]);
        // A JSON lang filters (as in batch); without --monolingual nothing else does.
        let reqs: Vec<Option<&str>> = qs
            .iter()
            .map(|q| q.request.as_ref().ok().and_then(|r| r.lang.as_deref()))
            .collect();
        assert_eq!(reqs, [Some("fr"), None, None, None]);
        assert!(qs[3].request.is_err());
        let r = qs[0].request.as_ref().unwrap();
        assert_eq!((r.limit, r.per_article, r.highlights), (10, Some(1), false));
    }

    #[test]
    fn monolingual_filters_each_query_to_its_language_and_depth_follows_metrics() {
        let input = "xquadr-es-1\tquién\nxquadr-zh-2\t谁\n";
        let qs = read_queries(
            input.as_bytes(),
            &opts(InputFormat::Tsv, "ndcg@10,recall@100", true),
        )
        .unwrap();
        let got: Vec<(&str, Option<&str>, usize)> = qs
            .iter()
            .map(|q| {
                let r = q.request.as_ref().unwrap();
                (q.id.as_str(), r.lang.as_deref(), r.limit)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("xquadr-es-1", Some("es"), 100),
                ("xquadr-zh-2", Some("zh"), 100)
            ]
        );
        let o = opts(InputFormat::Tsv, "map", false);
        assert_eq!(o.depth(), 1000);
        let err = read_queries("q\tx\nq\ty\n".as_bytes(), &o).unwrap_err();
        assert!(err.to_string().contains("again on line 2"), "{err}");
        let mut o = o;
        o.defaults.offset = 3;
        assert!(read_queries("q\tx\n".as_bytes(), &o).is_err());
    }

    #[test]
    fn scores_average_over_judged_queries_only() {
        let qr = qrels("q1 0 a 1\nq2 0 b 1\nq3 0 c 0\nq9 0 z 1\n");
        let q = |id: &str, lang: &str| EvalQuery {
            id: id.into(),
            lang: lang.into(),
            request: Ok(Request::default()),
        };
        let queries = [q("q1", "en"), q("q2", "es"), q("q3", "en"), q("q4", "en")];
        let rankings = vec![
            Ok(ranking(&["a"])),      // mrr 1
            Err("boom".to_string()),  // failed, judged: scored 0
            Ok(ranking(&["c"])),      // no relevant judgment: skipped
            Ok(ranking(&["a", "b"])), // not in the qrels: skipped
        ];
        let metrics = parse_metrics("mrr@10").unwrap();
        let rep = score(&queries, &rankings, &qr, &metrics, 10, true, true);
        assert_eq!((rep.queries, rep.skipped, rep.failed), (2, 2, 1));
        close(rep.metrics["mrr@10"], 0.5); // (1 + 0) / 2
        let by = rep.by_lang.as_ref().unwrap();
        assert_eq!(by.len(), 2);
        close(by["en"].metrics["mrr@10"], 1.0);
        close(by["es"].metrics["mrr@10"], 0.0);
        let per = rep.per_query.as_ref().unwrap();
        assert_eq!(per[1].error.as_deref(), Some("boom"));
        let mut text = Vec::new();
        write_text(&mut text, &rep, &metrics).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("all        2  0.5000"), "{text}");
        assert!(text.contains("2 queries scored, 2 skipped"), "{text}");
        let json = serde_json::to_value(&rep).unwrap();
        assert_eq!(json["by_lang"]["es"]["queries"], 1);
        let back: Report = serde_json::from_value(json).unwrap();
        assert_eq!(back, rep);
    }
}
