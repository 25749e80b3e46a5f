//! `hybridsim decode domain`: the host behind a tunnel-server domain id.

use super::args::DecodeDomain;
use crate::failure::{Failure, OrFail, Outcome};
use crate::json;
use hybridsim_proto::domain;
use serde_json::json;

/// Prints the host name of the domain id, or fails with exit 2 for reserved ids.
pub fn run(args: &DecodeDomain) -> Outcome {
    let id = parse_id(&args.id)?;
    let kind = domain::kind(id).or_bad_input()?;
    let host = domain::host(id).or_bad_input()?;
    match args.json {
        true => json::print(&json!({ "id": id, "host": host, "kind": kind.name() })),
        false => say!("{host}"),
    }
    Ok(())
}

/// Reads a domain id in decimal or `0x` hex.
pub fn parse_id(text: &str) -> Result<u16, Failure> {
    domain::parse_id(text).ok_or_else(|| {
        Failure::bad_input(format!(
            "domain id {} is not a number from 0 to 65535 (decimal or 0x hex)",
            hybridsim_proto::echo::shown(text)
        ))
    })
}
