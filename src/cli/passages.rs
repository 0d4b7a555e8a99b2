//! `gazette passages`: print the passages gazette would index, as JSON Lines.

use std::io::Write;
use std::path::PathBuf;

use gazette::error::Error;
use gazette::index::build;
use gazette::ingest::{self, read};
use rayon::prelude::*;

use super::{EXIT_OK, EXIT_REJECTED};

/// Arguments of `gazette passages`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files, folders (walked recursively) or - for standard input.
    #[arg(default_value = "corpus")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    input: super::input::InputArgs,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let opts = args.input.options();
    let (inputs, path_errors) = read::expand_as(&args.paths, opts.format);
    let mut rejected = 0u64;
    for e in path_errors {
        rejected += 1;
        eprintln!("gazette: rejected: {}", clean(&e.to_string()));
    }
    let counter = read::ReadCounter::default();
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let mut batch = Vec::with_capacity(BATCH);
    let mut failed: Option<anyhow::Error> = None;
    let mut flush = |batch: &mut Vec<ingest::Record>, rejected: &mut u64| -> anyhow::Result<()> {
        let done: Vec<Result<Vec<build::PassageView>, Error>> = batch
            .par_iter()
            .map(|r| {
                let parsed = ingest::parse(r)?;
                if parsed.passages.is_empty() {
                    return Err(Error::Record {
                        file: r.input.display.clone(),
                        line: r.line,
                        message: "no text to index".into(),
                    });
                }
                Ok(build::passage_views(&parsed))
            })
            .collect();
        batch.clear();
        for views in done {
            match views {
                Ok(views) => {
                    for v in views {
                        serde_json::to_writer(&mut out, &v)?;
                        out.write_all(b"\n")?;
                    }
                }
                Err(e) => {
                    *rejected += 1;
                    eprintln!("gazette: rejected: {}", clean(&e.to_string()));
                }
            }
        }
        Ok(())
    };
    ingest::stream_records_with(inputs, &opts, &counter, |r| {
        batch.push(r);
        if batch.len() < BATCH {
            return true;
        }
        match flush(&mut batch, &mut rejected) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    });
    if failed.is_none() {
        failed = flush(&mut batch, &mut rejected).err();
    }
    if let Some(e) = failed {
        return Err(e);
    }
    out.flush()?;
    Ok(if rejected > 0 { EXIT_REJECTED } else { EXIT_OK })
}

const BATCH: usize = 256;

fn clean(s: &str) -> String {
    gazette::output::sanitize::clean(s)
}
