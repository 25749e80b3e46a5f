//! `hybridsim encode qr`: a FIDO:/ string from its fields, as text, PNG or terminal blocks.

use super::args::EncodeQr;
use crate::failure::{Failure, Outcome};
use crate::hex_arg;
use hybridsim_proto::keys;
use hybridsim_proto::qr::{QrPayload, RequestType};

/// Pixels per QR module in the PNG: large enough for a phone camera held at arm's length.
const PNG_MODULE_PX: u32 = 8;

/// Prints the FIDO:/ string, and writes or draws the QR code when asked.
pub fn run(args: &EncodeQr) -> Outcome {
    let public = hex_arg::any_length("--public-key", &args.public_key)?;
    let public_key =
        keys::compressed(&public).map_err(|e| Failure::bad_input(format!("--public-key: {e}")))?;
    let secret = hex_arg::fixed::<16>("--secret", &args.secret)?;
    let qr = QrPayload {
        known_domains: args.known_domains,
        timestamp: args.timestamp,
        linking: args.linking,
        request_type: args.request_type.as_deref().map(RequestType::from_wire),
        ..QrPayload::new(public_key, secret)
    };
    let url = qr.to_url();
    if let Some(path) = &args.png {
        let png = hybridsim_optical::render_png(&url, PNG_MODULE_PX)
            .map_err(|e| Failure::bad_input(format!("cannot draw the QR code: {e}")))?;
        std::fs::write(path, png)
            .map_err(|e| Failure::bad_input(format!("cannot write {}: {e}", path.display())))?;
    }
    say!("{url}");
    if args.terminal {
        let drawing = hybridsim_optical::render_terminal(&url)
            .map_err(|e| Failure::bad_input(format!("cannot draw the QR code: {e}")))?;
        say!("{drawing}");
    }
    Ok(())
}
