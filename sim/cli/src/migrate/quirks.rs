//! `hybridsim migrate quirks`: the bug switches of hybridsim-apps (docs/migration-bugs.md), so
//! `--quirk` names can be looked up without reading the source.

use crate::failure::Outcome;
use crate::json;
use clap::Args;
use hybridsim_apps::shown_listing::{quirks_json, quirks_lines};

/// `hybridsim migrate quirks`
#[derive(Debug, Args)]
pub struct QuirksArgs {
    /// Print one JSON object ({"quirks": [{name, bug, stage, description}]}) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Lists every quirk in catalogue order.
pub fn run(args: &QuirksArgs) -> Outcome {
    match args.json {
        true => json::print(&quirks_json()),
        false => crate::output::lines(quirks_lines()),
    }
    Ok(())
}
