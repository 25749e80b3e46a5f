//! The encrypted BLE advert that proves the phone is near the desktop (docs/protocol.md §4).
//!
//! The phone encrypts a 16-byte EID (reserved byte, nonce, routing id, domain id) with
//! AES-256 as a single block and appends the first 4 bytes of an HMAC-SHA256 over the
//! ciphertext: 20 bytes, carried as BLE service data under 0xFFF9 or 0xFDE2. The desktop
//! tries its candidate keys on every advert it hears; a MAC mismatch only means "not mine".

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::Aes256;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::domain;

/// Size of an advert: 16-byte ciphertext and 4-byte tag.
pub const ADVERT_LEN: usize = 20;
/// Size of the EID plaintext (one AES block).
pub const EID_LEN: usize = 16;
/// Size of the per-advert random nonce.
pub const NONCE_LEN: usize = 10;
/// 16-bit UUID of the FIDO service (Android Chrome phones advertise under it).
pub const FIDO_SERVICE_UUID: u16 = 0xFFF9;
/// 16-bit UUID of Google's service (iOS and older Chromium phones advertise under it).
pub const GOOGLE_SERVICE_UUID: u16 = 0xFDE2;
/// Base of the 128-bit form of a 16-bit Bluetooth UUID.
pub const BLUETOOTH_BASE_UUID_SUFFIX: &str = "-0000-1000-8000-00805f9b34fb";

/// The 128-bit string form of a 16-bit service UUID, as BLE stacks report it.
pub fn full_uuid(uuid16: u16) -> String {
    format!("0000{uuid16:04x}{BLUETOOTH_BASE_UUID_SUFFIX}")
}

/// The fields of a decrypted advert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eid {
    /// Random per advert, so that adverts cannot be linked to each other.
    pub nonce: [u8; NONCE_LEN],
    /// The tunnel-server instance holding the phone's tunnel.
    pub routing_id: [u8; 3],
    /// The phone's tunnel server ([`crate::domain`]).
    pub domain_id: u16,
}

/// How strictly an advert's length is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthRule {
    /// Exactly 20 bytes, as CTAP 2.2 and Chromium require.
    Exact,
    /// 20 bytes, optionally followed by a CTAP 2.3 advertisement suffix (libwebauthn, Firefox).
    AllowSuffix,
}

/// Why an advert did not yield an EID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvertError {
    /// The service data is not 20 bytes (or shorter than 20 when a suffix is allowed).
    #[error("advert is {0} bytes; hybrid adverts are exactly 20")]
    Length(usize),
    /// The tag does not match: the advert was made with another key.
    #[error("advert not for this QR secret (MAC mismatch)")]
    NotForThisKey,
    /// The decrypted reserved byte is not zero.
    #[error("decrypted EID byte 0 is {0:#04x}; it is reserved and must be 0")]
    ReservedByte(u8),
    /// The decrypted domain id names no usable tunnel server.
    #[error("decrypted EID names domain id {0}, which is not a known tunnel server")]
    UnknownDomain(u16),
}

/// An advert that verified under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The decrypted 16 bytes; the Noise PSK is derived from them.
    pub plaintext: [u8; EID_LEN],
    /// The fields of `plaintext`.
    pub eid: Eid,
    /// Bytes after the first 20 (a CTAP 2.3 suffix), when [`LengthRule::AllowSuffix`] let them in.
    pub suffix: Vec<u8>,
}

impl Eid {
    /// Lays the fields out as the 16-byte plaintext: `00 ‖ nonce ‖ routing id ‖ LE16(domain)`.
    pub fn to_plaintext(&self) -> [u8; EID_LEN] {
        let mut out = [0u8; EID_LEN];
        let (_reserved, rest) = out.split_at_mut(1);
        let (nonce, rest) = rest.split_at_mut(NONCE_LEN);
        nonce.copy_from_slice(&self.nonce);
        let (routing, domain) = rest.split_at_mut(3);
        routing.copy_from_slice(&self.routing_id);
        domain.copy_from_slice(&self.domain_id.to_le_bytes());
        out
    }

    /// Reads the fields of a plaintext, applying the desktop's checks: reserved byte zero and
    /// a domain id that is hashed or below `known_assigned` (Chromium knows 2).
    pub fn from_plaintext(
        plaintext: &[u8; EID_LEN],
        known_assigned: u16,
    ) -> Result<Eid, AdvertError> {
        let [reserved, rest @ ..] = plaintext;
        if *reserved != 0 {
            return Err(AdvertError::ReservedByte(*reserved));
        }
        let (nonce, rest) = rest.split_at(NONCE_LEN);
        let (routing, domain) = rest.split_at(3);
        let domain_id = u16::from_le_bytes([
            domain.first().copied().unwrap_or(0),
            domain.get(1).copied().unwrap_or(0),
        ]);
        if !domain::is_acceptable(domain_id, known_assigned) {
            return Err(AdvertError::UnknownDomain(domain_id));
        }
        Ok(Eid {
            nonce: nonce.try_into().unwrap_or_default(),
            routing_id: routing.try_into().unwrap_or_default(),
            domain_id,
        })
    }
}

