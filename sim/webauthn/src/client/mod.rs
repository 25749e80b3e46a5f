//! The WebAuthn client: what a browser does between the page's `navigator.credentials` call
//! and a hybrid authenticator (WebAuthn L3 §5.1.3 `[[Create]]`, §5.1.4 `[[Get]]`).
//!
//! ```text
//! create(options, caller)                         -> PendingCreate { clientDataJSON, makeCredential request }
//! registration_response(pending, ctap response)   -> RegistrationResponseJson
//! get(options, caller)                            -> PendingGet { clientDataJSON, getAssertion request }
//! authentication_response(pending, ctap response) -> AuthenticationResponseJson
//! ```
//!
//! Choices made as Chromium makes them for a hybrid (phone) authenticator, whose getInfo
//! advertises `uv` and `rk`:
//!
//! - **userVerification**: `"required"` and `"preferred"` (and absent) send option `uv: true`
//!   (the phone verifies the user with its screen lock); `"discouraged"` sends no `uv`.
//! - **residentKey**: `"required"` and `"preferred"` send `rk: true`; `"discouraged"` sends
//!   none. Absent `residentKey` falls back to `requireResidentKey` (Level 1).
//! - **pubKeyCredParams**: carried in order, entries whose type is not "public-key" dropped; an
//!   empty list means ES256 and RS256 (§5.1.3 step 10).
//! - **attestation**: `"none"`, absent or unknown replaces the statement with `none` (fmt
//!   "none", empty attStmt; authenticator data kept as is, AAGUID included); `"indirect"`,
//!   `"direct"` and `"enterprise"` pass the authenticator's statement through.
//! - **extensions**: `credProps` (client-computed: `rk` is reported only when `rk: true` was
//!   sent, since CTAP then guarantees it, and left out otherwise); `prf` (sent as the plaintext
//!   hybrid "prf" extension with the raw inputs, which the phone hashes with the
//!   "WebAuthn PRF" prefix; outputs from the unsigned extension outputs); `hmacCreateSecret`
//!   (→ "hmac-secret": true, output from authenticator data); `credentialProtectionPolicy`
//!   (→ "credProtect" 1–3). Others are ignored, as browsers ignore extensions they do not know.
//! - **transports** in the response: sorted and deduplicated, as `getTransports()` requires.
//! - **authenticatorAttachment**: "cross-platform" (hybrid authenticators are roaming).
//! - **authenticator data** is read strictly (canonical CBOR), as Chromium's reader does.

mod origin;

pub use origin::{check_rp_id, effective_domain, Origin};

use crate::b64::{self, Base64Url};
use crate::client_data::{client_data_hash, CollectedClientData, TYPE_CREATE, TYPE_GET};
use crate::crypto::{self, ES256};
use crate::json::{
    AssertionResponseJson, AttestationResponseJson, AuthenticationResponseJson,
    CreationOptionsJson, RegistrationResponseJson, RequestOptionsJson, PUBLIC_KEY,
};
use hybridsim_ctap::attestation::{AttestationObject, FMT_NONE};
use hybridsim_ctap::auth_data::{AuthDataError, AuthenticatorData};
use hybridsim_ctap::entities::{CredentialDescriptor, PubKeyCredParam, RpEntity, UserEntity};
use hybridsim_ctap::get_assertion::{GetAssertionRequest, GetAssertionResponse};
use hybridsim_ctap::make_credential::{MakeCredentialRequest, MakeCredentialResponse};
use hybridsim_ctap::wire::Options;
use hybridsim_proto::cbor::{self, Value as Cbor};
use serde_json::{json, Map, Value};

/// COSE algorithm identifier of RS256, which browsers add when pubKeyCredParams is empty.
pub const RS256: i64 = -257;

