//! The hybrid Noise handshakes over `snow` (docs/protocol.md §6).
//!
//! Two standard patterns, both with the desktop as initiator and the phone as responder:
//!
//! | kind | pattern | prologue | static key known in advance |
//! |---|---|---|---|
//! | [`HandshakeKind::QrInitiated`] | `Noise_KNpsk0_P256_AESGCM_SHA256` | `01` | the desktop's QR identity key (the phone read it from the QR code) |
//! | [`HandshakeKind::Linked`] | `Noise_NKpsk0_P256_AESGCM_SHA256` | `00` | the phone's identity key (from linking info) |
//!
//! Each side moves through consuming states, so a state cannot be used twice:
//!
//! ```text
//! desktop: Initiator --write_message_1--> InitiatorAwaitingResponse --read_message_2--> HandshakeDone
//! phone:   Responder --read_message_1-->  ResponderReadyToRespond  --write_message_2--> HandshakeDone
//! ```
//!
//! Both messages are 81 bytes: an uncompressed ephemeral key (65) and the tag of an empty
//! payload (16). Keys are checked here before snow sees them, because snow panics on an
//! invalid private scalar and only works with 65-byte public keys.
//!
//! Ephemeral keys are arguments. They reach snow through
//! `Builder::fixed_ephemeral_key_for_testing_only`, the only way snow accepts a given
//! ephemeral key. Its name warns against fixed keys in production; here the caller passes a
//! fresh key drawn from its own seeded random stream each time, and replaying a transcript
//! exactly from a seed is what this simulator is for. Snow never draws randomness of its own
//! in these handshakes.

use crate::crypter::{Construction, Crypter};
use crate::keys::{self, KeyError, UNCOMPRESSED_LEN};
use snow::HandshakeState;
use std::fmt;

/// Length of both handshake messages: ephemeral public key (65) ‖ tag (16). The desktop
/// requires exactly this for message 2 (Chromium `kResponseSize`).
pub const HANDSHAKE_MESSAGE_LEN: usize = 81;

/// Length of the handshake hash and of each transport key.
pub const HASH_LEN: usize = 32;

/// Which of the two hybrid handshakes is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandshakeKind {
    /// After a QR scan: KNpsk0, prologue `01`; the phone knows the desktop's QR identity key.
    QrInitiated,
    /// A linked ("state-assisted") phone: NKpsk0, prologue `00`; the desktop knows the
    /// phone's identity key.
    Linked,
}

impl HandshakeKind {
    /// The Noise protocol name.
    pub fn protocol_name(self) -> &'static str {
        match self {
            Self::QrInitiated => "Noise_KNpsk0_P256_AESGCM_SHA256",
            Self::Linked => "Noise_NKpsk0_P256_AESGCM_SHA256",
        }
    }

    /// The one-byte prologue mixed into the hash first.
    pub fn prologue(self) -> [u8; 1] {
        match self {
            Self::QrInitiated => [1],
            Self::Linked => [0],
        }
    }
}

/// Which key given to a constructor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// This side's static (identity) private key.
    LocalStatic,
    /// The other side's static (identity) public key.
    PeerStatic,
    /// This side's ephemeral private key.
    Ephemeral,
}

impl fmt::Display for KeyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LocalStatic => "local static private key",
            Self::PeerStatic => "peer static public key",
            Self::Ephemeral => "ephemeral private key",
        })
    }
}

