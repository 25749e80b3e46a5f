//! The browser's part of a command, on files: the options file read and turned into the
//! CTAP request, the authenticator's answer into response JSON
//! (`hybridsim_webauthn::browser`), failures into exit codes. Shared by `authenticator`,
//! `ceremony --tunnel` and `desktop`.

use crate::failure::Failure;
use hybridsim_webauthn::browser::{self, AnswerError};
use hybridsim_webauthn::json::{CreationOptionsJson, RequestOptionsJson};
use std::path::Path;

/// A request the browser made from options, waiting for the authenticator's answer.
pub struct Pending(browser::Pending);

impl Pending {
    /// Reads creation options from `path` and makes the makeCredential request.
    pub fn create(path: &Path, origin: &str) -> Result<Pending, Failure> {
        let options = crate::input::parsed(path, CreationOptionsJson::from_json)?;
        browser::Pending::create(&options, origin)
            .map(Pending)
            .map_err(refuses_options)
    }

    /// Reads request options from `path` and makes the getAssertion request.
    pub fn get(path: &Path, origin: &str) -> Result<Pending, Failure> {
        let options = crate::input::parsed(path, RequestOptionsJson::from_json)?;
        browser::Pending::get(&options, origin)
            .map(Pending)
            .map_err(refuses_options)
    }

    /// The CTAP command byte and its CBOR parameters.
    pub fn ctap_request(&self) -> (u8, Vec<u8>) {
        self.0.ctap_request()
    }

    /// The response JSON for the authenticator's reply; a refusal by the authenticator is
    /// exit 1 with its status name, anything else unusable exit 2.
    pub fn response_json(&self, reply: &[u8], transports: &[String]) -> Result<String, Failure> {
        self.0
            .response_json(reply, transports)
            .map_err(|e| match e {
                AnswerError::Refused(_) => Failure::no_match(e.to_string()),
                _ => Failure::bad_input(e.to_string()),
            })
    }
}

fn refuses_options(error: impl std::fmt::Display) -> Failure {
    Failure::bad_input(format!("the browser refuses these options: {error}"))
}
