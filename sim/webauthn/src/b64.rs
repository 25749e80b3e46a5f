//! base64url as the WebAuthn JSON forms use it (WebAuthn L3 §5.1 `Base64URLString`).
//!
//! Output never has padding. Input may have it: python `fido2` and some RP libraries pad, and
//! WebAuthn's `parseCreationOptionsFromJSON` strips it. Only the URL-safe alphabet is read; the
//! standard alphabet's `+` and `/` are refused, as browsers refuse them.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// URL-safe alphabet, padding optional on input (and checked when present).
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, with or without `=` padding.
pub fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_ANY_PAD.decode(text)
}

/// Bytes that travel as a base64url string in JSON (unpadded out, padding tolerated in).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Base64Url(pub Vec<u8>);

impl Base64Url {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }

    /// The unpadded base64url text.
    pub fn encoded(&self) -> String {
        encode(&self.0)
    }
}

impl fmt::Debug for Base64Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64Url({})", self.encoded())
    }
}

impl From<Vec<u8>> for Base64Url {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Base64Url {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl AsRef<[u8]> for Base64Url {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Base64Url {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.encoded())
    }
}

impl<'de> Deserialize<'de> for Base64Url {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct B64Visitor;
        impl Visitor<'_> for B64Visitor {
            type Value = Base64Url;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64url string")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Base64Url, E> {
                decode(text)
                    .map(Base64Url)
                    .map_err(|e| E::custom(format_args!("not base64url ({e})")))
            }
        }
        deserializer.deserialize_str(B64Visitor)
    }
}

/// Serde for a list of byte strings as base64url strings (`#[serde(with = "b64::list")]`).
pub mod list {
    use super::Base64Url;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes each byte string as unpadded base64url.
    pub fn serialize<S: Serializer>(items: &[Vec<u8>], serializer: S) -> Result<S::Ok, S::Error> {
        items
            .iter()
            .map(|b| Base64Url(b.clone()))
            .collect::<Vec<_>>()
            .serialize(serializer)
    }

    /// Reads base64url strings (padding tolerated).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Vec<u8>>, D::Error> {
        Ok(Vec::<Base64Url>::deserialize(deserializer)?
            .into_iter()
            .map(Base64Url::into_vec)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_optional_on_input_and_absent_on_output() {
        assert_eq!(decode("AQI").unwrap(), vec![1, 2]);
        assert_eq!(decode("AQI=").unwrap(), vec![1, 2]);
        assert_eq!(encode(&[1, 2]), "AQI");
    }

    #[test]
    fn standard_alphabet_and_wrong_padding_are_refused() {
        assert!(decode("+/8").is_err());
        assert!(decode("AQI==").is_err());
        assert!(decode("A").is_err());
    }
}
