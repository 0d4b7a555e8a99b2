//! Command-line glue: clap arguments → library options → library calls.

mod batch;
mod completions;
mod delete;
mod eval;
mod export;
mod index;
mod input;
mod man;
mod optimize;
mod passages;
mod progress;
mod query;
mod serve;
mod stats;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Exit code: success (and hits found).
pub const EXIT_OK: u8 = 0;
/// Exit code: the query ran but found nothing.
pub const EXIT_NO_HITS: u8 = 1;
/// Exit code: an error (bad arguments, unreadable index, …).
pub const EXIT_ERROR: u8 = 2;
/// Exit code: indexing finished but some records were rejected.
pub const EXIT_REJECTED: u8 = 3;

/// gazette — search multilingual news and tweets.
#[derive(Parser, Debug)]
#[command(name = "gazette", version, about, long_about = None)]
pub struct Cli {
    /// Index folder. query, batch, eval and serve take several (repeat
    /// --index, or name a folder of index folders) and search them as one.
    #[arg(long, global = true, env = "GAZETTE_INDEX", default_value = "index",
          action = clap::ArgAction::Append)]
    index: Vec<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Index articles and tweets (text, JSON Lines, API tweets, CSV, feeds, HTML, .gz, folders, -).
    Index(index::Args),
    /// Search passages.
    Query(query::Args),
    /// Answer many queries (one per line) in input order.
    Batch(batch::Args),
    /// Show what the index holds.
    Stats(stats::Args),
    /// Remove documents by id.
    Delete(delete::Args),
    /// Merge the index's segments into one.
    Optimize(optimize::Args),
    /// Print the passages gazette would index (JSON Lines), without indexing.
    Passages(passages::Args),
    /// Score a query file against TREC relevance judgments (nDCG, MRR, recall, MAP).
    Eval(eval::Args),
    /// Export the index to another engine: a Typesense cluster, or OpenSearch files.
    Export(export::Args),
    /// Serve search (and the search page) over HTTP.
    Serve(serve::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Print the manual page (roff), or write every page with --dir.
    Man(man::Args),
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Index(args) => index::run(one_index(&cli.index, "index")?, args),
        Command::Query(args) => query::run(&cli.index, args),
        Command::Batch(args) => batch::run(&cli.index, args),
        Command::Stats(args) => stats::run(one_index(&cli.index, "stats")?, args),
        Command::Delete(args) => delete::run(one_index(&cli.index, "delete")?, args),
        Command::Optimize(args) => optimize::run(one_index(&cli.index, "optimize")?, args),
        Command::Eval(args) => eval::run(&cli.index, args),
        Command::Export(args) => export::run(one_index(&cli.index, "export")?, args),
        Command::Passages(args) => passages::run(args),
        Command::Serve(args) => serve::run(&cli.index, args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// The one index a command works on; an error when several are given.
fn one_index<'a>(dirs: &'a [PathBuf], command: &str) -> anyhow::Result<&'a std::path::Path> {
    match dirs {
        [one] => Ok(one),
        _ => anyhow::bail!(
            "gazette {command} works on one index; --index is given {} times",
            dirs.len()
        ),
    }
}

/// True when the error is a closed output pipe, which ends gazette quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
    })
}

/// Whether to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Decides for standard output.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// Parses a `YYYY-MM-DD` argument.
pub fn parse_day(s: &str) -> Result<gazette::model::Day, String> {
    gazette::model::Day::parse(s).ok_or_else(|| format!("invalid date {s:?} (want YYYY-MM-DD)"))
}

/// Parses a similarity between 0 and 1 (`--collapse-threshold`,
/// `--skip-duplicates`).
pub fn parse_similarity(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "invalid similarity {s:?} (want a number from 0 to 1)"
        )),
    }
}