/// Why the client refused to start a ceremony or to turn an authenticator's answer into JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The caller's origin is not a serialised tuple origin.
    #[error("origin {origin:?} is malformed: {reason}")]
    MalformedOrigin {
        /// The origin.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// The origin is neither HTTPS nor HTTP on localhost (not a secure context).
    #[error(
        "origin {origin} is not HTTPS (nor http://localhost): WebAuthn needs a secure context"
    )]
    InsecureOrigin {
        /// The origin.
        origin: String,
    },
    /// The origin's host is an IP address; WebAuthn needs a domain.
    #[error("origin host {host} is an IP address, not a domain")]
    OriginHostNotADomain {
        /// The host.
        host: String,
    },
    /// The RP ID is neither the origin's host nor a registrable suffix of it.
    #[error("RP ID {rp_id:?} is not {host} nor a registrable domain suffix of it")]
    RpIdNotRegistrableSuffix {
        /// The RP ID.
        rp_id: String,
        /// The origin's host.
        host: String,
    },
    /// The RP ID is a public suffix (a single label such as `com`).
    #[error("RP ID {rp_id:?} is a public suffix")]
    RpIdIsPublicSuffix {
        /// The RP ID.
        rp_id: String,
    },
    /// `user.id` is not 1–64 bytes (§5.4.3).
    #[error("user.id is {len} bytes; it must be 1 to 64")]
    UserIdLength {
        /// Its length.
        len: usize,
    },
    /// No `pubKeyCredParams` entry has type "public-key" (§5.1.3 step 10: NotSupportedError).
    #[error("pubKeyCredParams has no entry of type \"public-key\"")]
    NoPublicKeyParameters,
    /// An extension input the client acts on is malformed.
    #[error("extensions.{extension}: {reason}")]
    MalformedExtension {
        /// The extension.
        extension: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The authenticator data in the authenticator's response cannot be decoded.
    #[error("authenticator response: authData: {0}")]
    AuthenticatorData(AuthDataError),
    /// A makeCredential response without attested credential data.
    #[error("authenticator response: authData has no attested credential data")]
    NoAttestedCredential,
    /// A getAssertion response without a credential, while the allow list did not have
    /// exactly one entry (CTAP 2.2 §6.2: only then may the authenticator omit it).
    #[error("authenticator response: no credential id, and the allow list did not have exactly one entry")]
    NoCredentialId,
    /// The credential public key cannot be written as SubjectPublicKeyInfo.
    #[error("authenticator response: the credential public key is not a P-256 point")]
    PublicKey,
}

/// The page that calls the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's origin (`https://login.example`).
    pub origin: String,
    /// The top-level origin when the caller is a cross-origin iframe; `None` when it is the
    /// top-level document (or same-origin with it).
    pub top_origin: Option<String>,
}

impl Caller {
    /// A top-level page at `origin`.
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            top_origin: None,
        }
    }

    /// A cross-origin iframe at `origin` inside a page at `top_origin`.
    pub fn embedded(origin: &str, top_origin: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            top_origin: Some(top_origin.to_owned()),
        }
    }

    fn client_data(&self, type_: &str, challenge: &[u8]) -> CollectedClientData {
        let mut data = CollectedClientData::new(type_, challenge, &self.origin);
        if let Some(top) = &self.top_origin {
            data.cross_origin = Some(true);
            data.top_origin = Some(top.clone());
        }
        data
    }
}

/// Which client extensions were asked for, to build `clientExtensionResults`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestedExtensions {
    /// `credProps`.
    pub cred_props: bool,
    /// `prf`.
    pub prf: bool,
    /// `hmacCreateSecret`.
    pub hmac_create_secret: bool,
}

/// A `create()` in progress: the bytes the browser made and the request for the authenticator.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingCreate {
    /// `clientDataJSON`, exactly as it will be returned.
    pub client_data_json: Vec<u8>,
    /// The authenticatorMakeCredential request.
    pub request: MakeCredentialRequest,
    /// The RP ID in use.
    pub rp_id: String,
    /// Whether the statement is replaced by `none` (attestation "none").
    pub strip_attestation: bool,
    /// Client extensions asked for.
    pub extensions: RequestedExtensions,
}

