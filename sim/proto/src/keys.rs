//! P-256 key handling shared by the QR code, the Noise handshake and linking
//! (docs/protocol.md §2.3, §6.1, §8.1).
//!
//! Keys are checked here before they reach `snow`, which panics on an invalid private scalar
//! and only works with 65-byte uncompressed public keys.

use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{EncodedPoint, FieldBytes, PublicKey, Scalar, SecretKey, U256};

/// Length of a compressed SEC1 P-256 public key (`02|03 ‖ X`), as carried in the QR code.
pub const COMPRESSED_LEN: usize = 33;
/// Length of an uncompressed SEC1 P-256 public key (`04 ‖ X ‖ Y`), as Noise uses it.
pub const UNCOMPRESSED_LEN: usize = 65;
/// Length of a P-256 private scalar.
pub const PRIVATE_LEN: usize = 32;

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A public key of a length that is neither 33 nor 65 bytes.
    #[error("public key is {0} bytes; expected 33 (compressed) or 65 (uncompressed)")]
    PublicKeyLength(usize),
    /// The bytes have the right length but are not a point on P-256.
    #[error("public key is not a point on P-256")]
    NotOnCurve,
    /// A private key of the wrong length.
    #[error("private key is {0} bytes; expected 32")]
    PrivateKeyLength(usize),
    /// A private key that is zero or not below the group order.
    #[error("private key is not a valid P-256 scalar (zero or not below the group order)")]
    InvalidScalar,
}

/// Parses a public key in either SEC1 form and checks that it is on the curve.
pub fn parse_public(bytes: &[u8]) -> Result<PublicKey, KeyError> {
    if bytes.len() != COMPRESSED_LEN && bytes.len() != UNCOMPRESSED_LEN {
        return Err(KeyError::PublicKeyLength(bytes.len()));
    }
    PublicKey::from_sec1_bytes(bytes).map_err(|_| KeyError::NotOnCurve)
}

/// Returns the 65-byte uncompressed form of a valid public key given in either form.
pub fn uncompressed(bytes: &[u8]) -> Result<[u8; UNCOMPRESSED_LEN], KeyError> {
    Ok(encode_uncompressed(&parse_public(bytes)?))
}

/// Returns the 33-byte compressed form of a valid public key given in either form.
pub fn compressed(bytes: &[u8]) -> Result<[u8; COMPRESSED_LEN], KeyError> {
    let point = parse_public(bytes)?.to_encoded_point(true);
    copy_exact(point.as_bytes()).ok_or(KeyError::NotOnCurve)
}

/// Checks a private scalar: 32 bytes, non-zero, below the group order.
pub fn parse_private(bytes: &[u8]) -> Result<SecretKey, KeyError> {
    if bytes.len() != PRIVATE_LEN {
        return Err(KeyError::PrivateKeyLength(bytes.len()));
    }
    // `from_slice` alone would also accept 24–31-byte slices by left-padding them.
    SecretKey::from_slice(bytes).map_err(|_| KeyError::InvalidScalar)
}

/// The uncompressed public key of a private scalar.
pub fn public_of(private: &[u8]) -> Result<[u8; UNCOMPRESSED_LEN], KeyError> {
    Ok(encode_uncompressed(&parse_private(private)?.public_key()))
}

/// ECDH on P-256 as BoringSSL's `ECDH_compute_key` without a KDF: the shared point's 32-byte
/// big-endian X coordinate. Used by the linking signature (§8.1).
pub fn ecdh_x(private: &[u8], public: &[u8]) -> Result<[u8; 32], KeyError> {
    let secret = parse_private(private)?;
    let peer = parse_public(public)?;
    let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
    let mut out = [0u8; 32];
    out.copy_from_slice(shared.raw_secret_bytes().as_slice());
    Ok(out)
}

/// Derives a private scalar from a 32-byte seed as BoringSSL's `EC_KEY_derive_from_secret`
/// does for P-256 (docs/protocol.md §2.3): HKDF-SHA256 with an empty salt and the info string
/// `"derive EC key P-256"`, 48 bytes read big-endian and reduced modulo the group order.
///
/// Chromium makes the desktop's QR identity key and the phone's identity key this way; only
/// reproducing Chromium's keys from its seeds depends on it.
pub fn private_from_seed(seed: &[u8; 32]) -> [u8; PRIVATE_LEN] {
    let mut wide = [0u8; 48];
    let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(None, seed);
    // 48 bytes is far below HKDF-SHA256's 8160-byte limit.
    let _ = hkdf.expand(b"derive EC key P-256", &mut wide);
    let (high, low) = wide.split_at(16);
    let mut high32 = [0u8; 32];
    high32[16..].copy_from_slice(high);
    let two_pow_256 = Scalar::from(2u64).pow_vartime(&[256u64]);
    let reduce = |b: &[u8]| <Scalar as Reduce<U256>>::reduce_bytes(FieldBytes::from_slice(b));
    let scalar = reduce(&high32) * two_pow_256 + reduce(low);
    scalar.to_bytes().into()
}

fn encode_uncompressed(key: &PublicKey) -> [u8; UNCOMPRESSED_LEN] {
    let point: EncodedPoint = key.to_encoded_point(false);
    copy_exact(point.as_bytes()).unwrap_or([0u8; UNCOMPRESSED_LEN])
}

fn copy_exact<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Chromium CableV2Encoding.KnownQRs (qr_parse_cases.json).
    const POINT: &str = "03364C15EEC34331D2865757421D497E569E1EBA6CFF9A69D32E90F19E7F6FD15E";

    #[test]
    fn compressed_and_uncompressed_forms_round_trip() {
        let c = hex::decode(POINT).unwrap();
        let u = uncompressed(&c).unwrap();
        assert_eq!(u[0], 4);
        assert_eq!(&u[1..33], &c[1..]);
        assert_eq!(compressed(&u).unwrap().to_vec(), c);
    }

    #[test]
    fn chrome_qr_key_decompresses_to_the_known_point() {
        // derived_crosschecks.json chrome_2022.
        let c = hex::decode("03dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea")
            .unwrap();
        let u = hex::encode(uncompressed(&c).unwrap());
        assert_eq!(u, "04dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea3d9565cd77a0683fb991008566b214f6f5217bb660b57aeff02df5df60dfa22b");
    }

    #[test]
    fn bad_keys_are_refused_with_the_reason() {
        let mut bad = hex::decode(POINT).unwrap();
        *bad.last_mut().unwrap() ^= 3;
        assert_eq!(uncompressed(&bad), Err(KeyError::NotOnCurve));
        assert_eq!(uncompressed(&[2; 32]), Err(KeyError::PublicKeyLength(32)));
        assert_eq!(public_of(&[0; 32]), Err(KeyError::InvalidScalar));
        assert_eq!(public_of(&[0xff; 32]), Err(KeyError::InvalidScalar));
        assert_eq!(public_of(&[1; 31]), Err(KeyError::PrivateKeyLength(31)));
    }

    #[test]
    fn ecdh_agrees_both_ways() {
        let a = [7u8; 32];
        let b = [9u8; 32];
        let ab = ecdh_x(&a, &public_of(&b).unwrap()).unwrap();
        let ba = ecdh_x(&b, &public_of(&a).unwrap()).unwrap();
        assert_eq!(ab, ba);
    }
}
