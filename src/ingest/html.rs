//! HTML article pages, and the HTML of feed items, into paragraphs.
//!
//! A page's main text is found by `dom_smoothie` (a port of Mozilla's
//! Readability, which Firefox's reader view uses): navigation, footers,
//! cookie banners and related links are left out. Its metadata: the title,
//! the published date (`article:published_time`, JSON-LD `datePublished`,
//! else the first `<time datetime>`), the canonical URL (`<link
//! rel=canonical>`, else `og:url` or JSON-LD), `<html lang>`, the byline
//! and site name. Tweets embedded as `<blockquote class="twitter-tweet">`
//! (the markup of Twitter's embed code) become tweet passages with their
//! author, handle and date.

use std::sync::LazyLock;

use dom_query::{Document as Dom, NodeRef};
use dom_smoothie::{Config, Readability};
use regex::Regex;

use super::{Input, Parsed, date, hash, passages};
use crate::model::{Day, Document, Kind, Passage, TweetMeta};

/// Elements whose content is a paragraph of its own.
const BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "figcaption",
    "td",
    "th",
    "dd",
    "dt",
    "tr",
    "ul",
    "ol",
    "dl",
    "table",
    "figure",
    "main",
    "aside",
    "address",
];

/// Elements whose text is never read.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "button", "form", "select",
];

/// Fewest letters and digits in a page's main text for it to be an article.
const MIN_ARTICLE_CHARS: usize = 40;

/// A piece of a page's main text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Para(String),
    Tweet {
        text: String,
        signature: String,
        meta: TweetMeta,
    },
}

