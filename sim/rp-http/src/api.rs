//! The four endpoints of the FIDO2 server conformance API (FIDO Alliance "FIDO2: Server
//! Requirements and Transport Binding Profile") over the strict relying party of
//! `hybridsim-webauthn`: `POST /attestation/options`, `/attestation/result`,
//! `/assertion/options`, `/assertion/result`, each answering `{"status": "ok"|"failed",
//! "errorMessage": …}` (with the options' members beside them).
//!
//! A result is matched to its options by the challenge in its `clientDataJSON`, so no cookie
//! is needed; each challenge is good for one result (a replay is refused). No sockets here:
//! the server module hands each request body in with the time, and sends the answer back.

// Reading a serde_json::Value by key gives Null for a missing member and never panics.
#![allow(clippy::indexing_slicing)]

use crate::limits::Limits;
use crate::store::{KeepError, Pending, Store};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::{AuthenticationResponseJson, RegistrationResponseJson, UserEntity};
use hybridsim_webauthn::rp::{
    AttestationConveyance, AuthenticationRequest, KeyRestrictions, RegistrationRequest,
    RelyingParty, ResidentKey, UserVerification,
};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Who the relying party is: its RP ID, the origins it accepts, the attestation roots it
/// trusts (DER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpIdentity {
    /// The RP ID.
    pub rp_id: String,
    /// Origins a `clientDataJSON` may name.
    pub origins: Vec<String>,
    /// Roots an x5c attestation chain must lead to (DER certificates).
    pub trusted_roots: Vec<Vec<u8>>,
    /// AAGUID allow-list and enforced attestation; a refusal comes back in `errorMessage`.
    pub key_restrictions: KeyRestrictions,
}

/// One answer: the HTTP status and the JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// 200 for `status: ok`; 400, 404, 405, 413, 503 otherwise.
    pub status: u16,
    /// The JSON body, in the API's terms.
    pub body: Value,
}

impl Answer {
    /// `{"status": "failed", "errorMessage": why}` with `status`.
    pub fn failed(status: u16, why: &str) -> Answer {
        Answer {
            status,
            body: json!({"status": "failed", "errorMessage": why}),
        }
    }

    fn ok(members: Value) -> Answer {
        let mut body = json!({"status": "ok", "errorMessage": ""});
        if let (Some(out), Value::Object(members)) = (body.as_object_mut(), members) {
            out.extend(members);
        }
        Answer { status: 200, body }
    }
}

/// The conformance API's state: the RP, its store and its randomness.
#[derive(Debug)]
pub struct Api {
    identity: RpIdentity,
    max_name: usize,
    store: Mutex<Store>,
    rng: Mutex<ChaCha20Rng>,
}

impl Api {
    /// An API with an empty store; `seed` feeds user handles and challenges (the server
    /// draws it from the operating system; tests fix it).
    pub fn new(identity: RpIdentity, limits: &Limits, seed: [u8; 32]) -> Api {
        Api {
            identity,
            max_name: limits.max_name,
            store: Mutex::new(Store::new(limits)),
            rng: Mutex::new(ChaCha20Rng::from_seed(seed)),
        }
    }

    /// Answers a POST of `body` to `path` at `now` (monotonic, for challenge lifetimes) and
    /// `unix_now` (seconds, for certificate validity).
    pub fn post(&self, path: &str, body: &[u8], now: Duration, unix_now: u64) -> Answer {
        let body = match serde_json::from_slice::<Value>(body) {
            Ok(body) => body,
            Err(e) => return Answer::failed(400, &format!("body is not JSON: {e}")),
        };
        let result = match path {
            "/attestation/options" => self.attestation_options(&body, now),
            "/attestation/result" => self.attestation_result(&body, now, unix_now),
            "/assertion/options" => self.assertion_options(&body, now),
            "/assertion/result" => self.assertion_result(&body, now),
            _ => return Answer::failed(404, &format!("no endpoint {path}")),
        };
        result.unwrap_or_else(|(status, why)| Answer::failed(status, &why))
    }

    /// Challenges waiting for a result, and registered users (for tests and logs).
    pub fn sizes(&self) -> (usize, usize) {
        let store = self.store();
        (store.challenges(), store.users())
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // Nothing panics while holding the lock; if something did, the maps are still whole.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn random<const N: usize>(&self) -> [u8; N] {
        let mut bytes = [0u8; N];
        self.rng
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .fill_bytes(&mut bytes);
        bytes
    }

    fn relying_party(&self, uv: UserVerification) -> RelyingParty {
        let id = &self.identity;
        let origins: Vec<&str> = id.origins.iter().map(String::as_str).collect();
        let mut rp = RelyingParty::new(&id.rp_id, &id.rp_id, &origins);
        rp.trusted_roots.clone_from(&id.trusted_roots);
        rp.key_restrictions.clone_from(&id.key_restrictions);
        rp.user_verification = uv;
        rp
    }

    fn name(&self, body: &Value, key: &str) -> Result<Option<String>, Failed> {
        match body[key].as_str() {
            Some(name) if name.len() > self.max_name => Err((
                400,
                format!(
                    "{key}: {} bytes, longer than the {} allowed",
                    name.len(),
                    self.max_name
                ),
            )),
            Some(name) if !name.is_empty() => Ok(Some(name.to_owned())),
            _ => Ok(None),
        }
    }

    fn username(&self, body: &Value) -> Result<String, Failed> {
        self.name(body, "username")?
            .ok_or_else(|| (400, "username: a non-empty string is required".to_owned()))
    }

