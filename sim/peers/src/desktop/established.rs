//! The desktop after the handshake: post-handshake message, the CTAP request and response,
//! update (linking) messages, shutdown and linger (docs/protocol.md §7, §8.1–§8.2; Chromium
//! `fido_tunnel_device.cc`).

use super::{CrypterPolicy, Cx, LinkedDevice, UpdatePolicy};
use crate::common::Deadline;
use crate::io::Layer;
use crate::keylog::Label;
use crate::outcome::Reason;
use hybridsim_proto::cbor::{self, Strictness};
use hybridsim_proto::crypter::{Construction, Crypter};
use hybridsim_proto::linking::{self, LinkingError, LinkingInfo};
use hybridsim_proto::message::{Message, MessageType, ProtocolRevision};
use hybridsim_proto::noise::{HandshakeDone, HandshakeKind};
use hybridsim_proto::padding;
use hybridsim_proto::post_handshake::{PostHandshakeError, PostHandshakeMessage, UpdateMessage};

/// CTAP authenticatorGetInfo, which Chromium answers from the post-handshake getInfo.
const GET_INFO: u8 = 0x04;

/// What a QR-flow connection needs to accept linking info: the QR identity key the phone's
/// signature is made to, and the domain id to store with the link.
#[derive(Clone)]
pub(super) struct QrLinking {
    /// The desktop's QR identity private key.
    pub identity_private: [u8; 32],
    /// Domain id from the advert of this transaction.
    pub domain_id: u16,
}

impl std::fmt::Debug for QrLinking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrLinking")
            .field("domain_id", &self.domain_id)
            .finish_non_exhaustive()
    }
}

/// The encrypted channel.
#[derive(Debug)]
struct Channel {
    crypter: Crypter,
    kind: HandshakeKind,
    handshake_hash: [u8; 32],
    /// `None` on linked connections, where Chromium discards linking info.
    linking: Option<QrLinking>,
}

/// The channel once the post-handshake message set the revision.
#[derive(Debug)]
struct Established {
    channel: Channel,
    revision: ProtocolRevision,
    get_info: Option<Vec<u8>>,
}

/// Where an established connection goes after an input: one of this file's states, or done.
/// `state.rs` turns it into the desktop's `State`, so this file needs nothing from that one.
#[derive(Debug)]
pub(super) enum Next {
    AwaitingCtapResponse(AwaitingCtapResponse),
    Lingering(Lingering),
    Finished,
}

#[derive(Debug)]
pub(in crate::desktop) struct AwaitingPostHandshake {
    channel: Channel,
    deadline: Deadline,
}

#[derive(Debug)]
pub(in crate::desktop) struct AwaitingCtapResponse {
    established: Established,
    deadline: Deadline,
}

#[derive(Debug)]
pub(in crate::desktop) struct Lingering {
    established: Established,
    deadline: Deadline,
}

impl AwaitingPostHandshake {
    /// The crypter the configured policy asks for, from the handshake's keys.
    pub(super) fn new(
        cx: &mut Cx<'_>,
        done: &HandshakeDone,
        linking: Option<QrLinking>,
        deadline: Deadline,
    ) -> AwaitingPostHandshake {
        let crypter = match cx.config.crypter {
            CrypterPolicy::New => Crypter::new(done.read_key, done.write_key, Construction::New),
            CrypterPolicy::Old => Crypter::new(done.read_key, done.write_key, Construction::Old),
            CrypterPolicy::Detect => Crypter::detecting(done.read_key, done.write_key),
        };
        AwaitingPostHandshake {
            channel: Channel {
                crypter,
                kind: done.kind,
                handshake_hash: done.handshake_hash,
                linking,
            },
            deadline,
        }
    }

    pub(super) fn deadline(&self) -> Deadline {
        self.deadline
    }

    /// Decrypts the post-handshake message, detects the revision, and sends the request.
    pub(super) fn on_message(self, cx: &mut Cx<'_>, data: Vec<u8>) -> Result<Next, Reason> {
        let mut channel = self.channel;
        let detecting = channel.crypter.construction().is_none();
        let plaintext = channel.crypter.decrypt(&data)?;
        if detecting {
            let name = match channel.crypter.construction() {
                Some(Construction::Old) => "old (little-endian nonce, AD 02)",
                _ => "new (big-endian nonce, no AD)",
            };
            cx.out.event(
                Layer::Transport,
                format!("transport construction detected: {name}"),
                [],
            );
        }
        if has_linking(&plaintext) {
            cx.out.secret(
                Layer::Transport,
                "post-handshake message",
                plaintext.clone(),
            );
        } else {
            cx.out.event(
                Layer::Transport,
                "post-handshake message",
                plaintext.clone(),
            );
        }
        let (message, revision) = decode_post_handshake(cx, &plaintext, channel.kind)?;
        cx.record.revision = Some(revision);
        cx.out.event(
            Layer::Transport,
            format!("protocol revision detected: v2.{}", revision.number()),
            [],
        );
        if !message.supports_ctap() {
            return Err(Reason::NoCtap(message.features));
        }
        if let Some(get_info) = &message.get_info {
            cx.out.event(Layer::Ctap, "getInfo", get_info.clone());
            cx.config
                .get_info_validation
                .check(get_info)
                .map_err(Reason::GetInfo)?;
        }
        if let Some(info) = message.linking {
            if let Err(error) = accept_linking(cx, &channel, info) {
                match cx.config.update_policy {
                    UpdatePolicy::Chromium => return Err(Reason::PostHandshakeLinking(error)),
                    UpdatePolicy::Lenient => cx.out.event(
                        Layer::Transport,
                        format!("post-handshake linking info ignored: {error}"),
                        [],
                    ),
                }
            }
        }
        let established = Established {
            channel,
            revision,
            get_info: message.get_info,
        };
        send_request(cx, established)
    }
}

