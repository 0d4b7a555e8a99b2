//! `gazette completions <shell>`: a shell completion script on standard
//! output (clap_complete), generated from the same clap definitions that
//! parse the command line, so it never lists an option that does not exist.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

/// Arguments of `gazette completions`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let mut cmd = super::Cli::command();
    // Generated into memory first: clap_complete panics on a write error,
    // and a closed pipe (`gazette completions bash | head`) must end quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "gazette", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(super::EXIT_OK)
}
