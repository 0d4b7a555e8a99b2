//! Printers: coloured text for people, JSON and JSON Lines for scripts.
//! Colour and terminal detection are decided by the caller.

pub mod sanitize;

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use crate::search::{Facet, Facets, Hit, QueryLangBy, Response};

/// Output format of `query` and `batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text with highlights.
    Text,
    /// One JSON object.
    Json,
    /// One hit per line.
    Jsonl,
}

/// Writes a response in the given format.
pub fn write_response(
    out: &mut dyn Write,
    resp: &Response,
    format: Format,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer(&mut *out, resp)?;
            writeln!(out)
        }
        Format::Jsonl => {
            for hit in &resp.hits {
                serde_json::to_writer(&mut *out, hit)?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Text => write_text(out, resp, color),
    }
}

const MATCH: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const HEAD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn write_text(out: &mut dyn Write, resp: &Response, color: bool) -> io::Result<()> {
    for hit in &resp.hits {
        write_hit(out, hit, color)?;
    }
    let shown = resp.hits.len();
    let first = resp.hits.first().map_or(0, |h| h.rank);
    let last = resp.hits.last().map_or(0, |h| h.rank);
    let range = if shown > 0 {
        format!(" (showing {first}–{last})")
    } else {
        String::new()
    };
    // The language the words were read in, when gazette chose it (a
    // language given is no news).
    let read_as = match &resp.query_lang {
        Some(q) if q.by != QueryLangBy::Given => {
            format!(", read as {} ({})", q.lang, q.by.describe())
        }
        _ => String::new(),
    };
    // Words the user typed that played no part: said, as a search engine
    // that drops words should.
    let left_out = match resp.stop_words.as_slice() {
        [] => String::new(),
        words => format!(
            "; left out as stop words: {}",
            sanitize::clean(&words.join(", "))
        ),
    };
    let line = format!(
        "{} passages match{range}, {:.1} ms{read_as}{left_out}",
        resp.total, resp.took_ms
    );
    styled(out, DIM, &line, color)?;
    writeln!(out)?;
    if let Some(facets) = &resp.facets {
        write_facets(out, facets)?;
    }
    Ok(())
}

/// Values shown per facet in text output (the JSON has them all).
const FACET_VALUES: usize = 8;

/// A short summary of facet counts: the most frequent values of each facet,
/// and for dates the range and the busiest day.
fn write_facets(out: &mut dyn Write, facets: &Facets) -> io::Result<()> {
    for facet in Facet::ALL {
        let Some(counts) = facets.get(facet) else {
            continue;
        };
        let mut by_count: Vec<(&String, &u64)> = counts.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let summary = if counts.is_empty() {
            "-".to_string()
        } else if facet == Facet::Date {
            let (first, last) = (counts.keys().next(), counts.keys().next_back());
            let (day, n) = by_count[0];
            format!(
                "{} – {} ({} days), busiest {day} ({n})",
                first.map_or("", |s| s),
                last.map_or("", |s| s),
                counts.len()
            )
        } else {
            let mut shown: Vec<String> = by_count
                .iter()
                .take(FACET_VALUES)
                .map(|(v, n)| format!("{} {n}", sanitize::clean(v)))
                .collect();
            if by_count.len() > FACET_VALUES {
                shown.push(format!("… {} more", by_count.len() - FACET_VALUES));
            }
            shown.join(", ")
        };
        writeln!(out, "{:<8}{summary}", format!("{}:", facet.name()))?;
    }
    Ok(())
}

fn styled(out: &mut dyn Write, style: Style, text: &str, color: bool) -> io::Result<()> {
    if color {
        write!(out, "{}{}{}", style.render(), text, style.render_reset())
    } else {
        write!(out, "{text}")
    }
}

fn write_hit(out: &mut dyn Write, hit: &Hit, color: bool) -> io::Result<()> {
    let clean = sanitize::clean;
    let mut head = format!("{:>2}. {}", hit.rank, clean(&hit.passage.id));
    if let Some(t) = &hit.tweet {
        if let Some(h) = &t.handle {
            head.push_str(&format!("  @{}", clean(h)));
        }
        if let Some(a) = &t.author {
            head.push_str(&format!(" ({})", clean(a)));
        }
    }
    let date = hit
        .tweet
        .as_ref()
        .and_then(|t| t.date.map(|d| d.to_string()))
        .or(hit.doc.date.clone());
    if let Some(d) = date {
        head.push_str(&format!("  {d}"));
    }
    head.push_str(&format!(
        "  [{} {}]  score {:.2}",
        hit.passage.kind.as_str(),
        hit.passage.lang,
        hit.score
    ));
    styled(out, HEAD, &head, color)?;
    writeln!(out)?;
    if let Some(title) = &hit.doc.title {
        write!(out, "    ")?;
        styled(out, DIM, &shorten(&clean(title), TITLE_CHARS), color)?;
        writeln!(out)?;
    }
    write!(out, "    ")?;
    let text = &hit.passage.text;
    let mut at = 0;
    for span in &hit.passage.highlights {
        write!(out, "{}", indent(&clean(&text[at..span.start])))?;
        let marked = indent(&clean(&text[span.start..span.end]));
        if color {
            styled(out, MATCH, &marked, true)?;
        } else {
            write!(out, "[{marked}]")?;
        }
        at = span.end;
    }
    writeln!(out, "{}", indent(&clean(&text[at..])))?;
    if !hit.duplicates.is_empty() {
        let ids: Vec<String> = hit
            .duplicates
            .iter()
            .map(|d| clean(&d.passage_id))
            .collect();
        write!(out, "    ")?;
        let line = format!("+{} similar (ids {})", ids.len(), ids.join(", "));
        styled(out, DIM, &line, color)?;
        writeln!(out)?;
    }
    if let Some(e) = &hit.explain {
        for line in e.lines() {
            write!(out, "    ")?;
            styled(out, DIM, &clean(&line), color)?;
            writeln!(out)?;
        }
    }
    writeln!(out)
}

/// Longest title shown above a hit in text output (the JSON has it whole).
const TITLE_CHARS: usize = 100;

/// `s` cut to at most `max` chars at a word boundary, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() <= max && line.len() == s.len() {
        return s.to_string();
    }
    let cut: String = line.chars().take(max).collect();
    let at_word = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end())
}

fn indent(s: &str) -> String {
    s.replace('\n', "\n    ")
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_titles_are_cut_at_a_word() {
        assert_eq!(shorten("Short title", 100), "Short title");
        assert_eq!(shorten("one two three four", 12), "one two…");
        assert_eq!(shorten("first line\nsecond", 100), "first line…");
        assert_eq!(shorten("ÉÉÉÉÉÉÉÉÉÉ", 4), "ÉÉÉÉ…");
    }
}
