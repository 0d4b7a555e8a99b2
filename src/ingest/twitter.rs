//! Tweets as the X/Twitter API returns them: v1.1 objects (twarc), v2 pages
//! (`{"data": [...], "includes": {"users": [...], "tweets": [...]}}`) and
//! v2 tweets flattened one per line with their author embedded (twarc2).
//!
//! Each tweet becomes a document of kind `tweet`: id, author, handle, date,
//! language, hashtags, mentions and expanded links. A retweet is indexed as
//! its original, under the original's id and with the same content hash,
//! so the index holds it once whichever arrives first. A quote tweet's
//! quoted tweet is a second tweet passage of the quoting tweet's document.
//!
//! Field names follow the API's documentation: v1.1 "Tweet object" and
//! "Entities" data dictionaries, v2 "Tweet object" and "Expansions" (and
//! twarc2's `ensure_flattened`, which copies `includes` into each tweet).

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{Input, Parsed, date, hash};
use crate::model::{Document, Kind, Passage, TweetMeta};

#[derive(Deserialize, Clone, Debug)]
#[serde(untagged)]
enum Id {
    Str(String),
    Num(serde_json::Number),
}

impl Id {
    fn text(&self) -> String {
        match self {
            Id::Str(s) => s.trim().to_string(),
            Id::Num(n) => n.to_string(),
        }
    }
}

/// The fields of a tweet that gazette reads, v1.1 and v2 together (every
/// one optional; each version fills its own).
#[derive(Deserialize, Default)]
struct Raw {
    id_str: Option<String>,
    id: Option<Id>,
    /// v2 `referenced_tweets[]`: `retweeted`, `quoted`, `replied_to`.
    #[serde(rename = "type")]
    ref_type: Option<String>,
    text: Option<String>,
    full_text: Option<String>,
    extended_tweet: Option<Extended>,
    note_tweet: Option<Extended>,
    created_at: Option<String>,
    lang: Option<String>,
    entities: Option<Entities>,
    /// v1.1.
    user: Option<User>,
    /// v2, flattened.
    author: Option<User>,
    author_id: Option<String>,
    retweeted_status: Option<Box<Raw>>,
    quoted_status: Option<Box<Raw>>,
    referenced_tweets: Option<Vec<Raw>>,
}

#[derive(Deserialize, Default)]
struct Extended {
    full_text: Option<String>,
    text: Option<String>,
    entities: Option<Entities>,
}

