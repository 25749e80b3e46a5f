//! Step 4: the transport messages of both directions, each with its own sequence number,
//! detecting the crypter construction (docs/protocol.md §7.1) and naming why a message fails.

use super::decode;
use super::direction::Direction;
use super::error::at;
use super::handshake::Established;
use super::{DecryptedSession, SessionError};
use crate::keylog::Label;
use crate::messages::{Side, WireMessage};
use hybridsim_proto::crypter::{Construction, TAG_LEN};
use hybridsim_proto::padding;

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