/// A whole page into its document: the main text's paragraphs and
/// embedded tweets as passages, with the page's metadata.
pub fn parse_page(input: &Input, html: &str) -> Result<Parsed, String> {
    let dom = Dom::from(html);
    let canonical = first_attr(&dom, "link[rel~=canonical]", "href")
        .or_else(|| first_attr(&dom, "meta[property='og:url']", "content"));
    let time = first_attr(&dom, "time[datetime]", "datetime");
    let cfg = Config {
        classes_to_preserve: vec!["twitter-tweet".into()],
        ..Config::default()
    };
    let mut reader = Readability::with_document(dom, None, Some(cfg))
        .map_err(|e| format!("unreadable HTML: {e}"))?;
    let article = reader
        .parse()
        .map_err(|_| "no article text found in the page".to_string())?;
    let (text, passages) = fragment_passages(&article.content);
    // What Readability falls back to on a page without an article is a
    // link or two ("Home"): not an article.
    if passages.is_empty()
        || text.chars().filter(|c| c.is_alphanumeric()).count() < MIN_ARTICLE_CHARS
    {
        return Err("no article text found in the page".into());
    }
    let date = article
        .published_time
        .as_deref()
        .and_then(date::parse)
        .or_else(|| time.as_deref().and_then(date::parse));
    let lang = article
        .lang
        .as_deref()
        .and_then(crate::analysis::lang::normalize);
    let url = canonical.or(article.url.clone());
    let title = Some(article.title.trim().to_string()).filter(|t| !t.is_empty());
    let id = url
        .clone()
        .or_else(|| input.rel_id.clone())
        .unwrap_or_else(|| format!("stdin-{:016x}", hash(&[html])));
    let content_hash = hash(&[
        &text,
        title.as_deref().unwrap_or(""),
        &date.map(|d| d.to_string()).unwrap_or_default(),
        url.as_deref().unwrap_or(""),
    ]);
    Ok(Parsed {
        doc: Document {
            id,
            kind: Kind::Article,
            title,
            text,
            date,
            lang,
            source: clean(article.site_name),
            url,
            author: clean(article.byline),
            tweet: None,
            origin: input.origin.clone(),
            hash: content_hash,
        },
        passages,
        pending: None,
    })
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn first_attr(dom: &Dom, selector: &str, attr: &str) -> Option<String> {
    dom.select(selector)
        .nodes()
        .iter()
        .find_map(|n| n.attr(attr))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// An HTML fragment (a page's main content, a feed item's content) into a
/// document text and its passages: paragraphs one per block (long ones
/// split, signed tweets found, as in any article), embedded tweets as tweet
/// passages.
pub fn fragment_passages(html: &str) -> (String, Vec<Passage>) {
    let dom = Dom::fragment(html);
    let mut blocks = Vec::new();
    let mut buf = String::new();
    walk(&dom.root(), &mut blocks, &mut buf);
    flush(&mut buf, &mut blocks);
    lay_out(&blocks)
}

fn lay_out(blocks: &[Block]) -> (String, Vec<Passage>) {
    let mut text = String::new();
    let mut out = Vec::new();
    let mut paras: Vec<(usize, usize)> = Vec::new();
    let sep = |text: &mut String| {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
    };
    for b in blocks {
        match b {
            Block::Para(p) => {
                sep(&mut text);
                paras.push((text.len(), text.len() + p.len()));
                text.push_str(p);
            }
            Block::Tweet {
                text: t,
                signature,
                meta,
            } => {
                out.extend(passages::article_passages(&text, &paras));
                paras.clear();
                sep(&mut text);
                let start = text.len();
                text.push_str(t);
                out.push(Passage {
                    kind: Kind::Tweet,
                    start,
                    end: text.len(),
                    tweet: Some(meta.clone()),
                });
                if !signature.is_empty() {
                    text.push(' ');
                    text.push_str(signature);
                }
            }
        }
    }
    out.extend(passages::article_passages(&text, &paras));
    (text, out)
}

fn name_of(node: &NodeRef) -> String {
    node.node_name()
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default()
}

fn walk(node: &NodeRef, blocks: &mut Vec<Block>, buf: &mut String) {
    for child in node.children() {
        if child.is_text() {
            push_text(buf, &child.text());
            continue;
        }
        if !child.is_element() {
            continue;
        }
        let name = name_of(&child);
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        if name == "br" {
            flush(buf, blocks);
            continue;
        }
        if name == "blockquote" && child.has_class("twitter-tweet") {
            flush(buf, blocks);
            if let Some(t) = embedded_tweet(&child) {
                blocks.push(t);
            }
            continue;
        }
        let block = BLOCKS.contains(&name.as_str());
        if block {
            flush(buf, blocks);
        }
        walk(&child, blocks, buf);
        if block {
            flush(buf, blocks);
        }
    }
}

/// Appends text with its white space collapsed.
fn push_text(buf: &mut String, text: &str) {
    for (i, word) in text.split_whitespace().enumerate() {
        let space_before = i > 0 || text.starts_with(char::is_whitespace);
        if space_before && !buf.is_empty() && !buf.ends_with(' ') {
            buf.push(' ');
        }
        buf.push_str(word);
    }
    if text.ends_with(char::is_whitespace) && !buf.is_empty() && !buf.ends_with(' ') {
        buf.push(' ');
    }
}

fn flush(buf: &mut String, blocks: &mut Vec<Block>) {
    let p = buf.trim();
    if !p.is_empty() {
        blocks.push(Block::Para(p.to_string()));
    }
    buf.clear();
}

/// `— Name (@handle) January 7, 2020` after an embedded tweet's text.
static EMBED_SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[—–-]+\s*(?P<name>.*?)\s*\(@(?P<handle>[A-Za-z0-9_]{1,30})\)\s*(?P<date>.*)$")
        .expect("valid regex")
});

