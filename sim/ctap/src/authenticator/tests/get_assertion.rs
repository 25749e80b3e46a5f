use super::*;
use crate::entities::{CredentialDescriptor, UserEntity};
use crate::profile::SignCountPolicy;
use crate::user::Asked;

#[test]
fn allow_list_assertion_is_signed_by_the_credential() {
    let mut auth = testkit::authenticator("google-password-manager");
    let (id, key) = register(&mut auth, b"alice");
    let request = testkit::get_assertion(&[&[1; 16], &id]);
    let reply = auth.handle(0x02, &request.encode());
    assert_eq!(reply[0], 0);
    let response = GetAssertionResponse::decode(&reply[1..]).unwrap();
    let data = verified(&response, &key);
    assert_eq!(data.rp_id_hash, rp_hash(RP));
    assert_eq!(data.flags, Flags::UP | Flags::UV | Flags::BE | Flags::BS);
    assert!(data.attested.is_none() && data.extensions.is_none());
    // Chromium's phone: credential with transports, no user, no userSelected.
    let credential = response.credential.unwrap();
    assert_eq!(credential.id, id);
    assert_eq!(
        credential.transports,
        Some(vec!["internal".to_owned(), "cable".to_owned()])
    );
    assert_eq!(
        (
            response.user,
            response.user_selected,
            response.number_of_credentials
        ),
        (None, None, None)
    );
    // A signature over other client data does not verify.
    assert!(!verify_es256(
        &key,
        &[&response.auth_data, &[0; 32]],
        &response.signature
    ));
}

#[test]
fn no_matching_credential_is_no_credentials() {
    let mut auth = testkit::authenticator("ios16");
    assert_eq!(
        status_of(auth.get_assertion(&testkit::get_assertion(&[]))),
        Ctap2Code::NoCredentials
    );
    let (id, _) = register(&mut auth, b"alice");
    let mut other_rp = testkit::get_assertion(&[&id]);
    other_rp.rp_id = "other.example".into();
    assert_eq!(
        status_of(auth.get_assertion(&other_rp)),
        Ctap2Code::NoCredentials
    );
    let mut wrong_type = testkit::get_assertion(&[]);
    wrong_type.allow_list = Some(vec![CredentialDescriptor {
        cred_type: "x".into(),
        ..CredentialDescriptor::public_key(id)
    }]);
    assert_eq!(
        status_of(auth.get_assertion(&wrong_type)),
        Ctap2Code::NoCredentials
    );
}

#[test]
fn empty_allow_list_returns_the_user_as_chromiums_phone_does() {
    let mut auth = testkit::authenticator("google-password-manager");
    let (id, key) = register(&mut auth, b"alice");
    let mut request = testkit::get_assertion(&[]);
    request.allow_list = Some(vec![]);
    let response = auth.get_assertion(&request).unwrap();
    verified(&response, &key);
    assert_eq!(response.credential.unwrap().id, id);
    // docs/protocol.md §7.5: user {id, name "", displayName ""} and userSelected true.
    assert_eq!(
        response.user,
        Some(UserEntity {
            id: b"alice".to_vec(),
            name: Some(String::new()),
            display_name: Some(String::new())
        })
    );
    assert_eq!(response.user_selected, Some(true));
    assert_eq!(response.number_of_credentials, None);
    assert!(
        !auth
            .user()
            .asked
            .iter()
            .any(|a| matches!(a, Asked::Account { .. })),
        "one account: no choice"
    );
}

#[test]
fn several_accounts_are_chosen_on_the_device() {
    let mut auth = testkit::authenticator("ios16");
    let (alice, _) = register(&mut auth, b"alice");
    let (bob, bob_key) = register(&mut auth, b"bob");
    let (carol, _) = register(&mut auth, b"carol");
    // Most recent first: carol, bob, alice. The user picks the second.
    *auth.user_mut() = ScriptedUser::approving().then_account(Some(1));
    let response = auth.get_assertion(&testkit::get_assertion(&[])).unwrap();
    verified(&response, &bob_key);
    assert_eq!(response.credential.unwrap().id, bob);
    let user = response.user.unwrap();
    assert_eq!(user.id, b"bob");
    // Verified user: identifiable information is included.
    assert_eq!(user.name.as_deref(), Some("user-626f62"));
    assert_eq!(user.display_name.as_deref(), Some("A User"));
    assert!(auth.user().asked.contains(&Asked::Account {
        rp_id: RP.into(),
        count: 3
    }));

    *auth.user_mut() = ScriptedUser::approving().then_account(None);
    assert_eq!(
        status_of(auth.get_assertion(&testkit::get_assertion(&[]))),
        Ctap2Code::OperationDenied
    );
    *auth.user_mut() = ScriptedUser::approving().then_account(Some(3));
    let error = auth
        .get_assertion(&testkit::get_assertion(&[]))
        .unwrap_err();
    assert_eq!(
        error.reason,
        Reason::AccountChoiceOutOfRange {
            choice: 3,
            count: 3
        }
    );
    // An allowList never asks.
    *auth.user_mut() = ScriptedUser::approving();
    let response = auth
        .get_assertion(&testkit::get_assertion(&[&alice, &carol]))
        .unwrap();
    assert_eq!(response.credential.unwrap().id, alice);
}

