//! The authenticator answers any (command, parameters) without panicking: one status byte on
//! refusal, `00 ‖ CBOR` otherwise. Input: byte 0 picks the profile, byte 1 is the command, the
//! rest its parameters. One discoverable credential exists before the command; each run
//! starts from a clone of the same prepared authenticator.
#![no_main]

use std::sync::OnceLock;

use hybridsim_ctap::entities::{PubKeyCredParam, RpEntity, UserEntity};
use hybridsim_ctap::make_credential::MakeCredentialRequest;
use hybridsim_ctap::wire::Options;
use hybridsim_ctap::{Authenticator, Profile, ScriptedUser};
use libfuzzer_sys::fuzz_target;

const PROFILES: [&str; 2] = [
    // packed self attestation, hmac-secret, prf, PIN/UV protocols 1 and 2, canonical requests
    include_str!("../../../../fixtures/profiles/buggy-wrong-rpid-hash.toml"),
    // lenient request CBOR, non-canonical responses, global counter
    include_str!("../../../../fixtures/profiles/buggy-non-canonical.toml"),
];

fn registration() -> MakeCredentialRequest {
    MakeCredentialRequest {
        client_data_hash: vec![1; 32],
        rp: RpEntity {
            id: "example.com".into(),
            name: None,
        },
        user: UserEntity {
            id: vec![2; 8],
            name: Some("u".into()),
            display_name: None,
        },
        pub_key_cred_params: vec![PubKeyCredParam::public_key(-7)],
        exclude_list: None,
        extensions: None,
        options: Options {
            rk: Some(true),
            up: None,
            uv: None,
        },
        pin_uv_auth_param: None,
        pin_uv_auth_protocol: None,
        enterprise_attestation: None,
    }
}

fn prepared(text: &str) -> Authenticator {
    let Ok(profile) = Profile::from_toml_str(text) else {
        panic!("shipped profile does not load");
    };
    let Ok(attester) = profile.attester(|_| None) else {
        panic!("attester");
    };
    let mut auth = Authenticator::new(profile, attester, [7; 32], ScriptedUser::approving());
    assert!(auth.make_credential(&registration()).is_ok());
    auth
}

static PREPARED: OnceLock<Vec<Authenticator>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let [selector, command, params @ ..] = data else {
        return;
    };
    let all = PREPARED.get_or_init(|| PROFILES.iter().map(|t| prepared(t)).collect());
    let Some(auth) = all.get(usize::from(*selector) % all.len()) else {
        return;
    };
    let mut auth = auth.clone();
    let reply = auth.handle_traced(*command, params);
    assert!(!reply.bytes.is_empty());
    assert_eq!(reply.error.is_some(), reply.bytes[0] != 0);
    if reply.error.is_some() {
        assert_eq!(reply.bytes.len(), 1);
    }
});
