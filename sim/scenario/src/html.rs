//! The HTML report (placeholder).

use crate::suite::ScenarioResult;

/// The report's `index.html`.
pub fn render(results: &[ScenarioResult]) -> String {
    format!(
        "<!doctype html><title>hybridsim</title><p>{}</p>",
        results.len()
    )
}
