//! PIN/UV auth protocols 1 and 2 (CTAP 2.2 §6.5, "PIN/UV Auth Protocol One/Two"): the key agreement, key
//! derivation, encryption and authentication that hmac-secret uses to carry its salts and
//! outputs. Both sides are here: the authenticator decapsulates, the platform (the client in
//! `sim/webauthn`) encapsulates.
//!
//! | | protocol 1 | protocol 2 |
//! |---|---|---|
//! | kdf(Z) | SHA-256(Z), 32 bytes | HKDF-SHA-256(salt 0³², Z, "CTAP2 HMAC key") ‖ HKDF-SHA-256(salt 0³², Z, "CTAP2 AES key"), 64 bytes |
//! | encrypt | AES-256-CBC, IV = 0 | AES-256-CBC with the AES key, random IV, output IV ‖ ciphertext |
//! | authenticate | HMAC-SHA-256, first 16 bytes | HMAC-SHA-256 with the HMAC key, 32 bytes |
//!
//! AES-256-CBC is written out over the `aes` block cipher (no padding: CTAP's plaintexts are
//! whole blocks) and checked against NIST SP 800-38A F.2.5 in the tests.

use crate::cose::{CoseKey, ALG_ECDH_ES_HKDF_256};
use aes::cipher::{generic_array::GenericArray, BlockDecrypt, BlockEncrypt, KeyInit};
use aes::Aes256;
use hmac::{Hmac, Mac};
use p256::SecretKey;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

const BLOCK: usize = 16;

/// A PIN/UV auth protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinUvAuthProtocol {
    /// Protocol 1.
    One,
    /// Protocol 2.
    Two,
}

/// Why a PIN/UV auth protocol operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinProtocolError {
    /// A protocol number other than 1 or 2.
    #[error("PIN/UV auth protocol {0} is not 1 or 2")]
    UnknownProtocol(u64),
    /// The peer's key-agreement key is not a valid P-256 point.
    #[error("key agreement: the peer key is not a point on P-256")]
    BadPeerKey,
    /// Ciphertext of a length the protocol cannot have produced.
    #[error("ciphertext of {0} bytes is not whole AES blocks (after the IV for protocol 2)")]
    CiphertextLength(usize),
    /// Plaintext of a length that is not whole AES blocks.
    #[error("plaintext of {0} bytes is not whole AES blocks")]
    PlaintextLength(usize),
}

impl PinUvAuthProtocol {
    /// The protocol with this number.
    pub fn from_number(n: u64) -> Result<Self, PinProtocolError> {
        match n {
            1 => Ok(Self::One),
            2 => Ok(Self::Two),
            other => Err(PinProtocolError::UnknownProtocol(other)),
        }
    }

    /// The protocol number.
    pub fn number(self) -> u64 {
        match self {
            Self::One => 1,
            Self::Two => 2,
        }
    }

    /// kdf(Z) of this protocol.
    pub fn kdf(self, z: &[u8; 32]) -> SharedSecret {
        match self {
            Self::One => SharedSecret {
                protocol: self,
                bytes: Sha256::digest(z).to_vec(),
            },
            Self::Two => {
                let hkdf = hkdf::Hkdf::<Sha256>::new(Some(&[0u8; 32]), z);
                let mut bytes = vec![0u8; 64];
                let (hmac_key, aes_key) = bytes.split_at_mut(32);
                // 32 bytes is far below HKDF-SHA-256's limit, so expand cannot fail.
                let _ = hkdf.expand(b"CTAP2 HMAC key", hmac_key);
                let _ = hkdf.expand(b"CTAP2 AES key", aes_key);
                SharedSecret {
                    protocol: self,
                    bytes,
                }
            }
        }
    }

    /// The authenticator's side: the shared secret with the platform's key-agreement key.
    pub fn decapsulate(
        self,
        own: &SecretKey,
        peer: &CoseKey,
    ) -> Result<SharedSecret, PinProtocolError> {
        let peer = peer
            .to_public_key()
            .map_err(|_| PinProtocolError::BadPeerKey)?;
        let shared = p256::ecdh::diffie_hellman(own.to_nonzero_scalar(), peer.as_affine());
        let mut z = [0u8; 32];
        z.copy_from_slice(shared.raw_secret_bytes().as_slice());
        Ok(self.kdf(&z))
    }

    /// The platform's side: a fresh key-agreement key from `rng`, the COSE form to send (alg
    /// -25) and the shared secret with the authenticator's key.
    pub fn encapsulate(
        self,
        authenticator_key: &CoseKey,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<(CoseKey, SharedSecret), PinProtocolError> {
        let own = SecretKey::random(rng);
        let secret = self.decapsulate(&own, authenticator_key)?;
        Ok((
            CoseKey::from_public_key(&own.public_key(), ALG_ECDH_ES_HKDF_256),
            secret,
        ))
    }
}

/// The shared secret of one key agreement, bound to its protocol.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSecret {
    protocol: PinUvAuthProtocol,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SharedSecret({:?}, {} bytes)",
            self.protocol,
            self.bytes.len()
        )
    }
}