/// Twitter's embed: `<blockquote class="twitter-tweet"><p lang=…>text</p>
/// &mdash; Name (@handle) <a href="…/status/ID">date</a></blockquote>`.
fn embedded_tweet(node: &NodeRef) -> Option<Block> {
    let mut text = String::new();
    let mut signature = String::new();
    for child in node.children() {
        let mut piece = String::new();
        let mut blocks = Vec::new();
        if child.is_element() && name_of(&child) == "p" {
            walk(&child, &mut blocks, &mut piece);
            flush(&mut piece, &mut blocks);
            for b in blocks {
                if let Block::Para(p) = b {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&p);
                }
            }
        } else if child.is_text() || child.is_element() {
            push_text(&mut signature, &child.text());
        }
    }
    let text = text.trim().to_string();
    if text.is_empty() {
        return None;
    }
    let signature = signature.trim().to_string();
    let mut meta = passages::tweet_meta(&text);
    if let Some(c) = EMBED_SIGNATURE.captures(&signature) {
        meta.author = Some(c["name"].trim().to_string()).filter(|n| !n.is_empty());
        meta.handle = Some(c["handle"].to_string());
        meta.date = date::parse(&c["date"]);
    }
    if meta.date.is_none() {
        meta.date = node
            .descendants()
            .iter()
            .filter(|a| a.is_element() && name_of(a) == "a")
            .filter_map(|a| a.attr("href"))
            .find_map(|h| snowflake_day(&h));
    }
    Some(Block::Tweet {
        text,
        signature,
        meta,
    })
}

/// The day a tweet was posted, from its id in a status link: ids since
/// November 2010 are snowflakes, milliseconds since the Twitter epoch
/// (1288834974657) shifted left 22 bits.
fn snowflake_day(href: &str) -> Option<Day> {
    let (_, rest) = href.split_once("/status/")?;
    let id: u64 = rest
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let ms = (id >> 22).checked_add(1_288_834_974_657)?;
    if id >> 22 == 0 {
        return None;
    }
    Day::from_days(i64::try_from(ms / 86_400_000).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_paragraphs() {
        let (text, p) = fragment_passages(
            "<div><h2>Head</h2><p>One <b>bold</b>\n word.</p><p>Two<br>Three</p><script>x()</script><ul><li>A</li><li>B</li></ul></div>",
        );
        assert_eq!(text, "Head\n\nOne bold word.\n\nTwo\n\nThree\n\nA\n\nB");
        // Paragraphs this short make one passage (passages::SHORT_MAX_WORDS).
        let got: Vec<&str> = p.iter().map(|p| &text[p.start..p.end]).collect();
        assert_eq!(got, [text.as_str()]);
        assert!(p.iter().all(|p| p.kind == Kind::Article));
    }

    #[test]
    fn an_embedded_tweet_is_a_tweet_passage() {
        let html = r#"<p>Before.</p><blockquote class="twitter-tweet"><p lang="es" dir="ltr">Diputados llegan <a href="https://twitter.com/hashtag/7Ene?src=hash">#7Ene</a> <a href="https://t.co/x">pic.twitter.com/x</a></p>&mdash; Efecto Cocuyo (@EfectoCocuyo) <a href="https://twitter.com/EfectoCocuyo/status/1214571003281420288?ref_src=twsrc%5Etfw">7 de enero de 2020</a></blockquote><p>After.</p>"#;
        let (text, p) = fragment_passages(html);
        let got: Vec<(&str, Kind)> = p.iter().map(|p| (&text[p.start..p.end], p.kind)).collect();
        assert_eq!(
            got,
            [
                ("Before.", Kind::Article),
                ("Diputados llegan #7Ene pic.twitter.com/x", Kind::Tweet),
                ("After.", Kind::Article)
            ]
        );
        let meta = p[1].tweet.as_ref().unwrap();
        assert_eq!(meta.handle.as_deref(), Some("EfectoCocuyo"));
        assert_eq!(meta.author.as_deref(), Some("Efecto Cocuyo"));
        // The Spanish date is not read; the status id's snowflake is.
        assert_eq!(meta.date.unwrap().to_string(), "2020-01-07");
        assert_eq!(meta.hashtags, ["7Ene"]);
        assert_eq!(meta.links, ["pic.twitter.com/x"]);
    }

    #[test]
    fn snowflakes_give_the_day() {
        assert_eq!(
            snowflake_day("https://twitter.com/x/status/1214571003281420288?s=1")
                .unwrap()
                .to_string(),
            "2020-01-07"
        );
        assert_eq!(snowflake_day("https://twitter.com/x/status/12"), None);
        assert_eq!(snowflake_day("https://twitter.com/x"), None);
    }
}