#[derive(Deserialize, Clone)]
struct User {
    id: Option<Id>,
    id_str: Option<String>,
    /// v1.1.
    screen_name: Option<String>,
    /// v2.
    username: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
struct Entities {
    #[serde(default)]
    hashtags: Vec<Tag>,
    /// v1.1.
    #[serde(default)]
    user_mentions: Vec<Mention>,
    /// v2.
    #[serde(default)]
    mentions: Vec<Mention>,
    #[serde(default)]
    urls: Vec<Url>,
    /// v1.1 photos and videos.
    #[serde(default)]
    media: Vec<Url>,
}

#[derive(Deserialize)]
struct Tag {
    /// v1.1.
    text: Option<String>,
    /// v2.
    tag: Option<String>,
}

#[derive(Deserialize)]
struct Mention {
    screen_name: Option<String>,
    username: Option<String>,
}

#[derive(Deserialize)]
struct Url {
    url: Option<String>,
    expanded_url: Option<String>,
    display_url: Option<String>,
}

/// A v2 response page.
#[derive(Deserialize)]
struct Page {
    data: PageData,
    #[serde(default)]
    includes: Includes,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PageData {
    Many(Vec<Raw>),
    One(Box<Raw>),
}

#[derive(Deserialize, Default)]
struct Includes {
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    tweets: Vec<Raw>,
}

#[derive(Deserialize)]
struct Probe {
    data: Option<IgnoredAny>,
}

/// Whether a JSON line is a v2 page (`data` at the top level) rather than a
/// single tweet. Lines that are not JSON objects are not pages.
pub fn is_page(line: &str) -> bool {
    line.contains("\"data\"") && serde_json::from_str::<Probe>(line).is_ok_and(|p| p.data.is_some())
}

/// Whether a JSON object (the first line of a file) looks like a tweet of
/// the API or a v2 page rather than a gazette record.
pub fn looks_like_tweets(line: &str) -> bool {
    #[derive(Deserialize)]
    struct Keys {
        id_str: Option<IgnoredAny>,
        user: Option<IgnoredAny>,
        author_id: Option<IgnoredAny>,
        full_text: Option<IgnoredAny>,
        edit_history_tweet_ids: Option<IgnoredAny>,
        data: Option<IgnoredAny>,
        includes: Option<IgnoredAny>,
    }
    match serde_json::from_str::<Keys>(line) {
        Ok(k) => {
            (k.id_str.is_some() && k.user.is_some())
                || k.author_id.is_some()
                || k.full_text.is_some()
                || k.edit_history_tweet_ids.is_some()
                || (k.data.is_some() && k.includes.is_some())
        }
        Err(_) => false,
    }
}

/// One tweet line (v1.1 or flattened v2) into its document.
pub fn parse_tweet(input: &Input, line: &str) -> Result<Parsed, String> {
    let raw: Raw = serde_json::from_str(line).map_err(|e| super::json_message(&e))?;
    let ctx = Context::default();
    let tweet = ctx.resolve(raw)?;
    Ok(tweet.into_parsed(input))
}

/// A v2 page into the documents of its tweets, in order; a tweet that
/// cannot be read is an error in its place.
pub fn parse_page(input: &Input, line: &str) -> Result<Vec<Result<Parsed, String>>, String> {
    let page: Page = serde_json::from_str(line).map_err(|e| super::json_message(&e))?;
    let mut ctx = Context::default();
    for u in page.includes.users {
        if let Some(id) = u.id.as_ref().map(Id::text).or_else(|| u.id_str.clone()) {
            ctx.users.insert(id, u);
        }
    }
    for t in page.includes.tweets {
        if let Some(id) = t.id.as_ref().map(Id::text) {
            ctx.tweets.insert(id, t);
        }
    }
    let data = match page.data {
        PageData::Many(v) => v,
        PageData::One(t) => vec![*t],
    };
    Ok(data
        .into_iter()
        .map(|raw| ctx.resolve(raw).map(|t| t.into_parsed(input)))
        .collect())
}

/// The `includes` of a v2 page, by id.
#[derive(Default)]
struct Context {
    users: HashMap<String, User>,
    tweets: HashMap<String, Raw>,
}

/// A tweet read: what its document is made of.
#[derive(Debug)]
struct Tweet {
    id: String,
    text: String,
    meta: TweetMeta,
    lang: Option<String>,
    quoted: Option<Box<Tweet>>,
}

impl Context {
    /// The tweet to index for `raw`: the original of a retweet, with its
    /// quoted tweet.
    fn resolve(&self, raw: Raw) -> Result<Tweet, String> {
        self.resolve_depth(raw, 0)
    }

    fn resolve_depth(&self, mut raw: Raw, depth: usize) -> Result<Tweet, String> {
        if depth > 3 {
            return Err("tweets nested too deep".into());
        }
        if let Some(original) = raw.retweeted_status.take() {
            return self.resolve_depth(*original, depth + 1);
        }
        let refs = raw.referenced_tweets.take().unwrap_or_default();
        let mut quoted = raw.quoted_status.take();
        for r in refs {
            let kind = r.ref_type.clone().unwrap_or_default();
            if kind != "retweeted" && kind != "quoted" {
                continue;
            }
            let full = self.referenced(r);
            if kind == "retweeted" {
                match full {
                    Some(original) => return self.resolve_depth(original, depth + 1),
                    None => continue,
                }
            }
            if quoted.is_none() {
                quoted = full.map(Box::new);
            }
        }
        let mut tweet = self.read(raw)?;
        if let Some(q) = quoted {
            // A quoted tweet that cannot be read leaves the quoting one whole.
            tweet.quoted = self.resolve_depth(*q, depth + 1).ok().map(Box::new);
        }
        Ok(tweet)
    }

    /// A referenced tweet with its text: flattened in place, or from the
    /// page's `includes.tweets`.
    fn referenced(&self, r: Raw) -> Option<Raw> {
        if r.text.is_some() || r.full_text.is_some() {
            return Some(r);
        }
        let id = r.id.as_ref()?.text();
        let t = self.tweets.get(&id)?;
        // `includes.tweets` is shared by the page: read it again owned.
        Some(Raw {
            id: Some(Id::Str(id)),
            text: t.text.clone(),
            note_tweet: t.note_tweet.as_ref().map(|n| Extended {
                full_text: n.full_text.clone(),
                text: n.text.clone(),
                entities: n.entities.as_ref().map(Entities::copy),
            }),
            created_at: t.created_at.clone(),
            lang: t.lang.clone(),
            entities: t.entities.as_ref().map(Entities::copy),
            author: t.author.clone(),
            author_id: t.author_id.clone(),
            ..Raw::default()
        })
    }

