//! Attestation certificate chains (`x5c`) and the requirements WebAuthn puts on a packed
//! attestation certificate (L3 §8.2.1).
//!
//! Only what attestation needs: every certificate is ecdsa-with-SHA256 under a P-256 key; each
//! `x5c[i]` must be issued and signed by `x5c[i + 1]`, and the last one by (or be) a trusted root.
//! Validity is checked against `now`, UNIX seconds, given by the caller. Signatures are checked
//! over the `tbsCertificate` bytes exactly as they appear in the input, not a re-encoding.
//!
//! Not checked (attestation chains do not use them in practice): key usage, path length
//! constraints, name constraints, policies, revocation.

use crate::crypto::{self, SignatureError};
use p256::ecdsa::VerifyingKey;
use std::fmt;
use x509_cert::der::asn1::{ObjectIdentifier, OctetString};
use x509_cert::der::{Decode as _, Reader as _, SliceReader, Tag, Tagged as _};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::{Certificate, Version};

/// `id-fido-gen-ce-aaguid`: the certificate extension naming the authenticator's AAGUID.
pub const AAGUID_EXTENSION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");
/// `ecdsa-with-SHA256`.
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The subject OU a packed attestation certificate must have.
pub const ATTESTATION_OU: &str = "Authenticator Attestation";

/// Which certificate an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// `x5c[i]` of the attestation statement (0 is the attestation certificate).
    X5c(usize),
    /// The `i`-th trusted root the relying party was configured with.
    Root(usize),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::X5c(i) => write!(f, "x5c[{i}]"),
            Self::Root(i) => write!(f, "trusted root {i}"),
        }
    }
}

/// Why an attestation certificate or chain was refused; one variant per check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The statement's `x5c` array is empty.
    #[error("x5c is empty")]
    EmptyChain,
    /// The relying party has no trusted roots, so no chain can be trusted.
    #[error("no trusted attestation roots are configured")]
    NoTrustedRoots,
    /// A certificate is not DER X.509.
    #[error("{position} is not a DER X.509 certificate: {reason}")]
    Decode {
        /// The certificate.
        position: Position,
        /// The DER decoder's message.
        reason: String,
    },
    /// A certificate is signed with something other than ecdsa-with-SHA256 (or its two
    /// algorithm fields disagree).
    #[error("{position} is signed with {oid}, only ecdsa-with-SHA256 (1.2.840.10045.4.3.2) is supported")]
    SignatureAlgorithm {
        /// The certificate.
        position: Position,
        /// The algorithm found (the outer one, or the inner one where they differ).
        oid: String,
    },
    /// A certificate's key is not a P-256 EC key.
    #[error("{position} has a public key that is not P-256")]
    UnsupportedKey {
        /// The certificate.
        position: Position,
    },
    /// `now` is before a certificate's notBefore.
    #[error("{position} is not valid before {not_before} (now is {now})")]
    NotYetValid {
        /// The certificate.
        position: Position,
        /// notBefore, UNIX seconds.
        not_before: u64,
        /// The time checked, UNIX seconds.
        now: u64,
    },
    /// `now` is after a certificate's notAfter.
    #[error("{position} expired at {not_after} (now is {now})")]
    Expired {
        /// The certificate.
        position: Position,
        /// notAfter, UNIX seconds.
        not_after: u64,
        /// The time checked, UNIX seconds.
        now: u64,
    },
    /// A certificate's issuer is not its signer's subject.
    #[error("{position}'s issuer ({issuer}) is not the subject of {signer} ({subject})")]
    IssuerMismatch {
        /// The certificate.
        position: Position,
        /// Its issuer name.
        issuer: String,
        /// The certificate expected to have signed it.
        signer: Position,
        /// That certificate's subject name.
        subject: String,
    },
    /// A certificate's signature does not verify under its issuer's key.
    #[error("{position}'s signature does not verify under the key of {signer}: {reason}")]
    BadSignature {
        /// The certificate.
        position: Position,
        /// The certificate whose key was used.
        signer: Position,
        /// What failed.
        reason: SignatureError,
    },
    /// An intermediate certificate is not a CA (basicConstraints cA false or absent).
    #[error("{position} signs another certificate but is not a CA")]
    NotCa {
        /// The certificate.
        position: Position,
    },
    /// The top of the chain is neither a trusted root nor issued by one.
    #[error("x5c[{top}] ({issuer}) is not issued by any trusted root")]
    Untrusted {
        /// Index of the last x5c certificate.
        top: usize,
        /// Its issuer name.
        issuer: String,
    },
    /// An extension cannot be decoded or appears twice.
    #[error("{position} has a malformed or repeated extension {oid}")]
    MalformedExtension {
        /// The certificate.
        position: Position,
        /// The extension.
        oid: String,
    },
    /// The attestation certificate is not X.509 version 3 (§8.2.1).
    #[error("the attestation certificate is X.509 version {found}, not 3")]
    LeafVersion {
        /// The version found (1 or 2).
        found: u8,
    },
    /// The attestation certificate's subject lacks C, O or CN (§8.2.1).
    #[error("the attestation certificate's subject has no {attribute}")]
    LeafSubjectMissing {
        /// `"C"`, `"O"` or `"CN"`.
        attribute: &'static str,
    },
    /// The attestation certificate's subject OU is not "Authenticator Attestation" (§8.2.1).
    #[error("the attestation certificate's subject OU is {found:?}, expected \"Authenticator Attestation\"")]
    LeafSubjectOu {
        /// The OU found (`None` when there is none).
        found: Option<String>,
    },
    /// The attestation certificate says it is a CA (§8.2.1: basicConstraints cA must be false).
    #[error("the attestation certificate is a CA (basicConstraints cA true)")]
    LeafIsCa,
    /// The AAGUID extension is marked critical (§8.2.1).
    #[error("the attestation certificate's AAGUID extension is marked critical")]
    AaguidCritical,
    /// The AAGUID extension is not an OCTET STRING of 16 bytes.
    #[error("the attestation certificate's AAGUID extension is not a 16-byte OCTET STRING")]
    AaguidMalformed,
    /// The certificate names another AAGUID than the authenticator data (§8.2.1).
    #[error("the attestation certificate names AAGUID {}, authenticator data has {}", hex::encode(.certificate), hex::encode(.auth_data))]
    AaguidMismatch {
        /// The AAGUID in the certificate.
        certificate: [u8; 16],
        /// The AAGUID in the authenticator data.
        auth_data: [u8; 16],
    },
}

