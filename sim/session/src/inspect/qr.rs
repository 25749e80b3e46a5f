//! A `FIDO:/` QR code's fields as JSON (`hybridsim decode qr`): the keys it carries, the
//! ids derived from its secret, and any keys this reader does not know, shown as CBOR so
//! nothing is hidden.

use hybridsim_proto::cbor::Value as Cbor;
use hybridsim_proto::channels::{Channel, Key6Reading, GREASE_QR_KEY};
use hybridsim_proto::qr::{Key6, QrPayload};
use serde_json::{json, Value};

/// The payload's fields, in the order `decode qr` prints them.
pub fn to_json(qr: &QrPayload) -> Value {
    let key6 = qr.key6.as_ref().map(|k| match k {
        Key6::NonDiscoverableMc(b) => {
            json!({ "meaning": "non-discoverable makeCredential (webauthn-rs)", "value": b })
        }
        Key6::TransportChannels(ids) => {
            let names: Vec<&str> = ids
                .iter()
                .map(|id| Channel::from_id(*id).map_or("unknown", Channel::name))
                .collect();
            json!({ "meaning": "transport channels (CTAP 2.3)", "value": ids, "channels": names })
        }
        Key6::Other(v) => json!({ "meaning": "unrecognised", "value": cbor_json(v) }),
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
        "unknown_keys": qr.unknown.iter().map(|(k, _)| cbor_json(k)).collect::<Vec<_>>(),
        "key_6": key6,
        "key_6_readings": key6_readings(qr),
        "grease_keys": qr
            .unknown
            .iter()
            .filter(|(k, _)| k.as_integer() == Some(GREASE_QR_KEY.into()))
            .map(|(k, _)| cbor_json(k))
            .collect::<Vec<_>>(),
    })
}

/// What each generation of phone makes of key 6: the channels it takes as offered, or why it
/// refuses the whole code (pre-2.3 Google Play services and an array).
fn key6_readings(qr: &QrPayload) -> Value {
    let readers = [
        ("chromium", Key6Reading::Ignored),
        ("webauthn-rs", Key6Reading::Bool),
        ("play-services-pre-2.3", Key6Reading::BoolRejectsArray),
        ("ctap-2.3", Key6Reading::Channels),
    ];
    let mut out = serde_json::Map::new();
    for (reader, reading) in readers {
        let verdict = match reading.offered(qr.key6.as_ref()) {
            Ok(channels) => json!(channels.iter().map(|c| c.name()).collect::<Vec<_>>()),
            Err(e) => json!(format!("refused: {e}")),
        };
        out.insert(reader.to_owned(), verdict);
    }
    Value::Object(out)
}

/// A CBOR value as JSON: integers, text, booleans and null map directly; byte strings become
/// `"h'…'"` (CBOR diagnostic notation), so they cannot be mistaken for text; maps become
/// arrays of `[key, value]` pairs, as CBOR keys need not be text.
pub fn cbor_json(value: &Cbor) -> Value {
    match value {
        Cbor::Integer(i) => {
            let n = i128::from(*i);
            i64::try_from(n)
                .map(|v| json!(v))
                .or_else(|_| u64::try_from(n).map(|v| json!(v)))
                .unwrap_or_else(|_| json!(n.to_string()))
        }
        Cbor::Text(t) => json!(t),
        Cbor::Bool(b) => json!(b),
        Cbor::Null => Value::Null,
        Cbor::Bytes(b) => json!(format!("h'{}'", hex::encode(b))),
        Cbor::Float(f) => json!(f),
        Cbor::Array(items) => Value::Array(items.iter().map(cbor_json).collect()),
        Cbor::Map(entries) => Value::Array(
            entries
                .iter()
                .map(|(k, v)| json!([cbor_json(k), cbor_json(v)]))
                .collect(),
        ),
        Cbor::Tag(tag, inner) => json!({ "tag": tag, "value": cbor_json(inner) }),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_values_keep_their_kind_in_json() {
        assert_eq!(cbor_json(&Cbor::Bytes(vec![1, 0xab])), json!("h'01ab'"));
        assert_eq!(cbor_json(&Cbor::Text("x".into())), json!("x"));
        let map = Cbor::Map(vec![(Cbor::Bool(true), Cbor::Null)]);
        assert_eq!(cbor_json(&map), json!([[true, null]]));
        let tagged = Cbor::Tag(24, Box::new(Cbor::Array(vec![Cbor::Bool(false)])));
        assert_eq!(cbor_json(&tagged), json!({ "tag": 24, "value": [false] }));
    }

    #[test]
    fn key_6_is_named_in_every_phones_reading_and_grease_keys_are_listed() {
        // The key is not checked here; any 33 bytes do.
        let mut qr = QrPayload::new([2; 33], [7; 16]);
        qr.key6 = Some(Key6::TransportChannels(vec![0, 1]));
        qr.unknown.push((
            Cbor::Integer(GREASE_QR_KEY.into()),
            Cbor::Text(String::new()),
        ));
        let json = to_json(&qr);
        assert_eq!(json["key_6"]["channels"], json!(["websocket", "ble"]));
        let readings = &json["key_6_readings"];
        assert_eq!(readings["ctap-2.3"], json!(["websocket", "ble"]));
        assert_eq!(readings["chromium"], json!(["websocket"]));
        let refused = readings["play-services-pre-2.3"]
            .as_str()
            .unwrap_or_default();
        assert!(
            refused.starts_with("refused: QR key 6: expected a boolean"),
            "{refused}"
        );
        assert_eq!(json["grease_keys"], json!([65535]));
    }
}
