//! How `rp check` reads an RP's answers: accepted or refused in the conformance API's terms
//! (`status` and `errorMessage`), and whether options are well formed.

// Reading a serde_json::Value by key gives Null for a missing member and never panics.
#![allow(clippy::indexing_slicing)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

fn status_of(answer: &Value) -> (&str, &str) {
    (
        answer["status"].as_str().unwrap_or("(no status)"),
        answer["errorMessage"].as_str().unwrap_or(""),
    )
}

/// `Err` naming the status unless the answer says `ok`.
pub(crate) fn ok(answer: &Value) -> Result<(), String> {
    match status_of(answer) {
        ("ok", _) => Ok(()),
        (status, why) => Err(format!("status {status}: {why}")),
    }
}

/// The check passes if the RP accepted.
pub(crate) fn accepted(answer: Result<Value, String>) -> Result<String, String> {
    ok(&answer?).map(|()| "status ok".into())
}

/// The check passes if the RP refused.
pub(crate) fn refused(answer: Result<Value, String>) -> Result<String, String> {
    let answer = answer?;
    match status_of(&answer) {
        ("failed", why) => Ok(format!("refused: {why}")),
        (status, _) => Err(format!("status {status}: the RP accepted it")),
    }
}

/// Creation options: ok, a challenge of at least 16 bytes, rp.name, user.id, algorithms.
pub(crate) fn creation_options(options: &Value) -> Result<(), String> {
    ok(options)?;
    challenge(options)?;
    if options["rp"]["name"].as_str().is_none() {
        return Err("rp.name missing".into());
    }
    if options["user"]["id"].as_str().is_none_or(str::is_empty) {
        return Err("user.id missing".into());
    }
    if options["pubKeyCredParams"]
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        return Err("pubKeyCredParams missing or empty".into());
    }
    Ok(())
}

/// Request options: ok, a challenge, and `allowCredentials` (if any) listing `credential_id`.
pub(crate) fn request_options(options: &Value, credential_id: &str) -> Result<(), String> {
    ok(options)?;
    challenge(options)?;
    let allowed = options["allowCredentials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !allowed.is_empty() && !allowed.iter().any(|c| c["id"] == credential_id) {
        return Err("allowCredentials does not list the registered credential".into());
    }
    Ok(())
}

fn challenge(options: &Value) -> Result<(), String> {
    let challenge = options["challenge"].as_str().ok_or("challenge missing")?;
    let bytes = URL_SAFE_NO_PAD
        .decode(challenge.trim_end_matches('='))
        .map_err(|e| format!("challenge is not base64url: {e}"))?;
    if bytes.len() < 16 {
        return Err(format!(
            "challenge is {} bytes; at least 16 are required",
            bytes.len()
        ));
    }
    Ok(())
}
