//! `hybridsim rp serve`: the strict relying party over HTTP, speaking the four endpoints of
//! the FIDO2 server conformance API (FIDO Alliance "FIDO2: Server Requirements and
//! Transport Binding Profile"): `POST /attestation/options`, `/attestation/result`,
//! `/assertion/options`, `/assertion/result`, each answering `{"status": "ok"|"failed",
//! "errorMessage": …}` (with the options' members beside them).
//!
//! A result is matched to its options by the challenge in its `clientDataJSON`, so no cookie
//! is needed; each challenge is good for one result (a replay is refused). Users and their
//! credentials live in memory for the life of the process.

// Reading a serde_json::Value by key gives Null for a missing member and never panics;
// members are only written through `pointer_mut`.
#![allow(clippy::indexing_slicing)]

use crate::args::RpServe;
use crate::browser::read;
use crate::failure::{Failure, Outcome};
use crate::http1;
use crate::rp::unix_now;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hybridsim_sockets::client::random_bytes;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::{AuthenticationResponseJson, RegistrationResponseJson, UserEntity};
use hybridsim_webauthn::rp::{
    AttestationConveyance, AuthenticationRequest, AuthenticationState, RegisteredCredential,
    RegistrationRequest, RegistrationState, RelyingParty, ResidentKey, UserVerification,
};
use hybridsim_webauthn::x509::pem_to_der;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long one client may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Store {
    /// username → (user entity, credentials).
    users: BTreeMap<String, (UserEntity, Vec<RegisteredCredential>)>,
    /// challenge (base64url) → (username, what the registration is checked against).
    registrations: BTreeMap<String, (String, RegistrationState, UserVerification)>,
    /// challenge → (username, what the assertion is checked against).
    authentications: BTreeMap<String, (String, AuthenticationState, UserVerification)>,
}

struct Server {
    rp_id: String,
    origins: Vec<String>,
    trusted_roots: Vec<Vec<u8>>,
    store: Mutex<Store>,
}

/// Serves until the process is stopped.
pub fn serve(args: &RpServe) -> Outcome {
    let mut trusted_roots = Vec::new();
    for path in &args.trust {
        trusted_roots.push(
            pem_to_der(&read(path)?)
                .map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))?,
        );
    }
    let listener = TcpListener::bind(args.listen)
        .map_err(|e| Failure::environment(format!("cannot listen on {}: {e}", args.listen)))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::environment(format!("no local address: {e}")))?;
    eprintln!(
        "hybridsim: relying party {} listening on http://{local} (FIDO2 conformance API); Ctrl-C to stop",
        args.rp_id
    );
    let server = Arc::new(Server {
        rp_id: args.rp_id.clone(),
        origins: args.origin.clone(),
        trusted_roots,
        store: Mutex::new(Store::default()),
    });
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let server = Arc::clone(&server);
        std::thread::spawn(move || server.connection(stream));
    }
    Ok(())
}

impl Server {
    fn connection(&self, mut stream: TcpStream) {
        let _ = stream.set_read_timeout(Some(REQUEST_TIMEOUT));
        let _ = stream.set_write_timeout(Some(REQUEST_TIMEOUT));
        let request = match http1::read(&mut stream, false) {
            Ok(request) => request,
            Err(why) => return http1::respond(&mut stream, 400, &failed(&why).to_string()),
        };
        let (status, body) = match (request.method.as_str(), request.path.as_str()) {
            ("POST", path) => match serde_json::from_slice::<Value>(&request.body) {
                Err(e) => (400, failed(&format!("body is not JSON: {e}"))),
                Ok(body) => match self.endpoint(path, &body) {
                    Some(Ok(value)) => (200, value),
                    Some(Err(why)) => (400, failed(&why)),
                    None => (404, failed(&format!("no endpoint {path}"))),
                },
            },
            (method, _) => (405, failed(&format!("{method}: only POST is served"))),
        };
        http1::respond(&mut stream, status, &body.to_string());
    }

    fn endpoint(&self, path: &str, body: &Value) -> Option<Result<Value, String>> {
        Some(match path {
            "/attestation/options" => self.attestation_options(body),
            "/attestation/result" => self.attestation_result(body),
            "/assertion/options" => self.assertion_options(body),
            "/assertion/result" => self.assertion_result(body),
            _ => return None,
        })
    }

