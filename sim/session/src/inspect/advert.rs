//! A decrypted advert as `hybridsim decode advert` shows it: the EID's fields
//! ([`hybridsim_proto::advert_fields::Fields`]), the tunnel server its domain id names, the
//! service UUID and any CTAP 2.3 suffix, and whether a desktop accepts it.

use hybridsim_proto::advert_fields::Fields;
use hybridsim_proto::channels::AdvertSuffix;
use hybridsim_proto::domain;
use serde_json::{json, Value};

/// The fields of a decrypted EID `plaintext`, with the advert's `suffix` (bytes after the
/// first 20), its service `uuid` when given, and whether a desktop accepts it.
pub fn to_json(plaintext: &[u8; 16], suffix: &[u8], uuid: Option<u16>, acceptable: bool) -> Value {
    let Fields {
        reserved,
        nonce,
        routing_id,
        domain_id,
    } = Fields::of(plaintext);
    json!({
        "nonce": hex::encode(nonce),
        "routing_id": hex::encode_upper(routing_id),
        "domain_id": domain_id,
        "domain": domain::host(domain_id).ok(),
        "plaintext": hex::encode(plaintext),
        "reserved": reserved,
        "service_uuid": uuid.map(|u| format!("{u:04x}")),
        "suffix": (!suffix.is_empty()).then(|| hex::encode(suffix)),
        "suffix_readings": (!suffix.is_empty()).then(|| AdvertSuffix::describe(suffix)),
        "acceptable": acceptable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsim_proto::advert::Eid;

    #[test]
    fn the_fields_of_an_eid_are_named() {
        let eid = Eid {
            nonce: [7; 10],
            routing_id: [1, 2, 0xab],
            domain_id: 0,
        };
        let json = to_json(&eid.to_plaintext(), &[9], Some(0xfde2), true);
        assert_eq!(json["nonce"], "07".repeat(10));
        assert_eq!(json["routing_id"], "0102AB");
        assert_eq!(json["domain"], "cable.ua5v.com");
        assert_eq!(json["service_uuid"], "fde2");
        assert_eq!(json["suffix"], "09");
        let readings = json["suffix_readings"].as_str().unwrap_or_default();
        assert!(readings.contains("channel-keyed: unreadable"), "{readings}");
        let ble = to_json(&eid.to_plaintext(), &[0xa1, 0x01, 0x18, 0x81], None, true);
        let readings = ble["suffix_readings"].as_str().unwrap_or_default();
        assert!(
            readings.contains("channel-keyed: channel 1 (ble) extra 129"),
            "{readings}"
        );
        assert_eq!(json["reserved"], 0);
        let bare = to_json(&eid.to_plaintext(), &[], None, false);
        assert_eq!(
            (bare["suffix"].is_null(), bare["acceptable"].as_bool()),
            (true, Some(false))
        );
    }
}
