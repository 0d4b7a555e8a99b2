//! Highlighting: re-analyzes a passage with the analyzer that indexed it and
//! marks every token that matched the query — exact, accent-folded or
//! stemmed — and every occurrence of a quoted phrase as one span.

use crate::analysis::{Analyzer, STEM_SEP, tokenizer};
use crate::search::hit::Span;
use crate::search::query::HighlightSpec;

/// Highlighted spans of `text` (a passage in language `lang`), in order and
/// merged where they overlap or touch.
pub fn highlight(text: &str, lang: &str, spec: &HighlightSpec) -> Vec<Span> {
    if spec.terms.is_empty() && spec.phrases.is_empty() {
        return Vec::new();
    }
    // Stem only when the query holds stems in this passage's language.
    let wants_stems = spec.terms.iter().any(|t| {
        t.strip_prefix(lang)
            .is_some_and(|rest| rest.starts_with(STEM_SEP))
    });
    let analyzer = if wants_stems {
        Analyzer::for_lang(Some(lang))
    } else {
        Analyzer::exact()
    };
    let raw = tokenizer::tokenize_lang(text, Some(lang));
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    // Folded terms at each position (a tag and its bare word share one), for phrases.
    let mut by_position: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let (mut folded, mut stem) = (String::new(), String::new());
    for t in &raw {
        let (has_folded, has_stem) = analyzer.terms_into(text, t, &mut folded, &mut stem);
        if !has_folded {
            continue;
        }
        if spec.terms.contains(&folded) || (has_stem && spec.terms.contains(&stem)) {
            ranges.push((t.start, t.end));
        }
        if !spec.phrases.is_empty() {
            match by_position.last_mut() {
                Some(last) if last.0 == t.position => last.2.push(folded.clone()),
                _ => by_position.push((t.position, t.start, vec![folded.clone()])),
            }
            let last = by_position.last_mut().expect("pushed");
            last.1 = last.1.min(t.start);
        }
    }
    for phrase in &spec.phrases {
        phrase_spans(text, &raw, &by_position, phrase, &mut ranges);
    }
    merge(text, ranges)
}

fn phrase_spans(
    text: &str,
    raw: &[tokenizer::RawToken],
    positions: &[(usize, usize, Vec<String>)],
    phrase: &[String],
    out: &mut Vec<(usize, usize)>,
) {
    if phrase.is_empty() || positions.len() < phrase.len() {
        return;
    }
    let end_of = |pos: usize| {
        raw.iter()
            .filter(|t| t.position == pos)
            .map(|t| t.end)
            .max()
    };
    for window in positions.windows(phrase.len()) {
        let consecutive = window.windows(2).all(|w| w[1].0 == w[0].0 + 1);
        if consecutive && window.iter().zip(phrase).all(|(p, w)| p.2.contains(w)) {
            let start = window[0].1;
            if let Some(end) = end_of(window[window.len() - 1].0) {
                debug_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
                out.push((start, end));
            }
        }
    }
}

/// Sorts, merges overlapping ranges (CJK bigrams overlap) and adds char offsets.
fn merge(text: &str, mut ranges: Vec<(usize, usize)>) -> Vec<Span> {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut spans = Vec::with_capacity(merged.len());
    let mut chars = 0;
    let mut byte = 0;
    for (s, e) in merged {
        chars += text[byte..s].chars().count();
        let char_start = chars;
        chars += text[s..e].chars().count();
        byte = e;
        spans.push(Span {
            start: s,
            end: e,
            char_start,
            char_end: chars,
        });
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(terms: &[&str], phrases: &[&[&str]]) -> HighlightSpec {
        HighlightSpec {
            terms: terms.iter().map(|s| s.to_string()).collect(),
            phrases: phrases
                .iter()
                .map(|p| p.iter().map(|s| s.to_string()).collect())
                .collect(),
        }
    }

    fn marked(text: &str, lang: &str, s: &HighlightSpec) -> Vec<String> {
        highlight(text, lang, s)
            .iter()
            .map(|h| {
                assert_eq!(
                    text[h.start..h.end].chars().count(),
                    h.char_end - h.char_start
                );
                text[h.start..h.end].to_string()
            })
            .collect()
    }

    #[test]
    fn marks_folded_and_stemmed_matches() {
        let s = spec(&["guaido", "en:lawmak"], &[]);
        assert_eq!(
            marked("Guaidó met lawmakers and Guaido", "en", &s),
            vec!["Guaidó", "lawmakers", "Guaido"]
        );
    }

    #[test]
    fn phrases_are_one_span_and_only_where_whole() {
        let s = spec(&[], &[&["national", "guard"]]);
        assert_eq!(
            marked(
                "The National Guard and a guard of the national team",
                "en",
                &s
            ),
            vec!["National Guard"]
        );
    }

    #[test]
    fn overlapping_bigrams_merge() {
        let s = spec(&["黑豹", "豹队"], &[]);
        assert_eq!(marked("黑豹队的防守", "zh", &s), vec!["黑豹队"]);
    }

    #[test]
    fn tags_highlight_whole() {
        let s = spec(&["#7ene"], &[]);
        assert_eq!(marked("Hoy #7Ene en la AN", "es", &s), vec!["#7Ene"]);
    }
}
