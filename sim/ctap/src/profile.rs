//! Authenticator profiles: what a simulated phone says about itself and how it behaves, read
//! from TOML (`fixtures/profiles/*.toml`).
//!
//! A profile is data only. [`Profile::from_toml_str`] parses and checks it (errors carry the
//! line and column); [`Profile::attester`] loads its attestation material through a callback
//! that returns PEM text for a file name (relative to `fixtures/attestation/`), so this crate
//! never touches the file system.
//!
//! Two AAGUIDs are kept apart on purpose: `aaguid` goes into the attested credential data of
//! new credentials, `get_info.aaguid` is what getInfo reports. Hybrid phones differ there:
//! Chromium's phone reports 16 zero bytes in getInfo (docs/protocol.md §7.4) while the passkeys it
//! creates in Google Password Manager name GPM's AAGUID.

use crate::attestation::{AttestationIdentity, Attester, IdentityError};
use crate::auth_data::Flags;
use crate::cose::ALG_ES256;
use crate::entities::PubKeyCredParam;
use crate::get_info::GetInfoResponse;
use hybridsim_proto::cbor::Strictness;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

pub mod hybrid;
pub mod text;

pub use hybrid::{HybridProfile, HybridProfileError};
pub use text::ProfileText;

/// CTAP extension identifiers this crate implements on the authenticator side.
pub const IMPLEMENTED_EXTENSIONS: &[&str] = &["hmac-secret", "prf"];

/// A simulated authenticator's identity and behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short identifier, e.g. "google-password-manager".
    pub name: String,
    /// What the profile stands for and where its values come from.
    pub description: String,
    /// AAGUID written into the attested credential data of new credentials
    /// ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx").
    #[serde(with = "aaguid_text")]
    pub aaguid: [u8; 16],
    /// Attestation statement format of new credentials.
    pub attestation: AttestationKind,
    /// For "packed-x5c": the certificate file (PEM), relative to `fixtures/attestation/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation_cert: Option<String>,
    /// For "packed-x5c": the PKCS#8 private key file (PEM), relative to `fixtures/attestation/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation_key: Option<String>,
    /// Whether credentials may leave the device (BE) and are backed up (BS).
    pub backup: BackupPolicy,
    /// How the signature counter moves.
    pub sign_count: SignCountPolicy,
    /// When built-in user verification runs.
    pub uv: UvBehaviour,
    /// How strictly request CBOR is read (real phones differ; canonical is what CTAP asks).
    #[serde(default)]
    pub cbor_strictness: CborStrictness,
    /// COSE algorithms accepted for new credentials, in preference order. Only ES256 (-7) is
    /// implemented.
    #[serde(
        default = "default_algorithms",
        deserialize_with = "supported_algorithms"
    )]
    pub algorithms: Vec<i64>,
    /// Store every new credential as discoverable whatever "rk" says (phones' passkey providers
    /// do: a passkey is always discoverable). Needs `get_info.options.rk = true`.
    #[serde(default)]
    pub always_discoverable: bool,
    /// Length of new credential IDs in bytes, 16 to 1023.
    #[serde(
        default = "default_credential_id_length",
        deserialize_with = "credential_id_length"
    )]
    pub credential_id_length: u16,
    /// Most discoverable credentials the store holds; the next one is refused with
    /// `CTAP2_ERR_KEY_STORE_FULL`. No limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_discoverable_credentials: Option<u32>,
    /// Transports listed in the credential descriptor of getAssertion responses (key 1); the
    /// Chromium phone sends `["internal", "cable"]` (docs/protocol.md §7.5). None: no transports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertion_transports: Option<Vec<String>>,
    /// What getInfo reports.
    pub get_info: GetInfoProfile,
    /// Deliberate deviations from the spec that real authenticators or platforms show.
    #[serde(default)]
    pub quirks: Quirks,
    /// How the phone's hybrid stack behaves on the wire ([`hybrid`]); Chromium's Android
    /// phone when absent.
    #[serde(default)]
    pub hybrid: HybridProfile,
}

