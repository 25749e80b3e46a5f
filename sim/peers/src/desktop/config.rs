//! What a desktop is told before it starts, with the defaults and where they come from.

use super::GetInfoValidation;
use crate::common::TunnelEndpoint;
use core::fmt;
use core::time::Duration;
use hybridsim_proto::advert::LengthRule;
use hybridsim_proto::advert::{FIDO_SERVICE_UUID, GOOGLE_SERVICE_UUID};
#[cfg(doc)]
use hybridsim_proto::channels::GREASE_QR_KEY;
use hybridsim_proto::qr::{Key6, RequestType};

/// The CTAP command a desktop sends once the tunnel is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtapRequest {
    /// The command byte: 0x01 makeCredential, 0x02 getAssertion, 0x04 getInfo (answered
    /// locally from the post-handshake getInfo, as Chromium does), …
    pub command: u8,
    /// The CBOR parameters (empty for getInfo), e.g. from `hybridsim_webauthn::client::create`
    /// (`pending.request.encode()`).
    pub params: Vec<u8>,
}

/// The options written into the QR code (docs/protocol.md §2.2).
#[derive(Debug, Clone, PartialEq)]
pub struct QrOptions {
    /// Key 2: assigned tunnel domains the desktop knows. Also the desktop's limit when it
    /// checks an advert's domain id (ids below it, or from 256). Default 2, as current
    /// Chromium (0 Google, 1 Apple).
    pub known_domains: u16,
    /// Key 4: whether linking is offered; `None` leaves the key out (libwebauthn when false).
    /// Default `Some(false)`: Chromium 145 writes `false` for WebAuthn requests
    /// (`ShouldOfferLinking`, docs/protocol.md §8.5).
    pub linking: Option<bool>,
    /// Key 6 in either of its meanings (§0.1 item 2). Default `None`: Chrome and Safari do
    /// not write it.
    pub key6: Option<Key6>,
    /// Write the CTAP 2.3 GREASE key ([`GREASE_QR_KEY`]) with a value no reader interprets,
    /// so that phones show they skip unknown keys. Default false.
    pub grease: bool,
}

impl Default for QrOptions {
    fn default() -> Self {
        QrOptions {
            known_domains: DEFAULT_KNOWN_DOMAINS,
            linking: Some(false),
            key6: None,
            grease: false,
        }
    }
}

/// Chromium's QR key 2 since both assigned domains exist.
pub const DEFAULT_KNOWN_DOMAINS: u16 = 2;

/// How the desktop builds its transport crypter after the handshake (docs/protocol.md §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrypterPolicy {
    /// The new construction only (current Chromium, CTAP 2.2). The default.
    New,
    /// The old construction only (older Chromium).
    Old,
    /// Learn it from the first message that decrypts, old first (webauthn-rs' initiator).
    Detect,
}

/// What the desktop does with an update message it cannot accept: not a CBOR map, key 1 not
/// a map, or linking info that does not parse or verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdatePolicy {
    /// As Chromium (`fido_tunnel_device.cc` `ProcessUpdate` returning false): "invalid update
    /// frame", then a remote close. Before the CTAP response that fails the request; while
    /// lingering it only ends the linger. The same holds for linking info in the
    /// post-handshake message (`kPostHandshakeFailed`). The default.
    Chromium,
    /// Note it with an event and carry on without storing a link (a forgiving client).
    Lenient,
}

/// The desktop's timers. Chromium has no per-step timers, only the WebAuthn request's own
/// timeout; these split that wait so a stuck simulation fails at the step that stalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From showing the QR code (or opening `/cable/contact`) until an advert matches.
    /// Default 300 s: the ceremony timeout hybridsim's relying party puts in its options
    /// (WebAuthn L3's recommended lower bound when user verification is wanted).
    pub advert: Duration,
    /// From the matching advert until the post-handshake message has arrived (WebSocket
    /// open, connect signal, Noise message 2, post-handshake). Default 30 s, webauthn-rs'
    /// per-operation timeout.
    pub handshake: Duration,
    /// From sending the CTAP request until its response. Default 60 s: Chromium's phone
    /// gives its platform 60 s for the request (`kTimeoutSeconds`), so a phone that has not
    /// answered by then has given up.
    pub ctap_response: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            advert: Duration::from_secs(300),
            handshake: Duration::from_secs(30),
            ctap_response: Duration::from_secs(60),
        }
    }
}

/// How long the desktop keeps reading after its shutdown message for late update (linking)
/// messages: Chromium's 3 minutes (`EstablishedConnection::Close`, docs/protocol.md §7.6).
pub const DEFAULT_LINGER: Duration = Duration::from_secs(180);

/// The UNIX time (seconds) at virtual time zero unless configured: 2026-01-01T00:00:00Z.
pub const DEFAULT_UNIX_EPOCH: u64 = 1_767_225_600;

