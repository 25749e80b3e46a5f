//! The browser's round trip: the CTAP command made from options, and what becomes of the
//! authenticator's answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hybridsim_ctap::status::Ctap2Code;
use hybridsim_ctap::{StatusCode, WireError};
use hybridsim_webauthn::browser::{AnswerError, AnswerKind, Pending};
use hybridsim_webauthn::client::ClientError;
use hybridsim_webauthn::json::{CreationOptionsJson, RequestOptionsJson};

const ORIGIN: &str = "https://login.example";

fn creation() -> Pending {
    let options = CreationOptionsJson::from_json(
        r#"{"rp": {"id": "login.example", "name": "Login"},
            "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
            "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}]}"#,
    )
    .unwrap();
    Pending::create(&options, ORIGIN).unwrap()
}

#[test]
fn commands_are_make_credential_and_get_assertion() {
    assert_eq!(creation().ctap_request().0, 0x01);
    let options =
        RequestOptionsJson::from_json(r#"{"challenge": "c2lnbi1pbg", "rpId": "login.example"}"#)
            .unwrap();
    assert_eq!(
        Pending::get(&options, ORIGIN).unwrap().ctap_request().0,
        0x02
    );
}

#[test]
fn refusals_empty_and_malformed_answers_are_told_apart() {
    let pending = creation();
    let refused = pending.response_json(&[0x27], &[]).unwrap_err();
    assert!(
        matches!(refused, AnswerError::Refused(status) if status == StatusCode::from(0x27)),
        "{refused}"
    );
    assert!(matches!(
        pending.response_json(&[], &[]),
        Err(AnswerError::Empty)
    ));
    assert!(matches!(
        pending.response_json(&[0x00, 0xff], &[]),
        Err(AnswerError::Malformed(_))
    ));
}

#[test]
fn an_origin_outside_the_rp_id_is_refused_before_any_command() {
    let options =
        RequestOptionsJson::from_json(r#"{"challenge": "c2lnbi1pbg", "rpId": "login.example"}"#)
            .unwrap();
    assert!(Pending::get(&options, "https://evil.example").is_err());
}

/// Scenario files match these texts (`response_error = "…"`) and these kind names
/// (`response_error = { kind = "…" }`): both are part of the format.
#[test]
fn each_reason_has_its_text_kind_and_status() {
    let excluded = StatusCode::Known(Ctap2Code::CredentialExcluded);
    let cases = [
        (
            AnswerError::Refused(excluded),
            "the authenticator refused: CTAP2_ERR_CREDENTIAL_EXCLUDED (0x19)",
            AnswerKind::Status,
            "status",
        ),
        (
            AnswerError::Empty,
            "the CTAP response is empty",
            AnswerKind::Empty,
            "empty",
        ),
        (
            AnswerError::Malformed(WireError::missing("makeCredential response 0x01 fmt")),
            "authenticator response: makeCredential response 0x01 fmt: missing",
            AnswerKind::Undecodable,
            "undecodable",
        ),
        (
            AnswerError::Rejected(ClientError::NoAttestedCredential),
            "the browser refuses the authenticator's answer: \
             authenticator response: authData has no attested credential data",
            AnswerKind::BrowserRefused,
            "browser-refused",
        ),
    ];
    for (error, text, kind, name) in cases {
        assert_eq!(error.to_string(), text);
        assert_eq!(error.kind(), kind);
        assert_eq!(kind.name(), name);
        assert_eq!(AnswerKind::from_name(name), Some(kind));
        let status = (kind == AnswerKind::Status).then_some(excluded);
        assert_eq!(error.status(), status, "{error}");
    }
    assert_eq!(AnswerKind::ALL.len(), 4);
    assert_eq!(AnswerKind::from_name("refused"), None);
}
