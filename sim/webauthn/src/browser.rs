//! The browser's round trip through an authenticator as bytes: options JSON in, the CTAP
//! command out, the authenticator's `status ‖ CBOR` answer back into response JSON. The CLI's
//! `authenticator`, `ceremony --tunnel` and standalone `desktop` all drive this one value.

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

/// Why the authenticator's answer gave no response JSON.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// The authenticator answered with an error status (a valid refusal).
    #[error("the authenticator refused: {0}")]
    Refused(StatusCode),
    /// The answer was empty.
    #[error("the authenticator answered nothing")]
    Empty,
    /// The CBOR after the status byte does not decode.
    #[error("authenticator response: {0}")]
    Malformed(WireError),
    /// The answer decodes, but the browser's checks refuse it.
    #[error("the browser refuses the authenticator's answer: {0}")]
    Rejected(ClientError),
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
        let body = match reply.split_first() {
            Some((0, body)) => body,
            Some((status, _)) => return Err(AnswerError::Refused(StatusCode::from(*status))),
            None => return Err(AnswerError::Empty),
        };
        match self {
            Pending::Create(pending) => {
                let response =
                    MakeCredentialResponse::decode(body).map_err(AnswerError::Malformed)?;
                client::registration_response(pending, &response, transports)
                    .map(|json| json.to_json())
                    .map_err(AnswerError::Rejected)
            }
            Pending::Get(pending) => {
                let response =
                    GetAssertionResponse::decode(body).map_err(AnswerError::Malformed)?;
                client::authentication_response(pending, &response)
                    .map(|json| json.to_json())
                    .map_err(AnswerError::Rejected)
            }
        }
    }
}
