//! The checks both ceremonies make on `clientDataJSON` (§7.1 steps 5–10, §7.2 steps 9–14).

use super::{challenge_text, AuthenticationError, RegistrationError, RelyingParty};
use crate::b64::{self, Base64Url};
use crate::client_data::{ClientDataError, CollectedClientData};

/// A `clientDataJSON` check that failed; each ceremony turns it into its own variant.
pub(super) enum ClientDataFailure {
    Parse(ClientDataError),
    Type {
        found: String,
    },
    Challenge {
        found: String,
        expected: String,
    },
    Origin {
        found: String,
        expected: Vec<String>,
    },
    CrossOrigin,
    TopOrigin {
        found: Option<String>,
        expected: Vec<String>,
    },
    TopOriginWithoutCrossOrigin {
        found: String,
    },
}

/// Parses `clientDataJSON` and checks type, challenge, origin, crossOrigin and topOrigin.
pub(super) fn client_data(
    rp: &RelyingParty,
    bytes: &[u8],
    expected_type: &str,
    challenge: &Base64Url,
) -> Result<CollectedClientData, ClientDataFailure> {
    let data = CollectedClientData::parse(bytes).map_err(ClientDataFailure::Parse)?;
    if data.type_ != expected_type {
        return Err(ClientDataFailure::Type { found: data.type_ });
    }
    // Compared as bytes, so a padded challenge is the same challenge.
    if b64::decode(&data.challenge).ok().as_deref() != Some(challenge.as_slice()) {
        return Err(ClientDataFailure::Challenge {
            found: data.challenge,
            expected: challenge_text(challenge),
        });
    }
    if !rp.origins.contains(&data.origin) {
        return Err(ClientDataFailure::Origin {
            found: data.origin,
            expected: rp.origins.clone(),
        });
    }
    if data.cross_origin == Some(true) {
        if rp.top_origins.is_empty() {
            return Err(ClientDataFailure::CrossOrigin);
        }
        match &data.top_origin {
            Some(top) if rp.top_origins.contains(top) => {}
            found => {
                return Err(ClientDataFailure::TopOrigin {
                    found: found.clone(),
                    expected: rp.top_origins.clone(),
                })
            }
        }
    } else if let Some(top) = &data.top_origin {
        return Err(ClientDataFailure::TopOriginWithoutCrossOrigin { found: top.clone() });
    }
    Ok(data)
}

impl From<ClientDataFailure> for RegistrationError {
    fn from(failure: ClientDataFailure) -> Self {
        match failure {
            ClientDataFailure::Parse(e) => Self::ClientDataJson(e),
            ClientDataFailure::Type { found } => Self::ClientDataType { found },
            ClientDataFailure::Challenge { found, expected } => Self::Challenge { found, expected },
            ClientDataFailure::Origin { found, expected } => Self::Origin { found, expected },
            ClientDataFailure::CrossOrigin => Self::CrossOrigin,
            ClientDataFailure::TopOrigin { found, expected } => Self::TopOrigin { found, expected },
            ClientDataFailure::TopOriginWithoutCrossOrigin { found } => {
                Self::TopOriginWithoutCrossOrigin { found }
            }
        }
    }
}

impl From<ClientDataFailure> for AuthenticationError {
    fn from(failure: ClientDataFailure) -> Self {
        match failure {
            ClientDataFailure::Parse(e) => Self::ClientDataJson(e),
            ClientDataFailure::Type { found } => Self::ClientDataType { found },
            ClientDataFailure::Challenge { found, expected } => Self::Challenge { found, expected },
            ClientDataFailure::Origin { found, expected } => Self::Origin { found, expected },
            ClientDataFailure::CrossOrigin => Self::CrossOrigin,
            ClientDataFailure::TopOrigin { found, expected } => Self::TopOrigin { found, expected },
            ClientDataFailure::TopOriginWithoutCrossOrigin { found } => {
                Self::TopOriginWithoutCrossOrigin { found }
            }
        }
    }
}

/// Whether `id` (base64url, padding tolerated) names `raw_id`.
pub(super) fn id_matches(id: &str, raw_id: &[u8]) -> bool {
    b64::decode(id).ok().as_deref() == Some(raw_id)
}
