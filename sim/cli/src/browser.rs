//! The browser's part of a command: options JSON in, a CTAP request out, and the
//! authenticator's answer back into response JSON. Shared by `authenticator` (the request
//! goes straight to the authenticator) and `ceremony --tunnel` (it goes over hybrid).

use crate::failure::Failure;
use hybridsim_ctap::{GetAssertionResponse, MakeCredentialResponse, StatusCode};
use hybridsim_webauthn::client::{self, Caller, PendingCreate, PendingGet};
use hybridsim_webauthn::json::{CreationOptionsJson, RequestOptionsJson};
use std::path::Path;

/// Reads a file the user named, as text (bounded, regular files only).
pub fn read(path: &Path) -> Result<String, Failure> {
    crate::input::read_text(path)
}

/// A request the browser made from options, waiting for the authenticator's answer.
pub enum Pending {
    /// navigator.credentials.create()
    Create(PendingCreate),
    /// navigator.credentials.get()
    Get(PendingGet),
}

impl Pending {
    /// Reads creation options from `path` and makes the makeCredential request.
    pub fn create(path: &Path, origin: &str) -> Result<Pending, Failure> {
        let options = CreationOptionsJson::from_json(&read(path)?)
            .map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))?;
        client::create(&options, &Caller::new(origin))
            .map(Pending::Create)
            .map_err(refuses_options)
    }

    /// Reads request options from `path` and makes the getAssertion request.
    pub fn get(path: &Path, origin: &str) -> Result<Pending, Failure> {
        let options = RequestOptionsJson::from_json(&read(path)?)
            .map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))?;
        client::get(&options, &Caller::new(origin))
            .map(Pending::Get)
            .map_err(refuses_options)
    }

    /// The CTAP command byte and its CBOR parameters.
    pub fn ctap_request(&self) -> (u8, Vec<u8>) {
        match self {
            Pending::Create(p) => (0x01, p.request.encode()),
            Pending::Get(p) => (0x02, p.request.encode()),
        }
    }

    /// Turns the authenticator's `status ‖ CBOR` reply into RegistrationResponseJSON or
    /// AuthenticationResponseJSON; `transports` are what the authenticator's getInfo lists.
    pub fn response_json(&self, reply: &[u8], transports: &[String]) -> Result<String, Failure> {
        let body = success_body(reply)?;
        let malformed = |e: String| Failure::bad_input(format!("authenticator response: {e}"));
        let refused = |e: String| {
            Failure::bad_input(format!(
                "the browser refuses the authenticator's answer: {e}"
            ))
        };
        match self {
            Pending::Create(pending) => {
                let response =
                    MakeCredentialResponse::decode(body).map_err(|e| malformed(e.to_string()))?;
                client::registration_response(pending, &response, transports)
                    .map(|json| json.to_json())
                    .map_err(|e| refused(e.to_string()))
            }
            Pending::Get(pending) => {
                let response =
                    GetAssertionResponse::decode(body).map_err(|e| malformed(e.to_string()))?;
                client::authentication_response(pending, &response)
                    .map(|json| json.to_json())
                    .map_err(|e| refused(e.to_string()))
            }
        }
    }
}

fn refuses_options(error: impl std::fmt::Display) -> Failure {
    Failure::bad_input(format!("the browser refuses these options: {error}"))
}

/// Splits `status ‖ CBOR`; a refusal by the authenticator is exit 1 with its status name.
fn success_body(reply: &[u8]) -> Result<&[u8], Failure> {
    match reply.split_first() {
        Some((0, body)) => Ok(body),
        Some((status, _)) => Err(Failure::no_match(format!(
            "the authenticator refused: {}",
            StatusCode::from(*status)
        ))),
        None => Err(Failure::bad_input("the authenticator answered nothing")),
    }
}
