//! The committed JSON Schema (`scenarios/scenario.schema.json`) is the one generated from the
//! types, and it describes the shipped scenario files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_scenario::schema::schema_json;

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../scenarios/scenario.schema.json"
);

#[test]
fn the_committed_schema_is_the_generated_one() {
    let committed = std::fs::read_to_string(SCHEMA).unwrap();
    assert!(
        committed == schema_json(),
        "scenarios/scenario.schema.json is stale: regenerate it with \
         `cargo run -q -p hybridsim-cli -- run --print-schema > scenarios/scenario.schema.json`"
    );
}

#[test]
fn the_schema_names_every_step_kind_and_refuses_unknown_keys() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let text = schema.to_string();
    for kind in hybridsim_scenario::model::Step::KINDS {
        assert!(text.contains(&format!("\"const\":\"{kind}\"")), "{kind}");
    }
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    assert!(schema["required"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("about")));
}