    fn relying_party(&self, uv: UserVerification) -> RelyingParty {
        let origins: Vec<&str> = self.origins.iter().map(String::as_str).collect();
        let mut rp = RelyingParty::new(&self.rp_id, &self.rp_id, &origins);
        rp.trusted_roots.clone_from(&self.trusted_roots);
        rp.user_verification = uv;
        rp
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // A thread that panicked mid-request leaves the maps usable.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn attestation_options(&self, body: &Value) -> Result<Value, String> {
        let username = text(body, "username")?;
        let display_name = body["displayName"].as_str().unwrap_or(&username).to_owned();
        let selection = &body["authenticatorSelection"];
        let uv = UserVerification::from_option(selection["userVerification"].as_str());
        let resident_key = match (
            selection["residentKey"].as_str(),
            selection["requireResidentKey"].as_bool(),
        ) {
            (Some("required"), _) | (None, Some(true)) => ResidentKey::Required,
            (Some("preferred"), _) => ResidentKey::Preferred,
            _ => ResidentKey::Discouraged,
        };
        let mut rp = self.relying_party(uv);
        rp.attestation = match body["attestation"].as_str() {
            Some("direct") => AttestationConveyance::Direct,
            Some("indirect") => AttestationConveyance::Indirect,
            Some("enterprise") => AttestationConveyance::Enterprise,
            _ => AttestationConveyance::None,
        };
        let mut store = self.store();
        let (user, existing) = store
            .users
            .entry(username.clone())
            .or_insert_with(|| {
                let user = UserEntity {
                    id: Base64Url(random_bytes::<16>().to_vec()),
                    name: username.clone(),
                    display_name: display_name.clone(),
                };
                (user, Vec::new())
            })
            .clone();
        let mut request = RegistrationRequest::excluding(&existing);
        request.resident_key = resident_key;
        request.authenticator_attachment = selection["authenticatorAttachment"]
            .as_str()
            .map(str::to_owned);
        let (options, state) = rp.start_registration(user, random_bytes::<32>(), &request);
        let challenge = URL_SAFE_NO_PAD.encode(&state.challenge.0);
        store.registrations.insert(challenge, (username, state, uv));
        Ok(ok_with(options.to_json_value()))
    }

    fn attestation_result(&self, body: &Value) -> Result<Value, String> {
        let response =
            RegistrationResponseJson::from_json(&body.to_string()).map_err(|e| e.to_string())?;
        let challenge = challenge_of(&response.response.client_data_json.0)?;
        let (username, state, uv) = self
            .store()
            .registrations
            .remove(&challenge)
            .ok_or_else(|| format!("challenge {challenge} was not issued, or already used"))?;
        let credential = self
            .relying_party(uv)
            .finish_registration(&state, &response, unix_now())
            .map_err(|e| format!("registration rejected: {e}"))?;
        if let Some((_, credentials)) = self.store().users.get_mut(&username) {
            credentials.push(credential);
        }
        Ok(ok_with(json!({})))
    }

    fn assertion_options(&self, body: &Value) -> Result<Value, String> {
        let username = text(body, "username")?;
        let uv = UserVerification::from_option(body["userVerification"].as_str());
        let credentials = self
            .store()
            .users
            .get(&username)
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        if credentials.is_empty() {
            return Err(format!("user {username:?} has no credentials"));
        }
        let (options, state) = self.relying_party(uv).start_authentication(
            &credentials,
            random_bytes::<32>(),
            &AuthenticationRequest::default(),
        );
        let challenge = URL_SAFE_NO_PAD.encode(&state.challenge.0);
        self.store()
            .authentications
            .insert(challenge, (username, state, uv));
        Ok(ok_with(options.to_json_value()))
    }

    fn assertion_result(&self, body: &Value) -> Result<Value, String> {
        let response =
            AuthenticationResponseJson::from_json(&body.to_string()).map_err(|e| e.to_string())?;
        let challenge = challenge_of(&response.response.client_data_json.0)?;
        let mut store = self.store();
        let (username, state, uv) = store
            .authentications
            .remove(&challenge)
            .ok_or_else(|| format!("challenge {challenge} was not issued, or already used"))?;
        let credential = store
            .users
            .get_mut(&username)
            .and_then(|(_, credentials)| {
                credentials.iter_mut().find(|c| c.id.0 == response.raw_id.0)
            })
            .ok_or_else(|| format!("credential {} is not {username:?}'s", response.id))?;
        self.relying_party(uv)
            .finish_authentication(&state, &response, credential)
            .map_err(|e| format!("authentication rejected: {e}"))?;
        Ok(ok_with(json!({})))
    }
}

/// `{"status": "ok", "errorMessage": "", …members}`.
fn ok_with(members: Value) -> Value {
    let mut out = json!({"status": "ok", "errorMessage": ""});
    if let (Some(out), Value::Object(members)) = (out.as_object_mut(), members) {
        out.extend(members);
    }
    out
}

fn failed(why: &str) -> Value {
    json!({"status": "failed", "errorMessage": why})
}

fn text(body: &Value, key: &str) -> Result<String, String> {
    body[key]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| format!("{key}: a non-empty string is required"))
}

/// The challenge in a `clientDataJSON`, as the base64url text it carries.
fn challenge_of(client_data: &[u8]) -> Result<String, String> {
    let value: Value = serde_json::from_slice(client_data)
        .map_err(|e| format!("clientDataJSON is not JSON: {e}"))?;
    value["challenge"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "clientDataJSON has no challenge".to_owned())
}