/// The getInfo response a profile produces; only what is set here is encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetInfoProfile {
    /// Key 0x01 versions, e.g. `["FIDO_2_0", "FIDO_2_1"]`.
    pub versions: Vec<String>,
    /// Key 0x02 extensions; omitted when empty. Each must be implemented (see
    /// [`IMPLEMENTED_EXTENSIONS`]) or listed in `quirks.advertised_but_ignored_extensions`.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Key 0x03 aaguid; the profile's `aaguid` when absent.
    #[serde(
        default,
        with = "aaguid_text_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub aaguid: Option<[u8; 16]>,
    /// Key 0x04 options; omitted when none is set.
    #[serde(default)]
    pub options: GetInfoOptions,
    /// Key 0x05 maxMsgSize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_msg_size: Option<u64>,
    /// Key 0x06 pinUvAuthProtocols (1 and/or 2); omitted when empty. Setting it enables
    /// clientPin getKeyAgreement, which hmac-secret needs.
    #[serde(default)]
    pub pin_uv_auth_protocols: Vec<u64>,
    /// Key 0x09 transports, in this order; omitted when empty.
    #[serde(default)]
    pub transports: Vec<String>,
    /// Write key 0x0A algorithms (the profile's `algorithms`).
    #[serde(default)]
    pub advertise_algorithms: bool,
    /// Key 0x0E firmwareVersion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<u64>,
}

/// getInfo options the simulator can honour. Absent means "not reported".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetInfoOptions {
    /// "plat": a platform authenticator (not removable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plat: Option<bool>,
    /// "rk": can create discoverable credentials; without it rk=true is
    /// `CTAP2_ERR_UNSUPPORTED_OPTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rk: Option<bool>,
    /// "up": can test user presence (CTAP's default is true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// "uv": built-in user verification is available and configured; without it uv=true is
    /// `CTAP2_ERR_INVALID_OPTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uv: Option<bool>,
}

/// Attestation statement format of new credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttestationKind {
    /// fmt "none", empty statement (passkey providers: GPM, iCloud Keychain).
    None,
    /// fmt "packed", signed by the credential key itself, no certificate.
    PackedSelf,
    /// fmt "packed", signed by the attestation key, x5c = [the certificate].
    PackedX5c,
}

/// Backup eligibility and state of new credentials (BE / BS flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackupPolicy {
    /// BE=0 BS=0: the private key never leaves the device (security keys, Microsoft
    /// Authenticator's device-bound passkeys).
    DeviceBound,
    /// BE=1 BS=0: may be synced, not backed up yet (sync switched off).
    EligibleNotSynced,
    /// BE=1 BS=1: synced passkeys (GPM, iCloud Keychain).
    Synced,
}

impl BackupPolicy {
    /// (BE, BS) for this policy.
    pub fn flags(self) -> Flags {
        match self {
            Self::DeviceBound => Flags::empty(),
            Self::EligibleNotSynced => Flags::BE,
            Self::Synced => Flags::BE | Flags::BS,
        }
    }
}

/// How the signature counter moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignCountPolicy {
    /// Always 0 (synced passkeys cannot keep a counter consistent across devices).
    Zero,
    /// Each credential counts its own assertions: 0 at creation, then 1, 2, …
    PerCredentialIncrementing,
    /// One counter for the whole authenticator, incremented by every makeCredential and
    /// getAssertion.
    GlobalIncrementing,
}

/// When built-in user verification runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UvBehaviour {
    /// On every request that involves the user (phones: biometrics or screen lock every time).
    Always,
    /// Only when the request sets uv=true.
    IfRequested,
    /// Never; uv=true is refused with `CTAP2_ERR_INVALID_OPTION`.
    Never,
}

/// How strictly request CBOR is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CborStrictness {
    /// CTAP2 canonical CBOR only; anything else is `CTAP2_ERR_INVALID_CBOR`.
    #[default]
    Canonical,
    /// Any well-formed CBOR, any key order.
    WellFormed,
}

impl From<CborStrictness> for Strictness {
    fn from(s: CborStrictness) -> Self {
        match s {
            CborStrictness::Canonical => Strictness::Canonical,
            CborStrictness::WellFormed => Strictness::WellFormed,
        }
    }
}

