//! The browser's round trip through an authenticator as bytes: options JSON in, the CTAP
//! command out, the authenticator's `status ‖ CBOR` answer back into response JSON, or the
//! typed reason there is none ([`AnswerError`]). The CLI's `authenticator`, `ceremony --tunnel`
//! and standalone `desktop` drive [`Pending`]; the simulated world's ceremonies call
//! [`registration_json`] and [`authentication_json`].

use crate::client::{self, Caller, ClientError, PendingCreate, PendingGet};
use crate::json::{CreationOptionsJson, RequestOptionsJson};
use hybridsim_ctap::wire::WireError;
use hybridsim_ctap::{GetAssertionResponse, MakeCredentialResponse, StatusCode};

/// CTAP command byte of authenticatorMakeCredential.
const MAKE_CREDENTIAL: u8 = 0x01;
/// CTAP command byte of authenticatorGetAssertion.
const GET_ASSERTION: u8 = 0x02;

/// A request the browser made from options, waiting for the authenticator's answer.
#[derive(Debug, Clone)]
pub enum Pending {
    /// navigator.credentials.create()
    Create(PendingCreate),
    /// navigator.credentials.get()
    Get(PendingGet),
}

/// Why the authenticator's answer gave no response JSON: the one typed reason the simulated
/// world's ceremonies (`Outcome::response_error`), scenario expectations, the interop matrix
/// and the CLI share. `Display` is the text scenario files match with `response_error = "…"`;
/// [`AnswerError::kind`] is the name they match with `response_error = { kind = "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// The authenticator answered with an error status (a valid refusal, such as
    /// `CTAP2_ERR_CREDENTIAL_EXCLUDED` for a credential of the exclude list): kind `status`.
    #[error("the authenticator refused: {0}")]
    Refused(StatusCode),
    /// The answer was empty, not even a status byte: kind `empty`.
    #[error("the CTAP response is empty")]
    Empty,
    /// The CBOR after the `CTAP2_OK` status byte does not decode (map keys out of CTAP2
    /// canonical order, a missing field, a wrong type): kind `undecodable`.
    #[error("authenticator response: {0}")]
    Malformed(WireError),
    /// The answer decodes, but the browser's checks refuse it (authenticator data that does
    /// not parse, no attested credential, a public key that is no P-256 point): kind
    /// `browser-refused`.
    #[error("the browser refuses the authenticator's answer: {0}")]
    Rejected(ClientError),
}

impl AnswerError {
    /// Which of the four reasons this is, without its details.
    pub fn kind(&self) -> AnswerKind {
        match self {
            AnswerError::Refused(_) => AnswerKind::Status,
            AnswerError::Empty => AnswerKind::Empty,
            AnswerError::Malformed(_) => AnswerKind::Undecodable,
            AnswerError::Rejected(_) => AnswerKind::BrowserRefused,
        }
    }

    /// The authenticator's error status, for a refusal.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            AnswerError::Refused(status) => Some(*status),
            _ => None,
        }
    }
}

/// The kind of an [`AnswerError`], with the stable name reports and scenario files give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerKind {
    /// [`AnswerError::Refused`]: `status`.
    Status,
    /// [`AnswerError::Empty`]: `empty`.
    Empty,
    /// [`AnswerError::Malformed`]: `undecodable`.
    Undecodable,
    /// [`AnswerError::Rejected`]: `browser-refused`.
    BrowserRefused,
}

impl AnswerKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [AnswerKind] = &[
        AnswerKind::Status,
        AnswerKind::Empty,
        AnswerKind::Undecodable,
        AnswerKind::BrowserRefused,
    ];

    /// The kind's name: `status`, `empty`, `undecodable` or `browser-refused`.
    pub const fn name(self) -> &'static str {
        match self {
            AnswerKind::Status => "status",
            AnswerKind::Empty => "empty",
            AnswerKind::Undecodable => "undecodable",
            AnswerKind::BrowserRefused => "browser-refused",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<AnswerKind> {
        Self::ALL.iter().copied().find(|kind| kind.name() == name)
    }
}

impl std::fmt::Display for AnswerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The CBOR after a `CTAP2_OK` status byte, or why there is none.
fn success_body(reply: &[u8]) -> Result<&[u8], AnswerError> {
    match reply.split_first() {
        Some((0, body)) => Ok(body),
        Some((status, _)) => Err(AnswerError::Refused(StatusCode::from(*status))),
        None => Err(AnswerError::Empty),
    }
}

/// RegistrationResponseJSON from the authenticator's `status ‖ CBOR` reply to `pending`;
/// `transports` are what the authenticator's getInfo lists.
pub fn registration_json(
    pending: &PendingCreate,
    reply: &[u8],
    transports: &[String],
) -> Result<String, AnswerError> {
    let response =
        MakeCredentialResponse::decode(success_body(reply)?).map_err(AnswerError::Malformed)?;
    client::registration_response(pending, &response, transports)
        .map(|json| json.to_json())
        .map_err(AnswerError::Rejected)
}

/// AuthenticationResponseJSON from the authenticator's `status ‖ CBOR` reply to `pending`.
pub fn authentication_json(pending: &PendingGet, reply: &[u8]) -> Result<String, AnswerError> {
    let response =
        GetAssertionResponse::decode(success_body(reply)?).map_err(AnswerError::Malformed)?;
    client::authentication_response(pending, &response)
        .map(|json| json.to_json())
        .map_err(AnswerError::Rejected)
}

impl Pending {
    /// The makeCredential request a browser on `origin` makes from creation options.
    pub fn create(options: &CreationOptionsJson, origin: &str) -> Result<Pending, ClientError> {
        client::create(options, &Caller::new(origin)).map(Pending::Create)
    }

    /// The getAssertion request a browser on `origin` makes from request options.
    pub fn get(options: &RequestOptionsJson, origin: &str) -> Result<Pending, ClientError> {
        client::get(options, &Caller::new(origin)).map(Pending::Get)
    }

    /// The CTAP command byte and its CBOR parameters.
    pub fn ctap_request(&self) -> (u8, Vec<u8>) {
        match self {
            Pending::Create(p) => (MAKE_CREDENTIAL, p.request.encode()),
            Pending::Get(p) => (GET_ASSERTION, p.request.encode()),
        }
    }

    /// Turns the authenticator's `status ‖ CBOR` reply into RegistrationResponseJSON or
    /// AuthenticationResponseJSON; `transports` are what the authenticator's getInfo lists.
    pub fn response_json(
        &self,
        reply: &[u8],
        transports: &[String],
    ) -> Result<String, AnswerError> {
        match self {
            Pending::Create(pending) => registration_json(pending, reply, transports),
            Pending::Get(pending) => authentication_json(pending, reply),
        }
    }
}
