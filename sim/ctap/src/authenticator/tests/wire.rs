use super::*;
use crate::user::Asked;
use hybridsim_proto::cbor::{CborErrorKind, Strictness};
use proptest::prelude::*;

#[test]
fn get_info_answers_the_profile_and_refuses_a_payload() {
    let mut auth = testkit::authenticator("ios16");
    let reply = auth.handle(0x04, &[]);
    assert_eq!(reply[0], 0);
    assert_eq!(reply[1..], auth.profile().get_info_response().encode());
    let refused = auth.handle_traced(0x04, &[0xa0]);
    assert_eq!(refused.bytes, [0x03]);
    assert_eq!(refused.status(), Ctap2Code::InvalidLength.into());
}

#[test]
fn selection_tests_presence() {
    let mut auth = testkit::authenticator("google-password-manager");
    assert_eq!(auth.handle(0x0B, &[]), [0x00]);
    assert_eq!(auth.user().asked, [Asked::Presence(Purpose::Selection)]);
    *auth.user_mut() = ScriptedUser::approving().then_presence(false);
    assert_eq!(auth.handle(0x0B, &[]), [0x27]);
    assert_eq!(auth.handle(0x0B, &[0xf6]), [0x03]);
}

#[test]
fn unimplemented_commands_are_invalid_commands() {
    let mut auth = testkit::authenticator("google-password-manager");
    for command in 0..=u8::MAX {
        if [0x01, 0x02, 0x04, 0x0B].contains(&command) {
            continue;
        }
        // 0x06 clientPIN is unavailable too: the GPM profile lists no PIN/UV protocols.
        assert_eq!(auth.handle(command, &[]), [0x01], "command 0x{command:02X}");
    }
}

#[test]
fn bad_cbor_gets_cbor_status_codes_with_the_detail_kept() {
    let mut auth = testkit::authenticator("ios16");
    let reply = auth.handle_traced(0x01, &[0xa1, 0x01]);
    assert_eq!(reply.bytes, [0x12]);
    let reply = auth.handle_traced(0x02, &[0x01]);
    assert_eq!(reply.bytes, [0x11]);
    assert!(reply
        .error
        .unwrap()
        .to_string()
        .contains("getAssertion: expected a map, found an integer"));
    let mut request = testkit::make_credential(b"x");
    request.user.id = vec![];
    let Value::Map(mut entries) = request.to_value() else {
        unreachable!()
    };
    entries.retain(|(k, _)| *k != Value::from(3));
    let reply = auth.handle_traced(0x01, &cbor::encode_canonical(&Value::Map(entries)));
    assert_eq!(reply.bytes, [0x14]);
    assert_eq!(
        reply.error.unwrap().to_string(),
        "CTAP2_ERR_MISSING_PARAMETER (0x14): makeCredential 0x03 user: missing"
    );
}

fn reversed(request: &Value) -> Vec<u8> {
    let mut value = request.clone();
    cbor::sort_canonical(&mut value);
    if let Value::Map(entries) = &mut value {
        entries.reverse();
    }
    cbor::encode_as_is(&value)
}

#[test]
fn request_strictness_is_a_profile_setting() {
    let request = reversed(&testkit::make_credential(b"x").to_value());
    let mut strict = testkit::authenticator("ios16");
    assert_eq!(strict.handle(0x01, &request), [0x12]);
    let mut lenient = testkit::authenticator("buggy-non-canonical");
    assert_eq!(lenient.handle(0x01, &request)[0], 0x00);
}

#[test]
fn non_canonical_quirk_emits_keys_out_of_order() {
    let mut auth = testkit::authenticator("buggy-non-canonical");
    let replies = [
        auth.handle(0x04, &[]),
        auth.handle(0x01, &testkit::make_credential(b"x").encode()),
        auth.handle(0x02, &testkit::get_assertion(&[]).encode()),
    ];
    assert_eq!(auth.get_info_bytes(), replies[0][1..]);
    assert_ne!(auth.get_info_bytes(), auth.get_info().encode());
    for reply in replies {
        assert_eq!(reply[0], 0);
        let body = &reply[1..];
        let error = cbor::decode(body, Strictness::Canonical).unwrap_err();
        assert_eq!(error.kind, CborErrorKind::KeysOutOfOrder);
        // The same values, canonically ordered, are what a correct phone sends.
        let value = cbor::decode(body, Strictness::WellFormed).unwrap();
        let canonical = cbor::encode_canonical(&value);
        assert_ne!(canonical, body);
        assert_eq!(canonical.len(), body.len());
    }
}

