//! RSS 2.0, Atom and JSON Feed files, read by `feed-rs`: each item is an
//! article — title, link (its id and url), date (`pubDate`, `published`,
//! `updated`, `date_published`), author, the feed's title as source, the
//! item's or feed's language, and the content (`content:encoded`, Atom
//! `content`, `content_html`) or else the description/summary, its HTML
//! turned into paragraphs.

use std::sync::Arc;

use feed_rs::model::{Entry, Feed, Text};

use super::{Fields, Input, Record, RecordBody, bad, record};

/// Streams the items of a feed as records; a file that is not a feed is
/// one bad record.
pub fn stream(input: &Arc<Input>, bytes: &[u8], sink: &mut impl FnMut(Record) -> bool) -> bool {
    // No id made up for an item without guid, link or id (feed-rs would
    // make a random one): such an item is named by its content below.
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = match parser.parse(bytes) {
        Ok(f) => f,
        Err(e) => return sink(bad(input, 0, format!("not a feed: {e}"))),
    };
    // The line each item starts on, when the file's item tags can be
    // told (an XML feed); else 0, the whole file.
    let lines = item_lines(bytes).filter(|l| l.len() == feed.entries.len());
    for (n, entry) in feed.entries.iter().enumerate() {
        let line = lines.as_ref().map_or(0, |l| l[n]);
        let rec = match item(&feed, entry) {
            Some(mut fields) => {
                if fields.id.is_none() {
                    let h = super::hash(&[
                        fields.title.as_deref().unwrap_or(""),
                        fields.body.as_deref().unwrap_or(""),
                    ]);
                    let base = input.rel_id.as_deref().unwrap_or(&input.display);
                    fields.id = Some(format!("{base}#{h:016x}"));
                }
                record(input, line, RecordBody::Fields(Box::new(fields)))
            }
            None => bad(
                input,
                line,
                format!("item {}: no title, content or description", n + 1),
            ),
        };
        if !sink(rec) {
            return false;
        }
    }
    true
}

/// The 1-based line of each `<item>` (RSS) or `<entry>` (Atom) start tag
/// of an XML feed, in order, namespace prefixes ignored; `None` for a file
/// that is not XML (JSON Feed). Tags inside comments and CDATA sections
/// are skipped; a count that differs from the parser's items is not used.
fn item_lines(bytes: &[u8]) -> Option<Vec<u64>> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    if bytes.get(start) != Some(&b'<') {
        return None;
    }
    let mut lines = Vec::new();
    let mut line = 1u64;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'<' => {
                let rest = &bytes[i..];
                let skip_to = |end: &[u8]| {
                    rest.windows(end.len())
                        .position(|w| w == end)
                        .map_or(rest.len(), |p| p + end.len())
                };
                let skipped = if rest.starts_with(b"<!--") {
                    skip_to(b"-->")
                } else if rest.starts_with(b"<![CDATA[") {
                    skip_to(b"]]>")
                } else {
                    0
                };
                if skipped > 0 {
                    line += rest[..skipped].iter().filter(|&&b| b == b'\n').count() as u64;
                    i += skipped;
                    continue;
                }
                let name_len = rest[1..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
                    .unwrap_or(rest.len() - 1);
                let name = &rest[1..1 + name_len];
                let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
                if local == b"item" || local == b"entry" {
                    lines.push(line);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some(lines)
}

fn text_of(t: &Text) -> String {
    if t.content_type.subty() == "html" || t.content_type.subty() == "xhtml+xml" {
        let (text, _) = super::html::fragment_passages(&t.content);
        text.replace("\n\n", " ")
    } else {
        t.content.trim().to_string()
    }
}

/// The link of an item: its `alternate` link, else its first.
fn link(entry: &Entry) -> Option<String> {
    entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|h| !h.is_empty())
}

fn item(feed: &Feed, entry: &Entry) -> Option<Fields> {
    let url = link(entry);
    let title = entry.title.as_ref().map(text_of).filter(|t| !t.is_empty());
    let (body, html) = match (&entry.content, &entry.summary) {
        (Some(c), _) if c.body.as_deref().is_some_and(|b| !b.trim().is_empty()) => {
            let plain = c.content_type.subty() == "plain";
            (c.body.clone(), !plain)
        }
        (_, Some(s)) if !s.content.trim().is_empty() => {
            (Some(s.content.clone()), s.content_type.subty() != "plain")
        }
        _ => (None, false),
    };
    if body.is_none() && title.is_none() {
        return None;
    }
    // Without a link, the item's own id (an RSS guid, an Atom id).
    let id = url
        .clone()
        .or_else(|| Some(entry.id.trim().to_string()))
        .filter(|s| !s.is_empty());
    Some(Fields {
        id,
        title,
        body,
        body_html: html,
        text: None,
        date: entry
            .published
            .or(entry.updated)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        lang: entry.language.clone().or_else(|| feed.language.clone()),
        source: feed.title.as_ref().map(text_of).filter(|t| !t.is_empty()),
        url,
        author: entry
            .authors
            .iter()
            .filter_map(|p| p.name.as_deref())
            .map(str::trim)
            .find(|n| !n.is_empty())
            .map(str::to_string),
        handle: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_lines_are_the_lines_of_item_and_entry_tags() {
        let rss = b"<rss>\n<channel>\n<item>a</item>\n<!-- <item> -->\n<item\n>b</item><rss:item/>";
        assert_eq!(item_lines(rss), Some(vec![3, 5, 6]));
        let atom = b"  <feed>\n<entry><content><![CDATA[<entry>\n]]></content></entry>\n<entry/>";
        assert_eq!(item_lines(atom), Some(vec![2, 4]));
        assert_eq!(
            item_lines(b"<feed><entryway/><items/></feed>"),
            Some(vec![])
        );
        assert_eq!(item_lines(b"{\"items\": []}"), None);
        assert_eq!(item_lines(b""), None);
        assert_eq!(item_lines(b"<"), Some(vec![]));
    }
}
