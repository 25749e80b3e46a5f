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
