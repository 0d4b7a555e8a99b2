//! The `gazette` command: parse arguments, dispatch, map errors to exit codes.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: gazette allocates many small, short-lived objects per query
/// (terms, weights, scorers, strings) and per indexed passage. Built
/// without transparent huge pages (the crate's `no_thp`): with them, every
/// 2 MB region that mimalloc gives back and takes again is zeroed whole by
/// the kernel (indexing the news + tweets mix: 8–13 of 46–64 CPU-s in the
/// kernel with them, 2–3 without; CHANGELOG).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gazette: error: {err:#}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
