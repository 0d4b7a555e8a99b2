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
    /// Also report what takes the bytes: each field's term dictionary,
    /// postings, positions, fast values and norms, and the document store.
    #[arg(long)]
    space: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum StatsFormat {
    Text,
    Json,
}

pub fn run(dir: &Path, args: Args) -> anyhow::Result<u8> {
    let idx = gazette::index::open(dir)?;
    let mut s = stats::compute(&idx)?;
    if args.space {
        s.space = Some(stats::space(&idx)?);
    }
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
            if let Some(space) = &s.space {
                write_space(&mut out, space)?;
            }
        }
    }
    Ok(super::EXIT_OK)
}

/// The `--space` table: one row per field, then the store, in MB.
fn write_space(out: &mut impl Write, space: &stats::Space) -> std::io::Result<()> {
    let mb = |b: u64| format!("{:.1}", b as f64 / 1e6);
    let share = |b: u64| format!("{:.1}%", 100.0 * b as f64 / space.total.max(1) as f64);
    writeln!(
        out,
        "\nspace (MB)    {:>8} {:>8} {:>9} {:>8} {:>8} {:>8} {:>7}",
        "terms", "postings", "positions", "fast", "norms", "total", "share"
    )?;
    for f in &space.fields {
        writeln!(
            out,
            "{:<13} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8} {:>7}",
            // Field names come from the schema, not the corpus.
            f.field,
            mb(f.terms),
            mb(f.postings),
            mb(f.positions),
            mb(f.fast),
            mb(f.norms),
            mb(f.total),
            share(f.total)
        )?;
    }
    writeln!(
        out,
        "{:<13} {:>54} {:>7}\n{:<13} {:>54} {:>7}\n{:<13} {:>54}",
        "store",
        mb(space.store),
        share(space.store),
        "deletes",
        mb(space.deletes),
        share(space.deletes),
        "total",
        mb(space.total)
    )
}
