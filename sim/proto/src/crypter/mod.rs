//! Transport encryption after the handshake: Chromium's `Crypter` (docs/protocol.md §7.1).
//!
//! AES-256-GCM with a 16-byte tag, one key and one 32-bit sequence number per direction, both
//! starting at 0. The write sequence number advances with every message sent; the read
//! sequence number only after a message decrypts, so a corrupted or replayed message does not
//! disturb the ones after it. Chromium refuses sequence numbers above 2^24 − 1.
//!
//! Every plaintext is padded first (§7.2, [`crate::padding`]).
//!
//! This is not snow's `TransportState`: the old construction below is not Noise, and snow caps
//! messages at 65535 bytes where Chromium allows 1 MiB (docs/protocol.md §6.5).

use crate::padding::{self, PaddingError};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use std::fmt;

/// The highest sequence number Chromium uses in either direction (2^24 − 1).
pub const MAX_SEQUENCE: u32 = (1 << 24) - 1;

/// Length of the AES-GCM tag appended to every message.
pub const TAG_LEN: usize = 16;

/// How the nonce and associated data are built from the sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Construction {
    /// Current Chromium, the CTAP 2.2 text and snow's transport: nonce = 8 zero bytes ‖
    /// big-endian u32 sequence number; no associated data.
    New,
    /// Older Chromium (`v2_handshake.cc` @ 0b007350): nonce = little-endian u32 sequence
    /// number ‖ 8 zero bytes; associated data = the single byte `02` ("version 2").
    Old,
}

impl Construction {
    /// The 12-byte AES-GCM nonce for a sequence number.
    pub fn nonce(self, sequence: u32) -> [u8; 12] {
        match self {
            Self::New => {
                let [a, b, c, d] = sequence.to_be_bytes();
                [0, 0, 0, 0, 0, 0, 0, 0, a, b, c, d]
            }
            Self::Old => {
                let [a, b, c, d] = sequence.to_le_bytes();
                [a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0]
            }
        }
    }

    /// The associated data authenticated with every message.
    pub fn associated_data(self) -> &'static [u8] {
        match self {
            Self::New => &[],
            Self::Old => &[2],
        }
    }
}

/// Which direction of a [`Crypter`] an error concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Messages from the peer.
    Read,
    /// Messages to the peer.
    Write,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Write => "write",
        })
    }
}

/// Why a transport message could not be encrypted or decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrypterError {
    /// The sequence number in this direction has passed Chromium's limit.
    #[error("{direction} sequence number {sequence} is past the limit of 2^24 - 1")]
    SequenceExhausted {
        /// The direction that ran out.
        direction: Direction,
        /// The sequence number that would have been used.
        sequence: u32,
    },
    /// AES-GCM refused the message: wrong key or construction, corrupted, replayed, reordered,
    /// or shorter than a tag. Deliberately not more precise (an AEAD cannot tell these apart).
    #[error("message {sequence} does not decrypt (wrong key, corrupted, replayed or reordered)")]
    Decrypt {
        /// The read sequence number the message was tried with.
        sequence: u32,
    },
    /// The message decrypted but its padding is invalid.
    #[error("message {sequence}: {source}")]
    Padding {
        /// The read sequence number of the message.
        sequence: u32,
        /// What is wrong with the padding.
        source: PaddingError,
    },
    /// AES-GCM cannot encrypt this much in one message (about 64 GiB).
    #[error("a {len}-byte message is too long for AES-GCM")]
    TooLong {
        /// Plaintext length, padding included.
        len: usize,
    },
}

/// One side's transport encryption: read and write keys with their sequence numbers.
///
/// Build it from the handshake ([`crate::noise::HandshakeDone::crypter`]) or, for known-answer
/// tests and fault injection, from raw keys. The two sides of a connection hold the same keys
/// swapped.
#[derive(Clone)]
pub struct Crypter {
    read_key: [u8; 32],
    write_key: [u8; 32],
    read_sequence: u32,
    write_sequence: u32,
    /// `None` while detecting: nothing has decrypted yet.
    construction: Option<Construction>,
}

impl fmt::Debug for Crypter {
    /// Keys are left out so that traces and test failures do not print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crypter")
            .field("read_sequence", &self.read_sequence)
            .field("write_sequence", &self.write_sequence)
            .field("construction", &self.construction)
            .finish_non_exhaustive()
    }
}

impl Crypter {
    /// A crypter fixed to one construction, with both sequence numbers at 0.
    pub fn new(read_key: [u8; 32], write_key: [u8; 32], construction: Construction) -> Self {
        Self {
            read_key,
            write_key,
            read_sequence: 0,
            write_sequence: 0,
            construction: Some(construction),
        }
    }

