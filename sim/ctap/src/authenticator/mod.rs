//! The simulated authenticator: a profile, a credential store, a seeded random stream and a
//! scripted user, answering CTAP commands byte for byte.
//!
//! [`Authenticator::handle`] takes a command byte and its CBOR parameters and returns
//! `status ‖ CBOR` exactly as a phone puts it in a hybrid CTAP response (docs/protocol.md §7.5);
//! [`Authenticator::handle_traced`] also returns the reason of a refusal. Rust callers can use
//! the typed methods ([`make_credential`](Authenticator::make_credential),
//! [`get_assertion`](Authenticator::get_assertion), [`get_info`](Authenticator::get_info),
//! [`selection`](Authenticator::selection), [`client_pin`](Authenticator::client_pin)).
//!
//! | command | byte | notes |
//! |---|---|---|
//! | makeCredential | 0x01 | |
//! | getAssertion | 0x02 | account choice on the device; no getNextAssertion |
//! | getInfo | 0x04 | parameters refused with `CTAP1_ERR_INVALID_LENGTH` |
//! | clientPIN | 0x06 | getKeyAgreement only, when the profile lists PIN/UV auth protocols |
//! | selection | 0x0B | parameters refused with `CTAP1_ERR_INVALID_LENGTH` |
//! | anything else | | `CTAP1_ERR_INVALID_COMMAND` |
//!
//! Determinism: nothing reads a clock or global randomness. The same profile, seed, store,
//! user answers and command sequence give the same bytes (signatures use RFC 6979 nonces).
//!
//! Step numbers in comments follow the makeCredential and getAssertion algorithms as CTAP 2.1
//! numbers them (§6.1.2 and §6.2.2). Steps about PINs, pinUvAuthTokens, alwaysUv,
//! makeCredUvNotRqd and credProtect do not apply: no profile offers those features.

mod error;
mod get_assertion;
mod make_credential;

pub use error::{AuthenticatorError, Reason};

use crate::attestation::Attester;
use crate::client_pin::{self, ClientPinRequest, ClientPinResponse};
use crate::cose::{CoseKey, ALG_ECDH_ES_HKDF_256};
use crate::get_assertion::{self as ga, GetAssertionRequest};
use crate::get_info::{self as gi, GetInfoRequest, GetInfoResponse};
use crate::make_credential::{self as mc, MakeCredentialRequest};
use crate::profile::{Profile, SignCountPolicy, UvBehaviour};
use crate::selection::{self, SelectionRequest};
use crate::status::StatusCode;
use crate::store::CredentialStore;
use crate::user::{Purpose, ScriptedUser, UserDecisions, Verification};
use hybridsim_proto::cbor::{self, Strictness, Value};
use p256::SecretKey;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

/// A simulated CTAP2 authenticator. A clone is an independent phone in the same state (same
/// credentials, same position in the random stream).
#[derive(Debug, Clone)]
pub struct Authenticator<U: UserDecisions = ScriptedUser> {
    profile: Profile,
    attester: Attester,
    store: CredentialStore,
    rng: ChaCha20Rng,
    user: U,
    step: u64,
    key_agreement: Option<SecretKey>,
}

/// The bytes of one answer and, for a refusal, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// `status ‖ CBOR`, as on the wire.
    pub bytes: Vec<u8>,
    /// The refusal behind a non-zero status.
    pub error: Option<AuthenticatorError>,
}

impl Reply {
    /// The status byte.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_byte(self.bytes.first().copied().unwrap_or(0))
    }
}

impl<U: UserDecisions> Authenticator<U> {
    /// An authenticator with an empty store. `attester` comes from
    /// [`Profile::attester`]; `seed` seeds the ChaCha20 stream all key material is drawn from.
    pub fn new(profile: Profile, attester: Attester, seed: [u8; 32], user: U) -> Self {
        Self {
            profile,
            attester,
            store: CredentialStore::new(),
            rng: ChaCha20Rng::from_seed(seed),
            user,
            step: 0,
            key_agreement: None,
        }
    }

