//! Secrets that are both a trace note (hidden unless revealed) and a key-log line
//! ([`crate::keylog`]): one call at each place a peer makes one, so the two never drift.

use crate::common::Outbox;
use crate::io::Layer;
use crate::keylog::Label;
use hybridsim_proto::noise::HandshakeDone;

impl Outbox {
    /// A secret trace note `what` that is also the key-log secret `label`.
    pub(crate) fn key(&mut self, label: Label, layer: Layer, what: &str, bytes: &[u8]) {
        self.secret(layer, what, bytes.to_vec());
        self.keys.log(label, bytes);
    }

    /// The Noise ephemeral private key (`label`: the desktop's or the phone's).
    pub(crate) fn ephemeral(&mut self, label: Label, key: &[u8; 32]) {
        self.key(label, Layer::Noise, "ephemeral private key", key);
    }

    /// A linked phone woken for `tunnel_id`: the link secret's trace note, and its key-log
    /// session with the identity key and the link secret.
    pub(crate) fn linked_phone(&mut self, tunnel_id: [u8; 16], root: &[u8; 32], link: &[u8; 32]) {
        self.secret(Layer::Tunnel, "link secret", *link);
        self.keys.linked_phone(tunnel_id, root, link);
    }

    /// The end of the handshake: the handshake hash and the traffic keys as trace notes, in
    /// that order, and as key-log lines. `desktop` says whose keys `done` holds: a phone
    /// reads what the desktop writes.
    pub(crate) fn handshake_done(&mut self, done: &HandshakeDone, desktop: bool) {
        self.event(Layer::Noise, "handshake hash", done.handshake_hash);
        self.secret(Layer::Noise, "transport read key", done.read_key);
        self.secret(Layer::Noise, "transport write key", done.write_key);
        let (write, read) = match desktop {
            true => (done.write_key, done.read_key),
            false => (done.read_key, done.write_key),
        };
        self.keys.log(Label::HandshakeHash, &done.handshake_hash);
        self.keys.log(Label::DesktopWriteKey, &write);
        self.keys.log(Label::DesktopReadKey, &read);
    }
}
