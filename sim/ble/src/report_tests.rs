use super::*;
use hybridsim_proto::advert::Eid;
use hybridsim_proto::derive;
use std::time::Duration;

fn key(secret: u8) -> [u8; 64] {
    derive::eid_key(&[secret; 16])
}

fn seen(data: Vec<u8>) -> SeenAdvert {
    SeenAdvert {
        address: "AA:BB:CC:DD:EE:FF".to_owned(),
        rssi: Some(-61),
        uuid: 0xfff9,
        data,
        at: Duration::from_millis(1234),
    }
}

fn advert(secret: u8, domain_id: u16) -> Vec<u8> {
    let eid = Eid {
        nonce: [7; 10],
        routing_id: [1, 2, 0xab],
        domain_id,
    };
    advert::encrypt(&key(secret), &eid.to_plaintext()).to_vec()
}

#[test]
fn lengths_are_classed() {
    assert_eq!(form(ADVERT_LEN), "20-byte");
    assert_eq!(form(ADVERT_LEN + 4), "ctap2.3-suffix");
    assert_eq!(form(3), "too-short");
}

#[test]
fn without_keys_only_the_advert_is_described() {
    let heard = seen(vec![0xab, 0xcd]);
    let lines = to_lines(&heard, false, &None);
    assert_eq!(
        lines,
        ["+1.234s  AA:BB:CC:DD:EE:FF  rssi  -61  fff9  2 B too-short       abcd"]
    );
    let shown = to_json(&heard, false, &None);
    assert!(shown.get("decrypted").is_none());
    assert_eq!(shown["form"], "too-short");
}

#[test]
fn the_matching_secret_is_named_and_its_fields_shown() {
    let keys = [key(1), key(2)];
    let heard = seen(advert(2, 0));
    let verdict = trial(&keys, &heard.data);
    assert!(decrypted(&verdict));
    let lines = to_lines(&heard, true, &verdict);
    let second = lines.get(1).map(String::as_str).unwrap_or_default();
    assert!(second.starts_with("    secret #2: nonce 07070707070707070707  routing id 0102AB"));
    assert_eq!(
        to_json(&heard, true, &verdict)["decrypted"]["for_secret"],
        2
    );
}

#[test]
fn an_advert_for_another_secret_says_so() {
    let heard = seen(advert(9, 0));
    let verdict = trial(&[key(1)], &heard.data);
    assert!(!decrypted(&verdict));
    let lines = to_lines(&heard, true, &verdict);
    assert_eq!(
        lines.get(1).map(String::as_str),
        Some("    not for the given secret(s)")
    );
    assert_eq!(
        to_json(&heard, true, &verdict)["decrypted"]["for_secret"],
        Value::Null
    );
}

#[test]
fn an_unknown_domain_is_reported_as_made_for_the_secret() {
    let heard = seen(advert(1, 5));
    let verdict = trial(&[key(1)], &heard.data);
    assert!(!decrypted(&verdict));
    let lines = to_lines(&heard, true, &verdict);
    let second = lines.get(1).map(String::as_str).unwrap_or_default();
    assert!(
        second.starts_with("    made for secret #1, but "),
        "{second}"
    );
}

#[test]
fn the_heard_note_names_uuid_length_address_and_signal() {
    let mut heard = seen(vec![0; 20]);
    assert_eq!(
        heard_line(&heard),
        "heard fff9 advert (20 B) from AA:BB:CC:DD:EE:FF rssi -61"
    );
    heard.rssi = None;
    assert!(heard_line(&heard).ends_with(" rssi -"));
}
