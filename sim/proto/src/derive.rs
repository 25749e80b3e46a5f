//! The one key-derivation primitive of hybrid, Chromium's `Derive` (docs/protocol.md §3).
//!
//! HKDF-SHA256 with the secret as input key material, the nonce as salt (empty means HKDF's
//! all-zero salt) and the purpose as a 4-byte little-endian integer for info.

use hkdf::Hkdf;
use sha2::Sha256;

/// What a derived value is for; the discriminant is the HKDF info value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Purpose {
    /// 64 bytes: AES-256 key ‖ HMAC-SHA256 key for the BLE advert.
    EidKey = 1,
    /// 16 bytes: the rendezvous id in `/cable/new` and `/cable/connect`.
    TunnelId = 2,
    /// 32 bytes: the Noise pre-shared key.
    Psk = 3,
    /// 32 bytes: the link ("paired") secret a phone hands out when linking.
    PairedSecret = 4,
    /// 32 bytes: the seed of the phone's identity key.
    IdentityKeySeed = 5,
    /// 32 bytes: a root secret narrowed to one contact id, so a new contact id unlinks.
    PerContactIdSecret = 6,
}

impl Purpose {
    /// The HKDF info bytes for this purpose.
    pub fn info(self) -> [u8; 4] {
        (self as u32).to_le_bytes()
    }
}

/// Derives `N` bytes from `secret` with `salt` for `purpose`.
///
/// `N` is at most a few dozen bytes everywhere in hybrid; HKDF-SHA256 refuses more than 8160,
/// which would leave the output zeroed, so callers use only the fixed sizes below.
pub fn derive<const N: usize>(secret: &[u8], salt: &[u8], purpose: Purpose) -> [u8; N] {
    let mut out = [0u8; N];
    let salt = (!salt.is_empty()).then_some(salt);
    let _ = Hkdf::<Sha256>::new(salt, secret).expand(&purpose.info(), &mut out);
    out
}

/// The 64-byte advert key of a QR secret: bytes 0..32 for AES, 32..64 for HMAC.
pub fn eid_key(qr_secret: &[u8]) -> [u8; 64] {
    derive(qr_secret, &[], Purpose::EidKey)
}

/// The 16-byte tunnel id of a QR secret.
pub fn tunnel_id(qr_secret: &[u8]) -> [u8; 16] {
    derive(qr_secret, &[], Purpose::TunnelId)
}

/// The Noise PSK: from the QR secret (or link secret) and the decrypted 16-byte advert.
pub fn psk(secret: &[u8], eid_plaintext: &[u8; 16]) -> [u8; 32] {
    derive(secret, eid_plaintext, Purpose::Psk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_vectors() {
        let v = crate::test_vectors::load("hkdf.json");
        for case in v["vectors"].as_array().unwrap() {
            let secret = hex::decode(case["secret_hex"].as_str().unwrap()).unwrap();
            let salt = hex::decode(case["salt_hex"].as_str().unwrap()).unwrap();
            let purpose = match case["purpose"].as_u64().unwrap() {
                1 => Purpose::EidKey,
                2 => Purpose::TunnelId,
                other => panic!("no vector purpose {other}"),
            };
            assert_eq!(
                hex::encode(purpose.info()),
                case["info_hex"].as_str().unwrap()
            );
            let out = match case["length"].as_u64().unwrap() {
                64 => derive::<64>(&secret, &salt, purpose).to_vec(),
                16 => derive::<16>(&secret, &salt, purpose).to_vec(),
                other => panic!("no vector length {other}"),
            };
            assert_eq!(hex::encode(out), case["output_hex"].as_str().unwrap());
        }
    }

    #[test]
    fn info_is_little_endian() {
        assert_eq!(Purpose::EidKey.info(), [1, 0, 0, 0]);
        assert_eq!(Purpose::PerContactIdSecret.info(), [6, 0, 0, 0]);
    }

    #[test]
    fn empty_salt_equals_hkdf_default_zero_salt() {
        let a: [u8; 32] = derive(b"secret", &[], Purpose::Psk);
        let b: [u8; 32] = derive(b"secret", &[0u8; 32], Purpose::Psk);
        assert_eq!(a, b);
    }
}