/// Whether a post-handshake plaintext (either revision) has key 2, linking info, which holds
/// the link secret.
fn has_linking(plaintext: &[u8]) -> bool {
    cbor::decode(plaintext, Strictness::Canonical)
        .ok()
        .or_else(|| padding::decode_padded_map(plaintext).ok().map(|(v, _)| v))
        .is_some_and(|value| cbor::map_get(&value, 2).is_some())
}

/// Chromium's post-handshake checks. Under [`UpdatePolicy::Lenient`], linking info in key 2
/// that does not even parse is dropped instead of failing the connection.
fn decode_post_handshake(
    cx: &mut Cx<'_>,
    plaintext: &[u8],
    kind: HandshakeKind,
) -> Result<(PostHandshakeMessage, ProtocolRevision), Reason> {
    match PostHandshakeMessage::decode(plaintext, kind) {
        Err(PostHandshakeError::Linking(error))
            if cx.config.update_policy == UpdatePolicy::Lenient =>
        {
            cx.out.event(
                Layer::Transport,
                format!("post-handshake linking info ignored: {error}"),
                [],
            );
            // Decoding as a linked connection checks everything but the linking info.
            PostHandshakeMessage::decode(plaintext, HandshakeKind::Linked)
                .map_err(Reason::PostHandshake)
        }
        other => other.map_err(Reason::PostHandshake),
    }
}

/// Sends the configured CTAP request, or answers getInfo locally as Chromium does.
fn send_request(cx: &mut Cx<'_>, mut established: Established) -> Result<Next, Reason> {
    let request = &cx.config.request;
    if request.command == GET_INFO && request.params.is_empty() {
        if let Some(get_info) = &established.get_info {
            cx.out.event(
                Layer::Ctap,
                "getInfo answered from the post-handshake message",
                [],
            );
            let mut response = vec![0u8];
            response.extend_from_slice(get_info);
            return Ok(deliver(cx, established, response));
        }
    }
    let message = Message::ctap_request(request.command, &request.params);
    let plaintext = message.encode(established.revision)?;
    cx.out
        .event(Layer::Ctap, "ctap request", message.payload.clone());
    let wire = established.channel.crypter.encrypt(&plaintext)?;
    cx.out.send(*cx.data, wire);
    Ok(Next::AwaitingCtapResponse(AwaitingCtapResponse {
        established,
        deadline: Deadline::after(cx.now, cx.config.timeouts.ctap_response),
    }))
}

/// The response is in: record it, then shut down and linger (revision 1) or close (0).
fn deliver(cx: &mut Cx<'_>, mut established: Established, response: Vec<u8>) -> Next {
    cx.out.event(Layer::Ctap, "ctap response", response.clone());
    cx.record.ctap_response = Some(response);
    match established.revision {
        ProtocolRevision::V0 => {
            cx.succeed();
            Next::Finished
        }
        ProtocolRevision::V1 => {
            match established
                .channel
                .crypter
                .encrypt(&Message::shutdown().to_bytes())
            {
                Ok(wire) => {
                    cx.out.event(Layer::Transport, "shutdown sent", []);
                    cx.out.send(*cx.data, wire);
                }
                // Chromium starts the linger timer whether or not the shutdown encrypted.
                Err(error) => {
                    cx.out
                        .event(Layer::Transport, format!("shutdown not sent: {error}"), [])
                }
            }
            Next::Lingering(Lingering {
                established,
                deadline: Deadline::after(cx.now, cx.config.linger),
            })
        }
    }
}

impl AwaitingCtapResponse {
    pub(super) fn deadline(&self) -> Deadline {
        self.deadline
    }