    fn read(&self, raw: Raw) -> Result<Tweet, String> {
        let id = raw
            .id_str
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| raw.id.as_ref().map(Id::text))
            .filter(|s| !s.is_empty())
            .ok_or("tweet without \"id\"")?;
        let (text, entities) = full_text(
            raw.extended_tweet,
            raw.note_tweet,
            raw.full_text,
            raw.text,
            raw.entities,
        );
        let text = text.ok_or_else(|| format!("tweet {id} without \"text\""))?;
        let user = raw.user.or(raw.author).or_else(|| {
            raw.author_id
                .as_ref()
                .and_then(|a| self.users.get(a))
                .cloned()
        });
        let date = match raw.created_at.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(date::parse(s).ok_or_else(|| format!("unparseable created_at {s:?}"))?),
        };
        let text = expand(&unescape(&text), entities.as_ref());
        let mut meta = match &entities {
            Some(e) => e.meta(),
            None => super::passages::tweet_meta(&text),
        };
        if entities.is_some() {
            meta.links = super::passages::tweet_meta(&text).links;
        }
        let handle = user
            .as_ref()
            .and_then(|u| u.screen_name.clone().or_else(|| u.username.clone()))
            .map(|h| h.trim().trim_start_matches('@').to_string())
            .filter(|h| !h.is_empty());
        meta.author = user
            .as_ref()
            .and_then(|u| u.name.clone())
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        meta.handle = handle;
        meta.date = date;
        Ok(Tweet {
            id,
            text: text.trim().to_string(),
            meta,
            lang: raw.lang.as_deref().and_then(real_language),
            quoted: None,
        })
    }
}

/// The longest text a tweet carries, with the entities that go with it:
/// v1.1 `extended_tweet.full_text` or `full_text`, v2 `note_tweet.text`,
/// else `text`.
fn full_text(
    extended: Option<Extended>,
    note: Option<Extended>,
    full: Option<String>,
    text: Option<String>,
    entities: Option<Entities>,
) -> (Option<String>, Option<Entities>) {
    for long in [extended, note].into_iter().flatten() {
        if let Some(t) = long.full_text.or(long.text) {
            return (Some(t), long.entities.or(entities));
        }
    }
    (full.or(text), entities)
}

impl Entities {
    fn copy(&self) -> Entities {
        Entities {
            hashtags: self
                .hashtags
                .iter()
                .map(|t| Tag {
                    text: t.text.clone(),
                    tag: t.tag.clone(),
                })
                .collect(),
            user_mentions: Vec::new(),
            mentions: self
                .user_mentions
                .iter()
                .chain(&self.mentions)
                .map(|m| Mention {
                    screen_name: m.screen_name.clone(),
                    username: m.username.clone(),
                })
                .collect(),
            urls: self.urls.iter().map(Url::copy).collect(),
            media: self.media.iter().map(Url::copy).collect(),
        }
    }

    /// Hashtags and mentions as the entities list them.
    fn meta(&self) -> TweetMeta {
        TweetMeta {
            hashtags: self
                .hashtags
                .iter()
                .filter_map(|t| t.text.clone().or_else(|| t.tag.clone()))
                .collect(),
            mentions: self
                .user_mentions
                .iter()
                .chain(&self.mentions)
                .filter_map(|m| m.screen_name.clone().or_else(|| m.username.clone()))
                .collect(),
            ..TweetMeta::default()
        }
    }
}

impl Url {
    fn copy(&self) -> Url {
        Url {
            url: self.url.clone(),
            expanded_url: self.expanded_url.clone(),
            display_url: self.display_url.clone(),
        }
    }

    /// What a `t.co` link stands for in the text: a photo or video as its
    /// `pic.twitter.com/…` display form (as embedded tweets show it), any
    /// other link expanded.
    fn replacement(&self) -> Option<&str> {
        let display = self.display_url.as_deref();
        if display.is_some_and(|d| d.starts_with("pic.twitter.com/") || d.starts_with("pic.x.com/"))
        {
            return display;
        }
        self.expanded_url.as_deref().or(display)
    }
}

