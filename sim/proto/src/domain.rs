//! Tunnel-server domain ids (docs/protocol.md §5.1).
//!
//! The phone names its tunnel server in the advert with a 16-bit id. Ids 0 and 1 are assigned
//! to Google and Apple, 2..=255 are reserved for future assignments and so cannot be resolved,
//! and every id from 256 up names a host derived from a SHA-256 hash, so anyone can run a
//! tunnel server without a registry.

use sha2::{Digest, Sha256};

/// The assigned domains, indexed by id.
pub const ASSIGNED: [&str; 2] = ["cable.ua5v.com", "cable.auth.com"];

/// First id that maps to a hashed host name.
pub const FIRST_HASHED_ID: u16 = 256;

const HASH_PREFIX: &[u8] = b"caBLEv2 tunnel server domain";
const TLDS: [&str; 4] = ["com", "org", "net", "info"];
const BASE32_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Why a domain id has no host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// An id in the reserved range 2..=255.
    #[error("domain id {0} is reserved for assignment and names no known tunnel server (valid: 0, 1, or 256-65535)")]
    Unassigned(u16),
}

/// How an id maps to its host, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainKind {
    /// One of the two assigned ids.
    Assigned,
    /// A host derived from the id's hash.
    Hashed,
}

impl DomainKind {
    /// The kind as reports name it: `assigned` or `hashed`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::Hashed => "hashed",
        }
    }
}

/// Reads a domain id written in decimal or `0x` hex; `None` when it is neither, or out of
/// the 16-bit range.
pub fn parse_id(text: &str) -> Option<u16> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u16::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Returns the host name for a domain id.
pub fn host(id: u16) -> Result<String, DomainError> {
    match kind(id)? {
        DomainKind::Assigned => Ok(ASSIGNED
            .get(usize::from(id))
            .map(|h| (*h).to_owned())
            .unwrap_or_default()),
        DomainKind::Hashed => Ok(hashed_host(id)),
    }
}

/// Says whether `id` is assigned, hashed, or unusable.
pub fn kind(id: u16) -> Result<DomainKind, DomainError> {
    match id {
        0 | 1 => Ok(DomainKind::Assigned),
        2..=255 => Err(DomainError::Unassigned(id)),
        _ => Ok(DomainKind::Hashed),
    }
}

/// Says whether a desktop accepts `id` in an advert. Ids of assigned domains beyond those
/// the desktop knows (`known_assigned`, its QR key 2) are refused like reserved ones, as
/// Chromium's `ToKnownDomainID` does.
pub fn is_acceptable(id: u16, known_assigned: u16) -> bool {
    id >= FIRST_HASHED_ID || id < known_assigned.min(FIRST_HASHED_ID)
}

fn hashed_host(id: u16) -> String {
    let mut hasher = Sha256::new();
    hasher.update(HASH_PREFIX);
    hasher.update(id.to_le_bytes());
    // The C string terminator is part of the hashed input in Chromium.
    hasher.update([0u8]);
    let digest = hasher.finalize();
    let mut first8 = [0u8; 8];
    first8.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    let mut v = u64::from_le_bytes(first8);
    let tld = TLDS.get((v & 3) as usize).copied().unwrap_or("com");
    v >>= 2;
    let mut label = String::new();
    while v != 0 {
        label.push(char::from(
            BASE32_ALPHABET
                .get((v & 31) as usize)
                .copied()
                .unwrap_or(b'a'),
        ));
        v >>= 5;
    }
    format!("cable.{label}.{tld}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::load;

    #[test]
    fn ids_read_in_decimal_or_hex_within_16_bits() {
        assert_eq!(parse_id("266"), Some(266));
        assert_eq!(parse_id("0xf980"), Some(0xf980));
        assert_eq!(parse_id("0XF980"), Some(0xf980));
        assert_eq!(parse_id("65536"), None);
        assert_eq!(parse_id("0x"), None);
        assert_eq!(parse_id("-1"), None);
        assert_eq!(DomainKind::Hashed.name(), "hashed");
    }

    #[test]
    fn vectors() {
        let v = load("tunnel_domains.json");
        for case in v["vectors"].as_array().unwrap() {
            let expected = case["host"].as_str();
            let ids: Vec<u16> = match (case.get("id"), case.get("id_range")) {
                (Some(id), _) => vec![id.as_u64().unwrap() as u16],
                (_, Some(r)) => {
                    (r[0].as_u64().unwrap() as u16..=r[1].as_u64().unwrap() as u16).collect()
                }
                _ => panic!("vector without id: {case}"),
            };
            for id in ids {
                match expected {
                    None => assert_eq!(host(id), Err(DomainError::Unassigned(id))),
                    Some("always some host") => {
                        let h = host(id).unwrap();
                        assert!(h.starts_with("cable.") && h.len() > 10, "{id}: {h}");
                    }
                    Some(h) => assert_eq!(host(id).unwrap(), h, "id {id}"),
                }
            }
        }
    }

    #[test]
    fn reference_example_266() {
        assert_eq!(host(266).unwrap(), "cable.wufkweyy3uaxb.com");
    }

    #[test]
    fn acceptance_follows_known_domain_count() {
        assert!(is_acceptable(0, 2) && is_acceptable(1, 2) && !is_acceptable(1, 1));
        assert!(!is_acceptable(2, 2) && !is_acceptable(255, 2));
        assert!(is_acceptable(256, 0) && is_acceptable(u16::MAX, 0));
    }
}
