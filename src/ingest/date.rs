//! Dates as the readers meet them, to the UTC day gazette stores.
//!
//! Accepted: `YYYY-MM-DD` (and `YYYY/MM/DD`), RFC 3339 / ISO 8601
//! date-times with an offset, `Z` or none (then UTC), RFC 2822 as feeds
//! write it (`Tue, 07 Jan 2020 15:04:05 +0000`, `GMT`), the v1.1 tweet form
//! (`Tue Jan 07 15:04:05 +0000 2020`) and English dates (`January 7, 2020`,
//! `7 January 2020`). A date-time with an offset is stored as the day it
//! falls on in UTC. Ambiguous forms (`07/01/2020`) are not guessed.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use tantivy::time::{Date, Month};

use crate::model::Day;

/// Date-times with an offset (`%#z` takes `+01`, `+0100` and `+01:00`).
const WITH_OFFSET: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f %#z",
    "%Y-%m-%dT%H:%M%#z",
    // v1.1 tweets: `Tue Jan 07 15:04:05 +0000 2020`.
    "%a %b %d %H:%M:%S %z %Y",
];

/// Date-times without an offset, taken as UTC.
const NAIVE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// The UTC day of a date or date-time in any accepted form, or `None`.
pub fn parse(s: &str) -> Option<Day> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
        .filter(|_| s.len() == 10)
    {
        return day(d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return day(dt.naive_utc().date());
    }
    let zulu = s
        .strip_suffix(['Z', 'z'])
        .map(|head| format!("{head}+00:00"));
    let offset_form = zulu.as_deref().unwrap_or(s);
    for f in WITH_OFFSET {
        if let Ok(dt) = DateTime::parse_from_str(offset_form, f) {
            return day(dt.naive_utc().date());
        }
    }
    for f in NAIVE {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return day(dt.date());
        }
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return day(dt.naive_utc().date());
    }
    Day::parse_english(s).or_else(|| day_first_english(s))
}

/// `7 January 2020`, `07 Jan. 2020`.
fn day_first_english(s: &str) -> Option<Day> {
    let mut words = s.split_whitespace();
    let (d, m, y) = (words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Day::parse_english(&format!("{m} {d}, {y}"))
}

fn day(d: NaiveDate) -> Option<Day> {
    let month = Month::try_from(u8::try_from(d.month()).ok()?).ok()?;
    Date::from_calendar_date(d.year(), month, u8::try_from(d.day()).ok()?)
        .ok()
        .map(Day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_form_gives_the_utc_day() {
        for (input, want) in [
            ("2020-01-07", "2020-01-07"),
            ("2020/01/07", "2020-01-07"),
            ("2020-01-07T15:04:05Z", "2020-01-07"),
            ("2020-01-07T15:04:05.000Z", "2020-01-07"),
            ("2020-01-07T23:30:00-05:00", "2020-01-08"),
            ("2020-01-07T01:30:00+0200", "2020-01-06"),
            ("2020-01-07 15:04:05", "2020-01-07"),
            ("2020-01-07 15:04", "2020-01-07"),
            ("2020-01-07T15:04", "2020-01-07"),
            ("2020-01-07 22:04:05 -0300", "2020-01-08"),
            ("Tue, 07 Jan 2020 15:04:05 +0000", "2020-01-07"),
            ("Tue, 07 Jan 2020 23:04:05 -0200", "2020-01-08"),
            ("Tue, 07 Jan 2020 15:04:05 GMT", "2020-01-07"),
            ("7 Jan 2020 15:04:05 EST", "2020-01-07"),
            ("Tue Jan 07 15:04:05 +0000 2020", "2020-01-07"),
            ("Tue Jan 07 23:04:05 -0500 2020", "2020-01-08"),
            ("January 7, 2020", "2020-01-07"),
            ("Jan. 7, 2020", "2020-01-07"),
            ("7 January 2020", "2020-01-07"),
            ("  2020-01-07  ", "2020-01-07"),
        ] {
            assert_eq!(
                parse(input).map(|d| d.to_string()).as_deref(),
                Some(want),
                "{input}"
            );
        }
    }

    #[test]
    fn ambiguous_or_broken_dates_are_refused() {
        for bad in [
            "",
            "07/01/2020",
            "2020-13-01",
            "2020-02-30",
            "2020-1-7",
            "yesterday",
            "2020-01-07x",
            "Tue Jan 07 15:04:05 2020",
            "7 Foo 2020",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
