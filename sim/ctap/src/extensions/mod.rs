//! Extensions the simulated authenticator processes (WebAuthn L3 §9–10, CTAP 2.2 §12).
//!
//! - [`cred_props`]: client-side only; nothing for the authenticator to do.
//! - [`hmac_secret`]: CTAP's hmac-secret, salts and outputs encrypted under PIN/UV auth
//!   protocol 1 or 2.
//! - [`prf`]: the plaintext "prf" form hybrid phones accept from Chromium, outputs in the
//!   unsigned extension outputs.
//!
//! An extension is processed only when the profile advertises it in getInfo and it is
//! implemented ([`Profile::processes`](crate::profile::Profile::processes)); every other input
//! is ignored, as CTAP requires ("process any extensions that this authenticator supports,
//! ignoring any that it does not support", CTAP 2.1 §6.1.2 step 15 and §6.2.2 step 11).

pub mod cred_props;
pub mod hmac_secret;
pub mod prf;

use crate::status::StatusCode;
use crate::wire::WireError;
use hybridsim_proto::cbor::Value;

/// "hmac-secret".
pub const HMAC_SECRET: &str = "hmac-secret";
/// "prf".
pub const PRF: &str = "prf";
/// "credProps".
pub const CRED_PROPS: &str = "credProps";

/// Outputs of one request's extensions: signed ones go into authenticator data (ED flag),
/// unsigned ones into the response's unsignedExtensionOutputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtensionOutputs {
    /// Authenticator extension outputs (signed, in authData).
    pub signed: Vec<(String, Value)>,
    /// Unsigned extension outputs.
    pub unsigned: Vec<(String, Value)>,
}

fn to_map(entries: &[(String, Value)]) -> Option<Value> {
    (!entries.is_empty()).then(|| {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (Value::Text(k.clone()), v.clone()))
                .collect(),
        )
    })
}

impl ExtensionOutputs {
    /// The authData extensions map, if any output is signed.
    pub fn signed_map(&self) -> Option<Value> {
        to_map(&self.signed)
    }

    /// The unsignedExtensionOutputs map, if any.
    pub fn unsigned_map(&self) -> Option<Value> {
        to_map(&self.unsigned)
    }
}

/// Why an extension input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    /// Malformed input (wrong type, missing member).
    #[error("extension {extension}: {error}")]
    Wire {
        /// Which extension.
        extension: &'static str,
        /// What is wrong.
        error: WireError,
    },
    /// hmac-secret could not be evaluated.
    #[error("extension hmac-secret: {0}")]
    HmacSecret(#[from] hmac_secret::HmacSecretError),
}

impl ExtensionError {
    /// The status code it is reported with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Wire { error, .. } => error.status(),
            Self::HmacSecret(e) => e.status(),
        }
    }
}
