//! Expectations compare typed values: party, layer and the kind of the failed check, as
//! the vocabulary names them; unknown names are refused where they are written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
