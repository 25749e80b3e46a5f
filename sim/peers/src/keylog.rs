//! The secrets a peer surfaces for a key log, as typed entries (hybridsim-session's
//! [`Label`]s), only when its configuration asks for them (`log_secrets`).
//!
//! They never reach a trace: a driver reads them with `Desktop::secrets` /
//! `Phone::secrets` and writes them where the user asked (`--keylog`, a pcapng file's
//! embedded key log). A peer learns the tunnel id a line is keyed by before its first
//! secret: from the QR secret (QR flow, both sides), from the wake-up (linked phone). A
//! linked desktop never learns the tunnel id the server picks, so it keys its lines by the
//! client nonce it sent in `X-caBLE-Client-Payload`; decoders take a key log's only session
//! or the id they are given.

pub use hybridsim_session::keylog::{Entry, Label};

use hybridsim_proto::{derive, linking};

/// The secrets collected so far, and the tunnel id they are keyed by.
#[derive(Debug, Default)]
pub(crate) struct SecretLog {
    enabled: bool,
    tunnel_id: Option<[u8; 16]>,
    entries: Vec<Entry>,
}

impl SecretLog {
    /// Starts collecting (the configuration asked for a key log).
    pub fn enable(&mut self) {
        self.enabled = true;
    }

    /// The session every later secret belongs to.
    pub fn session(&mut self, tunnel_id: [u8; 16]) {
        self.tunnel_id = Some(tunnel_id);
    }

    /// Logs a secret, when enabled and once the session is known (every call site comes
    /// after [`SecretLog::session`]).
    pub fn log(&mut self, label: Label, value: &[u8]) {
        if let (true, Some(tunnel_id)) = (self.enabled, self.tunnel_id) {
            self.entries.push(Entry {
                label,
                tunnel_id,
                value: value.to_vec(),
            });
        }
    }

    /// The QR secret, and the session it keys (QR flow, both sides).
    pub fn qr(&mut self, secret: &[u8; 16]) {
        self.session(derive::tunnel_id(secret));
        self.log(Label::QrSecret, secret);
    }

    /// A linked phone's session, its identity key (the NKpsk0 static key) and the link
    /// secret.
    pub fn linked_phone(&mut self, tunnel_id: [u8; 16], root_secret: &[u8; 32], link: &[u8]) {
        self.session(tunnel_id);
        let identity = linking::identity_private_key(root_secret);
        self.log(Label::PhoneIdentityPrivateKey, &identity);
        self.log(Label::LinkSecret, link);
    }

    /// Every entry logged so far, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_kept_unless_enabled() {
        let mut log = SecretLog::default();
        log.session([1; 16]);
        log.log(Label::Psk, &[2; 32]);
        assert!(log.entries().is_empty());
        log.enable();
        log.log(Label::Psk, &[2; 32]);
        let logged = log.entries();
        assert_eq!(logged.len(), 1);
        assert_eq!(
            (logged[0].label, logged[0].tunnel_id),
            (Label::Psk, [1; 16])
        );
    }
}