/// Deliberate deviations, each standing for a behaviour seen in real authenticators or
/// platforms, so that tests can check how the other side copes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Quirks {
    /// Response maps go out in reverse canonical key order (`cbor::encode_as_is`). Stands for
    /// CBOR writers that keep insertion order, the bug class libwebauthn fixed in its own
    /// requests for Android (docs/protocol.md §10 item 2, libwebauthn issue #95): a strict reader
    /// must refuse such a response with "keys out of order".
    pub non_canonical_responses: bool,
    /// authData carries SHA-256("https://" + rpId) instead of SHA-256(rpId), and the signature
    /// covers it. Stands for authenticators that hash something other than the RP ID (as with
    /// the AppID extension, where rpIdHash is the hash of an AppID URL): the RP must refuse
    /// with an rpIdHash mismatch (the rpIdHash checks of WebAuthn L3 §7.1 and §7.2).
    pub wrong_rp_id_hash: bool,
    /// getAssertion with up=false is refused with `CTAP2_ERR_UNSUPPORTED_OPTION` instead of
    /// being answered silently: hybrid phones do not support silent pre-flight probing
    /// (docs/protocol.md §10 item 3; libwebauthn disables pre-flight for hybrid).
    pub refuse_silent_assertion: bool,
    /// The user entity of getAssertion responses has `name` and `displayName` as empty strings:
    /// Chromium's phone does this because Android's API does not return them (docs/protocol.md
    /// §7.5).
    pub empty_user_names_in_assertion: bool,
    /// Extensions advertised in getInfo that the simulator does not implement: their inputs are
    /// ignored and they produce no output (CTAP lets an authenticator ignore extensions). For
    /// reproducing captured getInfo bytes, such as the Android capture's "devicePubKey".
    pub advertised_but_ignored_extensions: Vec<String>,
    /// getInfo's AAGUID (key 3) is 15 bytes instead of 16, so the response does not parse as
    /// a getInfo. A deliberate fault for desktops that check the phone's getInfo (Chromium
    /// parses it and gives up on a malformed one); no phone is known to do this.
    pub malformed_get_info: bool,
}

