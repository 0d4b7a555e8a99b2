//! The library's error type.

use std::path::PathBuf;

/// Everything that can go wrong in gazette's library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O error while touching `path`.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A bad input record: `source:line: message`.
    #[error("{file}:{line}: {message}")]
    Record {
        /// The file (or `-` for standard input).
        file: String,
        /// 1-based line number (0 when the whole file is at fault).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Another gazette process holds the index's writer lock.
    #[error("index {0} is being written by another gazette process (use --wait to wait for it)")]
    Locked(PathBuf),
    /// The index was written by an incompatible version of gazette.
    #[error(
        "index {path} has schema version {found}, this gazette needs {expected}; rebuild it with `gazette index --rebuild --index {path} …`"
    )]
    SchemaVersion {
        /// Index folder.
        path: PathBuf,
        /// Version found in the index.
        found: String,
        /// Version this build writes.
        expected: u32,
    },
    /// No index at the given place.
    #[error("no gazette index at {0}; create one with `gazette index --index {0} PATH…`")]
    NoIndex(PathBuf),
    /// A user-supplied option is invalid.
    #[error("{0}")]
    Invalid(String),
    /// An I/O error without a path.
    #[error("{0}")]
    Stream(#[from] std::io::Error),
    /// A search engine gazette exports to or searches through (Typesense)
    /// failed or answered an error.
    #[error("{0}")]
    Remote(String),
    /// An error from tantivy.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error tied to a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