/// The text with each `t.co` link replaced by what it stands for.
fn expand(text: &str, entities: Option<&Entities>) -> String {
    let Some(e) = entities else {
        return text.to_string();
    };
    let mut out = text.to_string();
    for u in e.urls.iter().chain(&e.media) {
        if let (Some(short), Some(long)) = (u.url.as_deref(), u.replacement())
            && !short.is_empty()
        {
            out = out.replace(short, long);
        }
    }
    out
}

/// The API escapes `&`, `<` and `>` in tweet text.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The tweet's `lang` when it names a language: Twitter's `und` and its
/// `q…` codes (`qme` media only, `qht` hashtags only, …) and `zxx` are left
/// to detection; the legacy `in` and `iw` are Indonesian and Hebrew.
fn real_language(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_lowercase();
    let pseudo = code == "und" || code == "zxx" || (code.len() == 3 && code.starts_with('q'));
    if pseudo {
        return None;
    }
    let code = match code.as_str() {
        "in" => "id",
        "iw" => "he",
        other => other,
    };
    crate::analysis::lang::normalize(code)
}

impl Tweet {
    fn into_parsed(self, input: &Input) -> Parsed {
        let mut text = self.text;
        let mut passages = vec![Passage {
            kind: Kind::Tweet,
            start: 0,
            end: text.len(),
            tweet: Some(self.meta.clone()),
        }];
        let mut parts = vec![self.id.clone(), text.clone(), meta_key(&self.meta)];
        if let Some(q) = self.quoted {
            text.push_str("\n\n");
            let start = text.len();
            text.push_str(&q.text);
            passages.push(Passage {
                kind: Kind::Tweet,
                start,
                end: text.len(),
                tweet: Some(q.meta.clone()),
            });
            parts.push(meta_key(&q.meta));
        }
        parts.push(self.lang.clone().unwrap_or_default());
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let url = self
            .meta
            .handle
            .as_ref()
            .map(|h| format!("https://twitter.com/{h}/status/{}", self.id));
        let author = self
            .meta
            .author
            .clone()
            .or_else(|| self.meta.handle.as_ref().map(|h| format!("@{h}")));
        Parsed {
            doc: Document {
                id: self.id,
                kind: Kind::Tweet,
                title: None,
                text,
                date: self.meta.date,
                lang: self.lang,
                source: None,
                url,
                author,
                tweet: Some(self.meta),
                origin: input.origin.clone(),
                hash: hash(&refs),
            },
            passages,
            pending: None,
        }
    }
}