/// Why a profile was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Not valid TOML, or a field is missing, unknown or of the wrong value (the message gives
    /// the line and column).
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// `uv` and `get_info.options.uv` disagree.
    #[error("uv = \"{behaviour}\" needs get_info.options.uv = {needed}")]
    UvMismatch {
        /// The behaviour.
        behaviour: String,
        /// What get_info.options.uv must be.
        needed: &'static str,
    },
    /// `always_discoverable` without the rk option.
    #[error("always_discoverable = true needs get_info.options.rk = true")]
    AlwaysDiscoverableWithoutRk,
    /// An advertised extension is neither implemented nor listed as ignored.
    #[error("get_info.extensions: \"{0}\" is not implemented (implemented: hmac-secret, prf); list it in quirks.advertised_but_ignored_extensions to advertise it anyway")]
    ExtensionNotImplemented(String),
    /// A PIN/UV auth protocol other than 1 or 2.
    #[error("get_info.pin_uv_auth_protocols: {0} is not a PIN/UV auth protocol (1 or 2)")]
    UnknownPinUvAuthProtocol(u64),
    /// hmac-secret advertised without a PIN/UV auth protocol to carry its key agreement.
    #[error("get_info.extensions has \"hmac-secret\", which needs get_info.pin_uv_auth_protocols")]
    HmacSecretWithoutPinUvAuthProtocol,
    /// packed-x5c without a certificate or key file.
    #[error("attestation = \"packed-x5c\" needs {0}")]
    MissingAttestationFile(&'static str),
    /// The `[hybrid]` table breaks a rule.
    #[error("{0}")]
    Hybrid(#[from] HybridProfileError),
    /// A certificate or key file for an attestation that uses none.
    #[error("{0} is only used with attestation = \"packed-x5c\"")]
    UnexpectedAttestationFile(&'static str),
    /// The callback had no text for an attestation file.
    #[error("attestation file {0} not found")]
    AttestationFileNotFound(String),
    /// The attestation files are not a matching PEM certificate and key.
    #[error("attestation files {cert} / {key}: {error}")]
    AttestationIdentity {
        /// Certificate file name.
        cert: String,
        /// Key file name.
        key: String,
        /// What is wrong.
        error: IdentityError,
    },
    /// The certificate names another AAGUID (or none) than the profile's `aaguid`.
    #[error("attestation certificate {cert} names AAGUID {found}, but the profile's aaguid is {expected}")]
    CertificateAaguid {
        /// Certificate file name.
        cert: String,
        /// The profile's AAGUID.
        expected: String,
        /// What the certificate names ("none" when it has no AAGUID extension).
        found: String,
    },
}

impl Profile {
    /// Parses and checks a profile.
    pub fn from_toml_str(text: &str) -> Result<Self, ProfileError> {
        let profile: Profile = toml::from_str(text)?;
        profile.validate()?;
        Ok(profile)
    }

    /// Checks the rules that span several fields.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let options = &self.get_info.options;
        match (self.uv, options.uv) {
            (UvBehaviour::Never, Some(true)) => {
                return Err(ProfileError::UvMismatch {
                    behaviour: "never".into(),
                    needed: "false or absent",
                })
            }
            (UvBehaviour::Always | UvBehaviour::IfRequested, uv) if uv != Some(true) => {
                return Err(ProfileError::UvMismatch {
                    behaviour: uv_name(self.uv).into(),
                    needed: "true",
                })
            }
            _ => {}
        }
        if self.always_discoverable && options.rk != Some(true) {
            return Err(ProfileError::AlwaysDiscoverableWithoutRk);
        }
        let ignored = &self.quirks.advertised_but_ignored_extensions;
        for extension in &self.get_info.extensions {
            if !IMPLEMENTED_EXTENSIONS.contains(&extension.as_str()) && !ignored.contains(extension)
            {
                return Err(ProfileError::ExtensionNotImplemented(extension.clone()));
            }
        }
        if let Some(p) = self
            .get_info
            .pin_uv_auth_protocols
            .iter()
            .find(|p| !(1..=2).contains(*p))
        {
            return Err(ProfileError::UnknownPinUvAuthProtocol(*p));
        }
        if self.advertises("hmac-secret") && self.get_info.pin_uv_auth_protocols.is_empty() {
            return Err(ProfileError::HmacSecretWithoutPinUvAuthProtocol);
        }
        self.hybrid.validate()?;
        self.validate_attestation_files()
    }

    fn validate_attestation_files(&self) -> Result<(), ProfileError> {
        let x5c = self.attestation == AttestationKind::PackedX5c;
        match (x5c, &self.attestation_cert, &self.attestation_key) {
            (true, None, _) => Err(ProfileError::MissingAttestationFile("attestation_cert")),
            (true, _, None) => Err(ProfileError::MissingAttestationFile("attestation_key")),
            (false, Some(_), _) => Err(ProfileError::UnexpectedAttestationFile("attestation_cert")),
            (false, _, Some(_)) => Err(ProfileError::UnexpectedAttestationFile("attestation_key")),
            _ => Ok(()),
        }
    }

    /// Whether getInfo advertises `extension` and the simulator implements it (advertised but
    /// ignored extensions are not processed).
    pub fn processes(&self, extension: &str) -> bool {
        self.advertises(extension) && IMPLEMENTED_EXTENSIONS.contains(&extension)
    }

    fn advertises(&self, extension: &str) -> bool {
        self.get_info.extensions.iter().any(|e| e == extension)
    }

    /// The attester for this profile. `read_pem` returns the text of a file of
    /// `fixtures/attestation/` by name (the caller does the I/O), or `None` if there is none.
    pub fn attester(
        &self,
        mut read_pem: impl FnMut(&str) -> Option<String>,
    ) -> Result<Attester, ProfileError> {
        self.validate_attestation_files()?;
        let (Some(cert), Some(key)) = (&self.attestation_cert, &self.attestation_key) else {
            return Ok(match self.attestation {
                AttestationKind::None => Attester::None,
                AttestationKind::PackedSelf | AttestationKind::PackedX5c => Attester::PackedSelf,
            });
        };
        let mut read = |name: &String| {
            read_pem(name).ok_or_else(|| ProfileError::AttestationFileNotFound(name.clone()))
        };
        let (cert_pem, key_pem) = (read(cert)?, read(key)?);
        let identity = AttestationIdentity::from_pem(&cert_pem, &key_pem).map_err(|error| {
            ProfileError::AttestationIdentity {
                cert: cert.clone(),
                key: key.clone(),
                error,
            }
        })?;
        let found = identity.certificate_aaguid();
        if found != Some(self.aaguid) {
            return Err(ProfileError::CertificateAaguid {
                cert: cert.clone(),
                expected: format_aaguid(&self.aaguid),
                found: found.map_or_else(|| "none".to_owned(), |a| format_aaguid(&a)),
            });
        }
        Ok(Attester::PackedX5c(identity))
    }

    /// The getInfo response this profile produces.
    pub fn get_info_response(&self) -> GetInfoResponse {
        let info = &self.get_info;
        let options: BTreeMap<String, bool> = [
            ("plat", info.options.plat),
            ("rk", info.options.rk),
            ("up", info.options.up),
            ("uv", info.options.uv),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|b| (k.to_owned(), b)))
        .collect();
        let non_empty = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        GetInfoResponse {
            versions: info.versions.clone(),
            extensions: non_empty(&info.extensions),
            aaguid: info.aaguid.unwrap_or(self.aaguid),
            options: (!options.is_empty()).then_some(options),
            max_msg_size: info.max_msg_size,
            pin_uv_auth_protocols: (!info.pin_uv_auth_protocols.is_empty())
                .then(|| info.pin_uv_auth_protocols.clone()),
            transports: non_empty(&info.transports),
            algorithms: info.advertise_algorithms.then(|| {
                self.algorithms
                    .iter()
                    .map(|alg| PubKeyCredParam::public_key(*alg))
                    .collect()
            }),
            firmware_version: info.firmware_version,
            ..GetInfoResponse::default()
        }
    }

    /// The BE/BS flags of new credentials.
    pub fn backup_flags(&self) -> Flags {
        self.backup.flags()
    }
}

