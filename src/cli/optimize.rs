//! `gazette optimize`: merge segments on demand.

use std::path::Path;

/// Arguments of `gazette optimize`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Wait for another gazette writing the index instead of failing.
    #[arg(long)]
    wait: bool,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<u8> {
    let idx = gazette::index::open(dir)?;
    let before = gazette::index::writer::optimize(&idx, args.wait)?;
    eprintln!("merged {before} segment(s) into one");
    Ok(super::EXIT_OK)
}