#[test]
fn silent_requests_are_refused_by_phones_and_answered_by_others() {
    let mut request = testkit::get_assertion(&[]);
    request.options = crate::wire::Options {
        rk: None,
        up: Some(false),
        uv: None,
    };
    let mut phone = testkit::authenticator("google-password-manager");
    register(&mut phone, b"alice");
    let error = phone.get_assertion(&request).unwrap_err();
    assert_eq!(
        (error.status, error.reason),
        (
            Ctap2Code::UnsupportedOption.into(),
            Reason::SilentAssertionRefused
        )
    );

    let mut key = testkit::authenticator("buggy-non-canonical");
    let (_, public) = register(&mut key, b"alice");
    key.user_mut().asked.clear();
    let response = key.get_assertion(&request).unwrap();
    let data = verified(&response, &public);
    assert!(!data.flags.contains(Flags::UP) && !data.flags.contains(Flags::UV));
    assert!(key.user().asked.is_empty(), "silent: nobody was asked");
    // No UV: no user identifiable information.
    assert_eq!(response.user.unwrap().name, None);
}

#[test]
fn option_and_pin_checks() {
    let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
    let (id, _) = register(&mut auth, b"alice");
    let mut rk = testkit::get_assertion(&[&id]);
    rk.options.rk = Some(true);
    assert_eq!(
        status_of(auth.get_assertion(&rk)),
        Ctap2Code::UnsupportedOption
    );
    let mut pin = testkit::get_assertion(&[&id]);
    pin.pin_uv_auth_param = Some(vec![1; 16]);
    assert_eq!(
        status_of(auth.get_assertion(&pin)),
        Ctap2Code::MissingParameter
    );
    pin.pin_uv_auth_protocol = Some(7);
    assert_eq!(
        status_of(auth.get_assertion(&pin)),
        Ctap2Code::InvalidParameter
    );
    pin.pin_uv_auth_protocol = Some(1);
    assert_eq!(
        status_of(auth.get_assertion(&pin)),
        Ctap2Code::PinAuthInvalid
    );
    *auth.user_mut() =
        ScriptedUser::approving().then_verification(crate::user::Verification::Failed);
    assert_eq!(
        status_of(auth.get_assertion(&testkit::get_assertion(&[&id]))),
        Ctap2Code::UvInvalid
    );
    let mut uv_off = testkit::get_assertion(&[&id]);
    uv_off.options.uv = None;
    *auth.user_mut() = ScriptedUser::approving().then_presence(false);
    assert_eq!(
        status_of(auth.get_assertion(&uv_off)),
        Ctap2Code::OperationDenied
    );
}

#[test]
fn wrong_rp_id_hash_quirk_signs_the_wrong_hash() {
    let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
    let (id, key) = register(&mut auth, b"alice");
    let data = verified(
        &auth.get_assertion(&testkit::get_assertion(&[&id])).unwrap(),
        &key,
    );
    assert_eq!(data.rp_id_hash, rp_hash("https://example.com"));
}

fn counts(policy: SignCountPolicy) -> Vec<u32> {
    let mut profile = testkit::profile("ios16");
    profile.sign_count = policy;
    let mut auth = testkit::authenticator_for(profile);
    let mut seen = Vec::new();
    let mut keys = Vec::new();
    for user in [b"a", b"b"] {
        let response = auth
            .make_credential(&testkit::make_credential(user))
            .unwrap();
        let data = AuthenticatorData::decode(&response.attestation.auth_data).unwrap();
        seen.push(data.sign_count);
        keys.push(data.attested.unwrap().credential_id);
    }
    for id in [&keys[0], &keys[0], &keys[1]] {
        let response = auth.get_assertion(&testkit::get_assertion(&[id])).unwrap();
        seen.push(
            AuthenticatorData::decode(&response.auth_data)
                .unwrap()
                .sign_count,
        );
    }
    seen
}

#[test]
fn sign_counter_policies() {
    assert_eq!(counts(SignCountPolicy::Zero), [0, 0, 0, 0, 0]);
    assert_eq!(
        counts(SignCountPolicy::PerCredentialIncrementing),
        [0, 0, 1, 2, 1]
    );
    assert_eq!(counts(SignCountPolicy::GlobalIncrementing), [1, 2, 3, 4, 5]);
}

#[test]
fn uv_request_without_built_in_uv_is_an_invalid_option() {
    let mut profile = testkit::profile("buggy-wrong-rpid-hash");
    profile.uv = crate::profile::UvBehaviour::Never;
    profile.get_info.options.uv = None;
    let mut auth = testkit::authenticator_for(profile);
    let mut create = testkit::make_credential(b"alice");
    create.options.uv = None;
    let id = auth
        .make_credential(&create)
        .map(|_| auth.store().credentials[0].id.clone())
        .unwrap();
    assert_eq!(
        status_of(auth.get_assertion(&testkit::get_assertion(&[&id]))),
        Ctap2Code::InvalidOption
    );
    let mut no_uv = testkit::get_assertion(&[&id]);
    no_uv.options.uv = Some(false);
    assert!(auth.get_assertion(&no_uv).is_ok());
}
