//! What a phone is told before it starts, with the defaults and where they come from.

use crate::common::{draw, TunnelEndpoint};
use core::fmt;
use core::time::Duration;
use hybridsim_ctap::authenticator::Authenticator;
use hybridsim_ctap::profile::hybrid::DEFAULT_BLE_PSM;
use hybridsim_ctap::user::UserDecisions;
use hybridsim_proto::advert::FIDO_SERVICE_UUID;
use hybridsim_proto::channels::{Channel, Key6Reading, SuffixKeys};
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_proto::post_handshake::FEATURE_CTAP;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// What answers the phone's CTAP requests. [`Authenticator`] implements it; a test can put
/// anything else behind a phone.
pub trait CtapHandler {
    /// Answers `command ‖ params` with `status ‖ CBOR`, as a hybrid CTAP response carries it.
    fn handle(&mut self, command: u8, params: &[u8]) -> Vec<u8>;
    /// The authenticatorGetInfo response CBOR (no status byte), for the post-handshake
    /// message.
    fn get_info(&mut self) -> Vec<u8>;
}

impl<U: UserDecisions> CtapHandler for Authenticator<U> {
    fn handle(&mut self, command: u8, params: &[u8]) -> Vec<u8> {
        Authenticator::handle(self, command, params)
    }

    fn get_info(&mut self) -> Vec<u8> {
        self.get_info_bytes()
    }
}

/// When the phone sends the update message of a QR transaction (docs/protocol.md §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateTiming {
    /// No update message. Linking info, if offered, goes in post-handshake key 2 instead.
    Never,
    /// Right after the post-handshake message, as the current Chromium phone does. The
    /// default.
    AfterPostHandshake,
    /// Right after the CTAP response ("late linking", as Chromium's test device that links
    /// after the transaction); the desktop receives it while lingering.
    AfterCtapReply,
}

/// Deliberate misbehaviour for negative tests. All off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneFaults {
    /// Send a shutdown message instead of the CTAP response.
    pub shutdown_before_reply: bool,
    /// Send these bytes as the update message's payload (after the type byte) instead of
    /// the CBOR map, e.g. something that is not CBOR.
    pub update_payload: Option<Vec<u8>>,
    /// Flip a bit of the linking signature (key 6).
    pub corrupt_linking_signature: bool,
}

/// A transaction timer: the phone gives up when the transaction has not ended this long after
/// the scan or wake-up. A real phone relies on the tunnel server's limits; 120 s is the
/// webauthn-rs tunnel server's TTL.
pub const DEFAULT_PHONE_TIMEOUT: Duration = Duration::from_secs(120);

/// Chromium's phone opens its WebSocket 250 ms after starting (`StartReading`, to measure
/// DNS start-up races, docs/protocol.md §9).
pub const DEFAULT_CONNECT_DELAY: Duration = Duration::from_millis(250);

/// The name the phone gives itself in linking info.
pub const DEFAULT_PHONE_NAME: &str = "hybridsim phone";

