//! `gazette serve`: the HTTP server (see docs/HTTP.md).

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gazette::server::{self, AppState, Config};

use super::EXIT_OK;

/// Arguments of `gazette serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on (port 0: any free port, printed on start).
    #[arg(long, default_value = "127.0.0.1:7700")]
    addr: SocketAddr,
    /// File holding the API key that write requests must send as
    /// `Authorization: Bearer KEY` (else $GAZETTE_API_KEY; without either,
    /// writes are refused).
    #[arg(long, value_name = "FILE")]
    api_key_file: Option<PathBuf>,
    /// Searches running at once [default: one per core].
    #[arg(long)]
    workers: Option<usize>,
    /// Requests waiting for a worker before the server answers 503.
    #[arg(long, default_value_t = 64)]
    queue: usize,
    /// Largest request body, in MB.
    #[arg(long, default_value_t = 32)]
    max_body_mb: usize,
    /// Do not log requests.
    #[arg(long)]
    quiet: bool,
}

/// The write key: from the file if given, else from `$GAZETTE_API_KEY`
/// (never from the command line, which `ps` shows).
fn api_key(file: Option<&Path>) -> anyhow::Result<Option<String>> {
    let key = match file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .with_context(|| format!("reading the API key from {}", f.display()))?,
        ),
        None => std::env::var("GAZETTE_API_KEY").ok(),
    };
    match key.map(|k| k.trim().to_string()) {
        Some(k) if k.is_empty() => anyhow::bail!("the API key is empty"),
        other => Ok(other),
    }
}

pub fn run(dirs: &[PathBuf], args: Args) -> anyhow::Result<u8> {
    // Builds the default index on first use, as `query` does.
    drop(super::query::open_engine(dirs)?);
    let dirs = gazette::search::multi::expand(dirs)?;
    let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    let defaults = Config::default();
    let config = Config {
        indexes: dirs,
        api_key: api_key(args.api_key_file.as_deref())?,
        max_body: args.max_body_mb.max(1) << 20,
        workers: args.workers.unwrap_or(defaults.workers).max(1),
        queue: args.queue,
        log: !args.quiet,
    };
    let writes = config.api_key.is_some();
    let state =
        AppState::new(config).with_context(|| format!("opening index {}", names.join(", ")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("listening on {}", args.addr))?;
        let addr = listener.local_addr()?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "gazette: listening on http://{addr}")?;
        out.flush()?;
        drop(out);
        if !writes {
            eprintln!(
                "gazette: no API key ($GAZETTE_API_KEY or --api-key-file): writes are refused"
            );
        }
        server::serve(listener, state, async {
            server::shutdown_signal().await;
            eprintln!("gazette: shutting down; finishing the requests in flight");
        })
        .await
        .context("serving")?;
        anyhow::Ok(())
    })?;
    Ok(EXIT_OK)
}
