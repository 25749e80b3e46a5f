//! An attestation key and its certificate, loaded from PEM text (the caller reads the files;
//! `fixtures/attestation/README.md` describes the shipped ones).

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::DecodePrivateKey;

/// DER of the OID 1.3.6.1.4.1.45724.1.1.4 (id-fido-gen-ce-aaguid), the certificate extension
/// that names the AAGUID in packed attestation certificates (WebAuthn L3 §8.2.1).
pub const AAGUID_EXTENSION_OID: [u8; 13] = [
    0x06, 0x0B, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0xE5, 0x1C, 0x01, 0x01, 0x04,
];

/// An ES256 attestation key with its DER certificate.
#[derive(Debug, Clone)]
pub struct AttestationIdentity {
    key: SigningKey,
    certificate: Vec<u8>,
}

/// Why attestation material was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The text is not PEM, or not of the label expected.
    #[error("{what}: not a PEM block labelled {label}: {reason}")]
    Pem {
        /// Which input ("certificate" or "private key").
        what: &'static str,
        /// The label expected.
        label: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The key is not a PKCS#8 P-256 private key.
    #[error("private key: not a PKCS#8 P-256 key: {0}")]
    Key(String),
    /// The certificate does not carry the key's public key.
    #[error("certificate does not hold the public key of the attestation private key")]
    KeyMismatch,
}

/// Decodes one PEM block with the given label (e.g. "CERTIFICATE") to its DER bytes.
pub fn pem_to_der(pem: &str, label: &'static str) -> Result<Vec<u8>, String> {
    let (found, der) =
        p256::pkcs8::der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| e.to_string())?;
    if found != label {
        return Err(format!("label is {found}"));
    }
    Ok(der)
}

impl AttestationIdentity {
    /// Loads a certificate (PEM "CERTIFICATE") and its PKCS#8 key (PEM "PRIVATE KEY"), and
    /// checks that the certificate holds the key's public key.
    pub fn from_pem(certificate_pem: &str, key_pem: &str) -> Result<Self, IdentityError> {
        let certificate =
            pem_to_der(certificate_pem, "CERTIFICATE").map_err(|reason| IdentityError::Pem {
                what: "certificate",
                label: "CERTIFICATE",
                reason,
            })?;
        let secret = p256::SecretKey::from_pkcs8_pem(key_pem.trim())
            .map_err(|e| IdentityError::Key(e.to_string()))?;
        let public = secret.public_key().to_encoded_point(false);
        // The SubjectPublicKeyInfo BIT STRING holds the 65-byte uncompressed point verbatim.
        if !contains(&certificate, public.as_bytes()) {
            return Err(IdentityError::KeyMismatch);
        }
        Ok(Self {
            key: SigningKey::from(&secret),
            certificate,
        })
    }

    /// The attestation signing key.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    /// The AAGUID the certificate names in extension 1.3.6.1.4.1.45724.1.1.4 (its value is an
    /// OCTET STRING wrapping a 16-byte OCTET STRING: `04 12 04 10 ‖ aaguid`), if present.
    pub fn certificate_aaguid(&self) -> Option<[u8; 16]> {
        let at = find(&self.certificate, &AAGUID_EXTENSION_OID)?;
        let after = self.certificate.get(at + AAGUID_EXTENSION_OID.len()..)?;
        // A critical flag (01 01 FF) may sit between the OID and the value.
        let after = after.strip_prefix(&[0x01, 0x01, 0xFF]).unwrap_or(after);
        let value = after.strip_prefix(&[0x04, 0x12, 0x04, 0x10])?;
        value.get(..16)?.try_into().ok()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}