/// Why a handshake step failed. One variant per check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoiseError {
    /// A key given to a constructor is invalid.
    #[error("{role}: {source}")]
    Key {
        /// Which key.
        role: KeyRole,
        /// What is wrong with it.
        source: KeyError,
    },
    /// Message 1 is shorter than an ephemeral key (the phone's only length check).
    #[error("handshake message 1 is {len} bytes; the phone requires at least 65")]
    Message1TooShort {
        /// Its length.
        len: usize,
    },
    /// Message 2 is not exactly 81 bytes (the desktop's `kResponseSize` check).
    #[error("handshake message 2 is {len} bytes; the desktop requires exactly 81")]
    Message2Length {
        /// Its length.
        len: usize,
    },
    /// The peer's ephemeral key is not a point on P-256.
    #[error("handshake message {message}: the ephemeral key is not a point on P-256")]
    BadPoint {
        /// 1 or 2.
        message: u8,
    },
    /// The tag does not verify: wrong PSK, prologue or static key, or corrupted bytes.
    #[error("handshake message {message}: the tag does not verify (wrong PSK, prologue or static key, or corrupted)")]
    BadTag {
        /// 1 or 2.
        message: u8,
    },
    /// Message 1 decrypted to a non-empty payload; the phone requires an empty one.
    #[error("handshake message 1 carries {len} payload byte(s); the phone requires none")]
    UnexpectedPayload {
        /// Payload length.
        len: usize,
    },
    /// snow refused a step for a reason the checks above do not cover (for example a
    /// message over Noise's 65535-byte limit).
    #[error("handshake message {message}: snow refused the step: {detail}")]
    Snow {
        /// 1 or 2 (0 while building).
        message: u8,
        /// snow's error, as text.
        detail: String,
    },
}

/// The result of a completed handshake, for either side.
#[derive(Clone, PartialEq, Eq)]
pub struct HandshakeDone {
    /// Which handshake was run.
    pub kind: HandshakeKind,
    /// The final `h`: channel binding for the linking signature (§6.4, §8.1).
    pub handshake_hash: [u8; HASH_LEN],
    /// Key for messages from the peer.
    pub read_key: [u8; 32],
    /// Key for messages to the peer.
    pub write_key: [u8; 32],
}

impl fmt::Debug for HandshakeDone {
    /// The keys are left out so that traces and test failures do not print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeDone")
            .field("kind", &self.kind)
            .field("handshake_hash", &hex::encode(self.handshake_hash))
            .finish_non_exhaustive()
    }
}

impl HandshakeDone {
    /// The transport crypter (new construction, as current Chromium and CTAP 2.2 use).
    pub fn crypter(&self) -> Crypter {
        Crypter::new(self.read_key, self.write_key, Construction::New)
    }
}

/// The desktop before sending message 1.
#[derive(Debug)]
pub struct Initiator {
    kind: HandshakeKind,
    state: HandshakeState,
}

/// The desktop after sending message 1, waiting for message 2.
#[derive(Debug)]
pub struct InitiatorAwaitingResponse {
    kind: HandshakeKind,
    state: HandshakeState,
}

/// The phone before message 1 arrives.
#[derive(Debug)]
pub struct Responder {
    kind: HandshakeKind,
    state: HandshakeState,
}

/// The phone after accepting message 1, ready to send message 2.
#[derive(Debug)]
pub struct ResponderReadyToRespond {
    kind: HandshakeKind,
    state: HandshakeState,
}

impl Initiator {
    /// The desktop after a QR scan (KNpsk0): it holds the QR identity private key.
    pub fn qr_initiated(
        psk: &[u8; 32],
        qr_identity_private: &[u8; 32],
        ephemeral_private: &[u8; 32],
    ) -> Result<Self, NoiseError> {
        let local = checked_private(qr_identity_private, KeyRole::LocalStatic)?;
        let kind = HandshakeKind::QrInitiated;
        let keys = Keys {
            local: Some(&local),
            remote: None,
            ephemeral: &checked_private(ephemeral_private, KeyRole::Ephemeral)?,
        };
        Ok(Self {
            kind,
            state: build(kind, psk, keys, true)?,
        })
    }

    /// The desktop contacting a linked phone (NKpsk0): it knows the phone's identity public
    /// key, compressed (33 bytes) or uncompressed (65).
    pub fn linked(
        psk: &[u8; 32],
        phone_identity_public: &[u8],
        ephemeral_private: &[u8; 32],
    ) -> Result<Self, NoiseError> {
        let kind = HandshakeKind::Linked;
        let keys = Keys {
            local: None,
            remote: Some(&checked_public(phone_identity_public)?),
            ephemeral: &checked_private(ephemeral_private, KeyRole::Ephemeral)?,
        };
        Ok(Self {
            kind,
            state: build(kind, psk, keys, true)?,
        })
    }

