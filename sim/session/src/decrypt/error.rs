//! Why a session did not decrypt: one variant per check, each naming the message it concerns.

use super::DecryptedSession;
use crate::keylog::Label;
use crate::messages::{Side, WireMessage};
use hybridsim_proto::advert::AdvertError;
use hybridsim_proto::noise::NoiseError;
use hybridsim_proto::padding::PaddingError;
use std::fmt;

/// Which captured message an error concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRef {
    /// 1-based position among the messages.
    pub index: usize,
    /// 1-based line of the messages file.
    pub line: usize,
    /// Its sender.
    pub from: Side,
}

impl fmt::Display for MessageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "message {} (line {}, from the {})",
            self.index, self.line, self.from
        )
    }
}

/// Why a session could not be decrypted (or checked).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Neither a QR code nor a tunnel id was given, and the key log does not hold exactly one
    /// session to fall back on.
    #[error(
        "no tunnel id: give the QR code or the tunnel id (the key log holds {sessions} sessions)"
    )]
    NoTunnelId {
        /// Sessions in the key log.
        sessions: usize,
    },
    /// The key log has no line for this session's tunnel id.
    #[error("the key log has no lines for tunnel id {tunnel_id}")]
    NoSession {
        /// The tunnel id, hex.
        tunnel_id: String,
    },
    /// Keys needed for a step are missing from the key log (and the inputs).
    #[error("missing keys: {need}")]
    MissingKeys {
        /// What would be needed, naming the labels.
        need: &'static str,
    },
    /// The key log's `QR_SECRET` differs from the QR code's secret.
    #[error("QR_SECRET (key log line {line}) differs from the secret in the QR code")]
    QrSecretMismatch {
        /// Key-log line.
        line: usize,
    },
    /// The advert's tag does not verify under the EID key of the QR secret.
    #[error("the advert does not verify under the EID key of this QR secret (another session's advert?)")]
    AdvertNotForThisSession,
    /// The advert verified but its contents are refused.
    #[error("advert: {0}")]
    Advert(AdvertError),
    /// A logged key disagrees with what the inputs derive.
    #[error("{label} (key log line {line}) differs from the one {derived_from} gives")]
    LoggedKeyMismatch {
        /// The label.
        label: Label,
        /// Key-log line.
        line: usize,
        /// Where the other value comes from ("the advert", "the handshake").
        derived_from: &'static str,
    },
    /// A message arrived where the protocol has another one (from the other side, or none).
    #[error("{at}: unexpected: expected {expected}")]
    Unexpected {
        /// The message.
        at: MessageRef,
        /// What the protocol expects here.
        expected: &'static str,
    },
    /// A message is too short to be what it must be.
    #[error("{at}: truncated: {len} bytes, but {need}")]
    Truncated {
        /// The message.
        at: MessageRef,
        /// Its length.
        len: usize,
        /// What it needs.
        need: &'static str,
    },
    /// A handshake step failed (bad tag: wrong PSK or static key; bad point).
    #[error("{at}: handshake: {source}")]
    Handshake {
        /// The message.
        at: MessageRef,
        /// What snow or the checks said.
        source: NoiseError,
    },
    /// A handshake message differs from the one the logged keys produce: a wrong ephemeral
    /// key, PSK or static key in the key log, or a modified message.
    #[error("{at}: wrong key: not the message the logged {keys} produce")]
    HandshakeMismatch {
        /// The message.
        at: MessageRef,
        /// Which logged keys were used.
        keys: &'static str,
    },
    /// The first message of a direction decrypts under neither crypter construction.
    #[error("{at}: wrong key: does not decrypt under {label} with either crypter construction")]
    WrongKey {
        /// The message.
        at: MessageRef,
        /// The key tried.
        label: Label,
    },
    /// A later message does not decrypt at its sequence number nor at nearby ones.
    #[error("{at}: bad tag: does not decrypt as sequence number {sequence} (corrupted or cut)")]
    BadTag {
        /// The message.
        at: MessageRef,
        /// The sequence number expected.
        sequence: u32,
    },
    /// A message decrypts, but at another sequence number than the next one.
    #[error("{at}: out of order: it is sequence number {found}, expected {expected}")]
    OutOfOrder {
        /// The message.
        at: MessageRef,
        /// The sequence number expected.
        expected: u32,
        /// The one it decrypts at.
        found: u32,
    },
    /// The two directions use different crypter constructions.
    #[error("{at}: uses the {found} crypter construction, the other direction the {expected}")]
    ConstructionMismatch {
        /// The message.
        at: MessageRef,
        /// The construction of the other direction.
        expected: &'static str,
        /// This message's.
        found: &'static str,
    },
    /// A message decrypted but its §7.2 padding is invalid.
    #[error("{at}: bad padding: {source}")]
    BadPadding {
        /// The message.
        at: MessageRef,
        /// What is wrong.
        source: PaddingError,
    },
    /// A decrypted message is not what its position and type say it must be.
    #[error("{at}: {detail}")]
    Malformed {
        /// The message.
        at: MessageRef,
        /// The decoder's words.
        detail: String,
    },
}

impl SessionError {
    /// The message the error concerns, if it concerns one.
    pub fn message(&self) -> Option<MessageRef> {
        match self {
            Self::Unexpected { at, .. }
            | Self::Truncated { at, .. }
            | Self::Handshake { at, .. }
            | Self::HandshakeMismatch { at, .. }
            | Self::WrongKey { at, .. }
            | Self::BadTag { at, .. }
            | Self::OutOfOrder { at, .. }
            | Self::ConstructionMismatch { at, .. }
            | Self::BadPadding { at, .. }
            | Self::Malformed { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// A failed decryption: the error, and everything decoded before the failing message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct Failure {
    /// What failed.
    pub error: SessionError,
    /// The session as far as it decoded.
    pub partial: DecryptedSession,
}

/// The reference to message `m`, the `index`th (from 0) of the capture.
pub(super) fn at(m: &WireMessage, index: usize) -> MessageRef {
    MessageRef {
        index: index + 1,
        line: m.line,
        from: m.from,
    }
}
