//! CSV and TSV files with a header row (RFC 4180: quoted fields may hold
//! the delimiter, quotes doubled, and newlines), read by the `csv` crate.
//!
//! Common column names map to gazette's fields by themselves; `--map
//! body=story,date=day` names others. Each row is a record: a bad one (a
//! wrong number of fields, invalid UTF-8, a bad date) is reported with the
//! line it starts on, and the others are indexed.

use std::io::BufRead;
use std::sync::Arc;

use super::{Fields, Input, Record, RecordBody, bad, record};

/// gazette's fields a column can fill.
const FIELDS: &[&str] = &[
    "id", "title", "body", "date", "url", "author", "lang", "source", "text", "handle",
];

/// The column names each field takes by itself (compared without case).
const DEFAULTS: &[(&str, &[&str])] = &[
    ("id", &["id", "guid"]),
    ("title", &["title", "headline"]),
    ("body", &["body", "text", "content", "article"]),
    (
        "date",
        &[
            "date",
            "published",
            "published_at",
            "pubdate",
            "publish_date",
            "created_at",
        ],
    ),
    ("url", &["url", "link"]),
    ("author", &["author", "byline"]),
    ("lang", &["lang", "language"]),
    ("source", &["source", "publisher"]),
];

/// Columns named for fields with `--map field=column,…`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap(Vec<(String, String)>);

impl ColumnMap {
    /// Parses `field=column[,field=column…]`.
    pub fn parse(spec: &str) -> Result<ColumnMap, String> {
        let mut out = Vec::new();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, column) = pair
                .split_once('=')
                .ok_or_else(|| format!("--map {pair:?}: want field=column"))?;
            let field = field.trim().to_ascii_lowercase();
            if !FIELDS.contains(&field.as_str()) {
                return Err(format!(
                    "--map: unknown field {field:?} (want one of {})",
                    FIELDS.join(", ")
                ));
            }
            out.push((field, column.trim().to_string()));
        }
        Ok(ColumnMap(out))
    }

    /// Adds the pairs of `other` (later ones win).
    pub fn extend(&mut self, other: ColumnMap) {
        self.0.extend(other.0);
    }
}

/// Which column (by index) fills each field.
#[derive(Debug, Default)]
struct Columns {
    slots: Vec<(usize, &'static str)>,
}

impl Columns {
    fn find(header: &[String], map: &ColumnMap) -> Result<Columns, String> {
        let mut slots: Vec<(usize, &'static str)> = Vec::new();
        let set = |field: &'static str, col: usize, slots: &mut Vec<(usize, &'static str)>| {
            slots.retain(|(_, f)| *f != field);
            slots.push((col, field));
        };
        for (field, names) in DEFAULTS {
            let col = names
                .iter()
                .find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)));
            if let Some(col) = col {
                set(field, col, &mut slots);
            }
        }
        for (field, column) in &map.0 {
            let col = header
                .iter()
                .position(|h| h == column)
                .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(column)))
                .ok_or_else(|| {
                    format!(
                        "no column {column:?} (--map {field}={column}); the header has {}",
                        header.join(", ")
                    )
                })?;
            let field = FIELDS.iter().find(|f| **f == field).expect("checked field");
            set(field, col, &mut slots);
        }
        // A column taken by --map for one field is no other's by default.
        let mapped: Vec<usize> = map
            .0
            .iter()
            .filter_map(|(f, _)| slots.iter().find(|(_, s)| s == f).map(|(c, _)| *c))
            .collect();
        slots.retain(|(c, f)| !mapped.contains(c) || map.0.iter().any(|(m, _)| m == f));
        if !slots
            .iter()
            .any(|(_, f)| matches!(*f, "body" | "text" | "title"))
        {
            return Err(format!(
                "no text column: want one named body, text, content, article, title or headline, or --map body=COLUMN; the header has {}",
                header.join(", ")
            ));
        }
        Ok(Columns { slots })
    }

    fn fields(&self, row: &[&str]) -> Fields {
        let mut f = Fields::default();
        for &(col, field) in &self.slots {
            let v = row.get(col).map(|s| s.to_string());
            let slot = match field {
                "id" => &mut f.id,
                "title" => &mut f.title,
                "body" => &mut f.body,
                "text" => &mut f.text,
                "date" => &mut f.date,
                "url" => &mut f.url,
                "author" => &mut f.author,
                "lang" => &mut f.lang,
                "source" => &mut f.source,
                _ => &mut f.handle,
            };
            *slot = v;
        }
        f
    }
}

