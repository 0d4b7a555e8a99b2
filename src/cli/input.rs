//! The input options shared by `gazette index` and `gazette passages`.

use gazette::ingest::{Format, ReadOptions, csv::ColumnMap};

/// How to read the inputs.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Input format: auto (by extension and content), gazette (JSON
    /// Lines), twitter (API tweets, v1.1 or v2), csv (CSV/TSV with a
    /// header), feed (RSS, Atom, JSON Feed), html (article pages) or text.
    #[arg(long, value_enum, default_value = "auto")]
    input_format: InputFormat,
    /// CSV columns for gazette's fields, e.g. body=story,date=day (fields:
    /// id, title, body, date, url, author, lang, source, text, handle).
    #[arg(long, value_name = "FIELD=COLUMN,…", value_parser = ColumnMap::parse)]
    map: Vec<ColumnMap>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InputFormat {
    Auto,
    Gazette,
    Twitter,
    Csv,
    Feed,
    Html,
    Text,
}

impl InputArgs {
    /// The library's reading options.
    pub fn options(&self) -> ReadOptions {
        let mut columns = ColumnMap::default();
        for m in &self.map {
            columns.extend(m.clone());
        }
        ReadOptions {
            format: match self.input_format {
                InputFormat::Auto => None,
                InputFormat::Gazette => Some(Format::JsonLines),
                InputFormat::Twitter => Some(Format::Twitter),
                InputFormat::Csv => Some(Format::Csv),
                InputFormat::Feed => Some(Format::Feed),
                InputFormat::Html => Some(Format::Html),
                InputFormat::Text => Some(Format::Text),
            },
            columns,
        }
    }
}
