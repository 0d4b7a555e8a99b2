//! `gazette query`: ranked, highlighted passages.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gazette::engine::typesense::{self, Remote};
use gazette::model::{Day, Kind};
use gazette::output::{self, Format};
use gazette::search::{Engine, Facet, Request, Search};

use super::{ColorChoice, EXIT_NO_HITS, EXIT_OK, parse_day};

/// Arguments of `gazette query`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Query: words, "phrases", AND/OR/NOT/+/-, field:value (title, author, handle, lang, kind, id, date:[A TO B]).
    query: String,
    #[command(flatten)]
    options: QueryOptions,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Colour highlights: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Count all matches per facet value: a comma-separated list of lang, kind, author, date.
    #[arg(long, value_name = "LIST")]
    facets: Option<String>,
    /// Search a Typesense cluster holding an export of the index instead:
    /// typesense://HOST:PORT[,HOST:PORT…]/COLLECTION (key from $TYPESENSE_API_KEY).
    #[arg(long, value_name = "URL")]
    engine: Option<String>,
}

/// Options shared by `query` and `batch`.
#[derive(clap::Args, Debug, Clone)]
pub struct QueryOptions {
    /// Hits to return.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Hits to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Only passages in this language (ISO 639-1, e.g. es).
    #[arg(long)]
    pub lang: Option<String>,
    /// Only passages of this kind.
    #[arg(long, value_parser = ["article", "tweet"])]
    pub kind: Option<String>,
    /// Only passages dated on or after (YYYY-MM-DD); undated passages never match.
    #[arg(long, value_parser = parse_day)]
    pub since: Option<Day>,
    /// Only passages dated on or before (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day)]
    pub until: Option<Day>,
    /// Only passages by this author: @handle or name.
    #[arg(long)]
    pub author: Option<String>,
    /// At most N passages from one document.
    #[arg(long)]
    pub per_article: Option<usize>,
    /// Skip highlighting.
    #[arg(long)]
    pub no_highlights: bool,
    /// Explain each hit's score: a tree of every part of it (BM25 of each
    /// term, title, document evidence), as Lucene and Elasticsearch print.
    #[arg(long)]
    pub explain: bool,
    /// Fold near-duplicate passages into the best of them, listing the others
    /// (the default in text output; JSON lists them in "duplicates").
    #[arg(long, conflicts_with = "no_collapse")]
    pub collapse: bool,
    /// Show near-duplicate passages as hits of their own (text output).
    #[arg(long)]
    pub no_collapse: bool,
    /// Estimated Jaccard similarity of word triples at which passages are
    /// near-duplicates.
    #[arg(long, default_value_t = gazette::index::dedup::DEFAULT_THRESHOLD,
          value_parser = super::parse_similarity)]
    pub collapse_threshold: f32,
}

impl QueryOptions {
    /// The library request for `query` text.
    pub fn request(&self, query: String) -> Request {
        Request {
            query,
            limit: self.limit,
            offset: self.offset,
            lang: self.lang.clone(),
            kind: self.kind.as_deref().and_then(Kind::parse),
            since: self.since,
            until: self.until,
            author: self.author.clone(),
            per_article: self.per_article,
            highlights: !self.no_highlights,
            explain: self.explain,
            collapse: self.collapse.then_some(self.collapse_threshold),
        }
    }
}

/// The searcher of `--engine URL` (a Typesense collection), else `None`.
pub fn remote_engine(url: Option<&str>) -> anyhow::Result<Option<Remote>> {
    let Some(url) = url else {
        return Ok(None);
    };
    let (nodes, name) = typesense::parse_engine(url)?;
    let Some(key) = std::env::var("TYPESENSE_API_KEY")
        .ok()
        .filter(|k| !k.is_empty())
    else {
        anyhow::bail!("--engine: set TYPESENSE_API_KEY to the cluster's API key");
    };
    Ok(Some(Remote::new(nodes, key, name)))
}

/// Opens the indexes to search as one (a folder holding index folders
/// stands for them), building the default one on first use.
pub fn open_engine(dirs: &[PathBuf]) -> anyhow::Result<Engine> {
    if let [dir] = dirs {
        let explicit = std::env::var_os("GAZETTE_INDEX").is_some() || dir != Path::new("index");
        if !explicit {
            super::index::ensure_default(dir)?;
        }
    }
    let all = gazette::search::multi::expand(dirs)?;
    let names: Vec<String> = all.iter().map(|d| d.display().to_string()).collect();
    Engine::open_all(&all).with_context(|| match names.as_slice() {
        [one] => format!("opening index {one}"),
        several => format!("opening indexes {}", several.join(", ")),
    })
}

pub fn run(dir: &[PathBuf], args: Args) -> anyhow::Result<u8> {
    let facets = Facet::parse_list(args.facets.as_deref().unwrap_or(""))
        .map_err(|e| anyhow::anyhow!("--facets: {e}"))?;
    let mut req = args.options.request(args.query);
    let resp = match remote_engine(args.engine.as_deref())? {
        Some(remote) => {
            if req.collapse.is_some() {
                anyhow::bail!("--collapse needs gazette's own index (not --engine)");
            }
            remote.search_with_facets(&req, &facets)?
        }
        None => {
            let engine = open_engine(dir)?;
            // People read one copy of a story: text output collapses unless asked not to.
            if args.format == Format::Text && !args.options.no_collapse {
                req.collapse = Some(args.options.collapse_threshold);
            }
            let resp = engine.search_with_facets(&req, &facets)?;
            // The indexes' memory maps and caches are left to the process's
            // exit: dropping them unmaps each file in turn (a TLB flush
            // each), a tenth of a one-shot query that finds nothing
            // (docs/RELEVANCE.md, "One-shot queries: the loader and the exit").
            std::mem::forget(engine);
            resp
        }
    };
    for w in &resp.warnings {
        eprintln!("gazette: warning: {}", gazette::output::sanitize::clean(w));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    output::write_response(&mut out, &resp, args.format, args.color.enabled())?;
    out.flush()?;
    Ok(if resp.hits.is_empty() {
        EXIT_NO_HITS
    } else {
        EXIT_OK
    })
}
