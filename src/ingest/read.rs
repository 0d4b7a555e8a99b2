//! Finding inputs and reading them as records, streaming: folders are walked,
//! `.gz` is decompressed on the fly, `-` is standard input, and a JSON Lines
//! file is read one bounded line at a time.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::Error;

/// Longest JSON line accepted; a longer one is rejected (and skipped without
/// being held in memory).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Largest text article accepted.
pub const MAX_TEXT_BYTES: usize = 64 << 20;

/// The format of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A plain-text article.
    Text,
    /// JSON Lines of articles and tweets in gazette's own schema.
    JsonLines,
    /// Tweets from the X/Twitter API: v1.1 or v2 (pages or flattened).
    Twitter,
    /// CSV or TSV with a header row (the delimiter is found in the header).
    Csv,
    /// An RSS 2.0, Atom or JSON Feed.
    Feed,
    /// An HTML article page.
    Html,
    /// A `.json`/`.jsonl` file: gazette records, API tweets or a JSON Feed,
    /// told apart by the content.
    Json,
    /// Decide from the content: `{` is JSON (as [`Format::Json`]), `<` a
    /// feed or an HTML page, anything else a text article.
    Sniff,
}

/// One input file (or standard input) to read.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file, or `None` for standard input.
    pub path: Option<PathBuf>,
    /// Name used in messages and as the default id base.
    pub display: String,
    /// Id of a text article from this file: its path relative to the folder given.
    pub rel_id: Option<String>,
    /// The folder or file the user named (for `--prune`).
    pub origin: String,
    /// Is it gzip-compressed?
    pub gzip: bool,
    /// How to parse it.
    pub format: Format,
}

/// A raw record: the unit parsed (and rejected) on its own.
#[derive(Debug)]
pub struct Record {
    /// The input it came from.
    pub input: std::sync::Arc<Input>,
    /// 1-based line (JSON Lines) or 0 (whole text file).
    pub line: u64,
    /// What to parse.
    pub body: RecordBody,
}

/// The content of a raw record.
#[derive(Debug)]
pub enum RecordBody {
    /// A whole text article.
    Text(String),
    /// One JSON line.
    Json(String),
    /// One tweet of the X/Twitter API (v1.1, or v2 flattened), a JSON line.
    Tweet(String),
    /// A whole HTML page.
    Html(String),
    /// The fields of a CSV row or a feed item.
    Fields(Box<super::Fields>),
    /// A document the reader parsed already (a tweet of a v2 page).
    Parsed(Box<super::Parsed>),
    /// Something unreadable: reported as this record's error.
    Bad(String),
}

impl RecordBody {
    /// Roughly how many input bytes the record stands for (for progress).
    pub fn len(&self) -> usize {
        match self {
            RecordBody::Text(s)
            | RecordBody::Json(s)
            | RecordBody::Tweet(s)
            | RecordBody::Html(s) => s.len() + 1,
            RecordBody::Fields(f) => f.len(),
            RecordBody::Parsed(p) => p.doc.text.len(),
            RecordBody::Bad(_) => 0,
        }
    }

    /// True for a record that stands for no input bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn format_of(name: &str) -> Option<(Format, bool)> {
    let lower = name.to_ascii_lowercase();
    let (stem, gzip) = match lower.strip_suffix(".gz") {
        Some(stem) => (stem.to_string(), true),
        None => (lower, false),
    };
    let ext = stem.rsplit_once('.').map_or("", |(_, e)| e);
    let format = if matches!(ext, "jsonl" | "ndjson" | "json") {
        Format::Json
    } else if matches!(ext, "txt" | "text" | "md") {
        Format::Text
    } else if matches!(ext, "csv" | "tsv" | "tab") {
        Format::Csv
    } else if matches!(ext, "rss" | "atom" | "xml") {
        Format::Feed
    } else if matches!(ext, "html" | "htm" | "xhtml") {
        Format::Html
    } else if gzip {
        Format::Sniff
    } else {
        return None;
    };
    Some((format, gzip))
}

/// Expands the paths given on the command line into inputs. Folders are
/// walked recursively (files of unknown type inside them are skipped); a
/// file named explicitly is read whatever its name. Paths that do not exist
/// are returned as errors, in order, beside the inputs.
pub fn expand(paths: &[PathBuf]) -> (Vec<Input>, Vec<Error>) {
    expand_as(paths, None)
}

/// [`expand`], every file read as `forced` when it is given
/// (`--input-format`); folders still take only files of known extensions.
pub fn expand_as(paths: &[PathBuf], forced: Option<Format>) -> (Vec<Input>, Vec<Error>) {
    let (mut inputs, errors) = expand_paths(paths);
    if let Some(f) = forced {
        for input in &mut inputs {
            input.format = f;
        }
    }
    (inputs, errors)
}

