//! What a desktop does with the phone's getInfo from the post-handshake message.
//!
//! Chromium parses it (`ReadCTAPGetInfoResponse` in `fido_tunnel_device.cc`) and gives up on
//! a phone whose getInfo does not parse; libwebauthn and webauthn-rs only log what they
//! cannot use. The checks here are the CTAP 2.2 §6.4 shape (`hybridsim_ctap`'s getInfo
//! reader), in well-formed or canonical CBOR, and a CTAP2 version the desktop speaks.

use hybridsim_ctap::get_info::GetInfoResponse;
use hybridsim_proto::cbor::Strictness;

/// How the desktop checks the phone's getInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GetInfoValidation {
    /// Logged, never checked (libwebauthn, webauthn-rs; hybridsim's default desktop).
    #[default]
    None,
    /// Chromium's: the getInfo must parse (versions, 16-byte AAGUID, typed optional fields,
    /// any well-formed CBOR) and name a CTAP2 version.
    Chromium,
    /// Chromium's checks on CTAP2 canonical CBOR only.
    Strict,
}

/// CTAP2 versions a desktop speaks over hybrid.
const CTAP2_VERSIONS: &[&str] = &[
    "FIDO_2_0",
    "FIDO_2_1_PRE",
    "FIDO_2_1",
    "FIDO_2_2",
    "FIDO_2_3",
];

/// Why the phone's getInfo was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GetInfoProblem {
    /// It does not parse as a getInfo response (the reader's located reason).
    #[error("it does not parse ({0})")]
    Malformed(String),
    /// It names no CTAP2 version.
    #[error("versions {0:?} name no CTAP2 version")]
    NoCtap2Version(Vec<String>),
}

impl GetInfoValidation {
    /// Checks `get_info` (CBOR, no status byte) under this policy.
    pub fn check(self, get_info: &[u8]) -> Result<(), GetInfoProblem> {
        let strictness = match self {
            GetInfoValidation::None => return Ok(()),
            GetInfoValidation::Chromium => Strictness::WellFormed,
            GetInfoValidation::Strict => Strictness::Canonical,
        };
        let info = GetInfoResponse::decode_with(get_info, strictness)
            .map_err(|e| GetInfoProblem::Malformed(e.to_string()))?;
        if !info
            .versions
            .iter()
            .any(|v| CTAP2_VERSIONS.contains(&v.as_str()))
        {
            return Err(GetInfoProblem::NoCtap2Version(info.versions));
        }
        Ok(())
    }
}
