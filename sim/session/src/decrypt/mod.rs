//! The session decryptor: a captured hybrid session in, every message decoded out.
//!
//! Inputs ([`Input`]): the QR code (`FIDO:/…`), the key log, the WebSocket messages in
//! order, and optionally the BLE advert. What it does, in order:
//!
//! 1. Picks the session: the tunnel id given, or the one the QR secret derives (§3), or the
//!    key log's only session.
//! 2. With the QR secret (from the QR or `QR_SECRET`) and an advert: derives the EID key,
//!    decrypts the advert (routing id, domain) and derives the PSK (§3, §4); a logged `PSK`
//!    must agree.
//! 3. Runs the Noise handshake again from whatever keys the log holds, and checks that it
//!    reproduces the captured messages ([`HandshakeSource`]): the desktop's ephemeral key
//!    with its QR identity key (KNpsk0) or the phone's identity public key (NKpsk0); or the
//!    phone's ephemeral key with the QR identity public key or its own identity key; or,
//!    with neither, the logged traffic keys alone (the handshake messages are then shown but
//!    not checked). Logged traffic keys and handshake hash must agree with a handshake run.
//! 4. Decrypts each direction with its own sequence number, detecting the crypter
//!    construction (§7.1) from the first message of each; the protocol revision from the
//!    post-handshake message (§7.3); and decodes every message (§7.4, §7.5, §8.2).
//!
//! The first message that fails stops the run; [`Failure`] names it and why, and carries
//! everything decoded before it.

mod decode;
mod direction;
mod error;
mod handshake;
mod setup;
mod transport;

pub use error::{Failure, MessageRef, SessionError};

use crate::keylog::KeyLog;
use crate::messages::{Side, WireMessage};
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::qr::QrPayload;
use serde::{Serialize, Serializer};

/// What the decryptor reads.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The session's QR code, when it had one (the QR flow, or the pairing of a linked one).
    pub qr: Option<&'a QrPayload>,
    /// The tunnel id, when there is no QR code to derive it from (linked flows).
    pub tunnel_id: Option<[u8; 16]>,
    /// The key log.
    pub keylog: &'a KeyLog,
    /// The WebSocket binary messages, in order.
    pub messages: &'a [WireMessage],
    /// The advert's service data (20 bytes, or more with a CTAP 2.3 suffix).
    pub advert: Option<&'a [u8]>,
}

/// Which handshake the session ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// QR-initiated, `Noise_KNpsk0_P256_AESGCM_SHA256`.
    Qr,
    /// A linked phone, `Noise_NKpsk0_P256_AESGCM_SHA256`.
    Linked,
}

/// Which logged keys established the traffic keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandshakeSource {
    /// The desktop's ephemeral and static (or the phone's public) keys reproduced message 1
    /// and read message 2.
    DesktopKeys,
    /// The phone's ephemeral and static (or the QR public) keys read message 1 and
    /// reproduced message 2.
    PhoneKeys,
    /// Only `DESKTOP_WRITE_KEY` and `DESKTOP_READ_KEY`: the handshake was not checked.
    TrafficKeys,
}

/// The transport crypter construction (§7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CrypterKind {
    /// Nonce = 8 zero bytes ‖ BE32 sequence number, no associated data.
    New,
    /// Nonce = LE32 sequence number ‖ 8 zero bytes, associated data `02`.
    Old,
}

impl CrypterKind {
    /// The word used in output and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Old => "old",
        }
    }
}

impl From<Construction> for CrypterKind {
    fn from(c: Construction) -> Self {
        match c {
            Construction::New => Self::New,
            Construction::Old => Self::Old,
        }
    }
}

/// What a decoded message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Noise message 1 (desktop → phone).
    #[serde(rename = "handshake_message_1")]
    HandshakeMessage1,
    /// Noise message 2 (phone → desktop).
    #[serde(rename = "handshake_message_2")]
    HandshakeMessage2,
    /// The phone's first encrypted message (§7.4).
    PostHandshake,
    /// A CTAP request (desktop → phone).
    CtapRequest,
    /// A CTAP response (phone → desktop).
    CtapResponse,
    /// An update message (§8.2).
    Update,
    /// A shutdown message (§7.6).
    Shutdown,
    /// A JSON message (digital credentials).
    Json,
}

