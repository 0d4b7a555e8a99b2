//! `gazette delete`: remove documents by id.

use std::path::Path;

use gazette::index::writer;

/// Arguments of `gazette delete`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Document ids.
    #[arg(required = true)]
    ids: Vec<String>,
    /// Wait for another gazette writing the index instead of failing.
    #[arg(long)]
    wait: bool,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<u8> {
    let idx = gazette::index::open(dir)?;
    let n = writer::delete(&idx, &args.ids, args.wait)?;
    eprintln!("{n} of {} document(s) deleted", args.ids.len());
    Ok(super::EXIT_OK)
}
