//! `hybridsim decode qr`: a FIDO:/ string or a picture of one.

use super::args::DecodeQr;
use crate::failure::{Failure, Outcome};
use crate::json;
use hybridsim_proto::qr::{Key6, QrPayload};
use hybridsim_proto::qr_text;
use serde_json::json;
use std::path::Path;

/// Decodes the QR given as text or as an image path and prints its fields.
pub fn run(args: &DecodeQr) -> Outcome {
    let text = qr_text(&args.input)?;
    let qr = QrPayload::parse(&text).map_err(|e| Failure::bad_input(e.to_string()))?;
    let fields = fields(&qr);
    if args.json {
        json::print(&fields);
    } else {
        print_lines(&fields);
    }
    Ok(())
}

/// The FIDO:/ text: the argument itself, or what a QR code in the named image says.
pub fn qr_text(input: &str) -> Result<String, Failure> {
    if qr_text::is_fido(input) {
        return Ok(input.to_owned());
    }
    let path = Path::new(input);
    if !path.exists() {
        return Err(Failure::bad_input(format!(
            "{} is neither a FIDO:/ string nor an existing image file",
            crate::echo::shown(input)
        )));
    }
    let bytes = crate::input::read_bytes(path)?;
    let texts = hybridsim_optical::read_image(&bytes)
        .map_err(|e| Failure::bad_input(format!("{input}: {e}")))?;
    match qr_text::first_fido(&texts) {
        Some(text) => Ok(text.to_owned()),
        None => Err(Failure::bad_input(format!(
            "{input}: the QR code says {}, which is not a FIDO:/ code",
            crate::echo::shown(texts.first().map(String::as_str).unwrap_or_default())
        ))),
    }
}

fn fields(qr: &QrPayload) -> serde_json::Value {
    let key6 = qr.key6.as_ref().map(|k| match k {
        Key6::NonDiscoverableMc(b) => {
            json!({ "meaning": "non-discoverable makeCredential (webauthn-rs)", "value": b })
        }
        Key6::TransportChannels(ids) => {
            json!({ "meaning": "transport channels (CTAP 2.3)", "value": ids })
        }
        Key6::Other(v) => json!({ "meaning": "unrecognised", "value": json::from_cbor(v) }),
    });
    json!({
        "public_key": hex::encode(qr.public_key),
        "public_key_uncompressed": hex::encode(qr.public_key_uncompressed()),
        "secret": hex::encode(qr.secret),
        "known_domains": qr.known_domains,
        "timestamp": qr.timestamp,
        "linking": qr.linking,
        "request_type": qr.request_type.as_ref().map(|r| r.as_str()),
        "tunnel_id": hex::encode_upper(qr.tunnel_id()),
        "eid_key": hex::encode(qr.eid_key()),
        "unknown_keys": qr.unknown.iter().map(|(k, _)| json::from_cbor(k)).collect::<Vec<_>>(),
        "key_6": key6,
    })
}

fn print_lines(fields: &serde_json::Value) {
    let Some(map) = fields.as_object() else {
        return;
    };
    for (name, value) in map {
        let shown = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "(absent)".to_owned(),
            other => other.to_string(),
        };
        say!("{name:<24} {shown}");
    }
}
