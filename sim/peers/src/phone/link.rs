//! What the phone tells the desktop about linking (docs/protocol.md §8.1): the linking info,
//! signed over the handshake hash, and the update message that carries it on revision 1.

use super::Cx;
use crate::common::draw;
use crate::io::Layer;
use crate::keylog::Label;
use crate::outcome::Reason;
use hybridsim_proto::keys;
use hybridsim_proto::linking::{self, LinkingInfo};
use hybridsim_proto::message::Message;
use hybridsim_proto::noise::HandshakeDone;
use hybridsim_proto::post_handshake::UpdateMessage;
use hybridsim_proto::qr::QrPayload;

/// Linking info for this handshake (§8.1), signed over its handshake hash.
pub(super) fn linking_info<H>(
    cx: &mut Cx<'_, H>,
    payload: &QrPayload,
    done: &HandshakeDone,
) -> Result<LinkingInfo, Reason> {
    let link_id: [u8; 8] = draw(cx.rng);
    let config = &cx.config;
    let contact_id = (!config.contact_id.is_empty()).then_some(config.contact_id.as_slice());
    let identity = linking::identity_private_key(&config.root_secret);
    let public_key = keys::public_of(&identity).map_err(Reason::Key)?;
    let mut signature =
        linking::sign(&identity, &payload.public_key, &done.handshake_hash).map_err(Reason::Key)?;
    if config.faults.corrupt_linking_signature {
        if let Some(byte) = signature.first_mut() {
            *byte ^= 1;
        }
    }
    let link_secret = linking::link_secret(&config.root_secret, contact_id, &link_id);
    cx.out.keys.log(Label::LinkSecret, &link_secret);
    let config = &cx.config;
    Ok(LinkingInfo {
        contact_id: config.contact_id.clone(),
        link_id,
        link_secret,
        public_key,
        name: config.name.clone(),
        signature,
        play_services: config.play_services_flag,
    })
}

/// The update message plaintext (type byte included): Chromium's padded `{0: zeros, 1:
/// linking}`, or the configured fault payload.
pub(super) fn update_plaintext<H>(cx: &mut Cx<'_, H>, linking: Option<LinkingInfo>) -> Vec<u8> {
    let has_linking = linking.is_some();
    let message = match &cx.config.faults.update_payload {
        Some(payload) => Message::update(payload),
        None => UpdateMessage::chromium_phone(linking).to_message(),
    };
    let bytes = message.to_bytes();
    if has_linking {
        cx.out.secret(
            Layer::Transport,
            "update message (linking info)",
            bytes.clone(),
        );
    } else {
        cx.out
            .event(Layer::Transport, "update message", bytes.clone());
    }
    bytes
}
