//! `gazette stats`: what the index holds.

use std::io::Write;
use std::path::Path;

use gazette::index::stats;

/// Arguments of `gazette stats`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: StatsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum StatsFormat {
    Text,
    Json,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<u8> {
    let idx = gazette::index::open(dir)?;
    let s = stats::compute(&idx)?;
    // Written, not println!: a closed pipe (`gazette stats | head -1`)
    // ends gazette quietly instead of panicking.
    let mut out = std::io::stdout().lock();
    match args.format {
        StatsFormat::Json => writeln!(out, "{}", serde_json::to_string(&s)?)?,
        StatsFormat::Text => {
            let mut langs: Vec<_> = s.languages.iter().collect();
            langs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let langs: Vec<String> = langs.iter().map(|(l, n)| format!("{l} {n}")).collect();
            write!(
                out,
                "documents  {}\nnear-dups  {} (documents with a near-duplicate)\n\
                 passages   {}\ntweets     {}\nlanguages  {}\n\
                 dates      {} – {}\nsegments   {}\nbytes      {}\nschema     {}\n",
                s.documents,
                s.near_duplicates,
                s.passages,
                s.tweets,
                langs.join(", "),
                s.date_min.as_deref().unwrap_or("-"),
                s.date_max.as_deref().unwrap_or("-"),
                s.segments,
                s.bytes,
                s.schema_version
            )?;
        }
    }
    Ok(super::EXIT_OK)
}
