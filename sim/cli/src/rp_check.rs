//! `hybridsim rp check URL`: drives a relying party that serves the FIDO2 server conformance
//! API through full hybrid ceremonies (our desktop and phone over the simulated hybrid path,
//! `hybridsim_world::ceremony`) and reports each check as pass or fail.
//!
//! Checks, in order: creation options well formed; a registration whose clientDataJSON
//! names another origin refused; a genuine registration accepted; the same registration
//! replayed refused; request options well formed and allowing the new credential; an
//! assertion with a flipped signature bit refused; a genuine assertion accepted; the same
//! assertion replayed refused. Cookies the RP sets are sent back, so session-based RPs work.

// Reading a serde_json::Value by key gives Null for a missing member and never panics;
// members are only written through `pointer_mut`.
#![allow(clippy::indexing_slicing)]

use crate::args::RpCheck;
use crate::failure::{Failure, Outcome};
use crate::{builtin, http1};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hybridsim_junit::xml_escape;
use hybridsim_world::ceremony::{Ceremony, PhoneState};
use hybridsim_world::world::derive_seed;
use serde_json::{json, Value};
use std::time::Duration;

struct Check {
    name: &'static str,
    result: Result<String, String>,
}

struct Client {
    authority: String,
    cookies: Vec<String>,
    wait: Duration,
}

impl Client {
    fn post(&mut self, path: &str, body: &Value) -> Result<Value, String> {
        let (status, cookies, text) = http1::post(
            &self.authority,
            path,
            &body.to_string(),
            &self.cookies,
            self.wait,
        )?;
        for cookie in cookies {
            let name = cookie.split('=').next().unwrap_or_default().to_owned();
            self.cookies
                .retain(|c| c.split('=').next().unwrap_or_default() != name);
            self.cookies.push(cookie);
        }
        serde_json::from_str(&text)
            .map_err(|e| format!("{path}: HTTP {status}, body is not JSON ({e}): {text:.200}"))
    }
}

/// Runs every check against `args.url`.
pub fn check(args: &RpCheck) -> Outcome {
    let authority = args
        .url
        .strip_prefix("http://")
        .map(|rest| rest.trim_end_matches('/'))
        .filter(|a| !a.is_empty() && !a.contains('/'))
        .ok_or_else(|| Failure::bad_input(format!("{}: give http://HOST:PORT", args.url)))?;
    let profile = builtin::profile(&args.profile)
        .map(str::to_owned)
        .map_or_else(|| crate::browser::read(args.profile.as_ref()), Ok)?;
    let phone = PhoneState::from_profile(
        &profile,
        builtin::attestation_file,
        derive_seed(args.seed, b"rp check authenticator"),
    )
    .map_err(|e| Failure::bad_input(e.to_string()))?;
    let mut client = Client {
        authority: authority.to_owned(),
        cookies: Vec::new(),
        wait: Duration::from_secs(args.timeout.max(1)),
    };
    let checks = run_checks(&mut client, args, phone);
    let failed = checks.iter().filter(|c| c.result.is_err()).count();
    for check in &checks {
        match &check.result {
            Ok(detail) => say!("pass  {:<40} {detail}", check.name),
            Err(why) => say!("FAIL  {:<40} {why}", check.name),
        }
    }
    say!("{} passed, {failed} failed", checks.len() - failed);
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&checks))
            .map_err(|e| Failure::bad_input(format!("cannot write {}: {e}", path.display())))?;
    }
    if failed > 0 {
        return Err(Failure::no_match(format!(
            "{failed} of {} checks failed against {}",
            checks.len(),
            args.url
        )));
    }
    Ok(())
}