fn expand_paths(paths: &[PathBuf]) -> (Vec<Input>, Vec<Error>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input {
                path: None,
                display: "-".into(),
                rel_id: None,
                origin: "-".into(),
                gzip: false,
                format: Format::Sniff,
            });
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(Error::Record {
                    file: path.display().to_string(),
                    line: 0,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let origin = origin_of(path);
        if meta.is_dir() {
            walk(path, &origin, &mut inputs, &mut errors);
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let (format, gzip) = format_of(&name).unwrap_or((Format::Sniff, false));
            inputs.push(Input {
                path: Some(path.clone()),
                display: path.display().to_string(),
                rel_id: Some(name.trim_end_matches(".gz").to_string()),
                origin,
                gzip,
                format,
            });
        }
    }
    (inputs, errors)
}

/// The canonical form of a path the user gave, used to find the documents
/// indexed from it again.
pub fn origin_of(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

fn walk(root: &Path, origin: &str, inputs: &mut Vec<Input>, errors: &mut Vec<Error>) {
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .follow_links(true);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(Error::Record {
                    file: e.path().unwrap_or(root).display().to_string(),
                    line: 0,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        inputs.extend(input_in(root, origin, entry.path()));
    }
}

/// The input for `path`, a file found in the folder `root` (whose
/// [`origin_of`] is `origin`), as walking `root` would make it: `None` for a
/// hidden file (`.name`) or one of unknown type.
pub fn input_in(root: &Path, origin: &str, path: &Path) -> Option<Input> {
    let name = path.file_name()?.to_string_lossy();
    if name.starts_with('.') {
        return None;
    }
    let (format, gzip) = format_of(&name)?;
    let rel = path.strip_prefix(root).unwrap_or(path);
    let rel = rel.to_string_lossy().replace('\\', "/");
    Some(Input {
        path: Some(path.to_path_buf()),
        display: path.display().to_string(),
        rel_id: Some(rel.trim_end_matches(".gz").to_string()),
        origin: origin.to_string(),
        gzip,
        format,
    })
}

/// Counts the bytes read from disk (before decompression), for progress.
#[derive(Debug, Clone, Default)]
pub struct ReadCounter(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl ReadCounter {
    /// Bytes read so far.
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

struct Counting<R> {
    inner: R,
    counter: ReadCounter,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter
            .0
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Total size on disk of the inputs (standard input counts 0).
pub fn disk_size(inputs: &[Input]) -> u64 {
    inputs
        .iter()
        .filter_map(|i| i.path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Opens an input as a buffered byte stream (decompressing gzip), counting
/// the bytes read from disk in `counter`.
pub fn open(input: &Input, counter: &ReadCounter) -> Result<Box<dyn BufRead + Send>, Error> {
    let raw: Box<dyn Read + Send> = match &input.path {
        None => Box::new(io::stdin()),
        Some(p) => Box::new(Counting {
            inner: File::open(p).map_err(|e| Error::io(p, e))?,
            counter: counter.clone(),
        }),
    };
    let mut reader: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(1 << 16, raw));
    let gz = input.gzip || {
        let head = reader
            .fill_buf()
            .map_err(|e| Error::io(&input.display, e))?;
        head.starts_with(&[0x1f, 0x8b])
    };
    if gz {
        reader = Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(reader),
        ));
    }
    Ok(reader)
}

/// Reads one line into `buf` (without its `\n`), keeping at most
/// [`MAX_LINE_BYTES`]. Returns `None` at end of input, else whether the line
/// was cut (too long).
pub fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    buf.clear();
    let mut seen_any = false;
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(seen_any.then_some(too_long));
        }
        seen_any = true;
        let (take, done) = match memchr_newline(chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > MAX_LINE_BYTES {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        let consumed = if done { take + 1 } else { take };
        reader.consume(consumed);
        if done {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(too_long));
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Why a text article's bytes are not acceptable, if they are not.
pub fn check_text(bytes: &[u8]) -> Result<(), (u64, String)> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err((0, "empty file".into()));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let line = 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count() as u64;
        return Err((line, "binary data (NUL byte); not a text article".into()));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let pos = e.valid_up_to();
        let line = 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count() as u64;
        return Err((line, format!("invalid UTF-8 at byte {pos}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lines() {
        let data = b"ab\r\ncd\nlast";
        let mut r: &[u8] = data;
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut r, &mut buf).unwrap(), Some(false));
        assert_eq!(buf, b"ab");
        assert_eq!(read_line(&mut r, &mut buf).unwrap(), Some(false));
        assert_eq!(buf, b"cd");
        assert_eq!(read_line(&mut r, &mut buf).unwrap(), Some(false));
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut r, &mut buf).unwrap(), None);
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(format_of("a.jsonl.gz"), Some((Format::Json, true)));
        assert_eq!(format_of("a.tsv"), Some((Format::Csv, false)));
        assert_eq!(format_of("feed.xml.gz"), Some((Format::Feed, true)));
        assert_eq!(format_of("page.HTM"), Some((Format::Html, false)));
        assert_eq!(format_of("A.TXT"), Some((Format::Text, false)));
        assert_eq!(format_of("x.png"), None);
    }

    #[test]
    fn text_checks_name_the_line() {
        assert_eq!(check_text(b"  \n"), Err((0, "empty file".into())));
        assert_eq!(check_text(b"a\nb\0").unwrap_err().0, 2);
        assert_eq!(check_text(b"a\n\nb\xff").unwrap_err().0, 3);
        assert!(check_text("é".as_bytes()).is_ok());
    }
}
