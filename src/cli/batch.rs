//! `gazette batch`: many queries, answers in input order.

use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use gazette::search::batch::{self, BatchOptions, InputFormat, OutputFormat, Unit};

use gazette::search::Search;

use super::query::{QueryOptions, open_engine, remote_engine};
use super::{EXIT_OK, EXIT_REJECTED};

/// Passages kept analyzed for highlighting across the queries of a batch
/// (a few KB each: bounded memory however many queries come).
const PASSAGE_CACHE: usize = 8192;

/// Arguments of `gazette batch`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// File of queries, one per line (plain text or a JSON object), or - for stdin.
    #[arg(default_value = "-")]
    input: PathBuf,
    /// Input lines: plain/JSON lines, or id<TAB>query.
    #[arg(long, value_enum, default_value = "lines")]
    input_format: InputFormat,
    /// Output: JSON Lines, or TREC run lines.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: OutputFormat,
    /// What a TREC run ranks: documents (best passage each) or passages.
    #[arg(long, value_enum, default_value = "doc")]
    unit: Unit,
    /// Search a Typesense cluster holding an export of the index instead:
    /// typesense://HOST:PORT[,HOST:PORT…]/COLLECTION (key from $TYPESENSE_API_KEY).
    #[arg(long, value_name = "URL")]
    engine: Option<String>,
    /// Defaults for every query (a JSON line may override them).
    #[command(flatten)]
    options: QueryOptions,
}

pub fn run(dir: &[PathBuf], args: Args) -> anyhow::Result<u8> {
    let engine: Arc<dyn Search> = match remote_engine(args.engine.as_deref())? {
        Some(remote) => Arc::new(remote),
        None => Arc::new(open_engine(dir)?.with_passage_cache(PASSAGE_CACHE)),
    };
    let input: Box<dyn std::io::BufRead + Send> = if args.input.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.input)
            .with_context(|| format!("{}", args.input.display()))?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let opts = BatchOptions {
        defaults: args.options.request(String::new()),
        input: args.input_format,
        output: args.format,
        unit: args.unit,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    // The file's lines bound its queries (blank and # lines are not).
    let bar = super::progress::bar(&args.input, 0, "queries")
        .inspect(|bar| bar.set_length(super::progress::count_lines(&args.input).unwrap_or(0)));
    let stats = batch::run_with_progress(engine, input, &mut out, &opts, &|| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    })?;
    out.flush()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if stats.failed > 0 {
        eprintln!(
            "gazette: {} of {} queries failed",
            stats.failed,
            stats.failed + stats.ok
        );
        return Ok(EXIT_REJECTED);
    }
    Ok(EXIT_OK)
}