/// A `get()` in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingGet {
    /// `clientDataJSON`, exactly as it will be returned.
    pub client_data_json: Vec<u8>,
    /// The authenticatorGetAssertion request.
    pub request: GetAssertionRequest,
    /// The RP ID in use.
    pub rp_id: String,
    /// Client extensions asked for.
    pub extensions: RequestedExtensions,
}

fn wants_uv(user_verification: Option<&str>) -> Option<bool> {
    (user_verification != Some("discouraged")).then_some(true)
}

fn rp_id_for(explicit: Option<&str>, caller: &Caller) -> Result<String, ClientError> {
    let rp_id = match explicit {
        Some(id) => id.to_owned(),
        None => effective_domain(&caller.origin)?,
    };
    check_rp_id(&caller.origin, &rp_id)?;
    Ok(rp_id)
}

/// What `navigator.credentials.create()` does before contacting the authenticator.
pub fn create(
    options: &CreationOptionsJson,
    caller: &Caller,
) -> Result<PendingCreate, ClientError> {
    let rp_id = rp_id_for(options.rp.id.as_deref(), caller)?;
    let user_id_len = options.user.id.as_slice().len();
    if !(1..=64).contains(&user_id_len) {
        return Err(ClientError::UserIdLength { len: user_id_len });
    }
    let pub_key_cred_params: Vec<PubKeyCredParam> = if options.pub_key_cred_params.is_empty() {
        [ES256, RS256]
            .into_iter()
            .map(PubKeyCredParam::public_key)
            .collect()
    } else {
        let params: Vec<_> = options
            .pub_key_cred_params
            .iter()
            .filter(|p| p.type_ == PUBLIC_KEY)
            .map(|p| PubKeyCredParam::public_key(p.alg))
            .collect();
        if params.is_empty() {
            return Err(ClientError::NoPublicKeyParameters);
        }
        params
    };
    let selection = options.authenticator_selection.clone().unwrap_or_default();
    let resident_key = selection.resident_key.as_deref().unwrap_or(
        if selection.require_resident_key == Some(true) {
            "required"
        } else {
            "discouraged"
        },
    );
    let rk = matches!(resident_key, "required" | "preferred");
    let (ctap_extensions, requested) = create_extensions(options.extensions.as_ref())?;
    let client_data_json = caller
        .client_data(TYPE_CREATE, options.challenge.as_slice())
        .to_json();
    let request = MakeCredentialRequest {
        client_data_hash: client_data_hash(&client_data_json).to_vec(),
        rp: RpEntity {
            id: rp_id.clone(),
            name: Some(options.rp.name.clone()),
        },
        user: UserEntity {
            id: options.user.id.as_slice().to_vec(),
            name: Some(options.user.name.clone()),
            display_name: Some(options.user.display_name.clone()),
        },
        pub_key_cred_params,
        exclude_list: descriptors(&options.exclude_credentials),
        extensions: ctap_extensions,
        options: Options {
            rk: rk.then_some(true),
            up: None,
            uv: wants_uv(selection.user_verification.as_deref()),
        },
        pin_uv_auth_param: None,
        pin_uv_auth_protocol: None,
        enterprise_attestation: None,
    };
    let strip_attestation = !matches!(
        options.attestation.as_deref(),
        Some("indirect" | "direct" | "enterprise")
    );
    Ok(PendingCreate {
        client_data_json,
        request,
        rp_id,
        strip_attestation,
        extensions: requested,
    })
}

