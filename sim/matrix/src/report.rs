//! The matrix as text: a grid per flow for the terminal, `--json`'s document and JUnit XML.

use crate::cell::{Cell, Verdict};
use crate::expect::{Expectations, Mismatch};
use crate::spec::MatrixSpec;
use hybridsim_junit::{Case, Outcome, Suite};
use serde_json::{json, Value};

/// One grid per flow: phones down, desktops across, each cell `pass` or `party/layer`.
pub fn grid(spec: &MatrixSpec, cells: &[Cell]) -> String {
    let width = spec
        .phones
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = String::new();
    for flow in &spec.flows {
        out.push_str(&format!("{flow}\n{:width$}", ""));
        for (desktop, _) in &spec.desktops {
            out.push_str(&format!("  {desktop:<18}"));
        }
        out.push('\n');
        for (phone, _) in &spec.phones {
            out.push_str(&format!("{phone:width$}"));
            for (desktop, _) in &spec.desktops {
                let text = find(cells, desktop, phone, *flow).map_or("-".to_owned(), short);
                out.push_str(&format!("  {text:<18}"));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn find<'a>(cells: &'a [Cell], desktop: &str, phone: &str, flow: crate::Flow) -> Option<&'a Cell> {
    cells
        .iter()
        .find(|c| c.desktop == desktop && c.phone == phone && c.flow == flow)
}

fn short(cell: &Cell) -> String {
    match &cell.verdict {
        Verdict::Pass => "pass".to_owned(),
        Verdict::Fail { party, layer, .. } => format!("FAIL {party}/{layer}"),
    }
}

/// `{"cells": [{"desktop", "phone", "flow", "outcome", "party", "layer", "error"}]}`.
pub fn to_json(cells: &[Cell]) -> Value {
    let cells: Vec<Value> = cells
        .iter()
        .map(|c| {
            let (outcome, party, layer, error) = match &c.verdict {
                Verdict::Pass => ("pass", None, None, None),
                Verdict::Fail {
                    party,
                    layer,
                    error,
                } => ("fail", Some(party), Some(layer), Some(error)),
            };
            json!({
                "desktop": c.desktop,
                "phone": c.phone,
                "flow": c.flow.name(),
                "outcome": outcome,
                "party": party,
                "layer": layer,
                "error": error,
            })
        })
        .collect();
    json!({ "cells": cells })
}

/// JUnit: one suite, one case per cell; with expectations a case fails when its cell does
/// not match them, without when its cell failed.
pub fn junit(
    cells: &[Cell],
    expectations: Option<&Expectations>,
    mismatches: &[Mismatch],
) -> String {
    let cases = cells
        .iter()
        .map(|c| {
            let name = format!("{} × {} × {}", c.desktop, c.phone, c.flow);
            let problem = match expectations {
                Some(_) => mismatches
                    .iter()
                    .find(|m| m.cell == name)
                    .map(|m| m.what.clone()),
                None => match &c.verdict {
                    Verdict::Pass => None,
                    Verdict::Fail {
                        party,
                        layer,
                        error,
                    } => Some(format!("{party}/{layer}: {error}")),
                },
            };
            let outcome = match problem {
                None => Outcome::Passed,
                Some(message) => Outcome::Failed {
                    message,
                    detail: None,
                },
            };
            Case::new(name, "hybridsim.matrix", outcome)
        })
        .collect();
    let suite = Suite {
        name: "hybridsim matrix".to_owned(),
        cases,
        ..Suite::default()
    };
    hybridsim_junit::render("hybridsim matrix", &[suite])
}
