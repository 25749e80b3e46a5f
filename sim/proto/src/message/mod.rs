//! Message types and CTAP framing inside the encrypted channel (docs/protocol.md §7.3, §7.5).
//!
//! In protocol revision 1 every decrypted plaintext (after the post-handshake message) starts
//! with a [`MessageType`] byte. Revision 0 has no type byte: every message is CTAP, and there
//! is no shutdown message (closing the socket ends the transaction).

use std::fmt;

/// The first plaintext byte of a revision-1 message (Chromium `MessageType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MessageType {
    /// `00`: the desktop ends the transaction (no payload).
    Shutdown = 0,
    /// `01`: a CTAP request (command ‖ CBOR) or response (status ‖ CBOR).
    Ctap = 1,
    /// `02`: an update, a CBOR map (linking information, padding).
    Update = 2,
    /// `03`: a JSON request or response (digital credentials).
    Json = 3,
}

impl MessageType {
    /// The byte on the wire.
    pub fn byte(self) -> u8 {
        self as u8
    }
}

impl TryFrom<u8> for MessageType {
    type Error = MessageError;

    fn try_from(byte: u8) -> Result<Self, MessageError> {
        match byte {
            0 => Ok(Self::Shutdown),
            1 => Ok(Self::Ctap),
            2 => Ok(Self::Update),
            3 => Ok(Self::Json),
            other => Err(MessageError::UnknownType(other)),
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Shutdown => "shutdown",
            Self::Ctap => "CTAP",
            Self::Update => "update",
            Self::Json => "JSON",
        })
    }
}

/// The protocol revision, detected by the desktop from the post-handshake message (§7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtocolRevision {
    /// "v2.0": padded post-handshake map, no type byte, no shutdown message.
    V0,
    /// "v2.1" (current): plain post-handshake map, a type byte in front of every message.
    V1,
}

impl ProtocolRevision {
    /// The number Chromium logs (`established v2.<n>`).
    pub fn number(self) -> u8 {
        match self {
            Self::V0 => 0,
            Self::V1 => 1,
        }
    }
}

/// Why a decrypted plaintext is not a message, or a message cannot be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// A revision-1 plaintext with no type byte.
    #[error("empty message: protocol revision 1 needs a message-type byte")]
    Empty,
    /// A type byte above 3.
    #[error("unknown message type {0:#04x} (known: 00 shutdown, 01 CTAP, 02 update, 03 JSON)")]
    UnknownType(u8),
    /// Revision 0 only carries CTAP messages.
    #[error("protocol revision 0 has no {0} messages, only CTAP")]
    NotInRevision0(MessageType),
    /// A CTAP message without the command (request) or status (response) byte.
    #[error("CTAP message has no command or status byte")]
    NoCtapCommand,
    /// [`Message::ctap_command`] was asked about a message of another type.
    #[error("expected a CTAP message, found a {0} message")]
    NotCtap(MessageType),
}

/// One message of the encrypted channel: its type and the bytes after the type byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What kind of message this is.
    pub message_type: MessageType,
    /// Everything after the type byte (for revision 0: the whole plaintext).
    pub payload: Vec<u8>,
}

impl Message {
    /// A CTAP request: `command ‖ CBOR parameters` (getInfo, `04`, has no parameters).
    pub fn ctap_request(command: u8, parameters: &[u8]) -> Self {
        Self::ctap(command, parameters)
    }

    /// A CTAP response: `status ‖ CBOR` (no CBOR for most errors).
    pub fn ctap_response(status: u8, body: &[u8]) -> Self {
        Self::ctap(status, body)
    }

    /// The desktop's shutdown message: no payload (`00` on the wire).
    pub fn shutdown() -> Self {
        Self {
            message_type: MessageType::Shutdown,
            payload: Vec::new(),
        }
    }

    /// An update message carrying an encoded CBOR map (§8.2).
    pub fn update(cbor: &[u8]) -> Self {
        Self {
            message_type: MessageType::Update,
            payload: cbor.to_vec(),
        }
    }

    /// A JSON message (digital credentials).
    pub fn json(json: &[u8]) -> Self {
        Self {
            message_type: MessageType::Json,
            payload: json.to_vec(),
        }
    }

    fn ctap(first: u8, rest: &[u8]) -> Self {
        let mut payload = Vec::with_capacity(1 + rest.len());
        payload.push(first);
        payload.extend_from_slice(rest);
        Self {
            message_type: MessageType::Ctap,
            payload,
        }
    }

    /// Reads a decrypted, unpadded plaintext.
    ///
    /// Revision 1: the first byte is the type; empty plaintexts and types above 3 are errors
    /// (Chromium closes the connection for both). Revision 0: everything is CTAP.
    pub fn parse(plaintext: &[u8], revision: ProtocolRevision) -> Result<Self, MessageError> {
        match revision {
            ProtocolRevision::V0 => Ok(Self {
                message_type: MessageType::Ctap,
                payload: plaintext.to_vec(),
            }),
            ProtocolRevision::V1 => {
                let (&type_byte, payload) = plaintext.split_first().ok_or(MessageError::Empty)?;
                Ok(Self {
                    message_type: MessageType::try_from(type_byte)?,
                    payload: payload.to_vec(),
                })
            }
        }
    }

    /// The plaintext to hand to the crypter for `revision`.
    ///
    /// Revision 0 has no type byte and only CTAP messages; anything else is refused.
    pub fn encode(&self, revision: ProtocolRevision) -> Result<Vec<u8>, MessageError> {
        match revision {
            ProtocolRevision::V1 => Ok(self.to_bytes()),
            ProtocolRevision::V0 if self.message_type == MessageType::Ctap => {
                Ok(self.payload.clone())
            }
            ProtocolRevision::V0 => Err(MessageError::NotInRevision0(self.message_type)),
        }
    }

    /// The revision-1 plaintext: type byte ‖ payload.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.payload.len());
        out.push(self.message_type.byte());
        out.extend_from_slice(&self.payload);
        out
    }

    /// Splits a CTAP message into its command (or status) byte and the CBOR after it.
    pub fn ctap_command(&self) -> Result<(u8, &[u8]), MessageError> {
        if self.message_type != MessageType::Ctap {
            return Err(MessageError::NotCtap(self.message_type));
        }
        let (&first, rest) = self
            .payload
            .split_first()
            .ok_or(MessageError::NoCtapCommand)?;
        Ok((first, rest))
    }
}

#[cfg(test)]
mod tests;