/// Encrypts a plaintext EID into a 20-byte advert under a 64-byte EID key.
pub fn encrypt(eid_key: &[u8; 64], plaintext: &[u8; EID_LEN]) -> [u8; ADVERT_LEN] {
    let (aes_key, mac_key) = eid_key.split_at(32);
    let mut block = aes::Block::from(*plaintext);
    Aes256::new(aes::cipher::generic_array::GenericArray::from_slice(
        aes_key,
    ))
    .encrypt_block(&mut block);
    let mut out = [0u8; ADVERT_LEN];
    let (ct, tag) = out.split_at_mut(EID_LEN);
    ct.copy_from_slice(&block);
    tag.copy_from_slice(&truncated_mac(mac_key, ct));
    out
}

/// Checks the tag of the first 20 bytes of `advert` and decrypts the EID, without looking at
/// what it contains. `None` means the advert was made under another key (or is too short).
pub fn decrypt(eid_key: &[u8; 64], advert: &[u8]) -> Option<[u8; EID_LEN]> {
    let (ct, tag) = advert.get(..ADVERT_LEN)?.split_at(EID_LEN);
    let (aes_key, mac_key) = eid_key.split_at(32);
    if !bool::from(truncated_mac(mac_key, ct).ct_eq(tag)) {
        return None;
    }
    let mut block = aes::Block::clone_from_slice(ct);
    Aes256::new(aes::cipher::generic_array::GenericArray::from_slice(
        aes_key,
    ))
    .decrypt_block(&mut block);
    Some(block.into())
}

/// What the desktop does with one advert and one key: length rule, tag, then EID checks.
pub fn open(
    eid_key: &[u8; 64],
    advert: &[u8],
    rule: LengthRule,
    known_assigned: u16,
) -> Result<Matched, AdvertError> {
    let length_ok = match rule {
        LengthRule::Exact => advert.len() == ADVERT_LEN,
        LengthRule::AllowSuffix => advert.len() >= ADVERT_LEN,
    };
    if !length_ok {
        return Err(AdvertError::Length(advert.len()));
    }
    let plaintext = decrypt(eid_key, advert).ok_or(AdvertError::NotForThisKey)?;
    let eid = Eid::from_plaintext(&plaintext, known_assigned)?;
    Ok(Matched {
        plaintext,
        eid,
        suffix: advert.get(ADVERT_LEN..).unwrap_or_default().to_vec(),
    })
}

/// Tries each candidate key in order and returns the index of the first that opens the
/// advert, as Chromium's discovery does (linked devices first, then the QR key).
///
/// Keys under which the advert fails its checks after a valid tag are reported, not skipped:
/// a valid tag means the advert was meant for that key.
pub fn trial_decrypt(
    candidates: &[[u8; 64]],
    advert: &[u8],
    rule: LengthRule,
    known_assigned: u16,
) -> Option<(usize, Result<Matched, AdvertError>)> {
    candidates.iter().enumerate().find_map(|(i, key)| {
        match open(key, advert, rule, known_assigned) {
            Err(AdvertError::NotForThisKey | AdvertError::Length(_)) => None,
            other => Some((i, other)),
        }
    })
}

/// Picks the hybrid payload from a device's service data as Chromium does: 0xFDE2 when
/// present, otherwise 0xFFF9.
pub fn select_service_data<'a>(entries: &[(u16, &'a [u8])]) -> Option<(u16, &'a [u8])> {
    [GOOGLE_SERVICE_UUID, FIDO_SERVICE_UUID]
        .iter()
        .find_map(|want| entries.iter().find(|(uuid, _)| uuid == want).copied())
}

/// HMAC-SHA256 cut to the 4 bytes an advert carries.
fn truncated_mac(key: &[u8], data: &[u8]) -> [u8; 4] {
    // HMAC accepts keys of any length, so this cannot fail for the 32-byte half used here.
    let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return [0; 4];
    };
    m.update(data);
    let full: [u8; 32] = m.finalize().into_bytes().into();
    let [a, b, c, d, ..] = full;
    [a, b, c, d]
}

#[cfg(test)]
mod tests;
