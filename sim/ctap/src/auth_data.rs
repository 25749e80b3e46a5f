//! Authenticator data (WebAuthn L3 §6.1 "Authenticator Data", §6.5.1 "Attested Credential
//! Data"), the bytes every signature covers.
//!
//! ```text
//! offset  size  field
//!      0    32  rpIdHash        SHA-256 of the RP ID
//!     32     1  flags           UP 0x01, UV 0x04, BE 0x08, BS 0x10, AT 0x40, ED 0x80
//!     33     4  signCount       big-endian
//!     37    16  aaguid          ┐
//!     53     2  credentialIdLength (big-endian, at most 1023)  │ attested credential data,
//!     55     L  credentialId    │ present exactly when AT is set
//!   55+L     …  credentialPublicKey (COSE_Key, CBOR)          ┘
//!      …     …  extensions      CBOR map, present exactly when ED is set
//! ```
//!
//! [`AuthenticatorData::decode`] refuses anything that does not fill the bytes exactly, and
//! every error names the field and the byte offset.

use crate::cose::{CoseError, CoseKey, ALG_ES256};
use hybridsim_proto::cbor::{self, CborError, Strictness, Value};
use std::ops::BitOr;

/// Largest credential ID WebAuthn allows (§6.5.1: "credentialIdLength … MUST be ≤ 1023").
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;

/// Length of the fixed part: rpIdHash, flags, signCount.
pub const FIXED_LEN: usize = 37;

/// The flags byte. All eight bits are kept, so reserved bits survive a decode/encode trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u8);

impl Flags {
    /// User present.
    pub const UP: Flags = Flags(0x01);
    /// User verified.
    pub const UV: Flags = Flags(0x04);
    /// Backup eligible: the credential may be copied to other devices.
    pub const BE: Flags = Flags(0x08);
    /// Backup state: the credential is currently backed up (synced).
    pub const BS: Flags = Flags(0x10);
    /// Attested credential data included.
    pub const AT: Flags = Flags(0x40);
    /// Extension data included.
    pub const ED: Flags = Flags(0x80);
    /// The bits WebAuthn reserves (RFU1 0x02 and RFU2 0x20).
    pub const RESERVED: Flags = Flags(0x22);

    /// No flag set.
    pub const fn empty() -> Self {
        Flags(0)
    }

    /// The raw byte.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets or clears the bits of `other`.
    pub fn set(&mut self, other: Flags, on: bool) {
        if on {
            self.0 |= other.0;
        } else {
            self.0 &= !other.0;
        }
    }

    /// This set with the bits of `other` set or cleared.
    pub fn with(mut self, other: Flags, on: bool) -> Self {
        self.set(other, on);
        self
    }

    /// The reserved bits that are set (0 when none).
    pub const fn reserved_bits(self) -> u8 {
        self.0 & Self::RESERVED.0
    }

    /// BS set while BE is clear: WebAuthn §6.1 forbids it and RPs must reject it.
    pub const fn backup_state_without_eligibility(self) -> bool {
        self.contains(Self::BS) && !self.contains(Self::BE)
    }

    /// The names of the set flags, e.g. `["UP", "UV", "AT"]`, reserved bits as `RFU1`/`RFU2`.
    pub fn names(self) -> Vec<&'static str> {
        [
            (Self::UP, "UP"),
            (Flags(0x02), "RFU1"),
            (Self::UV, "UV"),
            (Self::BE, "BE"),
            (Self::BS, "BS"),
            (Flags(0x20), "RFU2"),
            (Self::AT, "AT"),
            (Self::ED, "ED"),
        ]
        .into_iter()
        .filter(|(flag, _)| self.contains(*flag))
        .map(|(_, name)| name)
        .collect()
    }
}

impl BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

/// Attested credential data: present in authenticator data after makeCredential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedCredentialData {
    /// The authenticator's model identifier.
    pub aaguid: [u8; 16],
    /// The credential ID (at most [`MAX_CREDENTIAL_ID_LEN`] bytes).
    pub credential_id: Vec<u8>,
    /// The credential public key.
    pub public_key: CoseKey,
}