/// Everything a phone is told before it starts.
///
/// Randomness: the phone's identity ([`root_secret`], [`contact_id`]) defaults to the
/// first 48 bytes of ChaCha20 stream 1 of [`seed`]. Each transaction draws from stream 0 of
/// the same seed, in this order:
///
/// - QR flow: the 10-byte advert nonce (when the tunnel opens), the 32-byte Noise ephemeral
///   key (when message 1 arrives), the 8-byte link id (when linking is offered).
/// - Linked flow: the 16-byte EID plaintext (byte 0 forced to 0; drawn again while bytes
///   14..16 read as a reserved domain id 2..=255, which a Chromium desktop would refuse), then
///   the Noise ephemeral key.
///
/// A draw that is not a valid P-256 scalar (probability about 2^-32) is drawn again.
///
/// [`root_secret`]: PhoneConfig::root_secret
/// [`contact_id`]: PhoneConfig::contact_id
/// [`seed`]: PhoneConfig::seed
pub struct PhoneConfig<H = Authenticator> {
    /// Answers the CTAP requests.
    pub authenticator: H,
    /// Seeds the phone's random streams.
    pub seed: [u8; 32],
    /// The phone's tunnel server (domain id, docs/protocol.md §5.1). Default 0 (`cable.ua5v.com`):
    /// Chromium's phone always uses its own server, whatever QR key 2 says.
    pub domain_id: u16,
    /// Open the tunnel here instead of at the domain id's host, keeping the path.
    pub tunnel: Option<TunnelEndpoint>,
    /// Service UUID of the advert: 0xFFF9 (Android, the default) or 0xFDE2 (iOS style).
    pub advert_uuid: u16,
    /// Append a CTAP 2.3 advert suffix offering the BLE channel, in this key reading, on QR
    /// transactions. Default `None`: 20 bytes.
    pub advert_suffix: Option<SuffixKeys>,
    /// The L2CAP PSM a suffix names. Default [`DEFAULT_BLE_PSM`].
    pub ble_psm: u16,
    /// Data channels the phone can open, in its order of preference. Default WebSocket only.
    pub channels: Vec<Channel>,
    /// How QR key 6 is read. Default [`Key6Reading::Ignored`] (Chromium's phone).
    pub key6_reading: Key6Reading,
    /// Post-handshake key 3. Default `["ctap"]`.
    pub features: Vec<String>,
    /// Protocol revision to speak. Default 1; 0 for legacy tests (padded post-handshake map,
    /// no type bytes, no update message).
    pub revision: ProtocolRevision,
    /// Transport construction. Default new (current Chromium); old for legacy tests.
    pub construction: Construction,
    /// When to send the update message (revision 1, QR flow). Default
    /// [`UpdateTiming::AfterPostHandshake`].
    pub update: UpdateTiming,
    /// Offer linking when the QR code's key 4 is true. Default true.
    pub offer_linking: bool,
    /// The phone's 32-byte root secret: identity key and link secrets derive from it (§8.3).
    pub root_secret: [u8; 32],
    /// The contact id the tunnel server wakes the phone by (Google: an FCM token).
    pub contact_id: Vec<u8>,
    /// The name in linking info. Default [`DEFAULT_PHONE_NAME`].
    pub name: String,
    /// Linking-info key 999 (Google Play Services sends `true`). Default `None`.
    pub play_services_flag: Option<bool>,
    /// webauthn-rs' phone quirk: send a shutdown message after the CTAP reply (and close).
    /// Default false.
    pub shutdown_after_reply: bool,
    /// Wait this long before opening the WebSocket. Default [`DEFAULT_CONNECT_DELAY`].
    pub connect_delay: Duration,
    /// Give up when the transaction has not ended this long after it started. Default
    /// [`DEFAULT_PHONE_TIMEOUT`].
    pub timeout: Duration,
    /// Deliberate misbehaviour. Default none.
    pub faults: PhoneFaults,
    /// Collect the session's secrets as key-log entries for `Phone::secrets`.
    /// Default `false`.
    pub log_secrets: bool,
}

impl<H> PhoneConfig<H> {
    /// A phone answering with `authenticator`, every other field at its default; identity
    /// from stream 1 of `seed` (see the type's documentation).
    pub fn new(authenticator: H, seed: [u8; 32]) -> PhoneConfig<H> {
        let mut identity = ChaCha20Rng::from_seed(seed);
        identity.set_stream(1);
        let root_secret: [u8; 32] = draw(&mut identity);
        let contact_id: [u8; 16] = draw(&mut identity);
        PhoneConfig {
            authenticator,
            seed,
            domain_id: 0,
            tunnel: None,
            advert_uuid: FIDO_SERVICE_UUID,
            advert_suffix: None,
            ble_psm: DEFAULT_BLE_PSM,
            channels: vec![Channel::WebSocket],
            key6_reading: Key6Reading::Ignored,
            features: vec![FEATURE_CTAP.to_owned()],
            revision: ProtocolRevision::V1,
            construction: Construction::New,
            update: UpdateTiming::AfterPostHandshake,
            offer_linking: true,
            root_secret,
            contact_id: contact_id.to_vec(),
            name: DEFAULT_PHONE_NAME.to_owned(),
            play_services_flag: None,
            shutdown_after_reply: false,
            connect_delay: DEFAULT_CONNECT_DELAY,
            timeout: DEFAULT_PHONE_TIMEOUT,
            faults: PhoneFaults::default(),
            log_secrets: false,
        }
    }
}

impl<H> fmt::Debug for PhoneConfig<H> {
    /// The root secret and the authenticator are left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhoneConfig")
            .field("domain_id", &self.domain_id)
            .field("tunnel", &self.tunnel)
            .field("advert_uuid", &format_args!("{:#06x}", self.advert_uuid))
            .field("advert_suffix", &self.advert_suffix)
            .field("channels", &self.channels)
            .field("key6_reading", &self.key6_reading)
            .field("features", &self.features)
            .field("revision", &self.revision)
            .field("construction", &self.construction)
            .field("update", &self.update)
            .field("offer_linking", &self.offer_linking)
            .field("contact_id", &hex::encode(&self.contact_id))
            .field("name", &self.name)
            .field("shutdown_after_reply", &self.shutdown_after_reply)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}
