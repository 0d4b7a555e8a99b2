//! `gazette export`: the index's passages, with gazette's analysis, to
//! another engine (a Typesense cluster, or files for OpenSearch).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use gazette::engine::{client, opensearch, typesense};
use gazette::search::Engine;

use super::{EXIT_OK, EXIT_REJECTED};

/// The engines gazette exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// A Typesense cluster (replicated): sends the passages over HTTP.
    Typesense,
    /// OpenSearch (sharded): writes the index mapping and _bulk files.
    Opensearch,
}

/// Output of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line for people.
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `gazette export`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The engine to export to.
    #[arg(long, value_enum)]
    to: Target,
    /// Typesense nodes: http://HOST:PORT, several separated by commas (the
    /// API key comes from $TYPESENSE_API_KEY).
    #[arg(long, required_if_eq("to", "typesense"))]
    url: Option<String>,
    /// Folder for the OpenSearch files (mapping.json, bulk-NNNNN.ndjson).
    #[arg(long, required_if_eq("to", "opensearch"))]
    out: Option<PathBuf>,
    /// Collection (Typesense) or index (OpenSearch) name.
    #[arg(long, default_value = "gazette")]
    collection: String,
    /// Passages per Typesense import request.
    #[arg(long, default_value_t = typesense::DEFAULT_BATCH)]
    batch_size: usize,
    /// OpenSearch: primary shards of the index.
    #[arg(long, default_value_t = 1)]
    shards: u32,
    /// OpenSearch: replicas of each shard.
    #[arg(long, default_value_t = 1)]
    replicas: u32,
    /// Summary format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<u8> {
    let engine = Engine::open(dir).with_context(|| format!("opening index {}", dir.display()))?;
    match args.to {
        Target::Typesense => to_typesense(&engine, &args),
        Target::Opensearch => {
            let out = args.out.as_deref().expect("required by clap");
            let s = opensearch::write(&engine, out, &args.collection, args.shards, args.replicas)?;
            match args.format {
                Format::Json => println!("{}", serde_json::to_string(&s)?),
                Format::Text => println!(
                    "{} passages: {} and {} bulk file(s) in {}",
                    s.passages,
                    s.mapping.display(),
                    s.bulk.len(),
                    out.display()
                ),
            }
            Ok(EXIT_OK)
        }
    }
}

fn to_typesense(engine: &Engine, args: &Args) -> anyhow::Result<u8> {
    let url = args.url.as_deref().expect("required by clap");
    let Some(key) = std::env::var("TYPESENSE_API_KEY")
        .ok()
        .filter(|k| !k.is_empty())
    else {
        bail!("set TYPESENSE_API_KEY to the cluster's API key");
    };
    let client = client::Client::new(client::parse_nodes(url)?, key);
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .expect("valid template"),
        );
        bar
    });
    let s = typesense::export(engine, &client, &args.collection, args.batch_size, |p| {
        if let Some(bar) = &bar {
            bar.set_message(format!(
                "{} passages read, {} sent, {} deleted",
                p.read, p.sent, p.deleted
            ));
            bar.tick();
        }
    })
    .with_context(|| format!("exporting to {url}"))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&s)?),
        Format::Text => println!(
            "{}: {} passages, {} sent, {} unchanged, {} deleted, {} refused ({:.1} s)",
            s.collection,
            s.passages,
            s.sent,
            s.unchanged,
            s.deleted,
            s.failed,
            s.elapsed_ms as f64 / 1000.0
        ),
    }
    for e in &s.errors {
        eprintln!("gazette: refused: {}", gazette::output::sanitize::clean(e));
    }
    Ok(if s.failed > 0 { EXIT_REJECTED } else { EXIT_OK })
}
