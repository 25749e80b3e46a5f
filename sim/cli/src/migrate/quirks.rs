//! `hybridsim migrate quirks`: the bug switches of hybridsim-apps (docs/migration-bugs.md), so
//! `--quirk` names can be looked up without reading the source.

use crate::failure::Outcome;
use crate::json;
use clap::Args;
use hybridsim_apps::Quirk;
use serde_json::json;

/// `hybridsim migrate quirks`
#[derive(Debug, Args)]
pub struct QuirksArgs {
    /// Print one JSON object ({"quirks": [{name, bug, stage, description}]}) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Lists every quirk in catalogue order.
pub fn run(args: &QuirksArgs) -> Outcome {
    if args.json {
        let rows: Vec<_> = Quirk::ALL
            .iter()
            .map(|q| {
                json!({
                    "name": q.name(),
                    "bug": q.bug(),
                    "stage": q.stage().name(),
                    "description": q.description(),
                })
            })
            .collect();
        json::print(&json!({ "quirks": rows }));
        return Ok(());
    }
    for q in Quirk::ALL {
        say!(
            "{:<36} {:<4} {:<9} {}",
            q.name(),
            q.bug(),
            q.stage().name(),
            q.description()
        );
    }
    Ok(())
}
