//! Every citation of the project's documentation resolves inside the repository.
//!
//! Doc comments (and the README, scenarios, fixtures and interop scripts) cite the protocol
//! and migration background as `docs/protocol.md §7.4`, `docs/migration.md §3`,
//! `docs/migration-bugs.md`. This test reads them all and checks that each cited file exists
//! and that each section number cited after it is a heading of that file, and that nothing
//! cites the background files by their old names outside the repository (`reference.md`,
//! `background.md`, `bugs.md`, the shared folders).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The documents that may be cited, relative to the workspace root.
const DOCS: [&str; 3] = [
    "docs/protocol.md",
    "docs/migration.md",
    "docs/migration-bugs.md",
];

/// Names of the background files as they were cited before they moved into `docs/`.
const OLD_NAMES: [&str; 3] = ["reference.md", "background.md", "bugs.md"];

/// Phrases that point at the reference material outside the repository.
const OUTSIDE: [&str; 3] = [
    "shared hybrid folder",
    "shared hybrid reference",
    "in the migration material",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Files whose text may cite the docs: sources and scripts under `sim/`, the README, the
/// scenarios (not their approved traces), the fixtures' text and the interop scripts.
fn cited_files(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.join("README.md")];
    for (dir, exts) in [
        ("sim", &["rs", "py", "toml", "md"][..]),
        ("scenarios", &["toml", "md"][..]),
        ("fixtures", &["md", "toml", "json"][..]),
        ("tests/interop", &["py", "md"][..]),
    ] {
        walk(&root.join(dir), exts, &mut out);
    }
    out
}

fn walk(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                walk(&path, exts, out);
            }
        } else if path.ends_with("sim/proto/tests/doc_citations.rs") {
            // This file names the old citations on purpose, to test the checks.
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(path);
        }
    }
}

/// The section numbers a document's headings carry: `## 7. After…` gives "7",
/// `### 7.4 Post-handshake…` gives "7.4", `### §3 period hazard` gives "3".
fn sections(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| line.starts_with('#'))
        .filter_map(|line| {
            let title = line.trim_start_matches('#').trim_start();
            let title = title.strip_prefix('§').unwrap_or(title);
            let number: String = title
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let number = number.trim_end_matches('.');
            (!number.is_empty()).then(|| number.to_owned())
        })
        .collect()
}

/// The file's text with comment markers removed and lines joined, so that a citation broken
/// over two comment lines reads as one.
fn joined(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.trim_start();
            ["//!", "///", "//=", "//", "#"]
                .iter()
                .find_map(|marker| line.strip_prefix(marker))
                .unwrap_or(line)
                .trim()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The section numbers cited right after each mention of `doc` in `text`: the `§N` tokens up
/// to the end of the parenthesis, clause or sentence, or the next document named.
fn citations<'t>(text: &'t str, doc: &str) -> Vec<(String, &'t str)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices(doc) {
        let after = &text[at + doc.len()..];
        let end = [") ", ")", "; ", ". ", "docs/", "CTAP", "RFC"]
            .iter()
            .filter_map(|stop| after.find(stop))
            .min()
            .unwrap_or(after.len())
            .min(160);
        let end = (0..=end)
            .rev()
            .find(|i| after.is_char_boundary(*i))
            .unwrap_or(0);
        let window = &after[..end];
        for (i, _) in window.match_indices('§') {
            let number: String = window[i + '§'.len_utf8()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let number = number.trim_end_matches('.').to_owned();
            let context_end = (at + doc.len() + end).min(text.len());
            let context_end = (0..=context_end)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(at);
            found.push((number, &text[at..context_end]));
        }
    }
    found
}

/// Whether `name` occurs in `text` as a file name of its own, not as the tail of a docs path
/// (`docs/migration-bugs.md` ends in `bugs.md`).
fn names_old_file(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        !matches!(before, Some(c) if c.is_alphanumeric() || c == '-' || c == '_' || c == '/')
            || text[..at].ends_with("shared/hybrid/")
            || text[..at].ends_with("shared/migration/")
    })
}

#[test]
fn every_docs_citation_names_a_section_that_exists() {
    let root = root();
    let headings: BTreeMap<&str, BTreeSet<String>> = DOCS
        .iter()
        .map(|doc| {
            let text = fs::read_to_string(root.join(doc))
                .unwrap_or_else(|e| panic!("{doc} is cited but cannot be read: {e}"));
            (*doc, sections(&text))
        })
        .collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in cited_files(&root) {
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let text = joined(&text);
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        for (doc, numbers) in &headings {
            for (number, context) in citations(&text, doc) {
                checked += 1;
                if !numbers.contains(&number) {
                    problems.push(format!("{shown}: \"{context}\": {doc} has no §{number}"));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} citations found: is the test reading the right files?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_citation_points_outside_the_repository() {
    let root = root();
    let mut problems = Vec::new();
    for path in cited_files(&root) {
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        for (n, line) in text.lines().enumerate() {
            for name in OLD_NAMES {
                if names_old_file(line, name) {
                    problems.push(format!("{shown}:{}: cites {name}: {line}", n + 1));
                }
            }
        }
        let text = joined(&text);
        for phrase in OUTSIDE {
            if text.contains(phrase) {
                problems.push(format!("{shown}: says \"{phrase}\""));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_section_reader_sees_numbered_headings_only() {
    let text = "# Title\n## 7. After\n### 7.4 Post\n### §3 period hazard\n## Entries\n";
    let found: Vec<String> = sections(text).into_iter().collect();
    assert_eq!(found, ["3", "7", "7.4"]);
}

#[test]
fn a_citation_broken_over_comment_lines_is_read_whole() {
    let text = joined("/// as Android does (docs/protocol.md\n/// §7.5, §10). Next §99.\n");
    let found: Vec<String> = citations(&text, "docs/protocol.md")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(found, ["7.5", "10"]);
}

#[test]
fn old_names_are_found_but_docs_paths_are_not() {
    assert!(names_old_file("see bugs.md (M01)", "bugs.md"));
    assert!(names_old_file("`../shared/migration/bugs.md`", "bugs.md"));
    assert!(!names_old_file("see docs/migration-bugs.md", "bugs.md"));
    assert!(names_old_file("(reference.md §7.4)", "reference.md"));
}
