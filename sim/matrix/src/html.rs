//! The matrix as HTML: `DIR/index.html` with a grid per flow, each red cell linking to
//! `DIR/cells/DESKTOP--PHONE--FLOW.html`, that cell's sequence diagram (the scenario
//! report's renderer, every message expandable to its bytes).

use crate::cell::{Cell, Verdict};
use crate::expect::Expectations;
use crate::spec::MatrixSpec;
use hybridsim_junit::xml_escape as escape;
use hybridsim_scenario::approve::TraceApproval;
use hybridsim_scenario::run::StepResult;
use hybridsim_scenario::suite::ScenarioResult;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

const STYLE: &str = "body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:.3em .5em;font-size:90%}td.pass{background:#dfd}td.fail{background:#fbb}td.fail a{color:#600}td.expected{background:#fed}";

/// The page name of a cell's sequence diagram, under `cells/`.
pub fn cell_page(cell: &Cell) -> String {
    format!("{}--{}--{}.html", cell.desktop, cell.phone, cell.flow)
}

/// `index.html`: a grid per flow; failed cells red (amber when the expectations name them),
/// each linking to its diagram.
pub fn index(spec: &MatrixSpec, cells: &[Cell], expectations: Option<&Expectations>) -> String {
    let failed = cells.iter().filter(|c| !c.passed()).count();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>hybridsim matrix</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>hybridsim matrix</h1>\n<p>{} cells, {failed} failed</p>\n",
        cells.len()
    );
    for flow in &spec.flows {
        let _ = write!(out, "<h2>{flow}</h2>\n<table><tr><th>phone \\ desktop</th>");
        for (desktop, _) in &spec.desktops {
            let _ = write!(out, "<th>{}</th>", escape(desktop));
        }
        out.push_str("</tr>\n");
        for (phone, _) in &spec.phones {
            let _ = write!(out, "<tr><th>{}</th>", escape(phone));
            for (desktop, _) in &spec.desktops {
                let cell = cells
                    .iter()
                    .find(|c| &c.desktop == desktop && &c.phone == phone && c.flow == *flow);
                out.push_str(&td(cell, expectations));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn td(cell: Option<&Cell>, expectations: Option<&Expectations>) -> String {
    let Some(cell) = cell else {
        return "<td>-</td>".to_owned();
    };
    match &cell.verdict {
        Verdict::Pass => "<td class=\"pass\">pass</td>".to_owned(),
        Verdict::Fail {
            party,
            layer,
            error,
        } => {
            let expected = expectations.and_then(|e| e.expected(cell));
            let class = if expected.is_some() {
                "fail expected"
            } else {
                "fail"
            };
            let title = match expected {
                Some(e) => format!("{error} — expected: {} ({})", e.why, e.source),
                None => error.clone(),
            };
            format!(
                "<td class=\"{class}\" title=\"{}\"><a href=\"cells/{}\">{}/{}</a></td>",
                escape(&title),
                escape(&cell_page(cell)),
                escape(party),
                escape(layer)
            )
        }
    }
}

/// A failed cell's page: its flow as one scenario step, with the sequence diagram.
pub fn cell_diagram(cell: &Cell) -> String {
    let (failures, summary) = match &cell.verdict {
        Verdict::Pass => (Vec::new(), "passed".to_owned()),
        Verdict::Fail {
            party,
            layer,
            error,
        } => {
            let line = format!("{party} failed at the {layer} layer: {error}");
            (vec![line.clone()], line)
        }
    };
    let name = cell.flow.name().to_owned();
    let step = StepResult {
        failures,
        trace: cell.trace.clone(),
        virtual_ms: cell.virtual_ms,
        ..StepResult::new(1, cell.flow.name(), name, summary)
    };
    let result = ScenarioResult {
        id: format!("{} × {} × {}", cell.desktop, cell.phone, cell.flow),
        path: PathBuf::new(),
        about: format!("desktop {} with phone {}", cell.desktop, cell.phone),
        seed: 0,
        steps: vec![step],
        error: None,
        trace: TraceApproval::NotChecked,
        wall: Duration::ZERO,
    };
    hybridsim_scenario::html::render(&[result])
}

/// Writes `index.html` and a page per failed cell under `dir`.
pub fn write(
    dir: &Path,
    spec: &MatrixSpec,
    cells: &[Cell],
    expectations: Option<&Expectations>,
) -> std::io::Result<()> {
    let pages = dir.join("cells");
    std::fs::create_dir_all(&pages)?;
    std::fs::write(dir.join("index.html"), index(spec, cells, expectations))?;
    for cell in cells.iter().filter(|c| !c.passed()) {
        std::fs::write(pages.join(cell_page(cell)), cell_diagram(cell))?;
    }
    Ok(())
}