fn uv_name(uv: UvBehaviour) -> &'static str {
    match uv {
        UvBehaviour::Always => "always",
        UvBehaviour::IfRequested => "if-requested",
        UvBehaviour::Never => "never",
    }
}

impl fmt::Display for UvBehaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(uv_name(*self))
    }
}

fn default_algorithms() -> Vec<i64> {
    vec![ALG_ES256]
}

fn default_credential_id_length() -> u16 {
    16
}

fn supported_algorithms<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    let algorithms = Vec::<i64>::deserialize(d)?;
    if algorithms.is_empty() {
        return Err(serde::de::Error::custom(
            "algorithms: at least one is needed (-7)",
        ));
    }
    if let Some(alg) = algorithms.iter().find(|a| **a != ALG_ES256) {
        return Err(serde::de::Error::custom(format!(
            "algorithm {alg} is not implemented; only ES256 (-7) is"
        )));
    }
    Ok(algorithms)
}

fn credential_id_length<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let len = u16::deserialize(d)?;
    if !(16..=1023).contains(&len) {
        return Err(serde::de::Error::custom(format!(
            "credential_id_length {len} is outside 16..=1023"
        )));
    }
    Ok(len)
}

/// Formats an AAGUID as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (lower-case hex).
pub fn format_aaguid(aaguid: &[u8; 16]) -> String {
    let hex = hex::encode(aaguid);
    let part = |a: usize, b: usize| hex.get(a..b).unwrap_or_default();
    format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    )
}

/// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either hex case).
pub fn parse_aaguid(text: &str) -> Result<[u8; 16], String> {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if lengths != [8, 4, 4, 4, 12] {
        return Err(format!(
            "AAGUID {text:?} is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
        ));
    }
    let bytes = hex::decode(groups.concat()).map_err(|e| format!("AAGUID {text:?}: {e}"))?;
    bytes
        .try_into()
        .map_err(|_| format!("AAGUID {text:?} is not 16 bytes"))
}

mod aaguid_text {
    use super::*;

    pub fn serialize<S: Serializer>(aaguid: &[u8; 16], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_aaguid(aaguid))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 16], D::Error> {
        let text = String::deserialize(d)?;
        parse_aaguid(&text).map_err(serde::de::Error::custom)
    }
}

mod aaguid_text_opt {
    use super::*;

    pub fn serialize<S: Serializer>(aaguid: &Option<[u8; 16]>, s: S) -> Result<S::Ok, S::Error> {
        match aaguid {
            Some(a) => s.serialize_str(&format_aaguid(a)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 16]>, D::Error> {
        let text = String::deserialize(d)?;
        parse_aaguid(&text)
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
