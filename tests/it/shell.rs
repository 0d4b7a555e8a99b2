//! `gazette completions` and `gazette man`: the scripts parse in their
//! shells and the pages render in man/groff, where those are installed.

use std::process::Command as Std;

use crate::common::gazette;

/// Whether `program` runs on this machine.
fn installed(program: &str) -> bool {
    Std::new(program).arg("--version").output().is_ok()
}

fn stdout_of(args: &[&str]) -> String {
    let out = gazette().args(args).output().expect("run gazette");
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn the_bash_completion_script_parses_and_knows_every_subcommand() {
    let script = stdout_of(&["completions", "bash"]);
    for sub in [
        "index",
        "query",
        "batch",
        "stats",
        "eval",
        "completions",
        "man",
    ] {
        assert!(script.contains(sub), "bash script lacks {sub}");
    }
    assert!(script.contains("--per-article") && script.contains("--explain"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gazette.bash");
    std::fs::write(&file, &script).unwrap();
    let check = Std::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash");
    assert!(check.status.success(), "bash -n: {check:?}");
    // Sourced, it registers the completion function.
    let sourced = Std::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p gazette", file.display()))
        .output()
        .expect("bash");
    let said = String::from_utf8_lossy(&sourced.stdout);
    assert!(said.contains("gazette"), "{sourced:?}");
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("zsh", "#compdef gazette"),
        ("fish", "complete -c gazette"),
        ("elvish", "edit:completion:arg-completer[gazette]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {marker:?} missing");
    }
    if !installed("zsh") {
        crate::common::skip("zsh -n on the zsh script", "zsh is not installed");
    } else {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("_gazette");
        std::fs::write(&file, stdout_of(&["completions", "zsh"])).unwrap();
        let check = Std::new("zsh").arg("-n").arg(&file).output().unwrap();
        assert!(check.status.success(), "zsh -n: {check:?}");
    }
    let bad = gazette().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Renders a roff page as text with groff (or man), if installed.
fn render(page: &std::path::Path) -> Option<String> {
    let out = if installed("groff") {
        Std::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww"])
            .arg(page)
            .output()
            .ok()?
    } else if installed("man") {
        Std::new("man").arg("-l").arg(page).output().ok()?
    } else {
        crate::common::skip(
            "rendering the man page",
            "neither groff nor man is installed (apt-get install groff)",
        );
        return None;
    };
    assert!(out.status.success(), "{out:?}");
    // groff -ww warns on stderr about any malformed request (-k: the
    // help texts are UTF-8, run through preconv as man does).
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(!warnings.contains("warning"), "{warnings}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_man_pages_render_with_their_subcommands() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH gazette 1"),
        "{page}"
    );
    assert!(page.contains(".TH gazette 1"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gazette.1");
    std::fs::write(&file, &page).unwrap();
    if let Some(text) = render(&file) {
        assert!(
            text.contains("Search engine for multilingual news"),
            "{text}"
        );
        assert!(text.contains("query"), "{text}");
    }
    // One subcommand's page.
    let query = stdout_of(&["man", "query"]);
    assert!(query.contains(".TH gazette-query 1"), "{query}");
    assert!(query.contains("per\\-article"), "{query}");
    // Every page into a folder.
    let pages = dir.path().join("man1");
    gazette()
        .args(["man", "--dir"])
        .arg(&pages)
        .assert()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.contains(&"gazette.1".to_string()), "{names:?}");
    assert!(names.contains(&"gazette-query.1".to_string()), "{names:?}");
    assert!(names.contains(&"gazette-index.1".to_string()), "{names:?}");
    if let Some(text) = render(&pages.join("gazette-index.1")) {
        assert!(
            text.contains("--rebuild") || text.contains("‐‐rebuild"),
            "{text}"
        );
    }
    let bad = gazette().args(["man", "nope"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no subcommand \"nope\""));
}