/// The delimiter: a tab for `.tsv`/`.tab` files or a header with tabs and
/// no commas, `;` for a header with semicolons and no commas, else `,`.
fn delimiter(input: &Input, header: &str) -> u8 {
    let name = input.display.to_ascii_lowercase();
    let name = name.trim_end_matches(".gz");
    if name.ends_with(".tsv") || name.ends_with(".tab") {
        return b'\t';
    }
    let count = |c: char| header.matches(c).count();
    if count('\t') > 0 && count(',') == 0 {
        b'\t'
    } else if count(';') > 0 && count(',') == 0 {
        b';'
    } else {
        b','
    }
}

/// Streams the rows of a CSV input as records of fields.
pub fn stream(
    input: &Arc<Input>,
    reader: &mut dyn BufRead,
    map: &ColumnMap,
    sink: &mut impl FnMut(Record) -> bool,
) -> bool {
    let head = match reader.fill_buf() {
        Ok(h) => String::from_utf8_lossy(h.split(|&b| b == b'\n').next().unwrap_or(h)).into_owned(),
        Err(e) => return sink(bad(input, 0, format!("cannot read: {e}"))),
    };
    let mut rdr = ::csv::ReaderBuilder::new()
        .delimiter(delimiter(input, &head))
        .flexible(true)
        .has_headers(false)
        .from_reader(reader);
    let mut row = ::csv::ByteRecord::new();
    let header = match rdr.read_byte_record(&mut row) {
        Ok(true) => row
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = String::from_utf8_lossy(h);
                let h = if i == 0 {
                    h.trim_start_matches('\u{feff}')
                } else {
                    &h
                };
                h.trim().to_string()
            })
            .collect::<Vec<String>>(),
        Ok(false) => return sink(bad(input, 0, "empty file".into())),
        Err(e) => return sink(bad(input, 1, format!("unreadable header: {e}"))),
    };
    let columns = match Columns::find(&header, map) {
        Ok(c) => c,
        Err(m) => return sink(bad(input, 1, m)),
    };
    loop {
        let more = rdr.read_byte_record(&mut row);
        let line = row.position().map_or(0, |p| p.line());
        let rec = match more {
            Ok(false) => return true,
            Err(e) => match e.kind() {
                ::csv::ErrorKind::Io(_) => {
                    return sink(bad(input, line, format!("cannot read: {e}")));
                }
                _ => bad(input, line, format!("malformed CSV: {e}")),
            },
            Ok(true) if row.len() == 1 && row.get(0).is_some_and(|f| f.is_empty()) => continue,
            Ok(true) if row.len() != header.len() => bad(
                input,
                line,
                format!("{} fields, the header has {}", row.len(), header.len()),
            ),
            Ok(true) => match row_fields(&row, &header) {
                Ok(values) => {
                    let fields = columns.fields(&values);
                    record(input, line, RecordBody::Fields(Box::new(fields)))
                }
                Err(m) => bad(input, line, m),
            },
        };
        if !sink(rec) {
            return false;
        }
    }
}

fn row_fields<'r>(row: &'r ::csv::ByteRecord, header: &[String]) -> Result<Vec<&'r str>, String> {
    row.iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f).map_err(|e| {
                format!(
                    "invalid UTF-8 in column {:?} at byte {}",
                    header.get(i).map_or("?", String::as_str),
                    e.valid_up_to()
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cols: &[&str]) -> Vec<String> {
        cols.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn common_names_map_by_themselves() {
        let h = header(&["ID", "Headline", "content", "pubDate", "link", "language"]);
        let c = Columns::find(&h, &ColumnMap::default()).unwrap();
        let f = c.fields(&["a1", "T", "B", "2020-01-07", "http://x", "es"]);
        assert_eq!(f.id.as_deref(), Some("a1"));
        assert_eq!(f.title.as_deref(), Some("T"));
        assert_eq!(f.body.as_deref(), Some("B"));
        assert_eq!(f.date.as_deref(), Some("2020-01-07"));
        assert_eq!(f.url.as_deref(), Some("http://x"));
        assert_eq!(f.lang.as_deref(), Some("es"));
    }

    #[test]
    fn map_names_other_columns() {
        let h = header(&["story", "day", "text"]);
        let map = ColumnMap::parse("body=story, date=day").unwrap();
        let c = Columns::find(&h, &map).unwrap();
        let f = c.fields(&["S", "2020-01-07", "T"]);
        assert_eq!(f.body.as_deref(), Some("S"));
        assert_eq!(f.date.as_deref(), Some("2020-01-07"));
        assert!(
            ColumnMap::parse("nope=x")
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(
            ColumnMap::parse("body")
                .unwrap_err()
                .contains("field=column")
        );
        let err = Columns::find(&h, &ColumnMap::parse("body=missing").unwrap()).unwrap_err();
        assert!(err.starts_with("no column \"missing\""), "{err}");
        let err = Columns::find(&header(&["a", "b"]), &ColumnMap::default()).unwrap_err();
        assert!(err.starts_with("no text column"), "{err}");
    }
}
