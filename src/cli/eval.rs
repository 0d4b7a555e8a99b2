//! `gazette eval`: run a query file and score it against TREC qrels.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use anyhow::Context;
use gazette::eval::{self, DEFAULT_METRICS, EvalOptions, Metric, Qrels};
use gazette::search::batch::{InputFormat, Unit};

use super::query::{QueryOptions, open_engine};
use super::{EXIT_OK, EXIT_REJECTED};

/// Output of `gazette eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned tables.
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `gazette eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Queries: one per line (plain text or a JSON object with id, query, lang, …), or id<TAB>query with --input-format tsv; - for stdin.
    #[arg(long)]
    queries: PathBuf,
    /// Relevance judgments in TREC qrels format: `qid 0 docid grade` per line.
    #[arg(long)]
    qrels: PathBuf,
    /// What the qrels judge: documents (each ranked once, at its best passage) or passages (`<doc id>#n`).
    #[arg(long, value_enum, default_value = "doc")]
    unit: Unit,
    /// Metrics, comma-separated: ndcg, mrr, recall, p, map, each with an optional @k (map and others without @k look at 1000 results).
    #[arg(long, value_delimiter = ',', value_parser = Metric::parse, default_value = DEFAULT_METRICS)]
    metrics: Vec<Metric>,
    /// Break the means down by query language (JSON `lang`, else the id's `xx-` part as in `xquadr-es-…`, else detected).
    #[arg(long)]
    by_lang: bool,
    /// List each query's metrics.
    #[arg(long)]
    per_query: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: ReportFormat,
    /// Query lines: plain/JSON lines, or id<TAB>query.
    #[arg(long, value_enum, default_value = "lines")]
    input_format: InputFormat,
    /// Search each query only among passages of its own language.
    #[arg(long, conflicts_with = "lang")]
    monolingual: bool,
    /// Defaults for every query (a JSON line may override them); --limit is raised to the deepest metric.
    #[command(flatten)]
    options: QueryOptions,
}

pub fn run(dir: &[PathBuf], args: Args) -> anyhow::Result<u8> {
    let mut metrics: Vec<Metric> = Vec::new();
    for m in args.metrics {
        if !metrics.contains(&m) {
            metrics.push(m);
        }
    }
    let opts = EvalOptions {
        defaults: args.options.request(String::new()),
        input: args.input_format,
        unit: args.unit,
        metrics,
        monolingual: args.monolingual,
    };
    let qrels_file = std::fs::File::open(&args.qrels)
        .with_context(|| format!("qrels {}", args.qrels.display()))?;
    let qrels = Qrels::parse(
        BufReader::with_capacity(1 << 16, qrels_file),
        &args.qrels.display().to_string(),
    )?;
    let input: Box<dyn BufRead> = if args.queries.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.queries)
            .with_context(|| format!("queries {}", args.queries.display()))?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let queries = eval::read_queries(input, &opts)
        .with_context(|| format!("queries {}", args.queries.display()))?;
    let engine = open_engine(dir)?;
    let bar = super::progress::bar(&args.queries, queries.len() as u64, "queries");
    let rankings = eval::rank(&engine, &queries, opts.unit, &|| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for (q, r) in queries.iter().zip(&rankings) {
        if let Err(e) = r {
            eprintln!(
                "gazette: query {}: {}",
                gazette::output::sanitize::clean(&q.id),
                gazette::output::sanitize::clean(e)
            );
        }
    }
    let report = eval::score(
        &queries,
        &rankings,
        &qrels,
        &opts.metrics,
        opts.depth(),
        args.by_lang,
        args.per_query,
    );
    if report.queries == 0 {
        anyhow::bail!(
            "no query of {} has a relevant document in {} ({} queries, {} judged in the qrels): do the ids match?",
            args.queries.display(),
            args.qrels.display(),
            queries.len(),
            qrels.len()
        );
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        ReportFormat::Text => eval::write_text(&mut out, &report, &opts.metrics)?,
        ReportFormat::Json => {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if report.failed > 0 {
        eprintln!(
            "gazette: {} of {} queries failed (scored as empty rankings)",
            report.failed,
            queries.len()
        );
        return Ok(EXIT_REJECTED);
    }
    Ok(EXIT_OK)
}
