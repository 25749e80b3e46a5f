//! Step 4: the transport messages of both directions, each with its own sequence number,
//! detecting the crypter construction (docs/protocol.md §7.1) and naming why a message fails.

use super::decode;
use super::handshake::{at, Established};
use super::{DecryptedSession, SessionError};
use crate::keylog::Label;
use crate::messages::{Side, WireMessage};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hybridsim_proto::crypter::{Construction, TAG_LEN};
use hybridsim_proto::padding;

/// How far around the expected sequence number a failed message is tried, to tell a
/// reordered or replayed message from a corrupted one.
const REORDER_WINDOW: u32 = 32;

/// One direction's key, sequence number and construction.
struct Direction {
    key: [u8; 32],
    label: Label,
    sequence: u32,
    construction: Option<Construction>,
}

impl Direction {
    fn new(key: [u8; 32], label: Label) -> Self {
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

    fn open(&self, sequence: u32, ciphertext: &[u8]) -> Option<(Construction, Vec<u8>)> {
        self.candidates()
            .into_iter()
            .find_map(|c| open_at(&self.key, c, sequence, ciphertext).map(|p| (c, p)))
    }

    /// The sequence number a message that failed at the expected one does decrypt at.
    fn find_sequence(&self, ciphertext: &[u8]) -> Option<u32> {
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

/// Decrypts every transport message, then decodes them; the first failure in message order
/// is returned.
pub(super) fn decrypt_all(
    messages: &[WireMessage],
    established: &Established,
    session: &mut DecryptedSession,
) -> Result<(), SessionError> {
    let mut desktop = Direction::new(established.desktop_write, Label::DesktopWriteKey);
    let mut phone = Direction::new(established.desktop_read, Label::DesktopReadKey);
    let mut opened = Vec::new();
    let mut crypto_error = None;
    for (index, m) in messages
        .iter()
        .enumerate()
        .skip(established.first_transport)
    {
        let (this, other) = match m.from {
            Side::Desktop => (&mut desktop, &phone),
            Side::Phone => (&mut phone, &desktop),
        };
        match open_one(this, other.construction, m, index) {
            Ok(plaintext) => opened.push(decode::Opened {
                index,
                message: m,
                plaintext,
            }),
            Err(e) => {
                crypto_error = Some(e);
                break;
            }
        }
    }
    session.crypter = phone.construction.or(desktop.construction).map(Into::into);
    decode::decode_all(&opened, established.kind, session)?;
    crypto_error.map_or(Ok(()), Err)
}

fn open_one(
    direction: &mut Direction,
    other: Option<Construction>,
    m: &WireMessage,
    index: usize,
) -> Result<Vec<u8>, SessionError> {
    let here = at(m, index);
    if m.bytes.len() < TAG_LEN {
        return Err(SessionError::Truncated {
            at: here,
            len: m.bytes.len(),
            need: "a transport message is at least its 16-byte tag",
        });
    }
    let sequence = direction.sequence;
    let Some((construction, padded)) = direction.open(sequence, &m.bytes) else {
        return Err(match direction.find_sequence(&m.bytes) {
            Some(found) => SessionError::OutOfOrder {
                at: here,
                expected: sequence,
                found,
            },
            None if direction.construction.is_none() => SessionError::WrongKey {
                at: here,
                label: direction.label,
            },
            None => SessionError::BadTag { at: here, sequence },
        });
    };
    if let Some(expected) = other.filter(|&c| c != construction) {
        return Err(SessionError::ConstructionMismatch {
            at: here,
            expected: super::CrypterKind::from(expected).as_str(),
            found: super::CrypterKind::from(construction).as_str(),
        });
    }
    direction.construction = Some(construction);
    direction.sequence = sequence.saturating_add(1);
    let plaintext =
        padding::unpad(&padded).map_err(|source| SessionError::BadPadding { at: here, source })?;
    Ok(plaintext.to_vec())
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
