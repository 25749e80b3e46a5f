//! Expectations compare typed values: party, layer and the kind of the failed check, as
//! the vocabulary names them; unknown names are refused where they are written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_scenario::parse;
use hybridsim_scenario::run::run_scenario;
use std::path::Path;

const SCENARIO: &str = r#"
about = "routing id not 6 hex digits"

[phone.phone]
profile = "microsoft-authenticator-ios"

[[step]]
kind = "register"
faults = ["routing-id-bad"]

[step.expect]
outcome = "failure"
first_failure = { party = "phone", layer = "tunnel", reason = "FIRST" }
desktop = { result = "failed", layer = "ble", reason = "DESKTOP" }
"#;

fn failures(first: &str, desktop: &str) -> Vec<String> {
    let text = SCENARIO.replace("FIRST", first).replace("DESKTOP", desktop);
    let scenario = parse(Path::new("typed.toml"), &text).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/faults");
    let steps = run_scenario(&scenario, &dir, scenario.world.seed).unwrap();
    steps.into_iter().flat_map(|s| s.failures).collect()
}

#[test]
fn reason_kinds_are_compared_as_values() {
    assert_eq!(failures("routing-id", "timeout"), Vec::<String>::new());
    let wrong = failures("refused", "closed");
    assert_eq!(wrong.len(), 2, "{wrong:?}");
    assert!(wrong[0].contains("expected reason refused"), "{wrong:?}");
    assert!(wrong[0].contains("(routing-id)"), "{wrong:?}");
    assert!(wrong[1].contains("expected reason closed"), "{wrong:?}");
}

#[test]
fn unknown_names_are_refused_at_load_time() {
    let text = SCENARIO
        .replace("FIRST", "routing-idd")
        .replace("DESKTOP", "timeout");
    let error = parse(Path::new("typed.toml"), &text).unwrap_err();
    assert_eq!(error.key, "step[0].expect.first_failure.reason", "{error}");
    assert!(error.message.contains("`routing-id`"), "{error}");
    let text = SCENARIO
        .replace("FIRST", "routing-id")
        .replace("DESKTOP", "timeout")
        .replace("party = \"phone\"", "party = \"phone-2\"");
    let error = parse(Path::new("typed.toml"), &text).unwrap_err();
    assert_eq!(error.key, "step[0].expect.first_failure.party", "{error}");
}

#[test]
fn reports_carry_the_first_failure_as_typed_names() {
    use hybridsim_scenario::suite::{run_one, ScenarioFile};
    use hybridsim_scenario::{html, json_report, SuiteOptions};
    let file = ScenarioFile {
        id: "faults/routing-id-bad".to_owned(),
        path: Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scenarios/faults/routing-id-bad.toml"),
    };
    let mut result = run_one(&file, &SuiteOptions::default());
    let first = result.steps[0].first_failure.clone().unwrap();
    assert_eq!(first.party, hybridsim_peers::Party::Phone);
    assert_eq!(first.error.kind(), hybridsim_peers::ReasonKind::RoutingId);
    let json = json_report::report(std::slice::from_ref(&result));
    let reported = &json["scenarios"][0]["steps"][0]["first_failure"];
    assert_eq!(reported["party"], "phone");
    assert_eq!(reported["layer"], "tunnel");
    assert_eq!(reported["reason"], "routing-id");
    // The HTML report names it on a failed step.
    result.steps[0].failures.push("forced".to_owned());
    let page = html::render(std::slice::from_ref(&result));
    assert!(
        page.contains(r#"data-party="phone" data-layer="tunnel" data-reason="routing-id""#),
        "no typed first failure in the page"
    );
}

/// A second registration excluding the first credential: the phone refuses with
/// `CTAP2_ERR_CREDENTIAL_EXCLUDED`, which `WANT` must describe.
const EXCLUDED: &str = r#"
about = "an excluded credential"

[phone.phone]
profile = "microsoft-authenticator-ios"

[[step]]
kind = "register"
expect = { outcome = "success" }

[[step]]
kind = "register"
exclude_registered = true

[step.expect]
outcome = "failure"
response_error = WANT
"#;

fn excluded_failures(want: &str) -> Vec<String> {
    let scenario = parse(Path::new("excluded.toml"), &EXCLUDED.replace("WANT", want)).unwrap();
    let steps = run_scenario(&scenario, Path::new("."), scenario.world.seed).unwrap();
    steps.into_iter().flat_map(|s| s.failures).collect()
}

#[test]
fn response_error_matches_text_or_kind_and_status() {
    for good in [
        r#""CREDENTIAL_EXCLUDED""#,
        r#""the authenticator refused: CTAP2_ERR_CREDENTIAL_EXCLUDED (0x19)""#,
        r#"{ kind = "status" }"#,
        r#"{ kind = "status", status = "CREDENTIAL_EXCLUDED" }"#,
        r#"{ kind = "status", status = "CTAP2_ERR_CREDENTIAL_EXCLUDED" }"#,
    ] {
        assert_eq!(excluded_failures(good), Vec::<String>::new(), "{good}");
    }
    let wrong = excluded_failures(r#"{ kind = "status", status = "NO_CREDENTIALS" }"#);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(
        wrong[0].contains(r#"{ kind = "status", status = "CTAP2_ERR_NO_CREDENTIALS" }"#),
        "{wrong:?}"
    );
    assert!(
        wrong[0].contains("it said the authenticator refused: CTAP2_ERR_CREDENTIAL_EXCLUDED"),
        "{wrong:?}"
    );
    let wrong = excluded_failures(r#"{ kind = "undecodable" }"#);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(wrong[0].contains("(kind status)"), "{wrong:?}");
    assert_eq!(excluded_failures(r#""NO_CREDENTIALS""#).len(), 1);
}

#[test]
fn unknown_response_error_kinds_and_statuses_are_refused_where_written() {
    let load = |want: &str| parse(Path::new("excluded.toml"), &EXCLUDED.replace("WANT", want));
    let error = load(r#"{ kind = "refused" }"#).unwrap_err();
    assert_eq!(error.key, "step[1].expect.response_error.kind", "{error}");
    assert_eq!(error.line, 17, "{error}");
    assert!(error.message.contains("unknown kind `refused`"), "{error}");
    assert!(error.message.contains("`browser-refused`"), "{error}");
    let error = load(r#"{ kind = "status", status = "EXCLUDED" }"#).unwrap_err();
    assert_eq!(error.key, "step[1].expect.response_error.status", "{error}");
    assert!(
        error.message.contains("unknown status `EXCLUDED`"),
        "{error}"
    );
    let error = load(r#"{ kind = "empty", status = "CREDENTIAL_EXCLUDED" }"#).unwrap_err();
    assert_eq!(error.key, "step[1].expect.response_error", "{error}");
    assert!(
        error.message.contains("only for kind = \"status\""),
        "{error}"
    );
    let error = load(r#"{ kind = "status", code = 25 }"#).unwrap_err();
    assert!(error.message.contains("unknown field `code`"), "{error}");
    assert!(
        error.to_string().starts_with("excluded.toml:17:"),
        "{error}"
    );
}
