use super::*;
use crate::attestation::PackedStatement;
use crate::entities::{CredentialDescriptor, PubKeyCredParam};
use crate::profile::{BackupPolicy, UvBehaviour};
use crate::user::{Asked, Verification};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::DerSignature;

#[test]
fn gpm_creates_a_synced_discoverable_passkey_with_none_attestation() {
    let mut auth = testkit::authenticator("google-password-manager");
    let request = testkit::make_credential(b"alice");
    let response = decode_mc(&auth.handle(0x01, &request.encode()));
    assert_eq!(response.attestation.fmt, "none");
    assert_eq!(response.attestation.att_stmt, Value::Map(vec![]));
    assert_eq!(response.unsigned_extension_outputs, None);
    let data = AuthenticatorData::decode(&response.attestation.auth_data).unwrap();
    assert_eq!(data.rp_id_hash, rp_hash(RP));
    assert_eq!(
        data.flags,
        Flags::UP | Flags::UV | Flags::BE | Flags::BS | Flags::AT
    );
    assert_eq!(data.sign_count, 0);
    let attested = data.attested.unwrap();
    assert_eq!(attested.aaguid, auth.profile().aaguid);
    assert_eq!(attested.credential_id.len(), 16);
    let stored = auth.store().get(&attested.credential_id).unwrap();
    assert_eq!(
        attested.public_key.to_sec1_uncompressed(),
        hybridsim_proto::keys::public_of(&stored.private_key).unwrap()
    );
    assert!(stored.discoverable && stored.backup.would_sync());
    assert_eq!(stored.created_by_profile, "google-password-manager");
    assert_eq!(stored.user_name.as_deref(), Some("user-616c696365"));
    // UV on the phone is the evidence of presence: no separate presence prompt.
    assert_eq!(
        auth.user().asked,
        [Asked::Verification(Purpose::MakeCredential)]
    );
}

#[test]
fn packed_x5c_attestation_is_signed_by_the_certified_key() {
    for name in [
        "microsoft-authenticator-ios",
        "microsoft-authenticator-android",
    ] {
        let mut auth = testkit::authenticator(name);
        let response = decode_mc(&auth.handle(0x01, &testkit::make_credential(b"bob").encode()));
        assert_eq!(response.attestation.fmt, "packed");
        let statement = PackedStatement::from_value(&response.attestation.att_stmt).unwrap();
        let Attester::PackedX5c(identity) = testkit::attester(auth.profile()) else {
            panic!()
        };
        assert_eq!(statement.x5c, vec![identity.certificate_der().to_vec()]);
        let signed = [response.attestation.auth_data.as_slice(), &CDH].concat();
        let sig = DerSignature::from_bytes(&statement.sig).unwrap();
        assert!(
            identity
                .signing_key()
                .verifying_key()
                .verify(&signed, &sig)
                .is_ok(),
            "{name}"
        );
        let data = AuthenticatorData::decode(&response.attestation.auth_data).unwrap();
        assert!(
            !data.flags.contains(Flags::BE) && !data.flags.contains(Flags::BS),
            "device-bound"
        );
        assert_eq!(data.attested.unwrap().aaguid, auth.profile().aaguid);
        assert!(auth.store().credentials[0].backup.is_device_bound());
    }
}

#[test]
fn packed_self_attestation_and_the_wrong_rp_id_hash_quirk() {
    let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
    let response = auth
        .make_credential(&testkit::make_credential(b"carol"))
        .unwrap();
    let data = AuthenticatorData::decode(&response.attestation.auth_data).unwrap();
    // The data is signed correctly, but over the hash of "https://example.com".
    assert_eq!(data.rp_id_hash, rp_hash("https://example.com"));
    assert_ne!(data.rp_id_hash, rp_hash(RP));
    let key = VerifyingKey::from(data.attested.unwrap().public_key.to_public_key().unwrap());
    let statement = PackedStatement::from_value(&response.attestation.att_stmt).unwrap();
    assert!(statement.x5c.is_empty());
    assert!(verify_es256(
        &key,
        &[&response.attestation.auth_data, &CDH],
        &statement.sig
    ));
}

#[test]
fn exclude_list_hit_asks_for_presence_then_refuses() {
    let mut auth = testkit::authenticator("google-password-manager");
    let (id, _) = register(&mut auth, b"alice");
    let mut request = testkit::make_credential(b"alice-2");
    request.exclude_list = Some(vec![
        CredentialDescriptor::public_key(vec![9; 16]),
        CredentialDescriptor::public_key(id.clone()),
    ]);
    let reply = auth.handle_traced(0x01, &request.encode());
    assert_eq!(reply.bytes, [0x19]);
    assert_eq!(reply.error.unwrap().reason, Reason::CredentialExcluded);
    assert_eq!(
        auth.user().asked.last(),
        Some(&Asked::Presence(Purpose::ExcludedCredential))
    );
    assert_eq!(auth.store().len(), 1);

    // The user declines the presence test: operation denied.
    auth.user_mut().asked.clear();
    *auth.user_mut() = ScriptedUser::approving().then_presence(false);
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::OperationDenied
    );

    // A credential of another RP in the excludeList does not count.
    let mut other_rp = request.clone();
    other_rp.rp.id = "other.example".into();
    assert!(auth.make_credential(&other_rp).is_ok());
}

