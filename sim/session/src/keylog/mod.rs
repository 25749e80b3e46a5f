//! The hybrid key-log format: one secret per line, several sessions per file.
//!
//! ```text
//! # comment
//! QR_SECRET 0F1E…(tunnel id, 16 bytes) 00112233…(value)
//! ```
//!
//! Each line is `LABEL TUNNEL_ID_HEX VALUE_HEX`, separated by spaces or tabs, hex in either
//! case. `#` starts a comment line; blank lines are ignored. The tunnel id (the 16 bytes in
//! `/cable/new/…` and `/cable/connect/…`, docs/protocol.md §5.2) keys the session a line belongs
//! to, so one file collects many sessions, as `SSLKEYLOGFILE` does for TLS. The labels are
//! [`Label`]; lines with other labels are kept and reported, so files from newer writers
//! still load. A label given twice for a session with the same value is reported; with a
//! different value it is an error naming both lines.
//!
//! Wireshark's WireGuard key log cannot carry these (it is Curve25519/ChaCha20 only); hybrid
//! uses P-256, AES-256-GCM and SHA-256 (docs/protocol.md §6).

mod parse;
mod write;

pub use parse::{KeyLogError, Limits, Notice};
pub use write::{format_line, KeyLogWriter};

use std::collections::BTreeMap;
use std::fmt;

/// A secret a key log can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    /// The 16-byte secret in the QR code (its key 1); the EID key, tunnel id and PSK derive
    /// from it.
    QrSecret,
    /// The desktop's 32-byte QR identity private key (whose public key is QR key 0).
    QrIdentityPrivateKey,
    /// The desktop's 32-byte Noise ephemeral private key.
    DesktopEphemeralPrivateKey,
    /// The phone's 32-byte Noise ephemeral private key.
    PhoneEphemeralPrivateKey,
    /// The phone's 32-byte identity private key (the static key of the linked flow).
    PhoneIdentityPrivateKey,
    /// The 32-byte Noise PSK.
    Psk,
    /// The 32-byte handshake hash `h` after message 2.
    HandshakeHash,
    /// The 32-byte key of messages from the desktop to the phone.
    DesktopWriteKey,
    /// The 32-byte key of messages from the phone to the desktop.
    DesktopReadKey,
    /// The 32-byte link secret of a linked phone.
    LinkSecret,
}

impl Label {
    /// Every label, in the order a writer logs them.
    pub const ALL: [Label; 10] = [
        Label::QrSecret,
        Label::QrIdentityPrivateKey,
        Label::DesktopEphemeralPrivateKey,
        Label::PhoneEphemeralPrivateKey,
        Label::PhoneIdentityPrivateKey,
        Label::Psk,
        Label::HandshakeHash,
        Label::DesktopWriteKey,
        Label::DesktopReadKey,
        Label::LinkSecret,
    ];

    /// The label as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QrSecret => "QR_SECRET",
            Self::QrIdentityPrivateKey => "QR_IDENTITY_PRIVATE_KEY",
            Self::DesktopEphemeralPrivateKey => "DESKTOP_EPHEMERAL_PRIVATE_KEY",
            Self::PhoneEphemeralPrivateKey => "PHONE_EPHEMERAL_PRIVATE_KEY",
            Self::PhoneIdentityPrivateKey => "PHONE_IDENTITY_PRIVATE_KEY",
            Self::Psk => "PSK",
            Self::HandshakeHash => "HANDSHAKE_HASH",
            Self::DesktopWriteKey => "DESKTOP_WRITE_KEY",
            Self::DesktopReadKey => "DESKTOP_READ_KEY",
            Self::LinkSecret => "LINK_SECRET",
        }
    }

    /// The label for a name in the file (exact, upper case), if it is one of ours.
    pub fn from_name(name: &str) -> Option<Label> {
        Self::ALL.into_iter().find(|label| label.as_str() == name)
    }

    /// The length in bytes every value of this label has.
    pub fn value_len(self) -> usize {
        match self {
            Self::QrSecret => 16,
            _ => 32,
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One secret of one session, as a writer logs it: what a driver collects from the peers
/// and hands to [`KeyLogWriter::entry`].
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which secret.
    pub label: Label,
    /// The session (the tunnel id in `/cable/new/…` and `/cable/connect/…`).
    pub tunnel_id: [u8; 16],
    /// The secret's bytes ([`Label::value_len`] of them).
    pub value: Vec<u8>,
}

impl fmt::Debug for Entry {
    /// The value is left out so that test failures and logs do not print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("label", &self.label)
            .field("tunnel_id", &hex::encode_upper(self.tunnel_id))
            .field("len", &self.value.len())
            .finish()
    }
}

/// A value and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The decoded bytes.
    pub value: Vec<u8>,
    /// 1-based line number.
    pub line: usize,
}

/// A line whose label is not a [`Label`], kept for the reader to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEntry {
    /// The label as written.
    pub label: String,
    /// The decoded value.
    pub value: Vec<u8>,
    /// 1-based line number.
    pub line: usize,
}

/// The secrets of one session (one tunnel id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionKeys {
    values: BTreeMap<Label, Logged>,
    /// Lines with labels this reader does not know, in file order.
    pub unknown: Vec<UnknownEntry>,
}

impl SessionKeys {
    /// The value logged for `label`, if any.
    pub fn get(&self, label: Label) -> Option<&[u8]> {
        self.values.get(&label).map(|l| l.value.as_slice())
    }

    /// The value and line logged for `label`, if any.
    pub fn entry(&self, label: Label) -> Option<&Logged> {
        self.values.get(&label)
    }

    /// The value of `label` as a fixed-size array (the reader already checked the length).
    pub fn fixed<const N: usize>(&self, label: Label) -> Option<[u8; N]> {
        self.get(label).and_then(|v| v.try_into().ok())
    }

    /// Whether `label` was logged.
    pub fn has(&self, label: Label) -> bool {
        self.values.contains_key(&label)
    }

    /// The labels logged, in [`Label::ALL`] order.
    pub fn labels(&self) -> impl Iterator<Item = Label> + '_ {
        self.values.keys().copied()
    }

    /// Sets a value (used by the reader and by tests that build key logs in memory).
    pub fn insert(&mut self, label: Label, value: Vec<u8>, line: usize) {
        self.values.insert(label, Logged { value, line });
    }
}

/// A parsed key log: its sessions by tunnel id, and what the reader noticed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyLog {
    sessions: BTreeMap<[u8; 16], SessionKeys>,
    /// Unknown labels and duplicate lines, in file order.
    pub notices: Vec<Notice>,
}

impl KeyLog {
    /// The secrets logged for a tunnel id.
    pub fn session(&self, tunnel_id: &[u8; 16]) -> Option<&SessionKeys> {
        self.sessions.get(tunnel_id)
    }

    /// The tunnel ids in the file, in ascending byte order.
    pub fn tunnel_ids(&self) -> impl Iterator<Item = &[u8; 16]> {
        self.sessions.keys()
    }

    /// The session's secrets, created empty when absent.
    pub fn session_mut(&mut self, tunnel_id: [u8; 16]) -> &mut SessionKeys {
        self.sessions.entry(tunnel_id).or_default()
    }

    /// Reads a key log with the default [`Limits`].
    pub fn parse(input: &[u8]) -> Result<KeyLog, KeyLogError> {
        parse::parse(input, Limits::default())
    }

    /// Reads a key log with explicit limits.
    pub fn parse_with(input: &[u8], limits: Limits) -> Result<KeyLog, KeyLogError> {
        parse::parse(input, limits)
    }
}

#[cfg(test)]
mod tests;
