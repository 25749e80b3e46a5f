//! ES256 (ECDSA over P-256 with SHA-256) as WebAuthn uses it: credential public keys as SEC1
//! points or SubjectPublicKeyInfo DER, signatures as ASN.1 DER (WebAuthn L3 §6.5.5).

use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{DerSignature, VerifyingKey};
use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};
use p256::PublicKey;

/// COSE algorithm identifier of ES256.
pub const ES256: i64 = -7;

/// Why an ES256 signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The public key is not a point on P-256.
    #[error("the public key is not a P-256 point")]
    PublicKey,
    /// The signature is not an ASN.1 DER `ECDSA-Sig-Value`.
    #[error("the signature is not ASN.1 DER (SEQUENCE of two INTEGERs)")]
    Encoding,
    /// The signature is well formed but does not verify.
    #[error("the signature does not verify")]
    Mismatch,
}

/// Verifies a DER-encoded ES256 signature over `message` with a SEC1 public key (compressed or
/// uncompressed).
pub fn verify_es256(
    public_key_sec1: &[u8],
    message: &[u8],
    der_signature: &[u8],
) -> Result<(), SignatureError> {
    let key =
        VerifyingKey::from_sec1_bytes(public_key_sec1).map_err(|_| SignatureError::PublicKey)?;
    verify_with(&key, message, der_signature)
}

/// Verifies a DER-encoded ES256 signature with an already parsed key.
pub fn verify_with(
    key: &VerifyingKey,
    message: &[u8],
    der_signature: &[u8],
) -> Result<(), SignatureError> {
    let signature = DerSignature::try_from(der_signature).map_err(|_| SignatureError::Encoding)?;
    key.verify(message, &signature)
        .map_err(|_| SignatureError::Mismatch)
}

/// The SubjectPublicKeyInfo DER of a P-256 public key given as SEC1 bytes (what
/// `AuthenticatorAttestationResponse.getPublicKey()` returns).
pub fn spki_from_sec1(public_key_sec1: &[u8]) -> Result<Vec<u8>, SignatureError> {
    let key = PublicKey::from_sec1_bytes(public_key_sec1).map_err(|_| SignatureError::PublicKey)?;
    key.to_public_key_der()
        .map(|doc| doc.as_bytes().to_vec())
        .map_err(|_| SignatureError::PublicKey)
}

/// The uncompressed SEC1 point of a P-256 SubjectPublicKeyInfo DER.
pub fn sec1_from_spki(spki_der: &[u8]) -> Result<[u8; 65], SignatureError> {
    let key = PublicKey::from_public_key_der(spki_der).map_err(|_| SignatureError::PublicKey)?;
    hybridsim_proto::keys::uncompressed(&p256::EncodedPoint::from(key).to_bytes())
        .map_err(|_| SignatureError::PublicKey)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer as _;
    use p256::ecdsa::SigningKey;

    fn key() -> SigningKey {
        SigningKey::from_slice(&[7u8; 32]).unwrap()
    }

    #[test]
    fn der_signature_verifies_and_tampering_fails() {
        let sk = key();
        let sig: DerSignature = sk.sign(b"message");
        let pk = sk.verifying_key().to_encoded_point(false);
        verify_es256(pk.as_bytes(), b"message", sig.as_bytes()).unwrap();
        assert_eq!(
            verify_es256(pk.as_bytes(), b"massage", sig.as_bytes()),
            Err(SignatureError::Mismatch)
        );
        let raw: p256::ecdsa::Signature = sk.sign(b"message");
        assert_eq!(
            verify_es256(pk.as_bytes(), b"message", &raw.to_bytes()),
            Err(SignatureError::Encoding)
        );
        assert_eq!(
            verify_es256(&[4u8; 65], b"message", sig.as_bytes()),
            Err(SignatureError::PublicKey)
        );
    }

    #[test]
    fn spki_round_trips() {
        let pk = key().verifying_key().to_encoded_point(false);
        let spki = spki_from_sec1(pk.as_bytes()).unwrap();
        assert_eq!(spki.len(), 91);
        assert_eq!(sec1_from_spki(&spki).unwrap().as_slice(), pk.as_bytes());
    }
}
