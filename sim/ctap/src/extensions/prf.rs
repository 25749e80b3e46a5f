//! The "prf" extension in the plaintext form hybrid phones accept from Chromium (WebAuthn L3
//! §10.1.4 carried over CTAP without hmac-secret's encryption; the tunnel is already
//! encrypted).
//!
//! - makeCredential input `"prf": {…}` → unsigned output `"prf": {"enabled": true}`. An `eval`
//!   at creation is not evaluated (no results at creation).
//! - getAssertion input `"prf": {"eval"?: {"first": bytes, "second"?: bytes},
//!   "evalByCredential"?: {credential ID (bytes): {"first", "second"?}}}` → unsigned output
//!   `"prf": {"results": {"first": bytes, "second"?: bytes}}`. An `evalByCredential` entry for
//!   the credential used takes precedence over `eval`; with neither, no output.
//!
//! Each result is HMAC-SHA-256(credRandom, SHA-256("WebAuthn PRF" ‖ 0x00 ‖ input)), with the
//! credential's credRandom for the UV state of the assertion (the same secret hmac-secret
//! uses, so PRF and hmac-secret agree for the same salt).

use super::ExtensionError;
use crate::pin_protocol::hmac_sha256;
use crate::wire::{self, text_map, WireError};
use hybridsim_proto::cbor::{self, Value};
use sha2::{Digest, Sha256};

const EXTENSION: &str = "prf";

/// One or two PRF inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrfValues {
    /// "first".
    pub first: Vec<u8>,
    /// "second".
    pub second: Option<Vec<u8>>,
}

/// A getAssertion "prf" input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrfInput {
    /// "eval".
    pub eval: Option<PrfValues>,
    /// "evalByCredential": (credential ID, inputs).
    pub eval_by_credential: Vec<(Vec<u8>, PrfValues)>,
}

fn wire_error(error: WireError) -> ExtensionError {
    ExtensionError::Wire {
        extension: "prf",
        error,
    }
}

impl PrfValues {
    /// Reads `{"first": bytes, "second"?: bytes}` at `field`.
    pub fn from_value(value: &Value, field: &str) -> Result<Self, WireError> {
        let map = wire::map(value, field)?;
        let first_field = format!("{field}.first");
        Ok(Self {
            first: wire::bytes(
                wire::required(cbor::map_get_text(map, "first"), &first_field)?,
                &first_field,
            )?,
            second: wire::optional(
                cbor::map_get_text(map, "second"),
                &format!("{field}.second"),
                wire::bytes,
            )?,
        })
    }

    /// The map `{"first", "second"?}`.
    pub fn to_value(&self) -> Value {
        let mut entries = vec![("first", Value::Bytes(self.first.clone()))];
        if let Some(second) = &self.second {
            entries.push(("second", Value::Bytes(second.clone())));
        }
        text_map(entries)
    }
}

impl PrfInput {
    /// Reads a getAssertion "prf" input.
    pub fn from_value(value: &Value) -> Result<Self, ExtensionError> {
        let field = "extensions.prf";
        let map = wire::map(value, field).map_err(wire_error)?;
        let eval = wire::optional(
            cbor::map_get_text(map, "eval"),
            &format!("{field}.eval"),
            PrfValues::from_value,
        )
        .map_err(wire_error)?;
        let by_field = format!("{field}.evalByCredential");
        let eval_by_credential = match cbor::map_get_text(map, "evalByCredential") {
            None => Vec::new(),
            Some(v) => {
                let Value::Map(entries) = wire::map(v, &by_field).map_err(wire_error)? else {
                    return Err(wire_error(WireError::wrong_type(&by_field, "a map", v)));
                };
                entries
                    .iter()
                    .map(|(k, v)| {
                        let id = wire::bytes(k, &format!("{by_field} key"))?;
                        Ok((id, PrfValues::from_value(v, &by_field)?))
                    })
                    .collect::<Result<_, WireError>>()
                    .map_err(wire_error)?
            }
        };
        Ok(Self {
            eval,
            eval_by_credential,
        })
    }

    /// The input map.
    pub fn to_value(&self) -> Value {
        let mut entries = Vec::new();
        if let Some(eval) = &self.eval {
            entries.push(("eval", eval.to_value()));
        }
        if !self.eval_by_credential.is_empty() {
            let map = self
                .eval_by_credential
                .iter()
                .map(|(id, values)| (Value::Bytes(id.clone()), values.to_value()))
                .collect();
            entries.push(("evalByCredential", Value::Map(map)));
        }
        text_map(entries)
    }

    /// The inputs that apply to `credential_id`.
    pub fn for_credential(&self, credential_id: &[u8]) -> Option<&PrfValues> {
        self.eval_by_credential
            .iter()
            .find(|(id, _)| id == credential_id)
            .map(|(_, values)| values)
            .or(self.eval.as_ref())
    }
}

/// The salt hmac-secret receives for a PRF input: SHA-256("WebAuthn PRF" ‖ 0x00 ‖ input).
pub fn salt(input: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"WebAuthn PRF\x00");
    hash.update(input);
    hash.finalize().into()
}

/// One PRF result.
pub fn evaluate(cred_random: &[u8; 32], input: &[u8]) -> [u8; 32] {
    hmac_sha256(cred_random, &[&salt(input)])
}

/// makeCredential: the unsigned output for a "prf" input (which must be a map).
pub fn make_credential_output(input: &Value) -> Result<Value, ExtensionError> {
    wire::map(input, "extensions.prf").map_err(wire_error)?;
    Ok(text_map([("enabled", Value::Bool(true))]))
}

/// getAssertion: the unsigned output, or `None` when no input applies to the credential.
pub fn get_assertion_output(
    input: &PrfInput,
    credential_id: &[u8],
    cred_random: &[u8; 32],
) -> Option<Value> {
    let values = input.for_credential(credential_id)?;
    let results = PrfValues {
        first: evaluate(cred_random, &values.first).to_vec(),
        second: values
            .second
            .as_ref()
            .map(|s| evaluate(cred_random, s).to_vec()),
    };
    Some(text_map([("results", results.to_value())]))
}

/// Reads `{"results": {"first", "second"?}}` from an unsigned output (for clients and tests).
pub fn results_from_output(output: &Value) -> Result<PrfValues, WireError> {
    let field = format!("{EXTENSION} output");
    let map = wire::map(output, &field)?;
    let results_field = format!("{field}.results");
    PrfValues::from_value(
        wire::required(cbor::map_get_text(map, "results"), &results_field)?,
        &results_field,
    )
}