    /// Replaces the credential store (e.g. one saved from an earlier run). The command
    /// counter continues after the newest credential's `created_at_step`. Give a restored
    /// phone a seed of its own: the same seed replays the same random stream (new credential
    /// IDs are still kept distinct from stored ones).
    pub fn with_store(mut self, store: CredentialStore) -> Self {
        self.step = store
            .credentials
            .iter()
            .map(|c| c.created_at_step)
            .max()
            .unwrap_or(0)
            .max(self.step);
        self.store = store;
        self
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The credential store.
    pub fn store(&self) -> &CredentialStore {
        &self.store
    }

    /// The credential store, mutable (to plant or remove credentials in tests and scenarios).
    pub fn store_mut(&mut self) -> &mut CredentialStore {
        &mut self.store
    }

    /// The user.
    pub fn user(&self) -> &U {
        &self.user
    }

    /// The user, mutable (to script more answers).
    pub fn user_mut(&mut self) -> &mut U {
        &mut self.user
    }

    /// How many commands the typed methods have processed.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Answers one CTAP command: `status ‖ CBOR`, exactly as on the wire.
    pub fn handle(&mut self, command: u8, params: &[u8]) -> Vec<u8> {
        self.handle_traced(command, params).bytes
    }

    /// Answers one CTAP command and keeps the reason of a refusal.
    pub fn handle_traced(&mut self, command: u8, params: &[u8]) -> Reply {
        match self.dispatch(command, params) {
            Ok(body) => {
                let mut bytes = vec![StatusCode::OK.byte()];
                bytes.extend(body);
                Reply { bytes, error: None }
            }
            Err(error) => Reply {
                bytes: vec![error.status.byte()],
                error: Some(error),
            },
        }
    }

    fn dispatch(&mut self, command: u8, params: &[u8]) -> Result<Vec<u8>, AuthenticatorError> {
        let strictness = Strictness::from(self.profile.cbor_strictness);
        match command {
            mc::COMMAND => {
                let request = MakeCredentialRequest::decode_with(params, strictness)?;
                let response = self.make_credential(&request)?;
                Ok(self.encode_response(&response.to_value()))
            }
            ga::COMMAND => {
                let request = GetAssertionRequest::decode_with(params, strictness)?;
                let response = self.get_assertion(&request)?;
                Ok(self.encode_response(&response.to_value()))
            }
            gi::COMMAND => {
                GetInfoRequest::decode(params)?;
                Ok(self.get_info_bytes())
            }
            // Without PIN/UV auth protocols the command does not exist on this authenticator.
            client_pin::COMMAND if self.profile.get_info.pin_uv_auth_protocols.is_empty() => {
                Err(Reason::ClientPinUnavailable.into())
            }
            client_pin::COMMAND => {
                let request = ClientPinRequest::decode_with(params, strictness)?;
                let response = self.client_pin(&request)?;
                Ok(self.encode_response(&response.to_value()))
            }
            selection::COMMAND => {
                SelectionRequest::decode(params)?;
                self.selection()?;
                Ok(Vec::new())
            }
            other => Err(Reason::UnknownCommand(other).into()),
        }
    }

    /// authenticatorGetInfo: the profile's getInfo.
    pub fn get_info(&self) -> GetInfoResponse {
        self.profile.get_info_response()
    }

    /// The getInfo response CBOR as this authenticator sends it (what a hybrid phone puts in
    /// key 1 of its post-handshake message); non-canonical under the `non_canonical_responses`
    /// quirk.
    pub fn get_info_bytes(&self) -> Vec<u8> {
        let mut value = self.get_info().to_value();
        if self.profile.quirks.malformed_get_info {
            shorten_aaguid(&mut value);
        }
        self.encode_response(&value)
    }

    /// authenticatorSelection (CTAP 2.2 §6.9): a presence test.
    pub fn selection(&mut self) -> Result<(), AuthenticatorError> {
        self.step += 1;
        self.presence(Purpose::Selection, "")?;
        Ok(())
    }

    /// authenticatorClientPIN, getKeyAgreement only (CTAP 2.2 §6.5).
    pub fn client_pin(
        &mut self,
        request: &ClientPinRequest,
    ) -> Result<ClientPinResponse, AuthenticatorError> {
        self.step += 1;
        let supported = &self.profile.get_info.pin_uv_auth_protocols;
        if supported.is_empty() {
            return Err(Reason::ClientPinUnavailable.into());
        }
        if request.sub_command != client_pin::GET_KEY_AGREEMENT {
            return Err(Reason::UnsupportedSubcommand(request.sub_command).into());
        }
        let Some(protocol) = request.pin_uv_auth_protocol else {
            return Err(Reason::PinUvAuthProtocolMissing.into());
        };
        if !supported.contains(&u64::from(protocol)) {
            return Err(Reason::PinUvAuthProtocolUnsupported(protocol).into());
        }
        let public = self.key_agreement_key().public_key();
        Ok(ClientPinResponse {
            key_agreement: Some(CoseKey::from_public_key(&public, ALG_ECDH_ES_HKDF_256)),
            ..ClientPinResponse::default()
        })
    }

    /// The key-agreement key, drawn from the random stream the first time it is needed.
    fn key_agreement_key(&mut self) -> SecretKey {
        if let Some(key) = &self.key_agreement {
            return key.clone();
        }
        let key = SecretKey::random(&mut self.rng);
        self.key_agreement = Some(key.clone());
        key
    }

    /// Response CBOR: canonical, or in reverse canonical order under the
    /// `non_canonical_responses` quirk.
    fn encode_response(&self, value: &Value) -> Vec<u8> {
        if !self.profile.quirks.non_canonical_responses {
            return cbor::encode_canonical(value);
        }
        let mut reversed = value.clone();
        cbor::sort_canonical(&mut reversed);
        reverse_maps(&mut reversed);
        cbor::encode_as_is(&reversed)
    }

    /// SHA-256 of the RP ID, or of "https://" + RP ID under the `wrong_rp_id_hash` quirk.
    fn rp_id_hash(&self, rp_id: &str) -> [u8; 32] {
        let mut hash = Sha256::new();
        if self.profile.quirks.wrong_rp_id_hash {
            hash.update(b"https://");
        }
        hash.update(rp_id.as_bytes());
        hash.finalize().into()
    }

    /// Step 2 of both algorithms: a pinUvAuthParam needs a supported pinUvAuthProtocol.
    fn check_pin_uv_auth_protocol(
        &self,
        param: Option<&[u8]>,
        protocol: Option<u32>,
    ) -> Result<(), AuthenticatorError> {
        if param.is_none() {
            return Ok(());
        }
        let Some(protocol) = protocol else {
            return Err(Reason::PinUvAuthProtocolMissing.into());
        };
        if !self
            .profile
            .get_info
            .pin_uv_auth_protocols
            .contains(&u64::from(protocol))
        {
            return Err(Reason::PinUvAuthProtocolUnsupported(protocol).into());
        }
        Ok(())
    }

    fn uv_available(&self) -> bool {
        self.profile.uv != UvBehaviour::Never && self.profile.get_info.options.uv == Some(true)
    }

    /// Built-in user verification (step 11.2 / 6.2), when the request or the profile calls for
    /// it. `interactive` is false for a silent (up=false) getAssertion. Returns whether UV was
    /// performed.
    fn user_verification(
        &mut self,
        purpose: Purpose,
        rp_id: &str,
        requested: bool,
        interactive: bool,
    ) -> Result<bool, AuthenticatorError> {
        let run = match self.profile.uv {
            UvBehaviour::Always => requested || interactive,
            UvBehaviour::IfRequested => requested,
            UvBehaviour::Never => false,
        };
        if !run {
            return Ok(false);
        }
        match self.user.verify(purpose, rp_id) {
            Verification::Verified => Ok(true),
            Verification::Failed => Err(Reason::VerificationFailed(purpose).into()),
            Verification::Cancelled => Err(Reason::VerificationCancelled(purpose).into()),
        }
    }

    /// A user presence test; a refusal is `CTAP2_ERR_OPERATION_DENIED`.
    fn presence(&mut self, purpose: Purpose, rp_id: &str) -> Result<(), AuthenticatorError> {
        if self.user.presence(purpose, rp_id) {
            Ok(())
        } else {
            Err(Reason::PresenceDeclined(purpose).into())
        }
    }

    /// The counter for a signature by `credential_id`, advanced per the profile's policy.
    fn next_sign_count(&mut self, credential_id: &[u8], creating: bool) -> u32 {
        match self.profile.sign_count {
            SignCountPolicy::Zero => 0,
            SignCountPolicy::PerCredentialIncrementing if creating => 0,
            SignCountPolicy::PerCredentialIncrementing => match self.store.get_mut(credential_id) {
                Some(credential) => {
                    credential.sign_count = credential.sign_count.wrapping_add(1);
                    credential.sign_count
                }
                None => 0,
            },
            SignCountPolicy::GlobalIncrementing => {
                self.store.global_sign_count = self.store.global_sign_count.wrapping_add(1);
                self.store.global_sign_count
            }
        }
    }
}

fn reverse_maps(value: &mut Value) {
    match value {
        Value::Map(entries) => {
            entries.reverse();
            for (k, v) in entries.iter_mut() {
                reverse_maps(k);
                reverse_maps(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(reverse_maps),
        Value::Tag(_, inner) => reverse_maps(inner),
        _ => {}
    }
}

#[cfg(test)]
mod tests;

/// The `malformed_get_info` quirk: drops the last byte of the getInfo AAGUID (key 3).
fn shorten_aaguid(get_info: &mut Value) {
    if let Value::Map(entries) = get_info {
        for (key, value) in entries.iter_mut() {
            if key.as_integer() == Some(3.into()) {
                if let Value::Bytes(bytes) = value {
                    bytes.pop();
                }
            }
        }
    }
}
