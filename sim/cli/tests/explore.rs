//! `hybridsim explore` as CI runs it: a bounded number of runs, the JSON report's shape,
//! exit 0 without a violation, 1 with one (a `buggy-*` phone breaks agreement by design),
//! and 2 for a name that is not a phone or a desktop; desktop profiles are desktops.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("explore-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_bounded_exploration_exits_0_with_its_json_report() {
    let dir = tmp("clean");
    let json = dir.join("report.json");
    let out = common::hybridsim()
        .args(["explore", "--runs", "16", "--seed", "9", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["runs"], 16);
    assert_eq!(report["violations"], serde_json::json!([]));
    assert!(report["runs_per_second"].as_f64().unwrap() > 0.0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("16 runs, 0 violations"), "{stdout}");
}

#[test]
fn a_violation_exits_1_and_writes_a_scenario_the_suite_runs() {
    let dir = tmp("buggy");
    let json = dir.join("report.json");
    let out = common::hybridsim()
        .args([
            "explore",
            "--runs",
            "2",
            "--max-faults",
            "0",
            "--phone",
            "buggy-wrong-rpid-hash",
        ])
        .args(["--json"])
        .arg(&json)
        .arg("--out")
        .arg(dir.join("found"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let first = &report["violations"][0];
    assert_eq!(first["invariant"], "agreement");
    assert!(first["seed"].is_u64());
    assert_eq!(first["schedule"]["phone"], "buggy-wrong-rpid-hash");
    let file = first["scenario_file"].as_str().unwrap();
    // The written scenario expects what the run did, so the suite runner passes it.
    let run = common::hybridsim()
        .args(["run", "--accept", file])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("1 passed, 0 failed"),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
}

#[test]
fn an_unknown_phone_is_bad_input() {
    let out = common::hybridsim()
        .args(["explore", "--runs", "1", "--phone", "nokia-3310"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no phone \"nokia-3310\""));
}

#[test]
fn desktop_profiles_are_desktops_to_draw_from() {
    let out = common::hybridsim()
        .args(["explore", "--runs", "6", "--seed", "3"])
        .args(["--desktop", "chrome-150-linux,webauthn-rs,lenient"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::hybridsim()
        .args(["explore", "--runs", "1", "--desktop", "netscape-4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no desktop \"netscape-4\"") && stderr.contains("safari-macos"),
        "{stderr}"
    );
}