impl SharedSecret {
    /// The protocol it was derived for.
    pub fn protocol(&self) -> PinUvAuthProtocol {
        self.protocol
    }

    /// The raw secret (32 bytes for protocol 1, 64 for protocol 2).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn hmac_key(&self) -> &[u8] {
        self.bytes.get(..32).unwrap_or_default()
    }

    fn aes_key(&self) -> &[u8] {
        match self.protocol {
            PinUvAuthProtocol::One => &self.bytes,
            PinUvAuthProtocol::Two => self.bytes.get(32..).unwrap_or_default(),
        }
    }

    /// encrypt(key, plaintext); protocol 2 draws its IV from `rng`, protocol 1 draws nothing.
    pub fn encrypt(
        &self,
        plaintext: &[u8],
        rng: &mut impl RngCore,
    ) -> Result<Vec<u8>, PinProtocolError> {
        match self.protocol {
            PinUvAuthProtocol::One => aes256_cbc_encrypt(self.aes_key(), &[0; BLOCK], plaintext),
            PinUvAuthProtocol::Two => {
                let mut iv = [0u8; BLOCK];
                rng.fill_bytes(&mut iv);
                let mut out = iv.to_vec();
                out.extend(aes256_cbc_encrypt(self.aes_key(), &iv, plaintext)?);
                Ok(out)
            }
        }
    }

    /// decrypt(key, ciphertext).
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, PinProtocolError> {
        match self.protocol {
            PinUvAuthProtocol::One => aes256_cbc_decrypt(self.aes_key(), &[0; BLOCK], ciphertext),
            PinUvAuthProtocol::Two => {
                if ciphertext.len() < BLOCK {
                    return Err(PinProtocolError::CiphertextLength(ciphertext.len()));
                }
                let (iv, body) = ciphertext.split_at(BLOCK);
                let mut iv_block = [0u8; BLOCK];
                iv_block.copy_from_slice(iv);
                aes256_cbc_decrypt(self.aes_key(), &iv_block, body)
                    .map_err(|_| PinProtocolError::CiphertextLength(ciphertext.len()))
            }
        }
    }

    /// authenticate(key, message).
    pub fn authenticate(&self, message: &[u8]) -> Vec<u8> {
        let mac = hmac_sha256(self.hmac_key(), &[message]);
        match self.protocol {
            PinUvAuthProtocol::One => mac.get(..16).unwrap_or_default().to_vec(),
            PinUvAuthProtocol::Two => mac.to_vec(),
        }
    }

    /// verify(key, message, signature), in constant time.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.hmac_key()) {
            Ok(mac) => mac,
            Err(_) => return false,
        };
        mac.update(message);
        match self.protocol {
            PinUvAuthProtocol::One => {
                mac.verify_truncated_left(signature).is_ok() && signature.len() == 16
            }
            PinUvAuthProtocol::Two => mac.verify_slice(signature).is_ok(),
        }
    }
}

/// HMAC-SHA-256 over the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return [0; 32];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// AES-256-CBC without padding.
pub fn aes256_cbc_encrypt(
    key: &[u8],
    iv: &[u8; BLOCK],
    plaintext: &[u8],
) -> Result<Vec<u8>, PinProtocolError> {
    if !plaintext.len().is_multiple_of(BLOCK) {
        return Err(PinProtocolError::PlaintextLength(plaintext.len()));
    }
    let cipher = Aes256::new_from_slice(key).map_err(|_| PinProtocolError::PlaintextLength(0))?;
    let mut previous = *iv;
    let mut out = Vec::with_capacity(plaintext.len());
    for chunk in plaintext.chunks_exact(BLOCK) {
        let mut block = GenericArray::clone_from_slice(chunk);
        block.iter_mut().zip(previous).for_each(|(b, p)| *b ^= p);
        cipher.encrypt_block(&mut block);
        previous.copy_from_slice(&block);
        out.extend_from_slice(&block);
    }
    Ok(out)
}

/// AES-256-CBC decryption without padding.
pub fn aes256_cbc_decrypt(
    key: &[u8],
    iv: &[u8; BLOCK],
    ciphertext: &[u8],
) -> Result<Vec<u8>, PinProtocolError> {
    if !ciphertext.len().is_multiple_of(BLOCK) {
        return Err(PinProtocolError::CiphertextLength(ciphertext.len()));
    }
    let cipher = Aes256::new_from_slice(key).map_err(|_| PinProtocolError::CiphertextLength(0))?;
    let mut previous = *iv;
    let mut out = Vec::with_capacity(ciphertext.len());
    for chunk in ciphertext.chunks_exact(BLOCK) {
        let mut block = GenericArray::clone_from_slice(chunk);
        cipher.decrypt_block(&mut block);
        block.iter_mut().zip(previous).for_each(|(b, p)| *b ^= p);
        previous.copy_from_slice(chunk);
        out.extend_from_slice(&block);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
