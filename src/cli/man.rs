//! `gazette man`: the roff manual page (clap_mangen), from the clap
//! definitions: `gazette man` prints gazette(1), `gazette man query` the
//! page of one subcommand, `gazette man --dir DIR` writes them all
//! (`gazette.1`, `gazette-query.1`, …).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::CommandFactory;

/// Arguments of `gazette man`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print the page of this subcommand (gazette-SUBCOMMAND(1)).
    subcommand: Option<String>,
    /// Write every page (gazette.1 and one per subcommand) into this folder.
    #[arg(long, conflicts_with = "subcommand")]
    dir: Option<PathBuf>,
}

/// The command as the pages describe it: each subcommand named
/// `gazette-<name>`, as man pages of subcommands are by convention.
fn command() -> clap::Command {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The page of `cmd`, every one marked with gazette's version.
fn man(cmd: &clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd.clone()).source(format!("gazette {}", env!("CARGO_PKG_VERSION")))
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let cmd = command();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
        for page in std::iter::once(&cmd).chain(cmd.get_subcommands()) {
            man(page)
                .generate_to(dir)
                .with_context(|| format!("{}", dir.display()))?;
        }
        return Ok(super::EXIT_OK);
    }
    let page = match &args.subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                bail!("no subcommand {name:?} (one of {})", names.join(", "))
            }
        },
    };
    let mut roff = Vec::new();
    man(&page).render(&mut roff)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&roff)?;
    out.flush()?;
    Ok(super::EXIT_OK)
}