/// Parsed authenticator data.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthenticatorData {
    /// SHA-256 of the RP ID.
    pub rp_id_hash: [u8; 32],
    /// The flags byte, written as is by [`to_bytes`](Self::to_bytes).
    pub flags: Flags,
    /// The signature counter.
    pub sign_count: u32,
    /// Attested credential data (AT set).
    pub attested: Option<AttestedCredentialData>,
    /// Authenticator extension outputs, a CBOR map keyed by extension identifier (ED set).
    pub extensions: Option<Value>,
}

/// Why authenticator data was refused. Offsets count from the first byte of the data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthDataError {
    /// The data ends inside a field.
    #[error("authenticator data byte {offset}: {field} needs {needed} byte(s), {available} left")]
    TooShort {
        /// The field being read.
        field: &'static str,
        /// Where it starts.
        offset: usize,
        /// Bytes it needs.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// credentialIdLength is above 1023.
    #[error("authenticator data byte 53: credentialIdLength {len} is above the maximum of 1023")]
    CredentialIdTooLong {
        /// The length read.
        len: usize,
    },
    /// The credential public key is not CBOR.
    #[error("authenticator data byte {offset}: credentialPublicKey: {error}")]
    PublicKeyCbor {
        /// Absolute offset of the CBOR error.
        offset: usize,
        /// The CBOR error (its own offset is relative to the key).
        error: CborError,
    },
    /// The credential public key is CBOR but not a supported COSE key.
    #[error("authenticator data byte {offset}: credentialPublicKey: {error}")]
    PublicKey {
        /// Where the key starts.
        offset: usize,
        /// What is wrong with it.
        error: CoseError,
    },
    /// The extensions are not CBOR.
    #[error("authenticator data byte {offset}: extensions: {error}")]
    ExtensionsCbor {
        /// Absolute offset of the CBOR error.
        offset: usize,
        /// The CBOR error (its own offset is relative to the extensions).
        error: CborError,
    },
    /// The extensions item is not a map.
    #[error("authenticator data byte {offset}: extensions: expected a map, found {found}")]
    ExtensionsNotAMap {
        /// Where the extensions start.
        offset: usize,
        /// What was there.
        found: &'static str,
    },
    /// An extension identifier is not a text string.
    #[error("authenticator data byte {offset}: extensions: identifier is {found}, not text")]
    ExtensionKeyNotText {
        /// Where the extensions start.
        offset: usize,
        /// What the key was.
        found: &'static str,
    },
    /// Bytes follow the last item the flags announce (AT/ED clear but data follows).
    #[error("authenticator data byte {offset}: {count} trailing byte(s) not announced by the AT/ED flags")]
    TrailingBytes {
        /// Where the extra bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
}

impl AuthenticatorData {
    /// Builds authenticator data with AT and ED set from what is present; the other bits of
    /// `flags` are kept.
    pub fn new(
        rp_id_hash: [u8; 32],
        flags: Flags,
        sign_count: u32,
        attested: Option<AttestedCredentialData>,
        extensions: Option<Value>,
    ) -> Self {
        let flags = flags
            .with(Flags::AT, attested.is_some())
            .with(Flags::ED, extensions.is_some());
        Self {
            rp_id_hash,
            flags,
            sign_count,
            attested,
            extensions,
        }
    }

    /// The bytes. Flags are written as stored; the COSE key and extensions are canonical CBOR.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FIXED_LEN + 128);
        out.extend_from_slice(&self.rp_id_hash);
        out.push(self.flags.bits());
        out.extend_from_slice(&self.sign_count.to_be_bytes());
        if let Some(attested) = &self.attested {
            out.extend_from_slice(&attested.aaguid);
            let len = u16::try_from(attested.credential_id.len()).unwrap_or(u16::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&attested.credential_id);
            out.extend_from_slice(&attested.public_key.to_bytes());
        }
        if let Some(extensions) = &self.extensions {
            out.extend_from_slice(&cbor::encode_canonical(extensions));
        }
        out
    }

    /// Decodes authenticator data whose CBOR parts must be canonical.
    pub fn decode(bytes: &[u8]) -> Result<Self, AuthDataError> {
        Self::decode_with(bytes, Strictness::Canonical)
    }

    /// Decodes authenticator data, reading its CBOR parts with `strictness`.
    pub fn decode_with(bytes: &[u8], strictness: Strictness) -> Result<Self, AuthDataError> {
        let mut reader = Reader { bytes, pos: 0 };
        let rp_id_hash = reader.array::<32>("rpIdHash")?;
        let [flags] = reader.array::<1>("flags")?;
        let flags = Flags(flags);
        let sign_count = u32::from_be_bytes(reader.array::<4>("signCount")?);
        let attested = if flags.contains(Flags::AT) {
            Some(reader.attested(strictness)?)
        } else {
            None
        };
        let extensions = if flags.contains(Flags::ED) {
            Some(reader.extensions(strictness)?)
        } else {
            None
        };
        let count = bytes.len() - reader.pos;
        if count > 0 {
            return Err(AuthDataError::TrailingBytes {
                offset: reader.pos,
                count,
            });
        }
        Ok(Self {
            rp_id_hash,
            flags,
            sign_count,
            attested,
            extensions,
        })
    }

    /// The extension output named `id`, if any.
    pub fn extension(&self, id: &str) -> Option<&Value> {
        self.extensions
            .as_ref()
            .and_then(|e| cbor::map_get_text(e, id))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &[u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn take(&mut self, field: &'static str, n: usize) -> Result<&[u8], AuthDataError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let taken = rest.get(..n).ok_or(AuthDataError::TooShort {
            field,
            offset: self.pos,
            needed: n,
            available: rest.len(),
        })?;
        self.pos += n;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], AuthDataError> {
        let taken = self.take(field, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(taken);
        Ok(out)
    }

    fn attested(
        &mut self,
        strictness: Strictness,
    ) -> Result<AttestedCredentialData, AuthDataError> {
        let aaguid = self.array::<16>("aaguid")?;
        let len = usize::from(u16::from_be_bytes(self.array::<2>("credentialIdLength")?));
        if len > MAX_CREDENTIAL_ID_LEN {
            return Err(AuthDataError::CredentialIdTooLong { len });
        }
        let credential_id = self.take("credentialId", len)?.to_vec();
        let offset = self.pos;
        if self.rest().is_empty() {
            return Err(AuthDataError::TooShort {
                field: "credentialPublicKey",
                offset,
                needed: 1,
                available: 0,
            });
        }
        let (value, used) = cbor::decode_prefix(self.rest(), strictness).map_err(|error| {
            AuthDataError::PublicKeyCbor {
                offset: offset + error.offset,
                error,
            }
        })?;
        let public_key = CoseKey::from_value(&value, ALG_ES256)
            .map_err(|error| AuthDataError::PublicKey { offset, error })?;
        self.pos += used;
        Ok(AttestedCredentialData {
            aaguid,
            credential_id,
            public_key,
        })
    }

    fn extensions(&mut self, strictness: Strictness) -> Result<Value, AuthDataError> {
        let offset = self.pos;
        if self.rest().is_empty() {
            return Err(AuthDataError::TooShort {
                field: "extensions",
                offset,
                needed: 1,
                available: 0,
            });
        }
        let (value, used) = cbor::decode_prefix(self.rest(), strictness).map_err(|error| {
            AuthDataError::ExtensionsCbor {
                offset: offset + error.offset,
                error,
            }
        })?;
        let Value::Map(entries) = &value else {
            return Err(AuthDataError::ExtensionsNotAMap {
                offset,
                found: cbor::type_name(&value),
            });
        };
        if let Some((key, _)) = entries.iter().find(|(k, _)| !matches!(k, Value::Text(_))) {
            return Err(AuthDataError::ExtensionKeyNotText {
                offset,
                found: cbor::type_name(key),
            });
        }
        self.pos += used;
        Ok(value)
    }
}

#[cfg(test)]
mod tests;
