//! `hybridsim run` as CI and people use it: exit codes, plain progress lines, the summary,
//! trace approval with `--accept`, sharding, and the reports read by programs hybridsim did
//! not write: the JUnit XML by PyPI `junitparser` (HYBRIDSIM_PYTHON_JUNIT, set by
//! `bash tests/run`), the HTML report rendered by headless Chromium (Debian `chromium`).
//! Without those tools the tests that need them are skipped, except in CI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::tunnel_server;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn skip(what: &str) {
    if in_ci() {
        panic!("{what} (bash tests/run installs it)");
    }
    eprintln!("skipped: {what} (bash tests/run installs it)");
}

/// A fresh folder with copies of some shipped scenarios (and their approved traces).
fn suite(name: &str, ids: &[&str]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("run-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    for id in ids {
        for ext in ["toml", "trace.jsonl"] {
            let from = Path::new(SHIPPED).join(format!("{id}.{ext}"));
            let to = dir.join(format!("{id}.{ext}"));
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    dir
}

/// Makes a scenario's expectation wrong: the legacy-crypter mismatch fails on the desktop,
/// the copy says the phone.
fn break_expectation(dir: &Path) {
    let path = dir.join("legacy/old-crypter-new-only-desktop.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replace(
        "first_failure = { party = \"desktop\", layer = \"transport\" }",
        "first_failure = { party = \"phone\", layer = \"transport\" }",
    );
    assert_ne!(text, broken);
    std::fs::write(path, broken).unwrap();
}

fn hybridsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const MIXED: &[&str] = &[
    "ceremonies/qr-ios16",
    "faults/advert-dropped",
    "legacy/old-crypter-new-only-desktop",
    "linked/linked-sign-in",
];

#[test]
fn a_passing_suite_prints_plain_lines_a_summary_and_exits_0() {
    let dir = suite("pass", MIXED);
    let out = hybridsim(&["run", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for id in MIXED {
        assert!(stdout.contains(&format!("ok   {id} (")), "{stdout}");
    }
    assert!(stdout.contains("group"), "{stdout}");
    assert!(stdout.contains("faults"), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("4 passed, 0 failed"),
        "{stdout}"
    );
}

#[test]
fn a_failed_expectation_exits_1_and_names_the_step() {
    let dir = suite("fail", MIXED);
    break_expectation(&dir);
    let out = hybridsim(&["run", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL legacy/old-crypter-new-only-desktop"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "step 1 (register): first failure: expected party phone; the desktop failed first"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("3 passed, 1 failed"), "{stdout}");
}

#[test]
fn a_broken_scenario_file_exits_2_with_file_line_and_key() {
    let dir = suite("broken", &["ceremonies/qr-ios16"]);
    let path = dir.join("ceremonies/qr-ios16.toml");
    let text_before = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text_before.replace("kind = \"sign-in\"", "kind = \"sign-in\"\nretries = 3"),
    )
    .unwrap();
    let out = hybridsim(&["run", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("qr-ios16.toml:13:1: step[1].retries: unknown field `retries`"),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).starts_with("hybridsim: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn drifted_wire_bytes_fail_and_accept_rewrites_the_trace_showing_the_diff() {
    let dir = suite("drift", &["faults/ws-split"]);
    let approved = dir.join("faults/ws-split.trace.jsonl");
    let original = std::fs::read_to_string(&approved).unwrap();
    // Pretend the approved run had other bytes in its first record.
    let line = original.lines().nth(1).unwrap();
    let digest_at = line.find("\"sha256\":\"").unwrap() + 10;
    let mut drifted_line = line.to_owned();
    drifted_line.replace_range(digest_at..digest_at + 16, "0000000000000000");
    std::fs::write(&approved, original.replacen(line, &drifted_line, 1)).unwrap();

    let out = hybridsim(&["run", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("the trace differs from the approved one"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("-{drifted_line}")), "{stdout}");
    assert!(stdout.contains(&format!("+{line}")), "{stdout}");

    let out = hybridsim(&["run", "--accept", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("accepted the trace of faults/ws-split"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("+{line}")), "{stdout}");
    assert_eq!(std::fs::read_to_string(&approved).unwrap(), original);
    assert_eq!(
        hybridsim(&["run", dir.to_str().unwrap()]).status.code(),
        Some(0)
    );
}

#[test]
fn a_scenario_without_an_approved_trace_fails_until_accepted() {
    let dir = suite("new", &["faults/qr-stale"]);
    std::fs::remove_file(dir.join("faults/qr-stale.trace.jsonl")).unwrap();
    let out = hybridsim(&["run", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("no approved trace"));
    assert_eq!(
        hybridsim(&["run", "--accept", dir.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("faults/qr-stale.trace.jsonl")).unwrap(),
        std::fs::read_to_string(Path::new(SHIPPED).join("faults/qr-stale.trace.jsonl")).unwrap()
    );
}

/// An approved trace that is `/dev/zero` (read until memory ran out) or a FIFO (opened, it
/// waits for a writer that never comes) fails its scenario with a line naming it, with and
/// without `--accept` (which must not write through it either).
#[test]
fn an_approved_trace_that_is_a_device_or_a_fifo_fails_its_scenario_without_hanging() {
    let dir = suite("not-a-trace", &["faults/qr-stale", "faults/ws-split"]);
    let zero = dir.join("faults/qr-stale.trace.jsonl");
    std::fs::remove_file(&zero).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.join("faults/ws-split.trace.jsonl");
    std::fs::remove_file(&fifo).unwrap();
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for accept in [false, true] {
        let mut args = vec!["run", dir.to_str().unwrap()];
        if accept {
            args.insert(1, "--accept");
        }
        let out = hybridsim(&args);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        for path in [&zero, &fifo] {
            let line = format!(
                "{}: not a regular file (a device, FIFO or directory): give a file",
                path.display()
            );
            assert!(stdout.lines().any(|l| l.trim() == line), "{stdout}");
        }
    }
    assert!(std::fs::symlink_metadata(&zero).unwrap().is_symlink());
}

fn ids_in_json(path: &Path) -> Vec<String> {
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn shards_run_every_scenario_exactly_once() {
    let dir = suite(
        "shards",
        &[
            "ceremonies/qr-ios16",
            "faults/qr-stale",
            "faults/clock-skew",
            "faults/ws-split",
            "legacy/revision-0-phone",
        ],
    );
    let everything = dir.join("all.json");
    let out = hybridsim(&[
        "run",
        dir.to_str().unwrap(),
        "--json",
        everything.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let all = ids_in_json(&everything);
    assert_eq!(all.len(), 5);
    let mut seen = Vec::new();
    for k in 1..=3 {
        let report = dir.join(format!("shard-{k}.json"));
        let shard = format!("{k}/3");
        let out = hybridsim(&[
            "run",
            dir.to_str().unwrap(),
            "--shard",
            &shard,
            "--json",
            report.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
        seen.extend(ids_in_json(&report));
    }
    seen.sort();
    assert_eq!(seen, all);
    assert_eq!(hybridsim(&["run", "--shard", "4/3"]).status.code(), Some(2));
    // A filter that matches nothing is not a passing run: exit 2, one line saying so.
    let dir = dir.to_str().unwrap();
    let none = hybridsim(&["run", dir, "--filter", "no-such-scenario"]);
    let err = text(&none.stderr);
    assert_eq!(none.status.code(), Some(2), "{err}");
    assert_eq!(
        err.trim(),
        format!("hybridsim: no scenario to run: 5 file(s) found under {dir}, none selected")
    );
}

#[test]
fn the_junit_report_is_read_by_junitparser() {
    let Some(python) = std::env::var("HYBRIDSIM_PYTHON_JUNIT")
        .ok()
        .filter(|p| !p.is_empty())
    else {
        skip("HYBRIDSIM_PYTHON_JUNIT is not set");
        return;
    };
    let dir = suite("junit", MIXED);
    break_expectation(&dir);
    let report = dir.join("junit.xml");
    let out = hybridsim(&[
        "run",
        dir.to_str().unwrap(),
        "--junit",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The reader lists every case with its result; the test compares with the scenarios.
    let script = r#"
import sys
from junitparser import JUnitXml, Failure, Error
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    print("suite", suite.name, suite.tests, suite.failures, suite.errors)
    for case in suite:
        results = [r for r in case.result if isinstance(r, (Failure, Error))]
        if results:
            r = results[0]
            print("case", suite.name, "|", case.name, "| failure |", r.message, "|", (r.text or "").count(">> #"))
        else:
            print("case", suite.name, "|", case.name, "| ok")
"#;
    let parsed = Command::new(python)
        .args(["-c", script, report.to_str().unwrap()])
        .output()
        .unwrap();
    let listing = text(&parsed.stdout);
    assert!(parsed.status.success(), "{}", text(&parsed.stderr));
    assert!(
        listing.contains("suite ceremonies/qr-ios16 3 0 0"),
        "{listing}"
    );
    assert!(
        listing.contains("case ceremonies/qr-ios16 | step 1 register | ok"),
        "{listing}"
    );
    assert!(
        listing.contains("case ceremonies/qr-ios16 | step 2 sign-in | ok"),
        "{listing}"
    );
    assert!(
        listing.contains("case ceremonies/qr-ios16 | trace approval | ok"),
        "{listing}"
    );
    assert!(
        listing.contains("suite legacy/old-crypter-new-only-desktop 2 1 0"),
        "{listing}"
    );
    assert!(
        listing.contains("case legacy/old-crypter-new-only-desktop | step 1 register | failure | first failure: expected party phone; the desktop failed first"),
        "{listing}"
    );
    // The failure's text carries the trace excerpt, with the failing record marked once.
    assert!(listing.contains("transport layer"), "{listing}");
    assert!(
        listing
            .lines()
            .any(|l| l.contains("| failure |") && l.ends_with("| 1")),
        "{listing}"
    );
    assert_eq!(listing.matches("| failure |").count(), 1, "{listing}");
    assert_eq!(
        listing.lines().filter(|l| l.starts_with("suite ")).count(),
        4
    );
}

fn chromium() -> Option<&'static str> {
    let found = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        Some("chromium")
    } else {
        skip("chromium is not installed");
        None
    }
}

#[test]
fn the_html_report_shows_the_failing_step_in_headless_chromium() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = suite("html", MIXED);
    break_expectation(&dir);
    let html_dir = dir.join("report");
    let out = hybridsim(&[
        "run",
        dir.to_str().unwrap(),
        "--html",
        html_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let page = html_dir.join("index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://cdn"),
        "the report must not load anything"
    );
    assert!(!html.contains("<script"), "no scripts needed");
    let url = format!("file://{}", page.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
    ];

    let dom = Command::new(browser)
        .args(common)
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    let dom = text(&dom.stdout);
    for id in MIXED {
        assert!(
            dom.contains(&format!("<h2 class=\"scenario-name\">{id} ")),
            "{id} missing from the rendered page"
        );
    }
    assert_eq!(
        dom.matches("<div class=\"step failed\"").count(),
        1,
        "one failing step"
    );
    let failed_at = dom.find("<div class=\"step failed\"").unwrap();
    let failed_section = &dom[failed_at..];
    let failed_section = &failed_section[..failed_section.find("</section>").unwrap()];
    assert!(failed_section.contains("step 1: register"));
    assert!(failed_section.contains("expected party phone"));
    assert!(
        failed_section.contains("msg culprit"),
        "the failing message is marked"
    );
    assert!(
        dom.matches("class=\"arrow ").count() > 100,
        "the diagrams' arrows"
    );
    assert!(dom.contains("<pre class=\"decoded\">"), "decoded fields");
    assert!(
        dom.contains("/clientDataHash/"),
        "CTAP keys named in decoded CBOR"
    );

    // What a person sees at the top of the failing scenario: its red box.
    let failing = dir.join("failing.html");
    let only = hybridsim(&[
        "run",
        dir.to_str().unwrap(),
        "--filter",
        "old-crypter",
        "--html",
        dir.join("failing").to_str().unwrap(),
    ]);
    assert_eq!(only.status.code(), Some(1));
    std::fs::rename(dir.join("failing/index.html"), &failing).unwrap();
    let shot = dir.join("failing.png");
    let status = Command::new(browser)
        .args(common)
        .args([
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,900",
            &format!("file://{}", failing.display()),
        ])
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", text(&status.stderr));
    let image = image::open(&shot).unwrap().to_rgb8();
    let red = image
        .pixels()
        .filter(|p| {
            let [r, g, b] = p.0;
            r > 170 && g < 90 && b < 80
        })
        .count();
    let arrow_blue = image
        .pixels()
        .filter(|p| {
            let [r, g, b] = p.0;
            r < 70 && (80..120).contains(&g) && b > 160
        })
        .count();
    assert!(
        red > 2_000,
        "the failing step's red outline and badge: {red} red pixels"
    );
    assert!(
        arrow_blue > 2_000,
        "the diagram's arrows: {arrow_blue} blue pixels"
    );
}

#[test]
fn the_schema_printed_is_the_committed_one() {
    let out = hybridsim(&["run", "--print-schema"]);
    assert_eq!(out.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(Path::new(SHIPPED).join("scenario.schema.json")).unwrap();
    assert_eq!(text(&out.stdout), committed);
}

/// The same scenario files run over a real tunnel server (our own, on loopback): the
/// ceremonies pass without approved-trace comparison, a scenario may name the server in
/// its file, and a fault (which needs the simulated world) fails its step with a reason.
#[test]
fn scenarios_run_over_a_real_tunnel_server() {
    let (_server, url, _) = tunnel_server();
    let dir = suite(
        "real-tunnel",
        &[
            "ceremonies/qr-ios16",
            "ceremonies/two-phones",
            "linked/linked-sign-in",
            "faults/ws-split",
        ],
    );
    let all = hybridsim(&[
        "run",
        "--jobs",
        "2",
        "--tunnel",
        &url,
        dir.to_str().unwrap(),
    ]);
    let out = text(&all.stdout);
    assert_eq!(all.status.code(), Some(1), "{out}{}", text(&all.stderr));
    assert!(out.contains("3 passed, 1 failed"), "{out}");
    assert!(
        out.contains("fault ws-split needs the simulated world"),
        "{out}"
    );

    let named = dir.join("ceremonies/named-server.toml");
    let original = std::fs::read_to_string(dir.join("ceremonies/qr-ios16.toml")).unwrap();
    std::fs::write(
        &named,
        format!("{original}\n[tunnel]\nserver = \"{url}\"\n"),
    )
    .unwrap();
    let one = hybridsim(&["run", named.to_str().unwrap()]);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stdout));

    std::fs::write(
        &named,
        format!("{original}\n[tunnel]\nserver = \"http://example\"\n"),
    )
    .unwrap();
    let bad = hybridsim(&["run", named.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stdout));
    assert!(
        text(&bad.stdout).contains("tunnel.server: \"http://example\": expected"),
        "{}",
        text(&bad.stdout)
    );
}
