//! Step 3: the Noise handshake, run again from the logged keys and checked against the
//! captured messages, or skipped when only traffic keys are logged.

use super::direction::decrypts_as_first;
use super::error::at;
use super::setup::{line_of, Secrets};
use super::{DecodedMessage, DecryptedSession, Flow, HandshakeSource, MessageKind, SessionError};
use crate::keylog::{Label, SessionKeys};
use crate::messages::{Side, WireMessage};
use hybridsim_proto::keys;
use hybridsim_proto::noise::{
    HandshakeDone, HandshakeKind, Initiator, NoiseError, Responder, HANDSHAKE_MESSAGE_LEN,
};

/// The traffic keys, from the desktop's point of view, and where transport messages start.
#[derive(Debug, Clone)]
pub(super) struct Established {
    /// Key of messages from the desktop.
    pub desktop_write: [u8; 32],
    /// Key of messages from the phone.
    pub desktop_read: [u8; 32],
    /// Index of the first transport message.
    pub first_transport: usize,
    /// The handshake pattern, when known (it decides how linking info is read).
    pub kind: Option<HandshakeKind>,
}

/// One way to run the handshake from logged keys.
struct Attempt {
    kind: HandshakeKind,
    ephemeral: [u8; 32],
    /// The desktop: its QR identity private key (QR) or the phone's public key (linked).
    /// The phone: the QR public key (QR) or its identity private key (linked).
    static_key: Vec<u8>,
}

pub(super) fn establish(
    messages: &[WireMessage],
    keys: &SessionKeys,
    secrets: &Secrets,
    session: &mut DecryptedSession,
) -> Result<Established, SessionError> {
    let (desktop, phone) = attempts(keys, secrets);
    let traffic = (
        keys.fixed(Label::DesktopWriteKey),
        keys.fixed(Label::DesktopReadKey),
    );
    let psk =
        match secrets.psk {
            Some(psk) if !desktop.is_empty() || !phone.is_empty() => psk,
            _ => match traffic {
                (Some(w), Some(r)) => return Ok(traffic_only(messages, w, r, keys, session)),
                _ => return Err(SessionError::MissingKeys {
                    need:
                        "PSK (or the advert and QR secret) with DESKTOP_EPHEMERAL_PRIVATE_KEY or \
                           PHONE_EPHEMERAL_PRIVATE_KEY and a static key, or DESKTOP_WRITE_KEY and \
                           DESKTOP_READ_KEY",
                }),
            },
        };
    let Some(m1) = expect(
        messages,
        0,
        Side::Desktop,
        "handshake message 1 from the desktop",
    )?
    else {
        return Ok(nothing_to_do());
    };
    check_len(m1.1, m1.0, 1)?;
    let m2 = expect(
        messages,
        1,
        Side::Phone,
        "handshake message 2 from the phone",
    )?;
    let (done, source) = match run_desktop(&desktop, &psk, m1, m2)? {
        Some(found) => found,
        None if !phone.is_empty() => run_phone(&phone, &psk, m1, m2)?,
        None => {
            return Err(SessionError::HandshakeMismatch {
                at: at(m1.1, 0),
                keys: "desktop ephemeral key, static key and PSK",
            })
        }
    };
    session.handshake = Some(source);
    session.flow = Some(flow(done.kind));
    record(session, m1.1, MessageKind::HandshakeMessage1, source);
    let Some((m2, done)) = m2.zip(done.finished) else {
        return Ok(nothing_to_do());
    };
    record(session, m2.1, MessageKind::HandshakeMessage2, source);
    check_logged(keys, &done)?;
    session.handshake_hash = Some(done.handshake_hash);
    Ok(Established {
        desktop_write: done.desktop_write,
        desktop_read: done.desktop_read,
        first_transport: 2,
        kind: Some(done.kind),
    })
}

/// A handshake run as far as the messages go.
struct Run {
    kind: HandshakeKind,
    finished: Option<Finished>,
}

/// A completed handshake from the desktop's point of view.
struct Finished {
    kind: HandshakeKind,
    handshake_hash: [u8; 32],
    desktop_write: [u8; 32],
    desktop_read: [u8; 32],
}

