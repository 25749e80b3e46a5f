//! `hybridsim encode qr`: a FIDO:/ string from its fields, as text, PNG or terminal blocks.

use super::args::EncodeQr;
use crate::failure::{OrFail, Outcome};
use crate::hex_arg;
use hybridsim_proto::keys;
use hybridsim_proto::qr::{QrPayload, RequestType};

/// Pixels per QR module in the PNG: large enough for a phone camera held at arm's length.
const PNG_MODULE_PX: u32 = 8;

/// Prints the FIDO:/ string, and writes or draws the QR code when asked.
pub fn run(args: &EncodeQr) -> Outcome {
    let public = hex_arg::any_length("--public-key", &args.public_key)?;
    let public_key = keys::compressed(&public).or_bad_input_on("--public-key")?;
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
            .or_bad_input_on("cannot draw the QR code")?;
        crate::output::write_file(path, png)?;
    }
    say!("{url}");
    if args.terminal {
        let drawing =
            hybridsim_optical::render_terminal(&url).or_bad_input_on("cannot draw the QR code")?;
        say!("{drawing}");
    }
    Ok(())
}
