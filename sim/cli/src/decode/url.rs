//! `hybridsim decode url`: which tunnel route a URL is, its ids, and whether it is what a
//! Chromium peer would send.

use super::args::DecodeUrl;
use crate::failure::{Failure, Outcome};
use crate::{hex_arg, json};
use hybridsim_proto::route_checks;
use hybridsim_proto::tunnel_url::TunnelUrl;
use hybridsim_session::inspect;

/// Parses the URL, prints its route, ids and checks; exit 2 if it does not parse, exit 1 if
/// `--secret` was given and the tunnel id does not match it.
pub fn run(args: &DecodeUrl) -> Outcome {
    let url = TunnelUrl::parse(&args.url).map_err(|e| {
        Failure::bad_input(format!("{}: {e}", hybridsim_proto::echo::shown(&args.url)))
    })?;
    let secret = match &args.secret {
        Some(secret) => Some(hex_arg::fixed::<16>("--secret", secret)?),
        None => None,
    };
    let checks = route_checks::checks(&url, secret.as_ref());
    let secret_mismatch = route_checks::secret_mismatch(&checks);
    match args.json {
        true => json::print(&inspect::url::to_json(&url, &checks)),
        false => crate::output::lines(inspect::url::to_lines(&url, &checks)),
    }
    if secret_mismatch {
        return Err(Failure::no_match(
            "tunnel id is not the one this QR secret derives",
        ));
    }
    Ok(())
}