    pub(super) fn on_message(mut self, cx: &mut Cx<'_>, data: Vec<u8>) -> Result<Next, Reason> {
        let established = &mut self.established;
        let plaintext = established.channel.crypter.decrypt(&data)?;
        let message = Message::parse(&plaintext, established.revision)?;
        match message.message_type {
            // "Authenticators don't send shutdown alerts, only clients."
            MessageType::Shutdown => Err(Reason::PhoneShutdown),
            MessageType::Update => {
                on_update(cx, &established.channel, &message.payload)?;
                Ok(Next::AwaitingCtapResponse(self))
            }
            MessageType::Json => Err(Reason::ReplyType(MessageType::Json)),
            MessageType::Ctap => Ok(deliver(cx, self.established, message.payload)),
        }
    }
}

impl Lingering {
    pub(super) fn deadline(&self) -> Deadline {
        self.deadline
    }

    /// Ends the linger: the transaction succeeded whatever ends it, since the response is in
    /// (Chromium `OnRemoteClose` in `kLocallyShutdown`).
    pub(super) fn end(self, cx: &mut Cx<'_>, why: &str) -> Next {
        cx.out
            .event(Layer::Transport, format!("linger ended: {why}"), []);
        cx.succeed();
        Next::Finished
    }

    pub(super) fn on_message(mut self, cx: &mut Cx<'_>, data: Vec<u8>) -> Result<Next, Reason> {
        let established = &mut self.established;
        let plaintext = match established.channel.crypter.decrypt(&data) {
            Ok(plaintext) => plaintext,
            Err(error) => return Ok(self.end(cx, &error.to_string())),
        };
        let message = match Message::parse(&plaintext, established.revision) {
            Ok(message) => message,
            Err(error) => return Ok(self.end(cx, &error.to_string())),
        };
        match message.message_type {
            MessageType::Shutdown => Ok(self.end(cx, "the phone sent a shutdown message")),
            MessageType::Update => match on_update(cx, &established.channel, &message.payload) {
                Ok(()) => Ok(Next::Lingering(self)),
                Err(failure) => Ok(self.end(cx, &failure.to_string())),
            },
            MessageType::Ctap | MessageType::Json => {
                cx.out.event(
                    Layer::Transport,
                    format!(
                        "{} message after the shutdown ignored",
                        message.message_type
                    ),
                    message.payload,
                );
                Ok(Next::Lingering(self))
            }
        }
    }
}

/// An update message, with the configured policy applied to one that cannot be accepted.
fn on_update(cx: &mut Cx<'_>, channel: &Channel, payload: &[u8]) -> Result<(), Reason> {
    // Linking info holds the link secret, so such an update is a secret note.
    let carries_linking = cbor::decode(payload, Strictness::WellFormed)
        .is_ok_and(|value| cbor::map_get(&value, 1).is_some());
    if carries_linking {
        cx.out
            .secret(Layer::Transport, "update message", payload.to_vec());
    } else {
        cx.out
            .event(Layer::Transport, "update message", payload.to_vec());
    }
    match accept_update(cx, channel, payload) {
        Ok(()) => Ok(()),
        Err(failure) => match cx.config.update_policy {
            UpdatePolicy::Chromium => Err(failure),
            UpdatePolicy::Lenient => {
                cx.out
                    .event(Layer::Transport, format!("update ignored: {failure}"), []);
                Ok(())
            }
        },
    }
}

/// Chromium `ProcessUpdate`: a CBOR map; key 1, if present, a map of valid linking info.
fn accept_update(cx: &mut Cx<'_>, channel: &Channel, payload: &[u8]) -> Result<(), Reason> {
    let update = UpdateMessage::decode(payload, channel.kind).map_err(Reason::Update)?;
    if let Some(info) = update.linking {
        accept_linking(cx, channel, info).map_err(Reason::UpdateLinking)?;
    }
    Ok(())
}

/// Verifies linking info against this handshake (Chromium `Pairing::Parse`) and keeps it.
fn accept_linking(
    cx: &mut Cx<'_>,
    channel: &Channel,
    info: LinkingInfo,
) -> Result<(), LinkingError> {
    let Some(qr) = &channel.linking else {
        cx.out.event(
            Layer::Transport,
            "linking info on a linked connection discarded",
            [],
        );
        return Ok(());
    };
    cx.out
        .secret(Layer::Transport, "linking info received", info.encode());
    cx.out.keys.log(Label::LinkSecret, &info.link_secret);
    linking::verify(&qr.identity_private, &info, &channel.handshake_hash)?;
    let device = LinkedDevice {
        contact_id: info.contact_id,
        link_id: info.link_id,
        link_secret: info.link_secret,
        public_key: info.public_key,
        domain_id: qr.domain_id,
        name: info.name,
    };
    cx.out.event(
        Layer::Transport,
        format!(
            "linking info verified: linked device {:?} (link id {}, domain id {})",
            device.name,
            hex::encode_upper(device.link_id),
            device.domain_id
        ),
        device.contact_id.clone(),
    );
    cx.record.linked_device = Some(device);
    Ok(())
}