fn attempts(keys: &SessionKeys, secrets: &Secrets) -> (Vec<Attempt>, Vec<Attempt>) {
    let qr_private = keys.get(Label::QrIdentityPrivateKey);
    let phone_private = keys.get(Label::PhoneIdentityPrivateKey);
    let phone_public = phone_private.and_then(|k| keys::public_of(k).ok());
    let mut desktop = Vec::new();
    if let Some(ephemeral) = keys.fixed(Label::DesktopEphemeralPrivateKey) {
        let statics = [
            (HandshakeKind::QrInitiated, qr_private.map(<[u8]>::to_vec)),
            (HandshakeKind::Linked, phone_public.map(|k| k.to_vec())),
        ];
        for (kind, static_key) in statics {
            if let Some(static_key) = static_key {
                desktop.push(Attempt {
                    kind,
                    ephemeral,
                    static_key,
                });
            }
        }
    }
    let mut phone = Vec::new();
    if let Some(ephemeral) = keys.fixed(Label::PhoneEphemeralPrivateKey) {
        let statics = [
            (
                HandshakeKind::QrInitiated,
                secrets.qr_public.map(|k| k.to_vec()),
            ),
            (HandshakeKind::Linked, phone_private.map(<[u8]>::to_vec)),
        ];
        for (kind, static_key) in statics {
            if let Some(static_key) = static_key {
                phone.push(Attempt {
                    kind,
                    ephemeral,
                    static_key,
                });
            }
        }
    }
    (desktop, phone)
}

/// The desktop's attempt that reproduces message 1, then reads message 2 with it.
fn run_desktop(
    attempts: &[Attempt],
    psk: &[u8; 32],
    m1: (usize, &WireMessage),
    m2: Option<(usize, &WireMessage)>,
) -> Result<Option<(Run, HandshakeSource)>, SessionError> {
    for attempt in attempts {
        let initiator = match attempt.kind {
            HandshakeKind::QrInitiated => {
                let private: [u8; 32] = attempt.static_key.as_slice().try_into().unwrap_or([0; 32]);
                Initiator::qr_initiated(psk, &private, &attempt.ephemeral)
            }
            HandshakeKind::Linked => {
                Initiator::linked(psk, &attempt.static_key, &attempt.ephemeral)
            }
        };
        let Ok((written, awaiting)) = initiator.and_then(Initiator::write_message_1) else {
            continue;
        };
        if written.as_slice() != m1.1.bytes.as_slice() {
            continue;
        }
        let finished = match m2 {
            None => None,
            Some((i, m)) => {
                check_len(m, i, 2)?;
                let done = awaiting.read_message_2(&m.bytes).map_err(|source| {
                    SessionError::Handshake {
                        at: at(m, i),
                        source,
                    }
                })?;
                Some(from_desktop(done))
            }
        };
        let run = Run {
            kind: attempt.kind,
            finished,
        };
        return Ok(Some((run, HandshakeSource::DesktopKeys)));
    }
    Ok(None)
}