fn meta_key(meta: &TweetMeta) -> String {
    serde_json::to_string(meta).expect("serializable")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Format;

    fn input() -> Input {
        Input {
            path: None,
            display: "t.jsonl".into(),
            rel_id: Some("t.jsonl".into()),
            origin: "/x".into(),
            gzip: false,
            format: Format::Twitter,
        }
    }

    const V1: &str = r#"{"created_at":"Tue Jan 07 15:04:05 +0000 2020","id":1214571003281420288,"id_str":"1214571003281420288","full_text":"Diputados llegan a la AN &amp; la GNB bloquea el paso #7Ene @jguaido https://t.co/AbCdEf https://t.co/PiC","entities":{"hashtags":[{"text":"7Ene","indices":[54,59]}],"user_mentions":[{"screen_name":"jguaido","name":"Juan Guaidó","id_str":"1"}],"urls":[{"url":"https://t.co/AbCdEf","expanded_url":"https://efectococuyo.com/politica/an","display_url":"efectococuyo.com/politica/an"}],"media":[{"url":"https://t.co/PiC","display_url":"pic.twitter.com/PiC123","expanded_url":"https://twitter.com/EfectoCocuyo/status/1/photo/1"}]},"user":{"id_str":"9","name":"Efecto Cocuyo","screen_name":"EfectoCocuyo"},"lang":"es"}"#;

    #[test]
    fn a_v1_tweet_reads_text_entities_user_and_date() {
        let p = parse_tweet(&input(), V1).unwrap();
        assert_eq!(p.doc.id, "1214571003281420288");
        assert_eq!(
            p.doc.text,
            "Diputados llegan a la AN & la GNB bloquea el paso #7Ene @jguaido https://efectococuyo.com/politica/an pic.twitter.com/PiC123"
        );
        let meta = p.doc.tweet.as_ref().unwrap();
        assert_eq!(meta.handle.as_deref(), Some("EfectoCocuyo"));
        assert_eq!(meta.author.as_deref(), Some("Efecto Cocuyo"));
        assert_eq!(meta.date.unwrap().to_string(), "2020-01-07");
        assert_eq!(meta.hashtags, ["7Ene"]);
        assert_eq!(meta.mentions, ["jguaido"]);
        assert_eq!(
            meta.links,
            [
                "https://efectococuyo.com/politica/an",
                "pic.twitter.com/PiC123"
            ]
        );
        assert_eq!(p.doc.lang.as_deref(), Some("es"));
        assert_eq!(p.passages.len(), 1);
        assert_eq!(
            p.doc.url.as_deref(),
            Some("https://twitter.com/EfectoCocuyo/status/1214571003281420288")
        );
    }

    #[test]
    fn a_retweet_is_its_original_with_the_same_hash() {
        let original = parse_tweet(&input(), V1).unwrap();
        let rt = format!(
            r#"{{"id_str":"55","full_text":"RT @EfectoCocuyo: Diputados llegan…","user":{{"screen_name":"other","name":"Other"}},"created_at":"Wed Jan 08 10:00:00 +0000 2020","retweeted_status":{V1}}}"#
        );
        let p = parse_tweet(&input(), &rt).unwrap();
        assert_eq!(p.doc.id, original.doc.id);
        assert_eq!(p.doc.text, original.doc.text);
        assert_eq!(p.doc.hash, original.doc.hash);
    }

    #[test]
    fn pseudo_languages_are_left_to_detection() {
        assert_eq!(real_language("und"), None);
        assert_eq!(real_language("qme"), None);
        assert_eq!(real_language("zxx"), None);
        assert_eq!(real_language("in").as_deref(), Some("id"));
        assert_eq!(real_language("en-gb").as_deref(), Some("en"));
    }

    #[test]
    fn a_v2_page_resolves_authors_retweets_and_quotes() {
        let page = r#"{"data":[
          {"id":"2","text":"RT @a: hello wor…","author_id":"20","referenced_tweets":[{"type":"retweeted","id":"1"}]},
          {"id":"3","text":"Look at this https://t.co/q","author_id":"20","created_at":"2020-01-08T01:00:00.000Z","lang":"en","referenced_tweets":[{"type":"quoted","id":"1"}],"entities":{"urls":[{"start":13,"end":27,"url":"https://t.co/q","expanded_url":"https://twitter.com/a/status/1","display_url":"twitter.com/a/status/1"}]}}
        ],"includes":{"users":[{"id":"10","username":"a","name":"Ann"},{"id":"20","username":"b","name":"Bob"}],
          "tweets":[{"id":"1","text":"hello world #x","author_id":"10","created_at":"2020-01-07T23:00:00-05:00","lang":"qme","entities":{"hashtags":[{"start":12,"end":14,"tag":"x"}]}}]}}"#;
        let page = page.replace('\n', "");
        assert!(is_page(&page));
        let docs: Vec<Parsed> = parse_page(&input(), &page)
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(docs[0].doc.id, "1");
        assert_eq!(docs[0].doc.text, "hello world #x");
        let m = docs[0].doc.tweet.as_ref().unwrap();
        assert_eq!(
            (m.handle.as_deref(), m.author.as_deref()),
            (Some("a"), Some("Ann"))
        );
        assert_eq!(m.date.unwrap().to_string(), "2020-01-08");
        assert_eq!(m.hashtags, ["x"]);
        assert_eq!(docs[0].doc.lang, None);
        assert_eq!(docs[1].doc.id, "3");
        assert_eq!(
            docs[1].doc.text,
            "Look at this https://twitter.com/a/status/1\n\nhello world #x"
        );
        assert_eq!(docs[1].passages.len(), 2);
        let q = docs[1].passages[1].tweet.as_ref().unwrap();
        assert_eq!(q.handle.as_deref(), Some("a"));
    }

    #[test]
    fn missing_text_or_id_is_an_error() {
        assert!(
            parse_tweet(&input(), r#"{"id_str":"1","user":{}}"#)
                .unwrap_err()
                .contains("without \"text\"")
        );
        assert!(
            parse_tweet(&input(), r#"{"text":"x"}"#)
                .unwrap_err()
                .contains("without \"id\"")
        );
        assert!(
            parse_tweet(&input(), r#"{"id_str":"1","text":"x","created_at":"soon"}"#)
                .unwrap_err()
                .contains("created_at")
        );
        assert!(
            parse_tweet(&input(), r#"{"id_str":"1","#)
                .unwrap_err()
                .starts_with("malformed JSON")
        );
    }
}