    /// A crypter that learns the peer's construction from the first message it decrypts,
    /// as webauthn-rs' initiator does (docs/protocol.md §7.1, §0.1 item 3).
    ///
    /// The first successful decryption tries [`Construction::Old`], then
    /// [`Construction::New`], and fixes both directions to the one that worked. If neither
    /// works, nothing is fixed and the next message is tried both ways again (webauthn-rs
    /// instead stays on New after such a failure). Messages encrypted before anything has
    /// decrypted use Old, as webauthn-rs does; a desktop always reads the post-handshake
    /// message first, so this does not arise in a normal transaction.
    pub fn detecting(read_key: [u8; 32], write_key: [u8; 32]) -> Self {
        Self {
            construction: None,
            ..Self::new(read_key, write_key, Construction::New)
        }
    }

    /// The construction in use, or `None` while a detecting crypter has not decrypted anything.
    pub fn construction(&self) -> Option<Construction> {
        self.construction
    }

    /// The sequence number the next decrypted message must carry.
    pub fn read_sequence(&self) -> u32 {
        self.read_sequence
    }

    /// The sequence number the next encrypted message will carry.
    pub fn write_sequence(&self) -> u32 {
        self.write_sequence
    }

    /// Pads `message` (§7.2) and encrypts it: `padded.len() + 16` bytes for the wire.
    pub fn encrypt(&mut self, message: &[u8]) -> Result<Vec<u8>, CrypterError> {
        self.encrypt_unpadded(&padding::pad(message))
    }

    /// Decrypts a message and removes its padding.
    ///
    /// As in Chromium, the read sequence number has advanced once the AEAD accepted the
    /// message, even if the padding then turns out to be invalid.
    pub fn decrypt(&mut self, ciphertext: &[u8]) -> Result<Vec<u8>, CrypterError> {
        let sequence = self.read_sequence;
        let mut plaintext = self.decrypt_unpadded(ciphertext)?;
        let keep = padding::unpad(&plaintext)
            .map_err(|source| CrypterError::Padding { sequence, source })?
            .len();
        plaintext.truncate(keep);
        Ok(plaintext)
    }

    /// Encrypts `plaintext` exactly as given, without §7.2 padding.
    ///
    /// For peers that pad differently (libwebauthn pads the CTAP payload before adding the
    /// type byte) and for sending malformed padding on purpose.
    pub fn encrypt_unpadded(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, CrypterError> {
        let sequence = self.write_sequence;
        if sequence > MAX_SEQUENCE {
            return Err(CrypterError::SequenceExhausted {
                direction: Direction::Write,
                sequence,
            });
        }
        let construction = self.construction.unwrap_or(Construction::Old);
        let ciphertext = seal(&self.write_key, construction, sequence, plaintext).ok_or(
            CrypterError::TooLong {
                len: plaintext.len(),
            },
        )?;
        self.write_sequence = sequence + 1;
        Ok(ciphertext)
    }

    /// Decrypts a message without removing padding.
    pub fn decrypt_unpadded(&mut self, ciphertext: &[u8]) -> Result<Vec<u8>, CrypterError> {
        let sequence = self.read_sequence;
        if sequence > MAX_SEQUENCE {
            return Err(CrypterError::SequenceExhausted {
                direction: Direction::Read,
                sequence,
            });
        }
        let candidates: &[Construction] = match &self.construction {
            Some(fixed) => std::slice::from_ref(fixed),
            None => &[Construction::Old, Construction::New],
        };
        let (construction, plaintext) = candidates
            .iter()
            .find_map(|&c| open(&self.read_key, c, sequence, ciphertext).map(|p| (c, p)))
            .ok_or(CrypterError::Decrypt { sequence })?;
        self.construction = Some(construction);
        self.read_sequence = sequence + 1;
        Ok(plaintext)
    }
}

fn seal(key: &[u8; 32], c: Construction, sequence: u32, plaintext: &[u8]) -> Option<Vec<u8>> {
    let payload = Payload {
        msg: plaintext,
        aad: c.associated_data(),
    };
    Aes256Gcm::new(&(*key).into())
        .encrypt(&Nonce::from(c.nonce(sequence)), payload)
        .ok()
}

fn open(key: &[u8; 32], c: Construction, sequence: u32, ciphertext: &[u8]) -> Option<Vec<u8>> {
    let payload = Payload {
        msg: ciphertext,
        aad: c.associated_data(),
    };
    Aes256Gcm::new(&(*key).into())
        .decrypt(&Nonce::from(c.nonce(sequence)), payload)
        .ok()
}

#[cfg(test)]
mod tests;
