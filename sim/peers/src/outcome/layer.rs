//! The protocol layers a peer's notes and failures belong to. It lives beside the outcome
//! vocabulary (which names it) rather than in `io`, so that `io` depends on `outcome` and not
//! the other way round; `io` re-exports it where peers' callers have always found it.

use super::Vocabulary;

/// Protocol layers, for traces and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// The QR code.
    Qr,
    /// BLE adverts.
    Ble,
    /// The tunnel server (HTTP/WebSocket).
    Tunnel,
    /// The Noise handshake.
    Noise,
    /// Encrypted transport framing after the handshake.
    Transport,
    /// CTAP2 messages.
    Ctap,
    /// WebAuthn (client data, options, responses).
    Webauthn,
    /// Authenticator-app payloads: TOTP enrolment codes and account exports (no hybrid
    /// peer uses it; the scenario runner's app steps do).
    Export,
}

impl Vocabulary for Layer {
    const ALL: &'static [Layer] = &[
        Layer::Qr,
        Layer::Ble,
        Layer::Tunnel,
        Layer::Noise,
        Layer::Transport,
        Layer::Ctap,
        Layer::Webauthn,
        Layer::Export,
    ];

    fn name(self) -> &'static str {
        match self {
            Layer::Qr => "qr",
            Layer::Ble => "ble",
            Layer::Tunnel => "tunnel",
            Layer::Noise => "noise",
            Layer::Transport => "transport",
            Layer::Ctap => "ctap",
            Layer::Webauthn => "webauthn",
            Layer::Export => "export",
        }
    }
}
