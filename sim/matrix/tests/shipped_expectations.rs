//! The default matrix against the shipped expectations file
//! (`scenarios/interop/matrix-expectations.toml`): every cell must match it, so a changed
//! cell fails `bash tests/run`. Plus: an expectations file that leaves a failing cell out,
//! or names a passing one, is a mismatch; and the `--json` shape.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_matrix::command::run_cells;
use hybridsim_matrix::report::to_json;
use hybridsim_matrix::{Expectations, MatrixSpec};

fn shipped() -> String {
    std::fs::read_to_string(format!(
        "{}/../../scenarios/interop/matrix-expectations.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_default_matrix_matches_the_shipped_expectations() {
    let spec = MatrixSpec::select(None, None, None).unwrap();
    assert!(spec.desktops.len() >= 6 && spec.phones.len() >= 8 && spec.flows.len() == 3);
    let cells = run_cells(&spec, 2);
    assert_eq!(cells.len(), spec.cells());
    let expectations = Expectations::from_toml_str(&shipped()).unwrap();
    let mismatches = expectations.check(&cells);
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    // Both known field breaks are among the expected failures, with their sources.
    let sources: Vec<&str> = expectations
        .fail
        .iter()
        .map(|f| f.source.as_str())
        .collect();
    assert!(sources
        .iter()
        .any(|s| s.contains("bloom-directory/bloom#129")));
    assert!(sources.iter().any(|s| s.contains("qr_code_device.rs")));
}

#[test]
fn a_changed_cell_is_a_mismatch_either_way() {
    let spec = MatrixSpec::select(
        Some("chrome-150-linux,chrome-stable"),
        Some("google-play-services-2-3"),
        Some("register"),
    )
    .unwrap();
    let cells = run_cells(&spec, 1);
    assert!(!cells[0].passed() && cells[1].passed());
    let none = Expectations::from_toml_str("about = \"nothing may fail\"").unwrap();
    let unexpected = none.check(&cells);
    assert_eq!(unexpected.len(), 1);
    assert!(unexpected[0]
        .what
        .starts_with("expected to pass, failed: phone/tunnel"));
    let wrong = Expectations::from_toml_str(
        "about = \"x\"\n[[fail]]\ndesktop = \"*\"\nphone = \"*\"\nparty = \"phone\"\nlayer = \"qr\"\nwhy = \"w\"\nsource = \"s\"\n",
    )
    .unwrap();
    let mismatches = wrong.check(&cells);
    assert_eq!(mismatches.len(), 2, "{mismatches:#?}");
    assert!(mismatches[1].what.ends_with("passed"));
}

#[test]
fn expectations_without_a_source_or_with_an_unknown_flow_are_refused() {
    let entry = |flows: &str, source: &str| {
        format!("about = \"x\"\n[[fail]]\ndesktop = \"*\"\nphone = \"*\"\nflows = [{flows}]\nparty = \"p\"\nlayer = \"l\"\nwhy = \"w\"\nsource = \"{source}\"\n")
    };
    let no_source = Expectations::from_toml_str(&entry("", " ")).unwrap_err();
    assert!(no_source.to_string().contains("names its public source"));
    let bad_flow = Expectations::from_toml_str(&entry("\"dance\"", "s")).unwrap_err();
    assert!(bad_flow.to_string().contains("no flow \"dance\""));
}

#[test]
fn json_names_every_cell_with_its_party_layer_and_error() {
    let spec = MatrixSpec::select(
        Some("libwebauthn"),
        Some("google-password-manager,ios16"),
        Some("register"),
    )
    .unwrap();
    let json = to_json(&run_cells(&spec, 1));
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0]["outcome"], "fail");
    assert_eq!(
        (cells[0]["party"].as_str(), cells[0]["layer"].as_str()),
        (Some("phone"), Some("qr"))
    );
    assert!(cells[0]["error"].as_str().unwrap().contains("key 6"));
    assert_eq!(cells[1]["outcome"], "pass");
    assert!(cells[1]["party"].is_null());
    assert!(MatrixSpec::select(Some("netscape"), None, None).is_err());
}

#[test]
fn the_html_grid_links_each_red_cell_to_its_sequence_diagram() {
    let spec = MatrixSpec::select(
        Some("chrome-150-linux"),
        Some("google-play-services-2-3,ios16"),
        Some("register"),
    )
    .unwrap();
    let cells = run_cells(&spec, 1);
    let index = hybridsim_matrix::html::index(&spec, &cells, None);
    let page = hybridsim_matrix::html::cell_page(&cells[0]);
    assert_eq!(
        page,
        "chrome-150-linux--google-play-services-2-3--register.html"
    );
    assert!(index.contains(&format!("href=\"cells/{page}\"")), "{index}");
    assert_eq!(index.matches("<td class=\"pass\">").count(), 1);
    let diagram = hybridsim_matrix::html::cell_diagram(&cells[0]);
    assert!(diagram.contains("advert ignored: 24 bytes of service data"));
}