/// The phone's attempt that reads message 1, then checks it reproduces message 2.
fn run_phone(
    attempts: &[Attempt],
    psk: &[u8; 32],
    m1: (usize, &WireMessage),
    m2: Option<(usize, &WireMessage)>,
) -> Result<(Run, HandshakeSource), SessionError> {
    let mut first_error: Option<NoiseError> = None;
    for attempt in attempts {
        let responder = match attempt.kind {
            HandshakeKind::QrInitiated => {
                Responder::qr_initiated(psk, &attempt.static_key, &attempt.ephemeral)
            }
            HandshakeKind::Linked => {
                let private: [u8; 32] = attempt.static_key.as_slice().try_into().unwrap_or([0; 32]);
                Responder::linked(psk, &private, &attempt.ephemeral)
            }
        };
        let ready = match responder.and_then(|r| r.read_message_1(&m1.1.bytes)) {
            Ok(ready) => ready,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        let (written, done) =
            ready
                .write_message_2()
                .map_err(|source| SessionError::Handshake {
                    at: at(m1.1, m1.0),
                    source,
                })?;
        let finished = match m2 {
            None => None,
            Some((i, m)) if written.as_slice() != m.bytes.as_slice() => {
                return Err(SessionError::HandshakeMismatch {
                    at: at(m, i),
                    keys: "phone ephemeral key, static key and PSK",
                })
            }
            Some(_) => Some(from_phone(done)),
        };
        let run = Run {
            kind: attempt.kind,
            finished,
        };
        return Ok((run, HandshakeSource::PhoneKeys));
    }
    Err(SessionError::Handshake {
        at: at(m1.1, m1.0),
        source: first_error.unwrap_or(NoiseError::BadTag { message: 1 }),
    })
}

fn from_desktop(done: HandshakeDone) -> Finished {
    Finished {
        kind: done.kind,
        handshake_hash: done.handshake_hash,
        desktop_write: done.write_key,
        desktop_read: done.read_key,
    }
}

fn from_phone(done: HandshakeDone) -> Finished {
    Finished {
        kind: done.kind,
        handshake_hash: done.handshake_hash,
        desktop_write: done.read_key,
        desktop_read: done.write_key,
    }
}

/// Only traffic keys: leading 81-byte messages that are not transport messages are taken
/// as the (unchecked) handshake.
fn traffic_only(
    messages: &[WireMessage],
    write: [u8; 32],
    read: [u8; 32],
    keys: &SessionKeys,
    session: &mut DecryptedSession,
) -> Established {
    session.handshake = Some(HandshakeSource::TrafficKeys);
    session.handshake_hash = keys.fixed(Label::HandshakeHash);
    let mut first_transport = 0;
    let expected = [
        (Side::Desktop, &write, MessageKind::HandshakeMessage1),
        (Side::Phone, &read, MessageKind::HandshakeMessage2),
    ];
    for (side, key, kind) in expected {
        match messages.get(first_transport) {
            Some(m)
                if m.from == side
                    && m.bytes.len() == HANDSHAKE_MESSAGE_LEN
                    && !decrypts_as_first(key, &m.bytes) =>
            {
                record(session, m, kind, HandshakeSource::TrafficKeys);
                first_transport += 1;
            }
            _ => break,
        }
    }
    Established {
        desktop_write: write,
        desktop_read: read,
        first_transport,
        kind: None,
    }
}

fn nothing_to_do() -> Established {
    Established {
        desktop_write: [0; 32],
        desktop_read: [0; 32],
        first_transport: usize::MAX,
        kind: None,
    }
}

fn check_logged(keys: &SessionKeys, done: &Finished) -> Result<(), SessionError> {
    let derived = [
        (Label::DesktopWriteKey, &done.desktop_write),
        (Label::DesktopReadKey, &done.desktop_read),
        (Label::HandshakeHash, &done.handshake_hash),
    ];
    for (label, value) in derived {
        if keys
            .get(label)
            .is_some_and(|logged| logged != value.as_slice())
        {
            return Err(SessionError::LoggedKeyMismatch {
                label,
                line: line_of(keys, label),
                derived_from: "the handshake",
            });
        }
    }
    Ok(())
}

/// The message at `index`, which must come from `side`; `None` when the messages end first.
fn expect<'m>(
    messages: &'m [WireMessage],
    index: usize,
    side: Side,
    expected: &'static str,
) -> Result<Option<(usize, &'m WireMessage)>, SessionError> {
    match messages.get(index) {
        None => Ok(None),
        Some(m) if m.from == side => Ok(Some((index, m))),
        Some(m) => Err(SessionError::Unexpected {
            at: at(m, index),
            expected,
        }),
    }
}

fn check_len(m: &WireMessage, index: usize, number: u8) -> Result<(), SessionError> {
    let len = m.bytes.len();
    match len.cmp(&HANDSHAKE_MESSAGE_LEN) {
        std::cmp::Ordering::Less => Err(SessionError::Truncated {
            at: at(m, index),
            len,
            need: "a handshake message is 81 bytes (ephemeral key and tag)",
        }),
        std::cmp::Ordering::Greater => Err(SessionError::Malformed {
            at: at(m, index),
            detail: format!("handshake message {number} is {len} bytes; it must be 81"),
        }),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

fn flow(kind: HandshakeKind) -> Flow {
    match kind {
        HandshakeKind::QrInitiated => Flow::Qr,
        HandshakeKind::Linked => Flow::Linked,
    }
}

fn record(
    session: &mut DecryptedSession,
    m: &WireMessage,
    kind: MessageKind,
    source: HandshakeSource,
) {
    let ephemeral = m.bytes.get(..keys::UNCOMPRESSED_LEN).unwrap_or_default();
    let checked = match source {
        HandshakeSource::DesktopKeys => "checked with the desktop's keys",
        HandshakeSource::PhoneKeys => "checked with the phone's keys",
        HandshakeSource::TrafficKeys => "not checked (traffic keys only)",
    };
    session.messages.push(DecodedMessage {
        from: m.from,
        kind,
        plaintext: Vec::new(),
        cbor: None,
        summary: format!("Noise ephemeral key {}; {checked}", hex::encode(ephemeral)),
        line: m.line,
    });
}