/// What `navigator.credentials.get()` does before contacting the authenticator.
pub fn get(options: &RequestOptionsJson, caller: &Caller) -> Result<PendingGet, ClientError> {
    let rp_id = rp_id_for(options.rp_id.as_deref(), caller)?;
    let allow_ids: Vec<&[u8]> = options
        .allow_credentials
        .iter()
        .filter(|d| d.type_ == PUBLIC_KEY)
        .map(|d| d.id.as_slice())
        .collect();
    let (ctap_extensions, requested) = get_extensions(options.extensions.as_ref(), &allow_ids)?;
    let client_data_json = caller
        .client_data(TYPE_GET, options.challenge.as_slice())
        .to_json();
    let request = GetAssertionRequest {
        rp_id: rp_id.clone(),
        client_data_hash: client_data_hash(&client_data_json).to_vec(),
        allow_list: descriptors(&options.allow_credentials),
        extensions: ctap_extensions,
        options: Options {
            rk: None,
            up: None,
            uv: wants_uv(options.user_verification.as_deref()),
        },
        pin_uv_auth_param: None,
        pin_uv_auth_protocol: None,
    };
    Ok(PendingGet {
        client_data_json,
        request,
        rp_id,
        extensions: requested,
    })
}

fn descriptors(list: &[crate::json::CredentialDescriptor]) -> Option<Vec<CredentialDescriptor>> {
    let out: Vec<_> = list
        .iter()
        .filter(|d| d.type_ == PUBLIC_KEY)
        .map(|d| CredentialDescriptor {
            cred_type: PUBLIC_KEY.to_owned(),
            id: d.id.as_slice().to_vec(),
            transports: d.transports.clone(),
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

fn malformed(extension: &'static str, reason: impl Into<String>) -> ClientError {
    ClientError::MalformedExtension {
        extension,
        reason: reason.into(),
    }
}

fn text_map(entries: Vec<(&str, Cbor)>) -> Cbor {
    Cbor::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Cbor::Text(k.to_owned()), v))
            .collect(),
    )
}

/// `{"first": b64url, "second"?: b64url}` → CBOR `{"first": bytes, "second"?: bytes}`.
fn prf_values(value: &Value, at: &str) -> Result<Cbor, ClientError> {
    let bytes = |member: &str| -> Result<Option<Vec<u8>>, ClientError> {
        match value.get(member) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => b64::decode(text)
                .map(Some)
                .map_err(|_| malformed("prf", format!("{at}.{member} is not base64url"))),
            Some(_) => Err(malformed("prf", format!("{at}.{member} is not a string"))),
        }
    };
    if !value.is_object() {
        return Err(malformed("prf", format!("{at} is not an object")));
    }
    let first =
        bytes("first")?.ok_or_else(|| malformed("prf", format!("{at}.first is missing")))?;
    let mut entries = vec![("first", Cbor::Bytes(first))];
    if let Some(second) = bytes("second")? {
        entries.push(("second", Cbor::Bytes(second)));
    }
    Ok(text_map(entries))
}

/// The CTAP "prf" input for `prf: {eval?, evalByCredential?}` (§10.1.4 client processing).
fn prf_input(input: &Value, allow_ids: &[&[u8]]) -> Result<Cbor, ClientError> {
    if !input.is_object() {
        return Err(malformed("prf", "is not an object"));
    }
    let mut entries = Vec::new();
    if let Some(eval) = input.get("eval").filter(|v| !v.is_null()) {
        entries.push(("eval", prf_values(eval, "eval")?));
    }
    if let Some(by_credential) = input.get("evalByCredential").filter(|v| !v.is_null()) {
        let map = by_credential
            .as_object()
            .ok_or_else(|| malformed("prf", "evalByCredential is not an object"))?;
        if !map.is_empty() && allow_ids.is_empty() {
            return Err(malformed("prf", "evalByCredential needs allowCredentials"));
        }
        let mut pairs = Vec::new();
        for (id_text, values) in map {
            let id = b64::decode(id_text)
                .ok()
                .filter(|id| !id.is_empty())
                .ok_or_else(|| {
                    malformed(
                        "prf",
                        format!("evalByCredential key {id_text:?} is not base64url"),
                    )
                })?;
            if !allow_ids.contains(&id.as_slice()) {
                return Err(malformed(
                    "prf",
                    format!("evalByCredential key {id_text} is not in allowCredentials"),
                ));
            }
            pairs.push((Cbor::Bytes(id), prf_values(values, "evalByCredential[]")?));
        }
        if !pairs.is_empty() {
            entries.push(("evalByCredential", Cbor::Map(pairs)));
        }
    }
    Ok(text_map(entries))
}

