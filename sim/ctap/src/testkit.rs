//! Helpers shared by the unit tests: fixture files, shipped profiles, ready authenticators and
//! typical requests.

use crate::attestation::Attester;
use crate::authenticator::Authenticator;
use crate::entities::{CredentialDescriptor, PubKeyCredParam, RpEntity, UserEntity};
use crate::get_assertion::GetAssertionRequest;
use crate::make_credential::MakeCredentialRequest;
use crate::profile::Profile;
use crate::user::ScriptedUser;
use crate::wire::Options;
use std::path::PathBuf;

pub const SEED: [u8; 32] = [7; 32];
pub const RP: &str = "example.com";
pub const CDH: [u8; 32] = [0xCD; 32];

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

pub fn read_fixture(relative: &str) -> String {
    std::fs::read_to_string(fixtures().join(relative)).unwrap()
}

pub fn profile(name: &str) -> Profile {
    Profile::from_toml_str(&read_fixture(&format!("profiles/{name}.toml"))).unwrap()
}

pub fn attester(profile: &Profile) -> Attester {
    profile
        .attester(|file| std::fs::read_to_string(fixtures().join("attestation").join(file)).ok())
        .unwrap()
}

pub fn authenticator_for(profile: Profile) -> Authenticator {
    let attester = attester(&profile);
    Authenticator::new(profile, attester, SEED, ScriptedUser::approving())
}

pub fn authenticator(name: &str) -> Authenticator {
    authenticator_for(profile(name))
}

pub fn make_credential(user: &[u8]) -> MakeCredentialRequest {
    MakeCredentialRequest {
        client_data_hash: CDH.to_vec(),
        rp: RpEntity {
            id: RP.to_owned(),
            name: Some("Example".to_owned()),
        },
        user: UserEntity {
            id: user.to_vec(),
            name: Some(format!("user-{}", hex::encode(user))),
            display_name: Some("A User".to_owned()),
        },
        pub_key_cred_params: vec![PubKeyCredParam::public_key(-7)],
        exclude_list: None,
        extensions: None,
        options: Options {
            rk: Some(true),
            up: None,
            uv: Some(true),
        },
        pin_uv_auth_param: None,
        pin_uv_auth_protocol: None,
        enterprise_attestation: None,
    }
}

pub fn get_assertion(allow: &[&[u8]]) -> GetAssertionRequest {
    GetAssertionRequest {
        rp_id: RP.to_owned(),
        client_data_hash: CDH.to_vec(),
        allow_list: (!allow.is_empty()).then(|| {
            allow
                .iter()
                .map(|id| CredentialDescriptor::public_key(id.to_vec()))
                .collect()
        }),
        extensions: None,
        options: Options {
            rk: None,
            up: None,
            uv: Some(true),
        },
        pin_uv_auth_param: None,
        pin_uv_auth_protocol: None,
    }
}

pub const ALL_PROFILES: &[&str] = &[
    "google-password-manager",
    "ios16",
    "microsoft-authenticator-ios",
    "microsoft-authenticator-android",
    "buggy-non-canonical",
    "buggy-wrong-rpid-hash",
    "iphone-icloud-keychain-2026",
    "google-play-services-2-3",
    "bitwarden-play-services",
    "1password-play-services",
    "buggy-malformed-get-info",
];

/// proptest strategies for the message types.
pub mod arb {
    use crate::entities::{CredentialDescriptor, PubKeyCredParam, RpEntity, UserEntity};
    use crate::wire::Options;
    use hybridsim_proto::cbor::{self, Value};
    use proptest::prelude::*;

    pub fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), 0..max)
    }

    pub fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 .@é-]{0,12}"
    }

    pub fn rp() -> impl Strategy<Value = RpEntity> {
        (text(), prop::option::of(text())).prop_map(|(id, name)| RpEntity { id, name })
    }

    pub fn user() -> impl Strategy<Value = UserEntity> {
        (
            bytes(65),
            prop::option::of(text()),
            prop::option::of(text()),
        )
            .prop_map(|(id, name, display_name)| UserEntity {
                id,
                name,
                display_name,
            })
    }

    pub fn param() -> impl Strategy<Value = PubKeyCredParam> {
        (
            any::<i64>(),
            prop_oneof![Just("public-key".to_owned()), text()],
        )
            .prop_map(|(alg, cred_type)| PubKeyCredParam { alg, cred_type })
    }

    pub fn descriptor() -> impl Strategy<Value = CredentialDescriptor> {
        (
            prop_oneof![Just("public-key".to_owned()), text()],
            bytes(40),
            prop::option::of(prop::collection::vec(text(), 0..3)),
        )
            .prop_map(|(cred_type, id, transports)| CredentialDescriptor {
                cred_type,
                id,
                transports,
            })
    }

    pub fn options() -> impl Strategy<Value = Options> {
        (
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
        )
            .prop_map(|(rk, up, uv)| Options { rk, up, uv })
    }

    /// A text-keyed map of simple values, in canonical order (as a decoder returns it).
    pub fn extensions() -> impl Strategy<Value = Value> {
        let value = prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            bytes(20).prop_map(Value::Bytes),
        ];
        prop::collection::btree_map("[a-z-]{1,12}", value, 0..4).prop_map(|m| {
            let mut v = Value::Map(m.into_iter().map(|(k, v)| (Value::Text(k), v)).collect());
            cbor::sort_canonical(&mut v);
            v
        })
    }
}
