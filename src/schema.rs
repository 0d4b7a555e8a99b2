//! Every field of the index and its options, in one place.
//!
//! One tantivy document is one passage, a document's passages consecutive
//! in one segment. The document-level values (title, date, source, …) are
//! stored once, on its first passage (`position` 0), where a hit reads
//! them; a passage's id is its document's id and its position.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{ANALYZER, TRIGRAM_ANALYZER};

/// Version of the schema and analysis; an index of another version must be
/// rebuilt.
pub const SCHEMA_VERSION: u32 = 13;

/// Handles to every field.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Document id (deletes and updates go through it).
    pub doc_id: Field,
    /// Passage kind: `article` or `tweet` (fast: the `kind` facet).
    pub kind: Field,
    /// Document kind (stored on the first passage only, as the other
    /// `doc_*` values, the title, source and url).
    pub doc_kind: Field,
    /// Passage language (filter, stats, and fast: the `lang` facet).
    pub lang: Field,
    /// Document language.
    pub doc_lang: Field,
    /// Title terms (language-tagged text, positions).
    pub title: Field,
    /// Title as written.
    pub title_text: Field,
    /// Passage terms (language-tagged text, positions).
    pub body: Field,
    /// Character grams of the passage's words, in the languages that have
    /// them ([`crate::analysis::gram_size`]; language-tagged text,
    /// frequencies, no positions).
    pub body_gram: Field,
    /// Passage text as written.
    pub text: Field,
    /// Passage date in days since 1970-01-01 (the tweet's, else the document's).
    pub date: Field,
    /// Document date in days.
    pub doc_date: Field,
    /// Publisher.
    pub source: Field,
    /// Link.
    pub url: Field,
    /// Author name terms (tweet author, or the document's byline).
    pub author: Field,
    /// Tweet handle, lower case, without `@`.
    pub handle: Field,
    /// Tweet metadata as JSON.
    pub tweet: Field,
    /// The `author` facet's value (fast only): `@handle` as written for a
    /// tweet with a handle, else the author's name.
    pub author_facet: Field,
    /// Passage number within its document (0-based).
    pub position: Field,
    /// Byte offset of the passage in the document's text.
    pub start: Field,
    /// Byte offset past its end.
    pub end: Field,
    /// Char offset of the passage in the document's text.
    pub char_start: Field,
    /// Char offset past its end.
    pub char_end: Field,
    /// Hash of the document's content.
    pub doc_hash: Field,
    /// The folder or file the document was indexed from.
    pub origin: Field,
    /// The passage's near-duplicate signature
    /// ([`crate::analysis::minhash`]; absent when it has no words).
    pub sig: Field,
    /// The document's near-duplicate signature, on its first passage only.
    pub doc_sig: Field,
}

fn text_indexing() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The gram field: which passages hold a gram, each gram once per passage
/// (no frequencies, no positions). Against frequencies: the same nDCG@10
/// on ir-news-headlines (22 languages, 0.9046 / 0.9045) and a 6% smaller
/// index of the news + tweets mix (299 → 280 MB).
fn trigram_indexing() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TRIGRAM_ANALYZER)
            .set_index_option(IndexRecordOption::Basic),
    )
}

/// A keyword field (one untokenized term) that only filters: no length
/// norms, which only BM25 reads (0.7 MB per field per 673,000 passages).
fn keyword() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    )
}

/// A number that filters and sorts: indexed, without length norms.
fn number() -> NumericOptions {
    NumericOptions::default().set_indexed()
}

/// Builds the schema.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        doc_id: b.add_text_field("doc_id", keyword() | STORED | FAST),
        kind: b.add_text_field("kind", keyword() | STORED | FAST),
        doc_kind: b.add_text_field("doc_kind", STORED),
        lang: b.add_text_field("lang", keyword() | STORED | FAST),
        doc_lang: b.add_text_field("doc_lang", STORED),
        title: b.add_text_field("title", text_indexing()),
        title_text: b.add_text_field("title_text", STORED),
        body: b.add_text_field("body", text_indexing()),
        body_gram: b.add_text_field("body_gram", trigram_indexing()),
        text: b.add_text_field("text", STORED),
        date: b.add_i64_field("date", number() | STORED | FAST),
        doc_date: b.add_i64_field("doc_date", STORED),
        source: b.add_text_field("source", STORED),
        url: b.add_text_field("url", STORED),
        author: b.add_text_field("author", text_indexing()),
        handle: b.add_text_field("handle", keyword()),
        tweet: b.add_text_field("tweet", STORED),
        author_facet: b.add_text_field("author_facet", FAST),
        position: b.add_u64_field("position", number() | STORED | FAST),
        start: b.add_u64_field("start", STORED),
        end: b.add_u64_field("end", STORED),
        char_start: b.add_u64_field("char_start", STORED),
        char_end: b.add_u64_field("char_end", STORED),
        doc_hash: b.add_u64_field("doc_hash", FAST),
        origin: b.add_text_field("origin", keyword()),
        sig: b.add_bytes_field("sig", FAST),
        doc_sig: b.add_bytes_field("doc_sig", FAST),
    };
    (b.build(), fields)
}

impl Fields {
    /// Looks the fields up in an existing schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            doc_id: f("doc_id")?,
            kind: f("kind")?,
            doc_kind: f("doc_kind")?,
            lang: f("lang")?,
            doc_lang: f("doc_lang")?,
            title: f("title")?,
            title_text: f("title_text")?,
            body: f("body")?,
            body_gram: f("body_gram")?,
            text: f("text")?,
            date: f("date")?,
            doc_date: f("doc_date")?,
            source: f("source")?,
            url: f("url")?,
            author: f("author")?,
            handle: f("handle")?,
            tweet: f("tweet")?,
            author_facet: f("author_facet")?,
            position: f("position")?,
            start: f("start")?,
            end: f("end")?,
            char_start: f("char_start")?,
            char_end: f("char_end")?,
            doc_hash: f("doc_hash")?,
            origin: f("origin")?,
            sig: f("sig")?,
            doc_sig: f("doc_sig")?,
        })
    }
}
