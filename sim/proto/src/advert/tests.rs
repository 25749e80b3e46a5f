use super::*;
use crate::derive;
use crate::test_vectors::load;
use proptest::prelude::*;

fn key_of(secret_hex: &str) -> [u8; 64] {
    derive::eid_key(&hex::decode(secret_hex).unwrap())
}

#[test]
fn plaintext_layout_vector() {
    let v = load("advert.json");
    let case = &v["plaintext_parsing"];
    let plaintext: [u8; 16] = hex::decode(case["plaintext_hex"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let eid = Eid::from_plaintext(&plaintext, 2).unwrap();
    let want = &case["expected"];
    assert_eq!(hex::encode(eid.nonce), want["nonce_hex"].as_str().unwrap());
    assert_eq!(
        hex::encode(eid.routing_id),
        want["routing_id_hex"].as_str().unwrap()
    );
    assert_eq!(
        u64::from(eid.domain_id),
        want["tunnel_server_id"].as_u64().unwrap()
    );
    assert_eq!(eid.to_plaintext(), plaintext);

    // The vector's must_fail mutations.
    let mut unassigned = plaintext;
    unassigned[15] = 0;
    assert_eq!(
        Eid::from_plaintext(&unassigned, 2),
        Err(AdvertError::UnknownDomain(255))
    );
    let mut reserved = plaintext;
    reserved[0] = 1;
    assert_eq!(
        Eid::from_plaintext(&reserved, 2),
        Err(AdvertError::ReservedByte(1))
    );
}

#[test]
fn encrypt_then_open_round_trips_and_gives_the_vector_urls() {
    let v = load("advert.json");
    let case = &v["roundtrip_and_urls"];
    let secret = case["qr_secret_hex"].as_str().unwrap();
    let eid = Eid {
        nonce: hex::decode(case["eid"]["nonce_hex"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap(),
        routing_id: hex::decode(case["eid"]["routing_id_hex"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap(),
        domain_id: 0xf980,
    };
    let key = key_of(secret);
    let advert = encrypt(&key, &eid.to_plaintext());
    let matched = open(&key, &advert, LengthRule::Exact, 2).unwrap();
    assert_eq!(matched.eid, eid);

    let tunnel_id = derive::tunnel_id(&hex::decode(secret).unwrap());
    let host = crate::domain::host(matched.eid.domain_id).unwrap();
    let url = crate::tunnel_url::TunnelUrl::new(
        crate::tunnel_url::Scheme::Wss,
        &host,
        None,
        crate::tunnel_url::Route::Connect {
            routing_id: matched.eid.routing_id,
            tunnel_id,
        },
    );
    assert_eq!(
        url.to_string(),
        case["expected_urls"]["connect_0xf980"].as_str().unwrap()
    );

    // must_fail: a flipped ciphertext or tag byte, and truncation, mean "not for me".
    for i in [0, 16] {
        let mut bad = advert;
        bad[i] ^= 1;
        assert_eq!(
            open(&key, &bad, LengthRule::Exact, 2),
            Err(AdvertError::NotForThisKey)
        );
    }
    for n in 0..20 {
        assert_eq!(decrypt(&key, &advert[..n]), None);
        assert_eq!(
            open(&key, &advert[..n], LengthRule::Exact, 2),
            Err(AdvertError::Length(n))
        );
    }
}

#[test]
fn a_valid_tag_on_a_bad_domain_is_refused_like_chromium() {
    let key = key_of("00112233445566778899aabbccddeeff");
    let eid = Eid {
        nonce: [7; 10],
        routing_id: [1, 2, 3],
        domain_id: 255,
    };
    let advert = encrypt(&key, &eid.to_plaintext());
    assert_eq!(
        open(&key, &advert, LengthRule::Exact, 2),
        Err(AdvertError::UnknownDomain(255))
    );
}

#[test]
fn ctap_2_3_suffix_is_kept_only_when_allowed() {
    let key = key_of("00112233445566778899aabbccddeeff");
    let eid = Eid {
        nonce: [7; 10],
        routing_id: [1, 2, 3],
        domain_id: 0,
    };
    let mut advert = encrypt(&key, &eid.to_plaintext()).to_vec();
    advert.extend_from_slice(&[0xa1, 0x01, 0x19]); // 3-byte CBOR suffix start, e.g. {1: PSM}
    assert_eq!(
        open(&key, &advert, LengthRule::Exact, 2),
        Err(AdvertError::Length(23))
    );
    let m = open(&key, &advert, LengthRule::AllowSuffix, 2).unwrap();
    assert_eq!((m.eid, m.suffix), (eid, vec![0xa1, 0x01, 0x19]));
}

#[test]
fn trial_decryption_picks_the_first_key_that_verifies() {
    let keys = [key_of("01"), key_of("02"), key_of("03")];
    let eid = Eid {
        nonce: [1; 10],
        routing_id: [0xc0, 0xff, 0xee],
        domain_id: 1,
    };
    let advert = encrypt(&keys[1], &eid.to_plaintext());
    let (index, result) = trial_decrypt(&keys, &advert, LengthRule::Exact, 2).unwrap();
    assert_eq!((index, result.unwrap().eid), (1, eid));
    assert!(trial_decrypt(&keys[..1], &advert, LengthRule::Exact, 2).is_none());
    // A random beacon never decrypts (Firefox discovery test).
    assert!(trial_decrypt(&keys, &[0x5a; 20], LengthRule::Exact, 2).is_none());
}

#[test]
fn google_service_data_wins_over_fido() {
    let a: &[u8] = &[1];
    let b: &[u8] = &[2];
    assert_eq!(
        select_service_data(&[(0xfff9, a), (0xfde2, b)]),
        Some((0xfde2, b))
    );
    assert_eq!(select_service_data(&[(0xfff9, a)]), Some((0xfff9, a)));
    assert_eq!(select_service_data(&[(0x180f, a)]), None);
    assert_eq!(full_uuid(0xfff9), "0000fff9-0000-1000-8000-00805f9b34fb");
}

proptest! {
    #[test]
    fn encrypt_open_identity(nonce in any::<[u8; 10]>(), routing in any::<[u8; 3]>(), domain in prop_oneof![0u16..2, 256u16..], secret in any::<[u8; 16]>()) {
        let key = derive::eid_key(&secret);
        let eid = Eid { nonce, routing_id: routing, domain_id: domain };
        let m = open(&key, &encrypt(&key, &eid.to_plaintext()), LengthRule::Exact, 2).unwrap();
        prop_assert_eq!(m.eid, eid);
    }

    #[test]
    fn open_never_panics(data in proptest::collection::vec(any::<u8>(), 0..40)) {
        let _ = open(&[9; 64], &data, LengthRule::AllowSuffix, 2);
    }
}
