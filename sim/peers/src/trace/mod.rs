//! The trace record: one typed line per observable step, the same type for every driver (the
//! simulated world and the socket driver), serialised as JSON lines with a fixed field order
//! so that the same seed gives the same file and a change of bytes on the wire shows up as a
//! diff.
//!
//! [`TraceRecord::new`] is the one way to make a record: it hides secret bytes (keys, PSKs,
//! link secrets; recorded with their length only) and the QR secret inside QR payloads and
//! `FIDO:/` texts unless asked to reveal them, so traces can be attached to bug reports, and
//! decodes the CBOR a person wants to read.

mod decode;
mod redact;

use crate::io::Layer;
use crate::outcome::Vocabulary;
use hybridsim_proto::time::Millis;
use serde::{Serialize, Serializer};

/// Which way a record goes, seen from its actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The actor emitted it.
    Send,
    /// It was delivered to the actor.
    Recv,
    /// A medium or fault rule dropped it.
    Drop,
    /// A note from the actor (no wire).
    Note,
    /// What a socket driver did on a socket, the radio or the QR hop for the actor.
    Wire,
}

/// The `hex` of a record whose bytes are hidden.
pub const HIDDEN: &str = "secret";

/// One trace line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceRecord {
    /// Time in milliseconds: since the world started, or on the socket driver's clock.
    pub t_ms: u64,
    /// The actor's name ("desktop", "phone", "tunnel", "phone-2").
    pub actor: String,
    /// Protocol layer (serialised by its name, `tunnel`).
    #[serde(serialize_with = "layer_name")]
    pub layer: Layer,
    /// Direction.
    pub dir: Direction,
    /// What happened, short.
    pub what: String,
    /// Length of the bytes concerned.
    pub len: usize,
    /// The bytes in hex, or [`HIDDEN`] when hidden.
    pub hex: String,
    /// The bytes decoded, when they are a CBOR message a person wants to read: diagnostic
    /// notation with CTAP and hybrid key numbers named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cbor: Option<String>,
}

fn layer_name<S: Serializer>(layer: &Layer, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(layer.name())
}

/// What a record is about, before it is made into a [`TraceRecord`].
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// When.
    pub at: Millis,
    /// Whose.
    pub actor: &'a str,
    /// Which layer.
    pub layer: Layer,
    /// Which way.
    pub dir: Direction,
    /// What happened, short.
    pub what: &'a str,
    /// The bytes concerned.
    pub bytes: &'a [u8],
    /// Whether the bytes are secret (hidden unless revealed).
    pub secret: bool,
}

impl TraceRecord {
    /// The record of `step`; `reveal_secrets` keeps secret bytes instead of hiding them.
    pub fn new(step: Step<'_>, reveal_secrets: bool) -> TraceRecord {
        let hidden = step.secret && !reveal_secrets;
        let qr = (!reveal_secrets)
            .then(|| redact::qr(step.what, step.bytes))
            .flatten();
        let (hex, cbor) = if hidden {
            (HIDDEN.to_owned(), None)
        } else if let Some(redacted) = qr {
            (HIDDEN.to_owned(), redacted)
        } else {
            (
                hex::encode(step.bytes),
                decode::decode_message(step.what, step.bytes),
            )
        };
        TraceRecord {
            t_ms: step.at.as_millis(),
            actor: step.actor.to_owned(),
            layer: step.layer,
            dir: step.dir,
            what: step.what.to_owned(),
            len: step.bytes.len(),
            hex,
            cbor,
        }
    }

    /// The record as one JSON line (fields in a fixed order, no newline).
    pub fn to_json(&self) -> String {
        // Serialising these plain fields cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