/// The advert's decrypted fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvertInfo {
    /// The routing id the phone's tunnel server gave it.
    #[serde(serialize_with = "hex_bytes")]
    pub routing_id: [u8; 3],
    /// The tunnel-server domain id.
    pub domain_id: u16,
    /// The tunnel server's host name, when the id names one.
    pub domain: Option<String>,
    /// The Noise PSK derived from the QR secret and the decrypted EID (§3).
    #[serde(serialize_with = "hex_bytes")]
    pub psk: [u8; 32],
}

/// One decoded message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedMessage {
    /// Its sender.
    pub from: Side,
    /// What it is.
    pub kind: MessageKind,
    /// The decrypted plaintext without §7.2 padding (empty for handshake messages).
    #[serde(rename = "plaintext_hex", serialize_with = "hex_bytes")]
    pub plaintext: Vec<u8>,
    /// Its CBOR in diagnostic notation with named keys, when it carries CBOR.
    pub cbor: Option<String>,
    /// One line a person reads: the CTAP command or status, the features, and so on.
    pub summary: String,
    /// 1-based line in the messages file.
    pub line: usize,
}

impl DecodedMessage {
    /// The text for a capture's packet comment: `hybrid <kind>: <summary>`, then the CBOR
    /// on a second line when there is some. The Wireshark dissector shows these as they are.
    pub fn comment(&self) -> String {
        let kind = serde_json::to_value(self.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        match &self.cbor {
            Some(cbor) => format!("hybrid {kind}: {}\n{cbor}", self.summary),
            None => format!("hybrid {kind}: {}", self.summary),
        }
    }
}

/// A decrypted session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecryptedSession {
    /// The session's tunnel id.
    #[serde(serialize_with = "hex_bytes")]
    pub tunnel_id: [u8; 16],
    /// The handshake pattern, when known.
    pub flow: Option<Flow>,
    /// The advert, when one was given.
    pub advert: Option<AdvertInfo>,
    /// Which keys established the traffic keys.
    pub handshake: Option<HandshakeSource>,
    /// The handshake hash, from the handshake or the key log.
    #[serde(serialize_with = "hex_opt")]
    pub handshake_hash: Option<[u8; 32]>,
    /// Every message decoded, in order.
    pub messages: Vec<DecodedMessage>,
    /// The crypter construction, once a message decrypted.
    pub crypter: Option<CrypterKind>,
    /// The protocol revision (0 or 1), once the post-handshake message decoded.
    pub revision: Option<u8>,
    /// What the key-log reader noticed (unknown labels, duplicates), one line each.
    pub notices: Vec<String>,
}

impl DecryptedSession {
    fn new(tunnel_id: [u8; 16]) -> Self {
        DecryptedSession {
            tunnel_id,
            flow: None,
            advert: None,
            handshake: None,
            handshake_hash: None,
            messages: Vec::new(),
            crypter: None,
            revision: None,
            notices: Vec::new(),
        }
    }
}

/// Decrypts and decodes a captured session; see the module documentation.
pub fn decrypt(input: Input<'_>) -> Result<DecryptedSession, Box<Failure>> {
    let tunnel_id =
        setup::tunnel_id(&input).map_err(|e| fail(e, DecryptedSession::new([0; 16])))?;
    let mut session = DecryptedSession::new(tunnel_id);
    session.notices = input.keylog.notices.iter().map(|n| n.to_string()).collect();
    match run(&input, &mut session) {
        Ok(()) => Ok(session),
        Err(error) => Err(fail(error, session)),
    }
}

fn fail(error: SessionError, partial: DecryptedSession) -> Box<Failure> {
    Box::new(Failure { error, partial })
}

fn run(input: &Input<'_>, session: &mut DecryptedSession) -> Result<(), SessionError> {
    let keys = setup::session_keys(input, &session.tunnel_id)?;
    let secrets = setup::secrets(input, keys, session)?;
    let established = handshake::establish(input.messages, keys, &secrets, session)?;
    transport::decrypt_all(input.messages, &established, session)
}

fn hex_bytes<S: Serializer>(bytes: impl AsRef<[u8]>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}

fn hex_opt<S: Serializer>(bytes: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => s.serialize_str(&hex::encode(b)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests;
