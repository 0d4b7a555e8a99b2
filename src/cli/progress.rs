//! A progress bar on stderr for long runs over a query file: shown only
//! when stderr is a terminal and the input is a file (never on a pipe, so
//! scripts and logs see nothing of it).

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting `what` (e.g. "queries") up to `total`, or `None` when
/// stderr is not a terminal or `input` is stdin (`-`).
pub fn bar(input: &Path, total: u64, what: &str) -> Option<ProgressBar> {
    if input.as_os_str() == "-" || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total);
    let template = format!("{{bar:30}} {{pos}}/{{len}} {what}, {{rate}}/s, ETA {{eta}}");
    let style = ProgressStyle::with_template(&template)
        .expect("valid template")
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}", state.per_sec());
            },
        );
    bar.set_style(style);
    Some(bar)
}

/// The number of lines of a file (an upper bound on the queries it holds),
/// counted only when a bar will show.
pub fn count_lines(input: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(input)?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    Ok(lines + u64::from(last != b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_a_last_line_without_newline() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("q");
        for (text, n) in [("", 0), ("a\n", 1), ("a\nb", 2), ("a\n\nb\n", 3)] {
            std::fs::write(&f, text).unwrap();
            assert_eq!(count_lines(&f).unwrap(), n, "{text:?}");
        }
    }

    #[test]
    fn no_bar_for_stdin() {
        assert!(bar(Path::new("-"), 10, "queries").is_none());
    }
}