/// A parsed certificate with the exact bytes its signature covers.
#[derive(Debug, Clone)]
pub struct ParsedCertificate {
    /// The decoded certificate.
    pub certificate: Certificate,
    tbs: Vec<u8>,
}

impl ParsedCertificate {
    /// Parses DER; `position` only labels the error.
    pub fn parse(der: &[u8], position: Position) -> Result<Self, CertificateError> {
        let decode_error = |e: x509_cert::der::Error| CertificateError::Decode {
            position,
            reason: e.to_string(),
        };
        let certificate = Certificate::from_der(der).map_err(decode_error)?;
        let mut reader = SliceReader::new(der).map_err(decode_error)?;
        let tbs = reader
            .sequence(|inner| {
                inner.tlv_bytes().map(<[u8]>::to_vec).and_then(|tbs| {
                    // The rest of the outer SEQUENCE was checked by `Certificate::from_der`.
                    let rest = inner.remaining_len();
                    inner.read_slice(rest)?;
                    Ok(tbs)
                })
            })
            .map_err(decode_error)?;
        Ok(Self { certificate, tbs })
    }

    /// The `tbsCertificate` bytes as they appear in the input.
    pub fn tbs_bytes(&self) -> &[u8] {
        &self.tbs
    }

    /// The subject's P-256 public key.
    pub fn public_key(&self, position: Position) -> Result<VerifyingKey, CertificateError> {
        let spki = &self.certificate.tbs_certificate.subject_public_key_info;
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if spki.algorithm.oid != EC_PUBLIC_KEY || curve != Some(PRIME256V1) {
            return Err(CertificateError::UnsupportedKey { position });
        }
        spki.subject_public_key
            .as_bytes()
            .and_then(|sec1| VerifyingKey::from_sec1_bytes(sec1).ok())
            .ok_or(CertificateError::UnsupportedKey { position })
    }