#[test]
fn algorithm_negotiation_picks_es256_or_refuses() {
    let mut auth = testkit::authenticator("ios16");
    let mut request = testkit::make_credential(b"dave");
    request.pub_key_cred_params = vec![
        PubKeyCredParam::public_key(-8),
        PubKeyCredParam::public_key(-257),
    ];
    let error = auth.make_credential(&request).unwrap_err();
    assert_eq!(error.status, Ctap2Code::UnsupportedAlgorithm.into());
    assert_eq!(
        error.reason,
        Reason::UnsupportedAlgorithm {
            offered: vec![-8, -257],
            supported: vec![-7]
        }
    );
    request.pub_key_cred_params = vec![PubKeyCredParam {
        alg: -7,
        cred_type: "other".into(),
    }];
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::UnsupportedAlgorithm
    );
    request.pub_key_cred_params = vec![];
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::UnsupportedAlgorithm
    );
    request.pub_key_cred_params = vec![
        PubKeyCredParam::public_key(-8),
        PubKeyCredParam::public_key(-7),
    ];
    assert!(auth.make_credential(&request).is_ok());
}

fn plain_profile() -> Profile {
    // A security-key-like profile: no rk, no built-in UV, device-bound.
    let mut p = testkit::profile("buggy-non-canonical");
    p.quirks = Default::default();
    p.get_info.options.rk = None;
    p.get_info.options.uv = None;
    p.uv = UvBehaviour::Never;
    p
}

#[test]
fn option_checks_return_the_spec_codes() {
    let mut auth = testkit::authenticator_for(plain_profile());
    let mut rk = testkit::make_credential(b"erin");
    rk.options.uv = None;
    assert_eq!(
        status_of(auth.make_credential(&rk)),
        Ctap2Code::UnsupportedOption
    );
    let mut uv = testkit::make_credential(b"erin");
    uv.options.rk = None;
    assert_eq!(
        status_of(auth.make_credential(&uv)),
        Ctap2Code::InvalidOption
    );
    let mut up = testkit::make_credential(b"erin");
    up.options = crate::wire::Options {
        rk: None,
        up: Some(false),
        uv: None,
    };
    assert_eq!(
        status_of(auth.make_credential(&up)),
        Ctap2Code::InvalidOption
    );
    let mut ep = testkit::make_credential(b"erin");
    ep.options = Default::default();
    ep.enterprise_attestation = Some(1);
    assert_eq!(
        status_of(auth.make_credential(&ep)),
        Ctap2Code::InvalidParameter
    );
    let mut plain = testkit::make_credential(b"erin");
    plain.options = Default::default();
    let response = auth.make_credential(&plain).unwrap();
    let data = AuthenticatorData::decode(&response.attestation.auth_data).unwrap();
    assert_eq!(
        data.flags,
        Flags::UP | Flags::AT,
        "presence only, device-bound"
    );
    assert!(!auth.store().credentials[0].discoverable);
    assert_eq!(
        auth.user().asked,
        [Asked::Presence(Purpose::MakeCredential)]
    );
}

#[test]
fn pin_uv_auth_param_checks() {
    let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
    let mut request = testkit::make_credential(b"frank");
    request.pin_uv_auth_param = Some(vec![0; 32]);
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::MissingParameter
    );
    request.pin_uv_auth_protocol = Some(3);
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::InvalidParameter
    );
    request.pin_uv_auth_protocol = Some(2);
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::PinAuthInvalid
    );
}

#[test]
fn user_verification_outcomes() {
    let mut auth = testkit::authenticator("google-password-manager");
    *auth.user_mut() = ScriptedUser::approving()
        .then_verification(Verification::Failed)
        .then_verification(Verification::Cancelled);
    let request = testkit::make_credential(b"gina");
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::UvInvalid
    );
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::OperationDenied
    );
    assert!(auth.store().is_empty(), "nothing is stored after a refusal");

    // UV only when asked: without uv=true, presence is tested and UV stays 0.
    let mut auth = testkit::authenticator("buggy-wrong-rpid-hash");
    let mut request = testkit::make_credential(b"gina");
    request.options.uv = None;
    let data = AuthenticatorData::decode(
        &auth
            .make_credential(&request)
            .unwrap()
            .attestation
            .auth_data,
    )
    .unwrap();
    assert!(data.flags.contains(Flags::UP) && !data.flags.contains(Flags::UV));
    *auth.user_mut() = ScriptedUser::approving().then_presence(false);
    assert_eq!(
        status_of(auth.make_credential(&request)),
        Ctap2Code::OperationDenied
    );
}

#[test]
fn discoverable_store_limit() {
    let mut profile = testkit::profile("ios16");
    profile.max_discoverable_credentials = Some(1);
    let mut auth = testkit::authenticator_for(profile);
    register(&mut auth, b"one");
    assert_eq!(
        status_of(auth.make_credential(&testkit::make_credential(b"two"))),
        Ctap2Code::KeyStoreFull
    );
    // The same user handle overwrites its credential instead.
    let (id, _) = register(&mut auth, b"one");
    assert_eq!(auth.store().len(), 1);
    assert_eq!(auth.store().credentials[0].id, id);
    assert_eq!(
        auth.store().credentials[0].id.len(),
        20,
        "iOS credential IDs are 20 bytes here"
    );
}

#[test]
fn backup_policies_set_be_and_bs() {
    for (policy, expected) in [
        (BackupPolicy::DeviceBound, Flags::empty()),
        (BackupPolicy::EligibleNotSynced, Flags::BE),
        (BackupPolicy::Synced, Flags::BE | Flags::BS),
    ] {
        let mut profile = testkit::profile("ios16");
        profile.backup = policy;
        let mut auth = testkit::authenticator_for(profile);
        let response = auth
            .make_credential(&testkit::make_credential(b"h"))
            .unwrap();
        let flags = AuthenticatorData::decode(&response.attestation.auth_data)
            .unwrap()
            .flags;
        assert_eq!(Flags(flags.bits() & 0x18), expected, "{policy:?}");
        assert_eq!(auth.store().credentials[0].backup.flags(), expected);
    }
}