fn create_extensions(
    inputs: Option<&Map<String, Value>>,
) -> Result<(Option<Cbor>, RequestedExtensions), ClientError> {
    let mut requested = RequestedExtensions::default();
    let mut ctap = Vec::new();
    let Some(inputs) = inputs else {
        return Ok((None, requested));
    };
    if inputs.get("credProps") == Some(&Value::Bool(true)) {
        requested.cred_props = true;
    }
    if let Some(prf) = inputs.get("prf").filter(|v| !v.is_null()) {
        requested.prf = true;
        ctap.push(("prf", prf_input(prf, &[])?));
    }
    if inputs.get("hmacCreateSecret") == Some(&Value::Bool(true)) {
        requested.hmac_create_secret = true;
        ctap.push(("hmac-secret", Cbor::Bool(true)));
    }
    if let Some(policy) = inputs.get("credentialProtectionPolicy") {
        let level = match policy.as_str() {
            Some("userVerificationOptional") => 1,
            Some("userVerificationOptionalWithCredentialIDList") => 2,
            Some("userVerificationRequired") => 3,
            _ => {
                return Err(malformed(
                    "credentialProtectionPolicy",
                    format!("{policy} is not a credential protection policy"),
                ))
            }
        };
        ctap.push(("credProtect", Cbor::from(level)));
    }
    let map = (!ctap.is_empty()).then(|| text_map(ctap));
    Ok((map, requested))
}

fn get_extensions(
    inputs: Option<&Map<String, Value>>,
    allow_ids: &[&[u8]],
) -> Result<(Option<Cbor>, RequestedExtensions), ClientError> {
    let mut requested = RequestedExtensions::default();
    let Some(prf) = inputs.and_then(|i| i.get("prf")).filter(|v| !v.is_null()) else {
        return Ok((None, requested));
    };
    requested.prf = true;
    let map = text_map(vec![("prf", prf_input(prf, allow_ids)?)]);
    Ok((Some(map), requested))
}

/// A CBOR `{"first": bytes, "second"?: bytes}` as JSON with base64url strings.
fn prf_results_json(results: &Cbor) -> Option<Value> {
    let bytes = |member| match cbor::map_get_text(results, member) {
        Some(Cbor::Bytes(b)) => Some(b64::encode(b)),
        _ => None,
    };
    let mut out = Map::new();
    out.insert("first".into(), Value::String(bytes("first")?));
    if let Some(second) = bytes("second") {
        out.insert("second".into(), Value::String(second));
    }
    Some(Value::Object(out))
}

fn unsigned_prf(outputs: Option<&Cbor>) -> Option<&Cbor> {
    outputs.and_then(|o| cbor::map_get_text(o, "prf"))
}

