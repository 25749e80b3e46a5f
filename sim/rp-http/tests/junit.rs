//! `rp check --junit`: one suite, one case per check, failures with their reason, hostile
//! text from an RP escaped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hybridsim_rp_http::{CheckReport, CheckResult};
use std::time::Duration;

#[test]
fn a_report_becomes_one_suite_with_a_case_per_check() {
    let report = CheckReport {
        url: "https://rp.example/fido2".into(),
        checks: vec![
            CheckResult {
                name: "attestation options well formed",
                result: Ok("challenge, rp, user, pubKeyCredParams".into()),
                time: Duration::from_millis(12),
            },
            CheckResult {
                name: "registration from another origin refused",
                result: Err("status ok: <script>&\"\u{1}".into()),
                time: Duration::from_millis(3),
            },
        ],
    };
    let xml = report.to_junit_xml();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains(r#"tests="2""#) && xml.contains(r#"failures="1""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testsuite name="hybridsim rp check""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"name="url" value="https://rp.example/fido2""#),
        "{xml}"
    );
    assert!(xml.contains("&lt;script&gt;&amp;"), "{xml}");
    assert!(!xml.contains('\u{1}') && !xml.contains("<script>"), "{xml}");
}

#[test]
fn a_report_prints_a_line_per_check_the_totals_and_what_failed() {
    let check = |name, result| CheckResult {
        name,
        result,
        time: Duration::ZERO,
    };
    let mut report = CheckReport {
        url: "https://rp.example".into(),
        checks: vec![
            check("options well formed", Ok("challenge".into())),
            check("foreign origin refused", Err("accepted".into())),
        ],
    };
    let lines = report.to_lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("pass  options well formed") && lines[0].ends_with(" challenge"));
    assert!(
        lines[1].starts_with("FAIL  foreign origin refused") && lines[1].ends_with(" accepted")
    );
    assert_eq!(lines[2], "1 passed, 1 failed");
    assert_eq!(
        report.shortfall().as_deref(),
        Some("1 of 2 checks failed against https://rp.example")
    );
    report.checks.pop();
    assert_eq!(report.shortfall(), None);
}