    /// Which handshake this is.
    pub fn kind(&self) -> HandshakeKind {
        self.kind
    }

    /// Writes message 1: the desktop's ephemeral key and the tag of an empty payload.
    pub fn write_message_1(
        mut self,
    ) -> Result<([u8; HANDSHAKE_MESSAGE_LEN], InitiatorAwaitingResponse), NoiseError> {
        let message = write_empty(&mut self.state, 1)?;
        let next = InitiatorAwaitingResponse {
            kind: self.kind,
            state: self.state,
        };
        Ok((message, next))
    }
}

impl InitiatorAwaitingResponse {
    /// Which handshake this is.
    pub fn kind(&self) -> HandshakeKind {
        self.kind
    }

    /// Reads message 2 (exactly 81 bytes, a valid point, a valid tag) and finishes. The
    /// desktop writes with the first split key and reads with the second (§6.4).
    pub fn read_message_2(mut self, message: &[u8]) -> Result<HandshakeDone, NoiseError> {
        if message.len() != HANDSHAKE_MESSAGE_LEN {
            return Err(NoiseError::Message2Length { len: message.len() });
        }
        let mut payload = [0u8; HANDSHAKE_MESSAGE_LEN];
        self.state
            .read_message(message, &mut payload)
            .map_err(|e| from_snow(e, 2))?;
        finish(self.kind, &mut self.state, true)
    }
}

impl Responder {
    /// The phone after a QR scan (KNpsk0): it knows the desktop's QR identity public key,
    /// compressed (33 bytes, as in the QR code) or uncompressed (65).
    pub fn qr_initiated(
        psk: &[u8; 32],
        desktop_identity_public: &[u8],
        ephemeral_private: &[u8; 32],
    ) -> Result<Self, NoiseError> {
        let kind = HandshakeKind::QrInitiated;
        let keys = Keys {
            local: None,
            remote: Some(&checked_public(desktop_identity_public)?),
            ephemeral: &checked_private(ephemeral_private, KeyRole::Ephemeral)?,
        };
        Ok(Self {
            kind,
            state: build(kind, psk, keys, false)?,
        })
    }

    /// A linked phone (NKpsk0): it holds its identity private key.
    pub fn linked(
        psk: &[u8; 32],
        identity_private: &[u8; 32],
        ephemeral_private: &[u8; 32],
    ) -> Result<Self, NoiseError> {
        let local = checked_private(identity_private, KeyRole::LocalStatic)?;
        let kind = HandshakeKind::Linked;
        let keys = Keys {
            local: Some(&local),
            remote: None,
            ephemeral: &checked_private(ephemeral_private, KeyRole::Ephemeral)?,
        };
        Ok(Self {
            kind,
            state: build(kind, psk, keys, false)?,
        })
    }

    /// Which handshake this is.
    pub fn kind(&self) -> HandshakeKind {
        self.kind
    }

    /// Reads message 1 with Chromium's phone rules (`RespondToHandshake`): at least 65
    /// bytes, a tag that verifies, an empty payload, and a valid point. Lengths other than
    /// 81 are not refused as such; they fail the tag or the empty-payload check.
    pub fn read_message_1(mut self, message: &[u8]) -> Result<ResponderReadyToRespond, NoiseError> {
        if message.len() < UNCOMPRESSED_LEN {
            return Err(NoiseError::Message1TooShort { len: message.len() });
        }
        let mut payload = vec![0u8; message.len()];
        let len = self
            .state
            .read_message(message, &mut payload)
            .map_err(|e| from_snow(e, 1))?;
        if len != 0 {
            return Err(NoiseError::UnexpectedPayload { len });
        }
        // KNpsk0's first message has no DH, so snow has not looked at the point yet; Chromium
        // finds a bad one at the ee step, after the tag.
        let point = message.get(..UNCOMPRESSED_LEN).unwrap_or_default();
        keys::parse_public(point).map_err(|_| NoiseError::BadPoint { message: 1 })?;
        Ok(ResponderReadyToRespond {
            kind: self.kind,
            state: self.state,
        })
    }
}

