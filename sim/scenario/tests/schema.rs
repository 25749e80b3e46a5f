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

/// The Python interpreter with `jsonschema`, or `None` (skip) outside CI.
fn python() -> Option<String> {
    match std::env::var("HYBRIDSIM_PYTHON_SCHEMA") {
        Ok(path) if !path.is_empty() => Some(path),
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") => {
            panic!("HYBRIDSIM_PYTHON_SCHEMA is not set (bash tests/run sets it)")
        }
        _ => {
            eprintln!("skipped: HYBRIDSIM_PYTHON_SCHEMA not set (bash tests/run sets it)");
            None
        }
    }
}

/// An independent validator (Python `jsonschema`, Draft 2020-12) accepts every shipped
/// scenario against the committed schema, and refuses a file with an unknown key and one
/// with an unknown step kind: the schema is as strict as the loader.
#[test]
fn an_independent_validator_accepts_the_shipped_suite_and_refuses_bad_files() {
    let Some(python) = python() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    // The files the suite runs (not the profiles and expectation files beside them).
    let mut files: Vec<std::path::PathBuf> = hybridsim_scenario::suite::discover(&[root])
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    files.sort();
    assert!(files.len() >= 40, "{} scenario files", files.len());
    let dir = std::env::temp_dir().join(format!("hybridsim-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let unknown_key = dir.join("unknown-key.toml");
    std::fs::write(
        &unknown_key,
        "about = \"x\"\nretries = 3\n[phone.p]\nprofile = \"ios16\"\n[[step]]\nkind = \"register\"\nexpect = { outcome = \"success\" }\n",
    )
    .unwrap();
    let unknown_kind = dir.join("unknown-kind.toml");
    std::fs::write(
        &unknown_kind,
        "about = \"x\"\n[phone.p]\nprofile = \"ios16\"\n[[step]]\nkind = \"teleport\"\n",
    )
    .unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/interop/validate_scenarios.py");
    let output = std::process::Command::new(python)
        .arg(script)
        .arg(SCHEMA)
        .args(&files)
        .arg(&unknown_key)
        .arg(&unknown_kind)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), files.len() + 2, "{lines:#?}");
    for (line, file) in lines.iter().zip(&files) {
        assert_eq!(line, &format!("ok {}", file.display()), "{line}");
    }
    assert!(
        lines[files.len()].starts_with("invalid "),
        "{}",
        lines[files.len()]
    );
    assert!(
        lines[files.len() + 1].starts_with("invalid "),
        "{}",
        lines[files.len() + 1]
    );
}
