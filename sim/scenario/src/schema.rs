//! The JSON Schema of the scenario format, generated from [`crate::model`], so that editors
//! (the Even Better TOML / taplo `#:schema` directive, VS Code's JSON Schema support) check
//! files as they are written. `scenarios/scenario.schema.json` is this output; a test keeps
//! the two equal.

use crate::model::Scenario;
use hybridsim_world::faults::Fault;
use schemars::{json_schema, Schema, SchemaGenerator};

/// The schema as pretty-printed JSON with a final newline (the committed file's form).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Scenario);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A list of `NAME[@STEP]` fault names: the catalogue's names, with an optional step.
pub(crate) fn fault_list(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
    let pattern = format!("^({})(@[0-9]+)?$", names.join("|"));
    json_schema!({
        "type": "array",
        "items": {
            "type": "string",
            "pattern": pattern,
            "description": "A fault from the catalogue, NAME[@STEP]."
        }
    })
}