impl ResponderReadyToRespond {
    /// Which handshake this is.
    pub fn kind(&self) -> HandshakeKind {
        self.kind
    }

    /// Writes message 2 and finishes. The phone reads with the first split key and writes
    /// with the second (§6.4).
    pub fn write_message_2(
        mut self,
    ) -> Result<([u8; HANDSHAKE_MESSAGE_LEN], HandshakeDone), NoiseError> {
        let message = write_empty(&mut self.state, 2)?;
        let done = finish(self.kind, &mut self.state, false)?;
        Ok((message, done))
    }
}

/// Key material for [`build`], already checked.
struct Keys<'a> {
    local: Option<&'a [u8; 32]>,
    remote: Option<&'a [u8; UNCOMPRESSED_LEN]>,
    ephemeral: &'a [u8; 32],
}

fn build(
    kind: HandshakeKind,
    psk: &[u8; 32],
    keys: Keys<'_>,
    initiator: bool,
) -> Result<HandshakeState, NoiseError> {
    let at_build = |e| from_snow(e, 0);
    let params: snow::params::NoiseParams = kind.protocol_name().parse().map_err(at_build)?;
    let prologue = kind.prologue();
    let mut builder = snow::Builder::new(params)
        .prologue(&prologue)
        .map_err(at_build)?
        .psk(0, psk)
        .map_err(at_build)?
        // See the module documentation for why a fixed ephemeral key is used.
        .fixed_ephemeral_key_for_testing_only(keys.ephemeral);
    if let Some(local) = keys.local {
        builder = builder.local_private_key(local).map_err(at_build)?;
    }
    if let Some(remote) = keys.remote {
        builder = builder.remote_public_key(remote).map_err(at_build)?;
    }
    if initiator {
        builder.build_initiator()
    } else {
        builder.build_responder()
    }
    .map_err(at_build)
}

fn checked_private(key: &[u8; 32], role: KeyRole) -> Result<[u8; 32], NoiseError> {
    keys::parse_private(key).map_err(|source| NoiseError::Key { role, source })?;
    Ok(*key)
}

fn checked_public(key: &[u8]) -> Result<[u8; UNCOMPRESSED_LEN], NoiseError> {
    keys::uncompressed(key).map_err(|source| NoiseError::Key {
        role: KeyRole::PeerStatic,
        source,
    })
}

fn write_empty(
    state: &mut HandshakeState,
    message: u8,
) -> Result<[u8; HANDSHAKE_MESSAGE_LEN], NoiseError> {
    let mut out = [0u8; HANDSHAKE_MESSAGE_LEN];
    let len = state
        .write_message(&[], &mut out)
        .map_err(|e| from_snow(e, message))?;
    if len != HANDSHAKE_MESSAGE_LEN {
        return Err(NoiseError::Snow {
            message,
            detail: format!("wrote {len} bytes instead of {HANDSHAKE_MESSAGE_LEN}"),
        });
    }
    Ok(out)
}

fn finish(
    kind: HandshakeKind,
    state: &mut HandshakeState,
    initiator: bool,
) -> Result<HandshakeDone, NoiseError> {
    let handshake_hash: [u8; HASH_LEN] =
        state
            .get_handshake_hash()
            .try_into()
            .map_err(|_| NoiseError::Snow {
                message: 2,
                detail: "handshake hash is not 32 bytes".into(),
            })?;
    // (initiator -> responder, responder -> initiator)
    let (k1, k2) = state.dangerously_get_raw_split();
    let (read_key, write_key) = if initiator { (k2, k1) } else { (k1, k2) };
    Ok(HandshakeDone {
        kind,
        handshake_hash,
        read_key,
        write_key,
    })
}

fn from_snow(error: snow::Error, message: u8) -> NoiseError {
    match error {
        snow::Error::Decrypt => NoiseError::BadTag { message },
        snow::Error::Dh => NoiseError::BadPoint { message },
        other => NoiseError::Snow {
            message,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod spec_model;
#[cfg(test)]
mod tests;