    fn attestation_options(&self, body: &Value, now: Duration) -> Result<Answer, Failed> {
        let username = self.username(body)?;
        let display_name = self.name(body, "displayName")?.unwrap_or(username.clone());
        let selection = &body["authenticatorSelection"];
        let uv = UserVerification::from_option(selection["userVerification"].as_str());
        let mut rp = self.relying_party(uv);
        rp.attestation = conveyance(body["attestation"].as_str());
        let (user, existing) = match self.store().user(&username) {
            Some(user) => (user.entity.clone(), user.credentials.clone()),
            None => (
                UserEntity {
                    id: Base64Url(self.random::<16>().to_vec()),
                    name: username.clone(),
                    display_name,
                },
                Vec::new(),
            ),
        };
        let mut request = RegistrationRequest::excluding(&existing);
        request.resident_key = resident_key(selection);
        request.authenticator_attachment = selection["authenticatorAttachment"]
            .as_str()
            .map(str::to_owned);
        let (options, state) = rp.start_registration(user, self.random::<32>(), &request);
        let challenge = URL_SAFE_NO_PAD.encode(&state.challenge.0);
        self.store()
            .issue(challenge, Pending::Registration { state, uv }, now);
        Ok(Answer::ok(options.to_json_value()))
    }

    fn attestation_result(
        &self,
        body: &Value,
        now: Duration,
        unix_now: u64,
    ) -> Result<Answer, Failed> {
        let response = RegistrationResponseJson::from_json(&body.to_string())
            .map_err(|e| (400, e.to_string()))?;
        let challenge = challenge_of(&response.response.client_data_json.0)?;
        let (state, uv) = self
            .store()
            .redeem_registration(&challenge, now)
            .map_err(|e| (400, format!("challenge {} {e}", shorten(&challenge))))?;
        let credential = self
            .relying_party(uv)
            .finish_registration(&state, &response, unix_now)
            .map_err(|e| (400, format!("registration rejected: {e}")))?;
        let name = state.user.name.clone();
        self.store()
            .keep(&name, state.user, credential)
            .map_err(|e| match e {
                KeepError::TooManyUsers(_) => (503, e.to_string()),
                KeepError::TooManyCredentials(_) => (400, e.to_string()),
            })?;
        Ok(Answer::ok(json!({})))
    }

    fn assertion_options(&self, body: &Value, now: Duration) -> Result<Answer, Failed> {
        let username = self.username(body)?;
        let uv = UserVerification::from_option(body["userVerification"].as_str());
        let credentials = self
            .store()
            .user(&username)
            .map(|user| user.credentials.clone())
            .unwrap_or_default();
        if credentials.is_empty() {
            return Err((400, format!("user {username:?} has no credentials")));
        }
        let (options, state) = self.relying_party(uv).start_authentication(
            &credentials,
            self.random::<32>(),
            &AuthenticationRequest::default(),
        );
        let challenge = URL_SAFE_NO_PAD.encode(&state.challenge.0);
        let pending = Pending::Authentication {
            username,
            state,
            uv,
        };
        self.store().issue(challenge, pending, now);
        Ok(Answer::ok(options.to_json_value()))
    }

    fn assertion_result(&self, body: &Value, now: Duration) -> Result<Answer, Failed> {
        let response = AuthenticationResponseJson::from_json(&body.to_string())
            .map_err(|e| (400, e.to_string()))?;
        let challenge = challenge_of(&response.response.client_data_json.0)?;
        let mut store = self.store();
        let (username, state, uv) = store
            .redeem_authentication(&challenge, now)
            .map_err(|e| (400, format!("challenge {} {e}", shorten(&challenge))))?;
        let credential = store
            .credential_mut(&username, &response.raw_id.0)
            .ok_or_else(|| {
                let id = shorten(&response.id);
                (400, format!("credential {id} is not {username:?}'s"))
            })?;
        self.relying_party(uv)
            .finish_authentication(&state, &response, credential)
            .map_err(|e| (400, format!("authentication rejected: {e}")))?;
        Ok(Answer::ok(json!({})))
    }
}

/// A refusal: the HTTP status and the `errorMessage`.
type Failed = (u16, String);

fn conveyance(value: Option<&str>) -> AttestationConveyance {
    match value {
        Some("direct") => AttestationConveyance::Direct,
        Some("indirect") => AttestationConveyance::Indirect,
        Some("enterprise") => AttestationConveyance::Enterprise,
        _ => AttestationConveyance::None,
    }
}

fn resident_key(selection: &Value) -> ResidentKey {
    match (
        selection["residentKey"].as_str(),
        selection["requireResidentKey"].as_bool(),
    ) {
        (Some("required"), _) | (None, Some(true)) => ResidentKey::Required,
        (Some("preferred"), _) => ResidentKey::Preferred,
        _ => ResidentKey::Discouraged,
    }
}

/// Longest client-sent value echoed whole in an `errorMessage`.
const ECHO: usize = 64;

/// `value` as echoed in an error: whole if short, else its first characters and its length,
/// so a large value sent in does not come back as a large answer.
fn shorten(value: &str) -> String {
    if value.len() <= ECHO {
        return value.to_owned();
    }
    let head: String = value.chars().take(ECHO).collect();
    format!("{head}… ({} bytes)", value.len())
}

/// The challenge in a `clientDataJSON`, as the base64url text it carries.
fn challenge_of(client_data: &[u8]) -> Result<String, Failed> {
    let value: Value = serde_json::from_slice(client_data)
        .map_err(|e| (400, format!("clientDataJSON is not JSON: {e}")))?;
    value["challenge"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| (400, "clientDataJSON has no challenge".to_owned()))
}
