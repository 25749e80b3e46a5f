//! Step 4, continued: what each decrypted plaintext says (docs/protocol.md §7.3–§7.5, §8.2).

use super::error::at;
use super::{DecodedMessage, DecryptedSession, MessageKind, SessionError};
use crate::messages::{Side, WireMessage};
use crate::names;
use hybridsim_proto::cbor::diag::{to_diag, KeyNames};
use hybridsim_proto::cbor::{self, Strictness};
use hybridsim_proto::message::{Message, MessageType, ProtocolRevision};
use hybridsim_proto::noise::HandshakeKind;
use hybridsim_proto::post_handshake::{PostHandshakeMessage, UpdateMessage};

/// A transport message that decrypted.
pub(super) struct Opened<'m> {
    /// Its 0-based position among the messages.
    pub index: usize,
    /// The captured message.
    pub message: &'m WireMessage,
    /// Its plaintext, padding removed.
    pub plaintext: Vec<u8>,
}

/// Decodes the opened messages in order; the phone's first one is the post-handshake
/// message and decides the revision.
pub(super) fn decode_all(
    opened: &[Opened<'_>],
    kind: Option<HandshakeKind>,
    session: &mut DecryptedSession,
) -> Result<(), SessionError> {
    let kind = kind.unwrap_or(HandshakeKind::QrInitiated);
    let post_handshake = opened.iter().find(|o| o.message.from == Side::Phone);
    let detected = post_handshake.map(|o| PostHandshakeMessage::decode(&o.plaintext, kind));
    let revision = match &detected {
        Some(Ok((_, revision))) => *revision,
        _ => ProtocolRevision::V1,
    };
    for o in opened {
        let here = at(o.message, o.index);
        let decoded = match (o.message.from, post_handshake) {
            (Side::Phone, Some(first)) if first.index == o.index => match &detected {
                Some(Ok((message, revision))) => {
                    session.revision = Some(revision.number());
                    post_handshake_message(message, *revision)
                }
                Some(Err(e)) => {
                    return Err(SessionError::Malformed {
                        at: here,
                        detail: format!("not a post-handshake message: {e}"),
                    })
                }
                None => continue,
            },
            (side, _) => framed(side, &o.plaintext, revision, kind)
                .map_err(|detail| SessionError::Malformed { at: here, detail })?,
        };
        session.messages.push(DecodedMessage {
            from: o.message.from,
            kind: decoded.kind,
            plaintext: o.plaintext.clone(),
            cbor: decoded.cbor,
            summary: decoded.summary,
            line: o.message.line,
        });
    }
    Ok(())
}

/// What one message decodes to.
struct Decoded {
    kind: MessageKind,
    cbor: Option<String>,
    summary: String,
}

fn post_handshake_message(message: &PostHandshakeMessage, revision: ProtocolRevision) -> Decoded {
    let get_info = message
        .get_info
        .as_deref()
        .and_then(|g| names::diag(g, names::GET_INFO_KEYS))
        .map_or(String::new(), |d| format!("; getInfo {d}"));
    let linking = match &message.linking {
        Some(info) => format!("; linking info from {:?}", info.name),
        None => String::new(),
    };
    Decoded {
        kind: MessageKind::PostHandshake,
        cbor: Some(to_diag(
            &message.to_cbor(),
            Some(KeyNames {
                keys: names::POST_HANDSHAKE_KEYS,
            }),
        )),
        summary: format!(
            "protocol revision {}; features {:?}{linking}{get_info}",
            revision.number(),
            message.features
        ),
    }
}

/// A message after the post-handshake one: type byte (revision 1) and payload.
fn framed(
    side: Side,
    plaintext: &[u8],
    revision: ProtocolRevision,
    kind: HandshakeKind,
) -> Result<Decoded, String> {
    let message = Message::parse(plaintext, revision).map_err(|e| e.to_string())?;
    let decoded = match message.message_type {
        MessageType::Ctap => ctap(side, &message)?,
        MessageType::Shutdown => Decoded {
            kind: MessageKind::Shutdown,
            cbor: None,
            summary: format!("shutdown from the {side}"),
        },
        MessageType::Update => update(side, &message.payload, kind)?,
        MessageType::Json => Decoded {
            kind: MessageKind::Json,
            cbor: None,
            summary: format!("JSON: {}", String::from_utf8_lossy(&message.payload)),
        },
    };
    Ok(decoded)
}

fn ctap(side: Side, message: &Message) -> Result<Decoded, String> {
    let (first, body) = message.ctap_command().map_err(|e| e.to_string())?;
    Ok(match side {
        Side::Desktop => Decoded {
            kind: MessageKind::CtapRequest,
            cbor: names::diag(body, names::request_keys(first)),
            summary: format!("CTAP request {} ({first:#04x})", names::command_name(first)),
        },
        Side::Phone => {
            let value = cbor::decode(body, Strictness::WellFormed).ok();
            Decoded {
                kind: MessageKind::CtapResponse,
                cbor: value.map(|v| {
                    let keys = names::response_keys(&v);
                    to_diag(&v, Some(KeyNames { keys }))
                }),
                summary: format!("CTAP response {} ({first:#04x})", names::status_name(first)),
            }
        }
    })
}

fn update(side: Side, payload: &[u8], kind: HandshakeKind) -> Result<Decoded, String> {
    let summary = match side {
        Side::Phone => match UpdateMessage::decode(payload, kind).map_err(|e| e.to_string())? {
            UpdateMessage {
                linking: Some(info),
                ..
            } => {
                format!("update with linking info from {:?}", info.name)
            }
            _ => "update without linking info (padding only)".to_owned(),
        },
        Side::Desktop => {
            cbor::decode(payload, Strictness::WellFormed)
                .map_err(|e| format!("update message: {e}"))?;
            "update from the desktop".to_owned()
        }
    };
    Ok(Decoded {
        kind: MessageKind::Update,
        cbor: names::diag(payload, names::UPDATE_KEYS),
        summary,
    })
}
