//! An advert as a person inspects it (`hybridsim decode advert`): the optional service-UUID
//! prefix of a pasted advert, its length judged by a [`LengthRule`], and every field of a
//! decrypted plaintext, acceptable or not (docs/protocol.md §4).
//!
//! [`crate::advert`] decides what a desktop accepts; this names what is there even when
//! it does not, since that is what someone debugging a phone wants to see.

use crate::advert::{AdvertError, LengthRule, ADVERT_LEN, EID_LEN, NONCE_LEN};
use crate::advert::{FIDO_SERVICE_UUID, GOOGLE_SERVICE_UUID};

/// Splits an optional `fff9:` / `fde2:` service-UUID prefix (any case) off an advert's text.
/// `Err` holds a prefix that is neither.
pub fn split_service_uuid(text: &str) -> Result<(Option<u16>, &str), &str> {
    match text.split_once(':') {
        None => Ok((None, text)),
        Some((uuid, rest)) => match uuid.to_ascii_lowercase().as_str() {
            "fff9" => Ok((Some(FIDO_SERVICE_UUID), rest)),
            "fde2" => Ok((Some(GOOGLE_SERVICE_UUID), rest)),
            _ => Err(uuid),
        },
    }
}

/// Whether an advert of `len` bytes is acceptable under `rule`; `Err` says why not, with a
/// hint when a longer advert could be a CTAP 2.3 suffix.
pub fn check_length(len: usize, rule: LengthRule) -> Result<(), String> {
    let ok = match rule {
        LengthRule::Exact => len == ADVERT_LEN,
        LengthRule::AllowSuffix => len >= ADVERT_LEN,
    };
    if ok {
        return Ok(());
    }
    let hint = if len > ADVERT_LEN {
        " (a CTAP 2.3 suffix? use --allow-suffix)"
    } else {
        ""
    };
    Err(AdvertError::Length(len).to_string() + hint)
}

/// The fields of a decrypted advert plaintext, whatever their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    /// The first byte, zero in every advert a phone should send.
    pub reserved: u8,
    /// The phone's fresh nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The routing id the tunnel server assigned.
    pub routing_id: [u8; 3],
    /// The tunnel server's domain id (little-endian on the wire).
    pub domain_id: u16,
}

impl Fields {
    /// Splits a plaintext into its fields.
    pub fn of(plaintext: &[u8; EID_LEN]) -> Fields {
        let [reserved, rest @ ..] = plaintext;
        let (nonce, rest) = rest.split_at(NONCE_LEN);
        let (routing, domain) = rest.split_at(3);
        Fields {
            reserved: *reserved,
            nonce: nonce.try_into().unwrap_or_default(),
            routing_id: routing.try_into().unwrap_or_default(),
            domain_id: u16::from_le_bytes(domain.try_into().unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_name_the_service_uuid() {
        assert_eq!(
            split_service_uuid("FFF9:ab"),
            Ok((Some(FIDO_SERVICE_UUID), "ab"))
        );
        assert_eq!(
            split_service_uuid("fde2:cd"),
            Ok((Some(GOOGLE_SERVICE_UUID), "cd"))
        );
        assert_eq!(split_service_uuid("abcd"), Ok((None, "abcd")));
        assert_eq!(split_service_uuid("180f:ab"), Err("180f"));
    }

    #[test]
    fn a_longer_advert_needs_the_suffix_rule() {
        assert_eq!(check_length(ADVERT_LEN, LengthRule::Exact), Ok(()));
        assert_eq!(
            check_length(ADVERT_LEN + 4, LengthRule::AllowSuffix),
            Ok(())
        );
        let long = check_length(ADVERT_LEN + 4, LengthRule::Exact);
        assert!(long.is_err_and(|e| e.ends_with("use --allow-suffix)")));
        let short = check_length(ADVERT_LEN - 1, LengthRule::AllowSuffix);
        assert!(short.is_err_and(|e| !e.contains("suffix")));
    }

    #[test]
    fn plaintext_splits_into_its_fields() {
        let mut plaintext = [0u8; EID_LEN];
        plaintext[0] = 9;
        plaintext[1..11].copy_from_slice(&[1; NONCE_LEN]);
        plaintext[11..14].copy_from_slice(&[0xa, 0xb, 0xc]);
        plaintext[14..16].copy_from_slice(&[0x01, 0x02]);
        let fields = Fields::of(&plaintext);
        assert_eq!(fields.reserved, 9);
        assert_eq!(fields.nonce, [1; NONCE_LEN]);
        assert_eq!(fields.routing_id, [0xa, 0xb, 0xc]);
        assert_eq!(fields.domain_id, 0x0201);
    }
}
