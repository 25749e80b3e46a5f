//! The browser's reason for having no response JSON although no party failed is a typed
//! value: the non-canonical phone's answer does not decode, an excluded credential is the
//! phone's error status; each names the party whose answer it is.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::*;

use hybridsim_ctap::status::Ctap2Code;
use hybridsim_ctap::StatusCode;
use hybridsim_peers::{Layer, Party};
use hybridsim_webauthn::json::RegistrationResponseJson;
use hybridsim_webauthn::rp::RegistrationRequest;
use hybridsim_world::ceremony::{
    no_response_blame, AnswerError, AnswerKind, Ceremony, CeremonyFailed,
};

#[test]
fn a_non_canonical_answer_is_undecodable_and_the_phones() {
    let outcome = Ceremony::new(1)
        .phone(phone("buggy-non-canonical"))
        .register(&creation().0)
        .unwrap();
    assert_eq!(outcome.desktop, Ok(()));
    assert_eq!(outcome.phone, Ok(()));
    assert!(outcome.response_json.is_none());
    let reason = outcome.response_error.clone().expect("a reason");
    assert!(matches!(reason, AnswerError::Malformed(_)), "{reason:?}");
    assert_eq!(reason.kind(), AnswerKind::Undecodable);
    assert_eq!(reason.status(), None);
    assert!(
        reason
            .to_string()
            .starts_with("authenticator response: makeCredential response: invalid CBOR: "),
        "{reason}"
    );
    assert!(
        reason
            .to_string()
            .ends_with("map keys not in CTAP2 canonical order"),
        "{reason}"
    );
    assert_eq!(no_response_blame(&reason), (Party::Phone, Layer::Ctap));
    assert_eq!(outcome.verdict(), Err(CeremonyFailed::Refused(reason)));
}

#[test]
fn an_excluded_credential_is_the_phones_error_status() {
    let (options, state) = creation();
    let first = Ceremony::new(1)
        .phone(phone("microsoft-authenticator-ios"))
        .register(&options)
        .unwrap();
    let json = RegistrationResponseJson::from_json(first.response_json.as_ref().unwrap()).unwrap();
    let credential = relying_party()
        .finish_registration(&state, &json, NOW)
        .unwrap();
    let (options, _) = creation_with(&RegistrationRequest::excluding(&[credential]));
    let again = Ceremony::new(2)
        .phone(first.phone_state.unwrap())
        .register(&options)
        .unwrap();
    assert_eq!(again.desktop, Ok(()));
    assert_eq!(again.phone, Ok(()));
    let excluded = StatusCode::Known(Ctap2Code::CredentialExcluded);
    let reason = again.response_error.clone().expect("a reason");
    assert_eq!(reason, AnswerError::Refused(excluded));
    assert_eq!(reason.kind(), AnswerKind::Status);
    assert_eq!(reason.status(), Some(excluded));
    assert_eq!(
        reason.to_string(),
        "the authenticator refused: CTAP2_ERR_CREDENTIAL_EXCLUDED (0x19)"
    );
    assert_eq!(no_response_blame(&reason), (Party::Phone, Layer::Ctap));
    let failed = again.verdict().unwrap_err();
    assert_eq!(failed, CeremonyFailed::Refused(reason));
    assert_eq!(
        failed.to_string(),
        "the authenticator refused: CTAP2_ERR_CREDENTIAL_EXCLUDED (0x19)"
    );
}

#[test]
fn an_empty_answer_is_the_phones_and_a_refused_one_the_browsers() {
    use hybridsim_webauthn::client::ClientError;
    assert_eq!(
        no_response_blame(&AnswerError::Empty),
        (Party::Phone, Layer::Ctap)
    );
    let refused = AnswerError::Rejected(ClientError::NoAttestedCredential);
    assert_eq!(
        no_response_blame(&refused),
        (Party::Desktop, Layer::Webauthn)
    );
}