/// A scripted run of commands: getInfo, two registrations, an exclusion, assertions, selection.
fn scripted_run(seed: [u8; 32]) -> Vec<Vec<u8>> {
    let profile = testkit::profile("microsoft-authenticator-ios");
    let attester = testkit::attester(&profile);
    let mut auth = Authenticator::new(
        profile,
        attester,
        seed,
        ScriptedUser::approving().then_account(Some(1)),
    );
    let mut replies = vec![auth.handle(0x04, &[])];
    replies.push(auth.handle(0x01, &testkit::make_credential(b"alice").encode()));
    replies.push(auth.handle(0x01, &testkit::make_credential(b"bob").encode()));
    replies.push(auth.handle(0x02, &testkit::get_assertion(&[]).encode()));
    let id = auth.store().credentials[0].id.clone();
    replies.push(auth.handle(0x02, &testkit::get_assertion(&[&id]).encode()));
    let mut excluded = testkit::make_credential(b"carol");
    excluded.exclude_list = Some(vec![crate::entities::CredentialDescriptor::public_key(id)]);
    replies.push(auth.handle(0x01, &excluded.encode()));
    replies.push(auth.handle(0x0B, &[]));
    replies
}

#[test]
fn same_seed_same_bytes() {
    let a = scripted_run(testkit::SEED);
    assert_eq!(a, scripted_run(testkit::SEED));
    assert_eq!(a.last(), Some(&vec![0x00]));
    assert_eq!(a[5], [0x19]);
    let b = scripted_run([8; 32]);
    assert_eq!(a[0], b[0], "getInfo does not depend on the seed");
    assert_ne!(a[1], b[1], "a different seed gives other keys");
}

#[test]
fn a_saved_store_continues_where_it_stopped() {
    let mut auth = testkit::authenticator("ios16");
    let (id, key) = register(&mut auth, b"alice");
    let saved = auth.store().to_toml_string().unwrap();
    let restored = crate::store::CredentialStore::from_toml_str(&saved).unwrap();
    let profile = testkit::profile("ios16");
    let attester = testkit::attester(&profile);
    let mut next = Authenticator::new(profile, attester, [8; 32], ScriptedUser::approving())
        .with_store(restored);
    assert_eq!(next.step(), 1);
    let response = next.get_assertion(&testkit::get_assertion(&[&id])).unwrap();
    verified(&response, &key);
    let (later, _) = register(&mut next, b"bob");
    assert_eq!(next.store().get(&later).unwrap().created_at_step, 3);
}

#[test]
fn replaying_a_seed_over_a_restored_store_still_gives_new_credential_ids() {
    let mut auth = testkit::authenticator("ios16");
    let (first, _) = register(&mut auth, b"alice");
    let mut replay = testkit::authenticator("ios16").with_store(auth.store().clone());
    let (second, _) = register(&mut replay, b"bob");
    assert_ne!(first, second);
    assert_eq!(replay.store().len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn handle_never_panics(command in any::<u8>(), params in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
        let reply = auth.handle_traced(command, &params);
        prop_assert!(!reply.bytes.is_empty());
        prop_assert_eq!(reply.error.is_some(), reply.bytes[0] != 0);
    }

    #[test]
    fn handle_never_panics_on_mutated_requests(pos in any::<usize>(), byte in any::<u8>(), assertion in any::<bool>()) {
        let mut auth = testkit::authenticator("buggy-non-canonical");
        register(&mut auth, b"alice");
        let (command, mut params) = if assertion {
            (0x02, testkit::get_assertion(&[]).encode())
        } else {
            (0x01, testkit::make_credential(b"bob").encode())
        };
        let len = params.len();
        params[pos % len] = byte;
        let reply = auth.handle(command, &params);
        prop_assert!(!reply.is_empty());
    }
}
