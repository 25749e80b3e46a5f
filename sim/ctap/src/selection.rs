//! authenticatorSelection (0x0B): "which authenticator?" — the authenticator asks for user
//! presence and answers `CTAP2_OK` or `CTAP2_ERR_OPERATION_DENIED` (CTAP 2.2 §6.9
//! "authenticatorSelection"). No parameters, no response body. The Chromium phone accepts it and
//! ends the transaction with it (docs/protocol.md §7.5).

use crate::wire::{self, WireError};

/// The command byte.
pub const COMMAND: u8 = 0x0B;

/// The authenticatorSelection request: it has no parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SelectionRequest;

impl SelectionRequest {
    /// Checks that there are no parameters (`CTAP1_ERR_INVALID_LENGTH` otherwise).
    pub fn decode(params: &[u8]) -> Result<Self, WireError> {
        wire::expect_empty(params, "selection")?;
        Ok(Self)
    }

    /// The (empty) parameters.
    pub fn encode(&self) -> Vec<u8> {
        Vec::new()
    }

    /// `0x0B`, the CTAP request message.
    pub fn to_message(&self) -> Vec<u8> {
        vec![COMMAND]
    }
}