    /// The subject's public key as uncompressed SEC1 bytes.
    pub fn public_key_sec1(&self, position: Position) -> Result<[u8; 65], CertificateError> {
        let key = self.public_key(position)?;
        hybridsim_proto::keys::uncompressed(key.to_encoded_point(false).as_bytes())
            .map_err(|_| CertificateError::UnsupportedKey { position })
    }

    fn check_algorithm(&self, position: Position) -> Result<(), CertificateError> {
        let outer = &self.certificate.signature_algorithm;
        let inner = &self.certificate.tbs_certificate.signature;
        for alg in [outer, inner] {
            if alg.oid != ECDSA_WITH_SHA256 || alg.parameters.is_some() {
                return Err(CertificateError::SignatureAlgorithm {
                    position,
                    oid: alg.oid.to_string(),
                });
            }
        }
        Ok(())
    }

    fn check_validity(&self, position: Position, now: u64) -> Result<(), CertificateError> {
        let validity = &self.certificate.tbs_certificate.validity;
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();
        if now < not_before {
            return Err(CertificateError::NotYetValid {
                position,
                not_before,
                now,
            });
        }
        if now > not_after {
            return Err(CertificateError::Expired {
                position,
                not_after,
                now,
            });
        }
        Ok(())
    }

    /// basicConstraints, when present: `Some(cA)`.
    fn basic_constraints_ca(&self, position: Position) -> Result<Option<bool>, CertificateError> {
        self.certificate
            .tbs_certificate
            .get::<BasicConstraints>()
            .map(|found| found.map(|(_, bc)| bc.ca))
            .map_err(|_| CertificateError::MalformedExtension {
                position,
                oid: BASIC_CONSTRAINTS.to_string(),
            })
    }

    /// Checks that `signer` issued and signed this certificate.
    fn check_signed_by(
        &self,
        position: Position,
        signer: &ParsedCertificate,
        signer_position: Position,
    ) -> Result<(), CertificateError> {
        let issuer = &self.certificate.tbs_certificate.issuer;
        let subject = &signer.certificate.tbs_certificate.subject;
        if issuer != subject {
            return Err(CertificateError::IssuerMismatch {
                position,
                issuer: issuer.to_string(),
                signer: signer_position,
                subject: subject.to_string(),
            });
        }
        let key = signer.public_key(signer_position)?;
        let signature = self.certificate.signature.as_bytes().unwrap_or_default();
        crypto::verify_with(&key, &self.tbs, signature).map_err(|reason| {
            CertificateError::BadSignature {
                position,
                signer: signer_position,
                reason,
            }
        })
    }
}

/// Verifies an `x5c` chain (attestation certificate first) up to one of `roots` (DER) at time
/// `now` (UNIX seconds), and returns the parsed attestation certificate.
///
/// The last `x5c` entry may be a trusted root itself (byte-identical) or be issued by one.
pub fn verify_chain(
    x5c: &[Vec<u8>],
    roots: &[Vec<u8>],
    now: u64,
) -> Result<ParsedCertificate, CertificateError> {
    if x5c.is_empty() {
        return Err(CertificateError::EmptyChain);
    }
    if roots.is_empty() {
        return Err(CertificateError::NoTrustedRoots);
    }
    let chain = x5c
        .iter()
        .enumerate()
        .map(|(i, der)| ParsedCertificate::parse(der, Position::X5c(i)))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, cert) in chain.iter().enumerate() {
        cert.check_algorithm(Position::X5c(i))?;
        cert.check_validity(Position::X5c(i), now)?;
    }
    for (i, pair) in chain.windows(2).enumerate() {
        let [cert, signer] = pair else { continue };
        let signer_position = Position::X5c(i + 1);
        if signer.basic_constraints_ca(signer_position)? != Some(true) {
            return Err(CertificateError::NotCa {
                position: signer_position,
            });
        }
        cert.check_signed_by(Position::X5c(i), signer, signer_position)?;
    }
    let top_index = chain.len() - 1;
    let top_der = x5c.last().map(Vec::as_slice).unwrap_or_default();
    let top = chain.last().ok_or(CertificateError::EmptyChain)?;
    if roots.iter().any(|root| root.as_slice() == top_der) {
        return chain.into_iter().next().ok_or(CertificateError::EmptyChain);
    }
    let mut first_failure = None;
    for (r, root_der) in roots.iter().enumerate() {
        let position = Position::Root(r);
        let root = ParsedCertificate::parse(root_der, position)?;
        if root.certificate.tbs_certificate.subject != top.certificate.tbs_certificate.issuer {
            continue;
        }
        let result = root
            .check_validity(position, now)
            .and_then(|()| top.check_signed_by(Position::X5c(top_index), &root, position));
        match result {
            Ok(()) => return chain.into_iter().next().ok_or(CertificateError::EmptyChain),
            Err(e) => {
                first_failure.get_or_insert(e);
            }
        }
    }
    Err(
        first_failure.unwrap_or_else(|| CertificateError::Untrusted {
            top: top_index,
            issuer: top.certificate.tbs_certificate.issuer.to_string(),
        }),
    )
}

