//! The plain values that flow from ingestion to the index: documents and
//! their passages.

use serde::{Deserialize, Serialize};
use tantivy::time::{Date, Month};

/// Byte and char offsets of a span of text: where a passage sits in its
/// document (indexing computes it) and a highlight in its passage (the
/// JSON of `query` and `batch` prints both, `docs/JSON.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset past the last byte.
    pub end: usize,
    /// Unicode scalar offset of the first char.
    pub char_start: usize,
    /// Unicode scalar offset past the last char.
    pub char_end: usize,
}

/// What a document or passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A news article, or a paragraph of one.
    Article,
    /// A tweet: standalone, or quoted inside an article.
    Tweet,
}

impl Kind {
    /// The lowercase name used in the index and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Tweet => "tweet",
        }
    }

    /// Parses `article` or `tweet`.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "article" => Some(Kind::Article),
            "tweet" => Some(Kind::Tweet),
            _ => None,
        }
    }
}

/// A calendar date, `YYYY-MM-DD` in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub Date);

impl Day {
    /// Parses `YYYY-MM-DD`, optionally followed by a time (`T…` or ` …`).
    pub fn parse(s: &str) -> Option<Day> {
        let s = s.trim();
        let head = s.get(..10)?;
        let rest = &s[10..];
        if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
            return None;
        }
        let mut parts = head.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
        Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?)
            .ok()
            .map(Day)
    }

    /// Parses an English date as tweets are signed: `January 7, 2020`.
    pub fn parse_english(s: &str) -> Option<Day> {
        let mut words = s.split_whitespace();
        let month_name = words.next()?.trim_end_matches('.').to_ascii_lowercase();
        let day: u8 = words.next()?.trim_end_matches(',').parse().ok()?;
        let year: i32 = words.next()?.parse().ok()?;
        const MONTHS: [&str; 12] = [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ];
        let n = MONTHS.iter().position(|m| {
            *m == month_name || (month_name.len() >= 3 && m.starts_with(&month_name))
        })?;
        let month = Month::try_from(n as u8 + 1).ok()?;
        Date::from_calendar_date(year, month, day).ok().map(Day)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        i64::from(self.0.to_julian_day()) - 2_440_588
    }

    /// The day `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Option<Day> {
        let jd = i32::try_from(days + 2_440_588).ok()?;
        Date::from_julian_day(jd).ok().map(Day)
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}

/// Who wrote a tweet, and what it links to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TweetMeta {
    /// Display name ("Crónica Uno").
    pub author: Option<String>,
    /// Handle without `@` ("CronicaUno").
    pub handle: Option<String>,
    /// When it was posted.
    #[serde(with = "day_serde")]
    pub date: Option<Day>,
    /// Hashtags without `#`, as written.
    pub hashtags: Vec<String>,
    /// Mentioned handles without `@`.
    pub mentions: Vec<String>,
    /// Links, as written.
    pub links: Vec<String>,
}

/// serde for `Option<Day>` as `"YYYY-MM-DD"` or `null`.
pub mod day_serde {
    use super::Day;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as `YYYY-MM-DD` or null.
    pub fn serialize<S: Serializer>(day: &Option<Day>, s: S) -> Result<S::Ok, S::Error> {
        match day {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }

    /// Deserializes from `YYYY-MM-DD` or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Day>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(None),
            Some(s) => Day::parse(&s)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("bad date {s:?}"))),
        }
    }
}

/// A document parsed from input, before analysis.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable identity: the `id` field, else the path relative to the folder
    /// given, else a hash of the content.
    pub id: String,
    /// Article or standalone tweet.
    pub kind: Kind,
    /// Headline (for text articles: the first sentence).
    pub title: Option<String>,
    /// The text passages are cut from; offsets refer to it.
    pub text: String,
    /// Publication date.
    pub date: Option<Day>,
    /// Language given in the input (normalized), which wins over detection.
    pub lang: Option<String>,
    /// Publisher.
    pub source: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// Byline, or a tweet's author.
    pub author: Option<String>,
    /// For a standalone tweet: its metadata.
    pub tweet: Option<TweetMeta>,
    /// Where it was read from (the folder or file given), for `--prune`.
    pub origin: String,
    /// Hash of the record's content, to skip unchanged documents.
    pub hash: u64,
}

/// A unit of retrieval cut from a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Paragraph (article) or tweet.
    pub kind: Kind,
    /// Byte offsets in the document's text.
    pub start: usize,
    /// Byte offset past the end.
    pub end: usize,
    /// For a quoted tweet: its metadata.
    pub tweet: Option<TweetMeta>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_days() {
        let d = Day::parse("2020-01-07").unwrap();
        assert_eq!(d.to_string(), "2020-01-07");
        assert_eq!(Day::from_days(d.days()), Some(d));
        assert_eq!(Day::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(Day::parse("2020-01-07T10:00:00Z"), Some(d));
        assert_eq!(Day::parse_english("January 7, 2020"), Some(d));
        assert_eq!(Day::parse_english("Jan. 7, 2020"), Some(d));
        for bad in [
            "2020-13-01",
            "2020-02-30",
            "07/01/2020",
            "2020-1-7",
            "",
            "2020-01-07x",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }
}
