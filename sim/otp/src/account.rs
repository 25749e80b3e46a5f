//! One OTP account: what an authenticator app keeps for a TOTP or HOTP entry, and what every
//! export format carries (some formats lose parts of it; see `docs/migration.md` §4).

use serde::{Deserialize, Serialize};

/// The HMAC hash of an OTP account (RFC 6238 §1.2: SHA-1 by default, SHA-256/512 allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Algorithm {
    /// HMAC-SHA-1, the default and the only one some apps implement.
    #[serde(rename = "SHA1")]
    Sha1,
    /// HMAC-SHA-256.
    #[serde(rename = "SHA256")]
    Sha256,
    /// HMAC-SHA-512.
    #[serde(rename = "SHA512")]
    Sha512,
}

impl Algorithm {
    /// The name the Key URI format and most export formats use: `SHA1`, `SHA256`, `SHA512`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

/// Whether codes follow the clock or a counter, with the parameter that drives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum OtpKind {
    /// TOTP (RFC 6238): a new code every `period` seconds, counted from the Unix epoch (T0 = 0).
    Totp {
        /// The time step X in seconds (30 unless the issuer says otherwise). Never 0.
        period: u32,
    },
    /// HOTP (RFC 4226): a new code each time the counter moves.
    Hotp {
        /// The counter the app will use for the next code it shows.
        counter: u64,
    },
}

/// One OTP account as an authenticator app holds it.
///
/// `issuer` and `name` are kept exactly as they arrived (a name such as `Amazon:me@example.com`
/// stays so): whether and how to split them is the business of each parser or app model, and
/// mangling is one of the bugs this project reproduces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OtpAccount {
    /// The service, e.g. `Example`; empty when the source had none.
    pub issuer: String,
    /// The account name, e.g. `alice@example.com`.
    pub name: String,
    /// The raw shared secret (not its Base32 text).
    #[serde(with = "secret_base32")]
    pub secret: Vec<u8>,
    /// The HMAC hash.
    pub algorithm: Algorithm,
    /// How many digits a code has: 6 to 8 in the Key URI format, 10 for some issuers.
    pub digits: u8,
    /// TOTP with its period or HOTP with its counter.
    #[serde(flatten)]
    pub kind: OtpKind,
}

/// Serde for secrets as unpadded upper-case RFC 4648 Base32, the way users see them.
mod secret_base32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(secret: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::base32::encode(secret))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        crate::base32::decode_strict(&text).map_err(serde::de::Error::custom)
    }
}
