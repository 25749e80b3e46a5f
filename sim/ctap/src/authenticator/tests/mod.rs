//! Behaviour of the simulated authenticator, command by command. Credentials are checked
//! with p256's verifier over the bytes the spec says are signed.

mod extensions;
mod get_assertion;
mod make_credential;
mod wire;

use super::*;
use crate::attestation::verify_es256;
use crate::auth_data::{AuthenticatorData, Flags};
use crate::get_assertion::GetAssertionResponse;
use crate::make_credential::MakeCredentialResponse;
use crate::status::Ctap2Code;
use crate::testkit::{self, CDH, RP};
use p256::ecdsa::VerifyingKey;

/// Registers `user` and returns the credential ID and its public key (from authData).
fn register(auth: &mut Authenticator, user: &[u8]) -> (Vec<u8>, VerifyingKey) {
    let response = auth
        .make_credential(&testkit::make_credential(user))
        .unwrap();
    let data = AuthenticatorData::decode(&response.attestation.auth_data).unwrap();
    let attested = data.attested.unwrap();
    let key = VerifyingKey::from(attested.public_key.to_public_key().unwrap());
    (attested.credential_id, key)
}

/// Checks an assertion signature over authData ‖ clientDataHash and returns the authData.
fn verified(response: &GetAssertionResponse, key: &VerifyingKey) -> AuthenticatorData {
    assert!(verify_es256(
        key,
        &[&response.auth_data, &CDH],
        &response.signature
    ));
    AuthenticatorData::decode(&response.auth_data).unwrap()
}

fn status_of(result: Result<impl std::fmt::Debug, AuthenticatorError>) -> Ctap2Code {
    match result.unwrap_err().status {
        StatusCode::Known(code) => code,
        other => panic!("{other}"),
    }
}

fn rp_hash(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn decode_mc(reply: &[u8]) -> MakeCredentialResponse {
    assert_eq!(reply[0], 0, "status {}", StatusCode::from_byte(reply[0]));
    MakeCredentialResponse::decode(&reply[1..]).unwrap()
}