/// Turns the authenticator's makeCredential response into `RegistrationResponseJSON`, as
/// `PublicKeyCredential.toJSON()` would. `transports` is what the client reports for the
/// authenticator (for a phone over hybrid: `["hybrid", "internal"]`).
pub fn registration_response(
    pending: &PendingCreate,
    response: &MakeCredentialResponse,
    transports: &[String],
) -> Result<RegistrationResponseJson, ClientError> {
    let auth_data_bytes = response.attestation.auth_data.clone();
    let auth_data =
        AuthenticatorData::decode(&auth_data_bytes).map_err(ClientError::AuthenticatorData)?;
    let attested = auth_data
        .attested
        .as_ref()
        .ok_or(ClientError::NoAttestedCredential)?;
    let attestation = if pending.strip_attestation {
        AttestationObject {
            fmt: FMT_NONE.to_owned(),
            auth_data: auth_data_bytes.clone(),
            att_stmt: Cbor::Map(Vec::new()),
        }
    } else {
        response.attestation.clone()
    };
    let public_key = crypto::spki_from_sec1(&attested.public_key.to_sec1_uncompressed())
        .map_err(|_| ClientError::PublicKey)?;
    let mut transports = transports.to_vec();
    transports.sort();
    transports.dedup();

    let mut results = Map::new();
    if pending.extensions.cred_props {
        let rk = pending.request.options.rk == Some(true);
        let props = if rk { json!({ "rk": true }) } else { json!({}) };
        results.insert("credProps".into(), props);
    }
    if pending.extensions.prf {
        let output = unsigned_prf(response.unsigned_extension_outputs.as_ref());
        let enabled = output
            .and_then(|o| cbor::map_get_text(o, "enabled"))
            .is_some_and(|e| *e == Cbor::Bool(true));
        let mut prf = Map::new();
        prf.insert("enabled".into(), Value::Bool(enabled));
        if let Some(results_json) = output
            .and_then(|o| cbor::map_get_text(o, "results"))
            .and_then(prf_results_json)
        {
            prf.insert("results".into(), results_json);
        }
        results.insert("prf".into(), Value::Object(prf));
    }
    if pending.extensions.hmac_create_secret {
        if let Some(Cbor::Bool(created)) = auth_data.extension("hmac-secret") {
            results.insert("hmacCreateSecret".into(), Value::Bool(*created));
        }
    }

    let id = attested.credential_id.clone();
    Ok(RegistrationResponseJson {
        id: b64::encode(&id),
        raw_id: Base64Url(id),
        response: AttestationResponseJson {
            client_data_json: Base64Url(pending.client_data_json.clone()),
            authenticator_data: Some(Base64Url(auth_data_bytes)),
            transports,
            public_key: Some(Base64Url(public_key)),
            public_key_algorithm: Some(attested.public_key.alg),
            attestation_object: Base64Url(attestation.to_webauthn_bytes()),
        },
        authenticator_attachment: Some("cross-platform".to_owned()),
        client_extension_results: results,
        type_: PUBLIC_KEY.to_owned(),
    })
}

/// Turns the authenticator's getAssertion response into `AuthenticationResponseJSON`.
pub fn authentication_response(
    pending: &PendingGet,
    response: &GetAssertionResponse,
) -> Result<AuthenticationResponseJson, ClientError> {
    let id = match (&response.credential, pending.request.allow_list.as_deref()) {
        (Some(credential), _) => credential.id.clone(),
        (None, Some([only])) => only.id.clone(),
        (None, _) => return Err(ClientError::NoCredentialId),
    };
    let mut results = Map::new();
    if pending.extensions.prf {
        let mut prf = Map::new();
        if let Some(results_json) = unsigned_prf(response.unsigned_extension_outputs.as_ref())
            .and_then(|o| cbor::map_get_text(o, "results"))
            .and_then(prf_results_json)
        {
            prf.insert("results".into(), results_json);
        }
        results.insert("prf".into(), Value::Object(prf));
    }
    Ok(AuthenticationResponseJson {
        id: b64::encode(&id),
        raw_id: Base64Url(id),
        response: AssertionResponseJson {
            client_data_json: Base64Url(pending.client_data_json.clone()),
            authenticator_data: Base64Url(response.auth_data.clone()),
            signature: Base64Url(response.signature.clone()),
            user_handle: response.user.as_ref().map(|u| Base64Url(u.id.clone())),
        },
        authenticator_attachment: Some("cross-platform".to_owned()),
        client_extension_results: results,
        type_: PUBLIC_KEY.to_owned(),
    })
}

#[cfg(test)]
mod tests;
