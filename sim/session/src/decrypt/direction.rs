//! One direction of the transport: its key, sequence number and crypter construction, and
//! AES-256-GCM opening at a sequence number. Shared by the handshake step (which asks whether
//! a message is already transport traffic) and the transport step, so neither imports the other.

use crate::keylog::Label;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hybridsim_proto::crypter::Construction;

/// How far around the expected sequence number a failed message is tried, to tell a
/// reordered or replayed message from a corrupted one.
const REORDER_WINDOW: u32 = 32;

/// One direction's key, sequence number and construction.
pub(super) struct Direction {
    key: [u8; 32],
    /// The key's name in the key log, for errors.
    pub(super) label: Label,
    /// The sequence number the next message should decrypt at.
    pub(super) sequence: u32,
    /// The construction found so far, if any.
    pub(super) construction: Option<Construction>,
}

impl Direction {
    pub(super) fn new(key: [u8; 32], label: Label) -> Self {
        Self {
            key,
            label,
            sequence: 0,
            construction: None,
        }
    }

    /// The constructions to try: the one fixed, or both (Old first, as webauthn-rs does;
    /// at sequence 0 the nonces agree and only the associated data tells them apart).
    fn candidates(&self) -> Vec<Construction> {
        match self.construction {
            Some(c) => vec![c],
            None => vec![Construction::Old, Construction::New],
        }
    }

    pub(super) fn open(&self, sequence: u32, ciphertext: &[u8]) -> Option<(Construction, Vec<u8>)> {
        self.candidates()
            .into_iter()
            .find_map(|c| open_at(&self.key, c, sequence, ciphertext).map(|p| (c, p)))
    }

    /// The sequence number a message that failed at the expected one does decrypt at.
    pub(super) fn find_sequence(&self, ciphertext: &[u8]) -> Option<u32> {
        let low = self.sequence.saturating_sub(REORDER_WINDOW);
        let high = self.sequence.saturating_add(REORDER_WINDOW);
        (low..=high)
            .filter(|&s| s != self.sequence)
            .find(|&s| self.open(s, ciphertext).is_some())
    }
}

/// Whether `bytes` decrypt as the first transport message under `key` (either construction).
pub(super) fn decrypts_as_first(key: &[u8; 32], bytes: &[u8]) -> bool {
    Direction::new(*key, Label::DesktopWriteKey)
        .open(0, bytes)
        .is_some()
}

/// AES-256-GCM open at a given sequence number, with the nonce and associated data of
/// `construction` (proto's definitions, so the two cannot drift apart).
fn open_at(
    key: &[u8; 32],
    construction: Construction,
    sequence: u32,
    ct: &[u8],
) -> Option<Vec<u8>> {
    let payload = Payload {
        msg: ct,
        aad: construction.associated_data(),
    };
    Aes256Gcm::new(&(*key).into())
        .decrypt(&Nonce::from(construction.nonce(sequence)), payload)
        .ok()
}
