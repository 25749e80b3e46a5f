use super::*;

const GOOD: &str = r#"
about = "a registration"

[phone.alice]
profile = "ios16"

[[step]]
kind = "register"
expect = { outcome = "success" }
"#;

fn error(text: &str) -> ScenarioError {
    parse(Path::new("x.toml"), text).unwrap_err()
}

#[test]
fn a_good_file_parses() {
    let scenario = parse(Path::new("x.toml"), GOOD).unwrap();
    assert_eq!(scenario.step.len(), 1);
    assert_eq!(scenario.world.seed, 1);
}

#[test]
fn an_unknown_top_level_key_points_at_its_line() {
    let e = error(&format!("colour = \"blue\"\n{GOOD}"));
    assert_eq!((e.line, e.column), (1, 1), "{e}");
    assert_eq!(e.key, "colour");
    assert!(e.message.contains("unknown field `colour`"), "{e}");
    assert!(e.message.contains("expected one of"), "{e}");
}

#[test]
fn an_unknown_key_inside_a_step_gets_the_full_path() {
    let text = GOOD.replace(
        "expect = { outcome = \"success\" }",
        "expect = { outcome = \"success\" }\nfautls = [\"ws-split\"]",
    );
    let e = error(&text);
    assert_eq!(e.key, "step[0].fautls", "{e}");
    assert_eq!(e.line, 10, "{e}");
    assert!(e.message.contains("expected one of"), "{e}");
    assert!(
        e.to_string().starts_with("x.toml:10:1: step[0].fautls: "),
        "{e}"
    );
}

#[test]
fn an_unknown_key_deep_in_a_step_gets_the_full_path() {
    let text = GOOD.replace(
        "expect = { outcome = \"success\" }",
        "[step.expect]\noutcome = \"failure\"\nfirst_failure = { party = \"desktop\", layer = \"ble\", bogus = 1 }",
    );
    let e = error(&text);
    assert_eq!(e.key, "step[0].expect.first_failure.bogus", "{e}");
    assert_eq!(e.line, 11, "{e}");
    assert!(e.message.contains("unknown field `bogus`"), "{e}");
}

#[test]
fn a_wrong_enum_value_deep_in_a_step_says_what_was_expected() {
    let text = GOOD.replace(
        "expect = { outcome = \"success\" }",
        "[step.expect]\noutcome = \"failure\"\nfirst_failure = { party = \"desktop\", layer = \"bel\" }",
    );
    let e = error(&text);
    assert_eq!(e.key, "step[0].expect.first_failure.layer", "{e}");
    assert_eq!(e.line, 11, "{e}");
    assert!(e.message.contains("`ble`"), "{e}");
}

#[test]
fn an_unknown_step_kind_lists_the_kinds() {
    let e = error(&GOOD.replace("kind = \"register\"", "kind = \"regster\""));
    assert_eq!(e.key, "step[0].kind", "{e}");
    assert_eq!(e.line, 8);
    assert!(e.message.contains("`register`"), "{e}");
}

#[test]
fn a_missing_required_key_is_named() {
    let e = error(&GOOD.replace("expect = { outcome = \"success\" }", ""));
    assert_eq!(e.key, "step[0]", "{e}");
    assert!(e.message.contains("missing field `expect`"), "{e}");
    assert_eq!(e.line, 7, "{e}");
}

#[test]
fn a_bad_fault_name_points_at_the_element() {
    let text = GOOD.replace(
        "kind = \"register\"",
        "kind = \"register\"\nfaults = [\"ws-split\", \"ws-splat\"]",
    );
    let e = error(&text);
    assert_eq!(e.key, "step[0].faults[1]", "{e}");
    assert_eq!((e.line, e.column), (9, 23), "{e}");
    assert!(e.message.contains("no fault \"ws-splat\""), "{e}");
}

#[test]
fn an_unknown_phone_and_profile_are_named() {
    let e = error(&GOOD.replace(
        "kind = \"register\"",
        "kind = \"register\"\nphone = \"bob\"",
    ));
    assert_eq!(e.key, "step[0].phone");
    assert!(e.message.contains("\"alice\""), "{e}");
    let e = error(&GOOD.replace("ios16", "ios17"));
    assert_eq!((e.key.as_str(), e.line), ("phone.alice.profile", 5), "{e}");
    assert!(e.message.contains("ios16"), "{e}");
}

#[test]
fn a_stray_carriage_return_is_a_located_syntax_error_with_a_message() {
    let e = error("\n\r\n\r");
    assert!(!e.message.is_empty(), "{e}");
    assert!((1..=3).contains(&e.line), "{e}");
}

#[test]
fn syntax_errors_have_a_line() {
    let e = error("about = \"x\"\n[phone.alice\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.key.is_empty());
}

#[test]
fn a_wrong_type_is_reported_where_it_is() {
    let e = error(&format!("[world]\nseed = \"one\"\n{GOOD}"));
    assert_eq!((e.key.as_str(), e.line), ("world.seed", 2), "{e}");
    assert!(e.message.contains("invalid type"), "{e}");
}
