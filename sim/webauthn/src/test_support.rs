//! Test material shared by the unit tests: the attestation fixtures, certificate re-signing
//! (to make one certificate field wrong at a time) and keys.

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
use std::str::FromStr as _;
use x509_cert::der::asn1::BitString;
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::{Certificate, TbsCertificate};

/// A time inside every fixture certificate's validity (2027-01-15).
pub const NOW: u64 = 1_800_000_000;

/// AAGUID of the `microsoft-authenticator-ios` profile.
pub const IOS_AAGUID: [u8; 16] = [
    0x90, 0xa3, 0xcc, 0xdf, 0x63, 0x5c, 0x47, 0x29, 0xa2, 0x48, 0x9b, 0x70, 0x91, 0x35, 0x07, 0x8f,
];

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/attestation/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// DER of a fixture certificate (`ca`, `microsoft-authenticator-ios`, …).
pub fn cert_der(name: &str) -> Vec<u8> {
    crate::x509::pem_to_der(&fixture(&format!("{name}.pem"))).unwrap()
}

/// A fixture private key.
pub fn key(name: &str) -> SigningKey {
    SigningKey::from(
        p256::SecretKey::from_pkcs8_pem(fixture(&format!("{name}.key")).trim()).unwrap(),
    )
}

/// A parsed fixture certificate.
pub fn cert(name: &str) -> Certificate {
    Certificate::from_der(&cert_der(name)).unwrap()
}

/// Signs `tbs` with `key` into a DER certificate.
pub fn sign_tbs(tbs: &TbsCertificate, key: &SigningKey) -> Vec<u8> {
    let tbs_der = tbs.to_der().unwrap();
    let signature: DerSignature = key.sign(&tbs_der);
    Certificate {
        tbs_certificate: tbs.clone(),
        signature_algorithm: tbs.signature.clone(),
        signature: BitString::from_bytes(signature.as_bytes()).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// The iOS leaf with `edit` applied, re-signed by the test CA.
pub fn edited_leaf(edit: impl FnOnce(&mut TbsCertificate)) -> Vec<u8> {
    let mut tbs = cert("microsoft-authenticator-ios").tbs_certificate;
    edit(&mut tbs);
    sign_tbs(&tbs, &key("ca"))
}

/// An RFC 4514 name.
pub fn name(text: &str) -> Name {
    Name::from_str(text).unwrap()
}

/// The SubjectPublicKeyInfo of a signing key's public key.
pub fn spki(key: &SigningKey) -> SubjectPublicKeyInfoOwned {
    let der = key.verifying_key().to_public_key_der().unwrap();
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).unwrap()
}

/// A deterministic key from a one-byte seed.
pub fn seeded_key(seed: u8) -> SigningKey {
    SigningKey::from_slice(&[seed; 32]).unwrap()
}