fn run_checks(client: &mut Client, args: &RpCheck, phone: PhoneState) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut record = |name, result| checks.push(Check { name, result });
    let username = args.username.as_str();
    let creation_request = json!({
        "username": username,
        "displayName": username,
        "authenticatorSelection": {"residentKey": "preferred", "userVerification": "preferred"},
        "attestation": "none"
    });

    // Registration: one options call for the tampered response, one for the genuine one.
    let options = client.post("/attestation/options", &creation_request);
    let options = match options.and_then(|o| creation_options_ok(&o).map(|()| o)) {
        Ok(o) => o,
        Err(why) => {
            record("attestation options well formed", Err(why));
            return checks;
        }
    };
    record(
        "attestation options well formed",
        Ok("challenge, rp, user, pubKeyCredParams".into()),
    );
    let origin = args
        .origin
        .clone()
        .unwrap_or_else(|| format!("https://{}", options["rp"]["id"].as_str().unwrap_or("")));
    let mut seed = args.seed;
    let (tampered, phone) = match register(&options, &origin, seed, phone) {
        Ok(done) => done,
        Err(why) => {
            record("registration ceremony", Err(why));
            return checks;
        }
    };
    let tampered = with_client_data(&tampered, |cd| {
        if let Some(members) = cd.as_object_mut() {
            members.insert("origin".to_owned(), json!("https://evil.example"));
        }
    });
    record(
        "registration from another origin refused",
        refused(client.post("/attestation/result", &tampered)),
    );
    seed += 1;
    let options = client.post("/attestation/options", &creation_request);
    let (registration, phone) = match options.and_then(|o| register(&o, &origin, seed, phone)) {
        Ok(done) => done,
        Err(why) => {
            record("registration accepted", Err(why));
            return checks;
        }
    };
    let verdict = accepted(client.post("/attestation/result", &registration));
    let registered = verdict.is_ok();
    record("registration accepted", verdict);
    record(
        "replayed registration refused",
        refused(client.post("/attestation/result", &registration)),
    );
    if !registered {
        return checks;
    }

    // Authentication, the same way.
    let credential_id = registration["rawId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let request = json!({"username": username, "userVerification": "preferred"});
    let options = match client
        .post("/assertion/options", &request)
        .and_then(|o| request_options_ok(&o, &credential_id).map(|()| o))
    {
        Ok(o) => o,
        Err(why) => {
            record("assertion options well formed", Err(why));
            return checks;
        }
    };
    record(
        "assertion options well formed",
        Ok("challenge, allowCredentials has the credential".into()),
    );
    seed += 1;
    let (assertion, phone) = match sign_in(&options, &origin, seed, phone) {
        Ok(done) => done,
        Err(why) => {
            record("assertion ceremony", Err(why));
            return checks;
        }
    };
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
    record(
        "assertion with a bad signature refused",
        refused(client.post("/assertion/result", &tampered)),
    );
    seed += 1;
    let options = client.post("/assertion/options", &request);
    let assertion = match options.and_then(|o| sign_in(&o, &origin, seed, phone)) {
        Ok((assertion, _)) => assertion,
        Err(why) => {
            record("assertion accepted", Err(why));
            return checks;
        }
    };
    record(
        "assertion accepted",
        accepted(client.post("/assertion/result", &assertion)),
    );
    record(
        "replayed assertion refused",
        refused(client.post("/assertion/result", &assertion)),
    );
    checks
}

fn status_of(answer: &Value) -> (&str, &str) {
    (
        answer["status"].as_str().unwrap_or("(no status)"),
        answer["errorMessage"].as_str().unwrap_or(""),
    )
}

fn accepted(answer: Result<Value, String>) -> Result<String, String> {
    let answer = answer?;
    match status_of(&answer) {
        ("ok", _) => Ok("status ok".into()),
        (status, why) => Err(format!("status {status}: {why}")),
    }
}

fn refused(answer: Result<Value, String>) -> Result<String, String> {
    let answer = answer?;
    match status_of(&answer) {
        ("failed", why) => Ok(format!("refused: {why}")),
        (status, _) => Err(format!("status {status}: the RP accepted it")),
    }
}

fn creation_options_ok(options: &Value) -> Result<(), String> {
    if status_of(options).0 != "ok" {
        return Err(format!(
            "status {}: {}",
            status_of(options).0,
            status_of(options).1
        ));
    }
    challenge_ok(options)?;
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

fn request_options_ok(options: &Value, credential_id: &str) -> Result<(), String> {
    if status_of(options).0 != "ok" {
        return Err(format!(
            "status {}: {}",
            status_of(options).0,
            status_of(options).1
        ));
    }
    challenge_ok(options)?;
    let allowed = options["allowCredentials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !allowed.is_empty() && !allowed.iter().any(|c| c["id"] == credential_id) {
        return Err("allowCredentials does not list the registered credential".into());
    }
    Ok(())
}

fn challenge_ok(options: &Value) -> Result<(), String> {
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

fn register(
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

fn sign_in(
    options: &Value,
    origin: &str,
    seed: u64,
    phone: PhoneState,
) -> Result<(Value, PhoneState), String> {
    if status_of(options).0 != "ok" {
        return Err(format!("options: status {}", status_of(options).0));
    }
    let outcome = Ceremony::new(seed)
        .phone(phone)
        .origin(origin)
        .sign_in(&options.to_string())
        .map_err(|e| e.to_string())?;
    finished(outcome)
}

fn finished(outcome: hybridsim_world::ceremony::Outcome) -> Result<(Value, PhoneState), String> {
    if let Some(failure) = outcome.first_failure() {
        return Err(format!("the {} failed: {}", failure.party, failure.error));
    }
    let json = outcome.response_json.ok_or_else(|| {
        outcome
            .response_error
            .unwrap_or_else(|| "no response".into())
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

/// The response with its clientDataJSON changed by `edit`.
fn with_client_data(response: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut response = response.clone();
    let encoded = response["response"]["clientDataJSON"]
        .as_str()
        .unwrap_or_default();
    let mut client_data: Value = URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    if client_data.is_object() {
        edit(&mut client_data);
    }
    if let Some(slot) = response.pointer_mut("/response/clientDataJSON") {
        *slot = json!(URL_SAFE_NO_PAD.encode(client_data.to_string()));
    }
    response
}

fn junit(checks: &[Check]) -> String {
    let failures = checks.iter().filter(|c| c.result.is_err()).count();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"hybridsim rp check\" tests=\"{}\" failures=\"{failures}\">\n",
        checks.len()
    );
    for check in checks {
        xml.push_str(&format!("  <testcase name=\"{}\"", xml_escape(check.name)));
        match &check.result {
            Ok(_) => xml.push_str("/>\n"),
            Err(why) => xml.push_str(&format!(
                ">\n    <failure message=\"{}\"/>\n  </testcase>\n",
                xml_escape(why)
            )),
        }
    }
    xml.push_str("</testsuite>\n");
    xml
}
