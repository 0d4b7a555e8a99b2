//! `gazette index`: add articles and tweets to the index.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gazette::index::{self, writer};

use super::{EXIT_OK, EXIT_REJECTED};

/// Arguments of `gazette index`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files, folders (walked recursively) or - for standard input.
    #[arg(default_value = "corpus")]
    paths: Vec<PathBuf>,
    /// Start the index afresh.
    #[arg(long)]
    rebuild: bool,
    /// Also remove documents indexed earlier from the given folders whose files are gone.
    #[arg(long)]
    prune: bool,
    /// Writer memory budget in MB [default: 256; 128 with --rebuild, which
    /// commits only at the end and so never empties the writer's memory].
    #[arg(long)]
    memory: Option<usize>,
    /// Indexing threads (0 = one per core, at most 4).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Commit after this many records, so a crash loses little (a
    /// --rebuild commits once, at the end: interrupted, it leaves the old
    /// index whole).
    #[arg(long, default_value_t = 20_000)]
    commit_every: usize,
    /// Reject the whole run (commit nothing) if any record is bad.
    #[arg(long)]
    strict: bool,
    /// Wait for another gazette writing the index instead of failing.
    #[arg(long)]
    wait: bool,
    /// Leave out a document whose text nearly copies one already indexed
    /// (or earlier in the input); the summary lists it with the id it copies.
    #[arg(long)]
    skip_duplicates: bool,
    /// Estimated Jaccard similarity of word triples at which --skip-duplicates
    /// takes a document for a copy.
    #[arg(long, default_value_t = gazette::index::dedup::DEFAULT_THRESHOLD,
          value_parser = super::parse_similarity)]
    duplicate_threshold: f32,
    /// Summary format.
    #[arg(long, value_enum, default_value = "text")]
    format: SummaryFormat,
    #[command(flatten)]
    input: super::input::InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SummaryFormat {
    Text,
    Json,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<u8> {
    let opts = writer::IndexOptions {
        paths: args.paths,
        rebuild: args.rebuild,
        prune: args.prune,
        memory: args.memory.unwrap_or(if args.rebuild { 128 } else { 256 }) << 20,
        threads: args.threads,
        commit_every: args.commit_every.max(1),
        strict: args.strict,
        wait: args.wait,
        skip_duplicates: args.skip_duplicates.then_some(args.duplicate_threshold),
        read: args.input.options(),
    };
    let summary = index_with_progress(dir, &opts)?;
    match args.format {
        SummaryFormat::Json => {
            use std::io::Write;
            writeln!(std::io::stdout(), "{}", serde_json::to_string(&summary)?)?;
        }
        SummaryFormat::Text => {
            for e in &summary.errors {
                eprintln!(
                    "gazette: rejected: {}",
                    gazette::output::sanitize::clean(&e.to_string())
                );
            }
            for d in &summary.duplicate_of {
                eprintln!(
                    "gazette: duplicate: {} copies {} (similarity {:.2}); not indexed",
                    gazette::output::sanitize::clean(&d.id),
                    gazette::output::sanitize::clean(&d.copies),
                    d.similarity
                );
            }
            let duplicates = match opts.skip_duplicates {
                Some(_) => format!(", {} duplicates", summary.duplicates),
                None => String::new(),
            };
            eprintln!(
                "{} added, {} updated, {} unchanged, {} deleted, {} rejected{duplicates}; {} passages in {:.1} s",
                summary.added,
                summary.updated,
                summary.unchanged,
                summary.deleted,
                summary.rejected,
                summary.passages,
                summary.elapsed_ms as f64 / 1000.0
            );
        }
    }
    if args.format == SummaryFormat::Json {
        for e in &summary.errors {
            eprintln!(
                "gazette: rejected: {}",
                gazette::output::sanitize::clean(&e.to_string())
            );
        }
    }
    if opts.strict && summary.rejected > 0 {
        anyhow::bail!(
            "--strict: {} record(s) rejected; nothing was committed",
            summary.rejected
        );
    }
    Ok(if summary.rejected > 0 {
        EXIT_REJECTED
    } else {
        EXIT_OK
    })
}

/// Indexes with a progress line on stderr when it is a terminal.
pub fn index_with_progress(
    dir: &Path,
    opts: &writer::IndexOptions,
) -> anyhow::Result<writer::Summary> {
    let idx = if opts.rebuild {
        index::open_for_rebuild(dir)
    } else {
        index::open_or_create(dir)
    }
    .with_context(|| format!("opening index {}", dir.display()))?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .expect("valid template"),
        );
        bar
    });
    let started = std::time::Instant::now();
    let summary = writer::run(&idx, opts, |p| {
        if let Some(bar) = &bar {
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            let eta = (p.disk_total > 0 && p.disk_read > 0).then(|| {
                let left = p.disk_total.saturating_sub(p.disk_read) as f64 / p.disk_read as f64;
                format!(", ETA {:.0} s", secs * left)
            });
            bar.set_message(format!(
                "{} files, {} records, {:.1} MB, {:.0} records/s{}",
                p.files,
                p.records,
                p.bytes as f64 / 1e6,
                p.records as f64 / secs,
                eta.unwrap_or_default()
            ));
            bar.tick();
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(summary)
}

/// The sample corpus, embedded so a fresh binary can build its default index
/// from anywhere.
const EMBEDDED: [(&str, &str); 3] = [
    (
        "000_76612771bb08419c.txt",
        include_str!("../../corpus/000_76612771bb08419c.txt"),
    ),
    (
        "001_909ce76226cad930.txt",
        include_str!("../../corpus/001_909ce76226cad930.txt"),
    ),
    (
        "002_021b94e78dccdefd.txt",
        include_str!("../../corpus/002_021b94e78dccdefd.txt"),
    ),
];

/// Builds the default index from `corpus/` (or the embedded copy) when it
/// does not exist yet, saying so on stderr.
///
/// The default index is build output: one written by another gazette
/// version is rebuilt the same way (an index named with `--index` is not).
pub fn ensure_default(dir: &Path) -> anyhow::Result<()> {
    let rebuild = match index::open(dir) {
        Ok(_) => return Ok(()),
        Err(gazette::Error::SchemaVersion { .. }) => {
            eprintln!(
                "gazette: the default index {} is from another gazette version",
                dir.display()
            );
            true
        }
        Err(_) if index::exists(dir) => return Ok(()), // let the caller report it
        Err(_) => false,
    };
    let corpus = PathBuf::from("corpus");
    let (source, _tmp) = if corpus.is_dir() {
        (corpus, None)
    } else {
        let tmp = tempfile::tempdir()?;
        for (name, text) in EMBEDDED {
            std::fs::write(tmp.path().join(name), text)?;
        }
        (tmp.path().to_path_buf(), Some(tmp))
    };
    let from = if _tmp.is_some() {
        "the embedded sample corpus".to_string()
    } else {
        source.display().to_string()
    };
    if rebuild {
        eprintln!("gazette: rebuilding it from {from} first");
    } else {
        eprintln!(
            "gazette: no index at {} yet; building it from {from} first",
            dir.display()
        );
    }
    let opts = writer::IndexOptions {
        paths: vec![source],
        rebuild,
        ..Default::default()
    };
    let summary = index_with_progress(dir, &opts)?;
    eprintln!(
        "gazette: indexed {} documents, {} passages",
        summary.added, summary.passages
    );
    Ok(())
}