/// Checks the requirements of WebAuthn L3 §8.2.1 on a packed attestation certificate: version
/// 3; subject C, O, CN present and OU "Authenticator Attestation"; basicConstraints not a CA;
/// the AAGUID extension, when present, not critical and equal to `auth_data_aaguid`.
pub fn check_packed_leaf(
    leaf: &ParsedCertificate,
    auth_data_aaguid: &[u8; 16],
) -> Result<(), CertificateError> {
    let tbs = &leaf.certificate.tbs_certificate;
    if tbs.version != Version::V3 {
        return Err(CertificateError::LeafVersion {
            found: tbs.version as u8 + 1,
        });
    }
    for (oid, attribute) in [(COUNTRY, "C"), (ORGANIZATION, "O"), (COMMON_NAME, "CN")] {
        if subject_attribute(leaf, oid).is_none() {
            return Err(CertificateError::LeafSubjectMissing { attribute });
        }
    }
    let ou = subject_attribute(leaf, ORGANIZATIONAL_UNIT);
    if ou.as_deref() != Some(ATTESTATION_OU) {
        return Err(CertificateError::LeafSubjectOu { found: ou });
    }
    if leaf.basic_constraints_ca(Position::X5c(0))? == Some(true) {
        return Err(CertificateError::LeafIsCa);
    }
    let mut aaguid_extensions = tbs
        .extensions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|e| e.extn_id == AAGUID_EXTENSION);
    if let Some(extension) = aaguid_extensions.next() {
        if aaguid_extensions.next().is_some() {
            return Err(CertificateError::MalformedExtension {
                position: Position::X5c(0),
                oid: AAGUID_EXTENSION.to_string(),
            });
        }
        if extension.critical {
            return Err(CertificateError::AaguidCritical);
        }
        let certificate: [u8; 16] = OctetString::from_der(extension.extn_value.as_bytes())
            .ok()
            .and_then(|inner| inner.as_bytes().try_into().ok())
            .ok_or(CertificateError::AaguidMalformed)?;
        if &certificate != auth_data_aaguid {
            return Err(CertificateError::AaguidMismatch {
                certificate,
                auth_data: *auth_data_aaguid,
            });
        }
    }
    Ok(())
}

/// The first subject attribute with this type, as text.
fn subject_attribute(cert: &ParsedCertificate, oid: ObjectIdentifier) -> Option<String> {
    cert.certificate
        .tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == oid)
        .and_then(|atv| match atv.value.tag() {
            Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
                std::str::from_utf8(atv.value.value())
                    .ok()
                    .map(str::to_owned)
            }
            _ => None,
        })
}

/// Why PEM text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PemError {
    /// The text is not one RFC 7468 PEM block.
    #[error("not PEM: {0}")]
    NotPem(String),
    /// The block is labelled something other than CERTIFICATE.
    #[error("PEM block is labelled {0:?}, expected \"CERTIFICATE\"")]
    Label(String),
}

/// The DER bytes of a PEM `CERTIFICATE` block, exactly as encoded (for configuration and tests).
pub fn pem_to_der(pem: &str) -> Result<Vec<u8>, PemError> {
    let (label, der) = x509_cert::der::pem::decode_vec(pem.trim().as_bytes())
        .map_err(|e| PemError::NotPem(e.to_string()))?;
    if label != "CERTIFICATE" {
        return Err(PemError::Label(label.to_owned()));
    }
    Ok(der)
}

#[cfg(test)]
mod tests;