/// A phone the desktop linked with earlier (docs/protocol.md §8.1): what it needs to contact the
/// phone without a QR code. Windows calls the fields contact ID, link ID, link secret, public
/// key, authenticator name and encoded tunnel server domain.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkedDevice {
    /// Opaque id the tunnel server wakes the phone by (Google: an FCM token).
    pub contact_id: Vec<u8>,
    /// The link ("pairing") id, sent back to the phone in the client payload.
    pub link_id: [u8; 8],
    /// The link secret: advert key and PSK derive from it.
    pub link_secret: [u8; 32],
    /// The phone's identity public key, uncompressed (the Noise NKpsk0 responder static).
    pub public_key: [u8; 65],
    /// The tunnel-server domain id decoded from the advert of the QR transaction that linked.
    pub domain_id: u16,
    /// The authenticator's name.
    pub name: String,
}

impl fmt::Debug for LinkedDevice {
    /// The link secret is left out so that traces and test failures do not print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkedDevice")
            .field("contact_id", &hex::encode(&self.contact_id))
            .field("link_id", &hex::encode(self.link_id))
            .field("public_key", &hex::encode(self.public_key))
            .field("domain_id", &self.domain_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Everything a desktop is told before it starts.
///
/// Randomness: every random byte comes from one ChaCha20 stream seeded with [`seed`], drawn
/// in this order, so that one seed always gives the same bytes:
///
/// - QR flow: the 32-byte QR seed (the identity key is BoringSSL's
///   `EC_KEY_derive_from_secret` of it, docs/protocol.md §2.3), the 16-byte QR secret, then the
///   32-byte Noise ephemeral key when the tunnel opens.
/// - Linked flow: the 16-byte client nonce, then the Noise ephemeral key when both the
///   tunnel is open and the advert has matched.
///
/// A draw that is not a valid P-256 scalar (probability about 2^-32) is drawn again.
///
/// [`seed`]: DesktopConfig::seed
#[derive(Debug, Clone, PartialEq)]
pub struct DesktopConfig {
    /// The CTAP request to send.
    pub request: CtapRequest,
    /// The request-type hint: QR key 5, and key 3 of the contact client payload.
    pub request_type: RequestType,
    /// Seeds the desktop's random stream (see the type's documentation for the order).
    pub seed: [u8; 32],
    /// UNIX time in seconds at virtual time zero; QR key 3 is this plus `now / 1000`.
    /// Default [`DEFAULT_UNIX_EPOCH`].
    pub unix_epoch: u64,
    /// What goes in the QR code.
    pub qr: QrOptions,
    /// Advert length rule: exactly 20 bytes (Chromium, the default) or 20 plus a CTAP 2.3
    /// suffix.
    pub advert_length: LengthRule,
    /// Service UUIDs whose service data the desktop looks at. Default both, 0xFFF9 and
    /// 0xFDE2 (a desktop scanning one only misses the phones on the other).
    pub scan_uuids: Vec<u16>,
    /// How the phone's post-handshake getInfo is checked. Default
    /// [`GetInfoValidation::None`] (logged only).
    pub get_info_validation: GetInfoValidation,
    /// Whether linked phones and the QR code are tried side by side (Chromium shows the QR
    /// code while it contacts linked phones). Recorded from desktop profiles; a ceremony runs
    /// one flow. Default true.
    pub side_by_side: bool,
    /// Open the tunnel here instead of at the host the advert (or the link) names, keeping the
    /// path. Default `None`.
    pub tunnel: Option<TunnelEndpoint>,
    /// How long to keep reading after the shutdown message. Default [`DEFAULT_LINGER`].
    pub linger: Duration,
    /// Step timers.
    pub timeouts: Timeouts,
    /// Transport crypter construction. Default [`CrypterPolicy::New`].
    pub crypter: CrypterPolicy,
    /// What an unacceptable update message does. Default [`UpdatePolicy::Chromium`].
    pub update_policy: UpdatePolicy,
    /// A phone linked earlier: when set, the desktop runs the linked flow (`/cable/contact`,
    /// NKpsk0) instead of showing a QR code. Default `None`.
    pub linked_device: Option<LinkedDevice>,
    /// Collect the session's secrets as key-log entries for `Desktop::secrets`.
    /// Default `false`.
    pub log_secrets: bool,
}

impl DesktopConfig {
    /// A QR-flow desktop sending `command ‖ params`, with the hint that fits the command
    /// (0x01 → "mc", anything else → "ga") and every other field at its default.
    pub fn new(command: u8, params: Vec<u8>, seed: [u8; 32]) -> DesktopConfig {
        let request_type = if command == 0x01 {
            RequestType::MakeCredential
        } else {
            RequestType::GetAssertion
        };
        DesktopConfig {
            request: CtapRequest { command, params },
            request_type,
            seed,
            unix_epoch: DEFAULT_UNIX_EPOCH,
            qr: QrOptions::default(),
            advert_length: LengthRule::Exact,
            scan_uuids: vec![FIDO_SERVICE_UUID, GOOGLE_SERVICE_UUID],
            get_info_validation: GetInfoValidation::None,
            side_by_side: true,
            tunnel: None,
            linger: DEFAULT_LINGER,
            timeouts: Timeouts::default(),
            crypter: CrypterPolicy::New,
            update_policy: UpdatePolicy::Chromium,
            linked_device: None,
            log_secrets: false,
        }
    }
}
