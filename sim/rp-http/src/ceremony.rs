//! The browser and phone side of `rp check`: full hybrid ceremonies in the simulated world
//! (`hybridsim_world::ceremony`) answering the options an RP issued, and the edits that make
//! a tampered copy of a response.

// Reading a serde_json::Value by key gives Null for a missing member and never panics;
// members are only written through `pointer_mut` and `as_object_mut`.
#![allow(clippy::indexing_slicing)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hybridsim_world::ceremony::{Ceremony, Outcome, PhoneState};
use serde_json::{json, Value};

/// Registers with the creation `options`, claiming `origin`; the response as the conformance
/// API wants it, and the phone with its new credential.
pub(crate) fn register(
    options: &Value,
    origin: &str,
    seed: u64,
    phone: PhoneState,
) -> Result<(Value, PhoneState), String> {
    let outcome = Ceremony::new(seed)
        .phone(phone)
        .origin(origin)
        .register(&options.to_string())
        .map_err(|e| e.to_string())?;
    finished(outcome)
}

/// Signs in with the request `options`, claiming `origin`.
pub(crate) fn sign_in(
    options: &Value,
    origin: &str,
    seed: u64,
    phone: PhoneState,
) -> Result<(Value, PhoneState), String> {
    let outcome = Ceremony::new(seed)
        .phone(phone)
        .origin(origin)
        .sign_in(&options.to_string())
        .map_err(|e| e.to_string())?;
    finished(outcome)
}

fn finished(outcome: Outcome) -> Result<(Value, PhoneState), String> {
    if let Some(failure) = outcome.first_failure() {
        return Err(format!("the {} failed: {}", failure.party, failure.error));
    }
    let json = outcome.response_json.ok_or_else(|| {
        outcome
            .response_error
            .map_or_else(|| "no response".to_owned(), |e| e.to_string())
    })?;
    let phone = outcome.phone_state.ok_or("the phone was lost")?;
    let mut value: Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    // The conformance API's name for the member (ServerPublicKeyCredential).
    let results = value["clientExtensionResults"].clone();
    if let Some(members) = value.as_object_mut() {
        members.insert("getClientExtensionResults".to_owned(), results);
    }
    Ok((value, phone))
}

/// The registration response claiming another origin in its clientDataJSON.
pub(crate) fn from_another_origin(response: &Value) -> Value {
    let mut response = response.clone();
    let encoded = response["response"]["clientDataJSON"]
        .as_str()
        .unwrap_or_default();
    let mut client_data: Value = URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    if let Some(members) = client_data.as_object_mut() {
        members.insert("origin".to_owned(), json!("https://evil.example"));
    }
    if let Some(slot) = response.pointer_mut("/response/clientDataJSON") {
        *slot = json!(URL_SAFE_NO_PAD.encode(client_data.to_string()));
    }
    response
}

/// The assertion with the last bit of its signature flipped.
pub(crate) fn with_bad_signature(assertion: &Value) -> Value {
    let mut tampered = assertion.clone();
    if let Some(signature) = assertion["response"]["signature"].as_str() {
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
        if let Some(last) = bytes.last_mut() {
            *last ^= 0x01;
        }
        if let Some(slot) = tampered.pointer_mut("/response/signature") {
            *slot = json!(URL_SAFE_NO_PAD.encode(bytes));
        }
    }
    tampered
}
