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
    /// Keep running after indexing the folders: index each file that appears
    /// or changes (and, with --prune, drop the documents of a file deleted),
    /// one commit per burst, until SIGINT or SIGTERM.
    #[arg(long, conflicts_with = "strict")]
    watch: bool,
    /// With --watch: how long a file must stay unchanged (no event, same size
    /// and modification time) before it is read, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000, requires = "watch")]
    settle: u64,
    /// Summary format (with --watch: a line per commit).
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
    if args.watch {
        return watch(dir, opts, args.settle, args.format);
    }
    let summary = index_with_progress(dir, &opts)?;
    print_summary(&summary, args.format, opts.skip_duplicates.is_some())?;
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

/// Prints what a run (or a watch's burst) did: a line on stderr, or JSON on
/// standard output; rejected records on stderr.
fn print_summary(
    summary: &writer::Summary,
    format: SummaryFormat,
    skip_duplicates: bool,
) -> anyhow::Result<()> {
    let clean = gazette::output::sanitize::clean;
    if format == SummaryFormat::Json {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", serde_json::to_string(summary)?)?;
        out.flush()?;
    }
    for e in &summary.errors {
        eprintln!("gazette: rejected: {}", clean(&e.to_string()));
    }
    if format == SummaryFormat::Json {
        return Ok(());
    }
    for d in &summary.duplicate_of {
        eprintln!(
            "gazette: duplicate: {} copies {} (similarity {:.2}); not indexed",
            clean(&d.id),
            clean(&d.copies),
            d.similarity
        );
    }
    let duplicates = match skip_duplicates {
        true => format!(", {} duplicates", summary.duplicates),
        false => String::new(),
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
    Ok(())
}

/// `gazette index --watch`: the first pass, then a summary per burst until
/// SIGINT/SIGTERM (a second signal ends at once, keeping the last commit).
fn watch(
    dir: &Path,
    opts: writer::IndexOptions,
    settle_ms: u64,
    format: SummaryFormat,
) -> anyhow::Result<u8> {
    let idx = open(dir, &opts)?;
    let watch = gazette::index::watch::Watch::new();
    on_signals(watch.stopper())?;
    let folders: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
    let skip_duplicates = opts.skip_duplicates.is_some();
    let opts = gazette::index::watch::WatchOptions {
        index: opts,
        settle: std::time::Duration::from_millis(settle_ms),
    };
    let bar = progress_bar();
    let started = std::time::Instant::now();
    let mut failed = None;
    watch.run(
        &idx,
        &opts,
        |p| show_progress(bar.as_ref(), started, p),
        |report| {
            use gazette::index::watch::Report;
            let printed = match report {
                Report::Ready(summary) => {
                    if let Some(bar) = &bar {
                        bar.finish_and_clear();
                    }
                    let printed = print_summary(summary, format, skip_duplicates);
                    eprintln!(
                        "gazette: watching {} (Ctrl-C to stop)",
                        gazette::output::sanitize::clean(&folders.join(", "))
                    );
                    printed
                }
                Report::Burst(summary) => print_summary(summary, format, skip_duplicates),
                Report::Warning(w) => {
                    eprintln!("gazette: warning: {}", gazette::output::sanitize::clean(&w));
                    Ok(())
                }
            };
            if let Err(e) = printed {
                failed.get_or_insert(e);
            }
        },
    )?;
    match failed {
        Some(e) => Err(e),
        None => Ok(EXIT_OK),
    }
}

/// Stops `stop` on the first SIGINT or SIGTERM and exits at once on the
/// second. The handlers are in place when this returns.
#[cfg(unix)]
fn on_signals(stop: gazette::index::watch::Stop) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .context("starting the signal handler")?;
    let (mut interrupt, mut terminate) = {
        let _entered = runtime.enter();
        (
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        )
    };
    std::thread::spawn(move || {
        runtime.block_on(async move {
            for n in 0.. {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                if n == 0 {
                    eprintln!("gazette: stopping: committing what was read");
                    stop.stop();
                } else {
                    eprintln!("gazette: stopped at once; the index keeps its last commit");
                    std::process::exit(super::EXIT_ERROR.into());
                }
            }
        })
    });
    Ok(())
}

#[cfg(not(unix))]
fn on_signals(stop: gazette::index::watch::Stop) -> anyhow::Result<()> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the signal handler");
        runtime.block_on(async {
            let _ = tokio::signal::ctrl_c().await;
        });
        stop.stop();
    });
    Ok(())
}

fn open(dir: &Path, opts: &writer::IndexOptions) -> anyhow::Result<index::GazetteIndex> {
    if opts.rebuild {
        index::open_for_rebuild(dir)
    } else {
        index::open_or_create(dir)
    }
    .with_context(|| format!("opening index {}", dir.display()))
}

/// A spinner on stderr when it is a terminal.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .expect("valid template"),
        );
        bar
    })
}

fn show_progress(
    bar: Option<&indicatif::ProgressBar>,
    started: std::time::Instant,
    p: writer::Progress,
) {
    let Some(bar) = bar else {
        return;
    };
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

/// Indexes with a progress line on stderr when it is a terminal.
pub fn index_with_progress(
    dir: &Path,
    opts: &writer::IndexOptions,
) -> anyhow::Result<writer::Summary> {
    let idx = open(dir, opts)?;
    let bar = progress_bar();
    let started = std::time::Instant::now();
    let summary = writer::run(&idx, opts, |p| show_progress(bar.as_ref(), started, p))?;
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
