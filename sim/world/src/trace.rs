//! The trace: one typed record per observable step, serialised as JSON lines with a fixed
//! field order, so that the same seed gives the same file and a change of bytes on the wire
//! shows up as a diff.
//!
//! Secret bytes (keys, PSKs, link secrets) are recorded with their length only, unless the
//! world was asked to reveal them: traces can be attached to bug reports.

use hybridsim_peers::Layer;
use hybridsim_proto::time::Millis;
use serde::Serialize;

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
}

/// One trace line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceRecord {
    /// Virtual time, milliseconds since the world started.
    pub t_ms: u64,
    /// The actor's name ("desktop", "phone", "tunnel").
    pub actor: String,
    /// Protocol layer.
    pub layer: &'static str,
    /// Direction.
    pub dir: Direction,
    /// What happened, short.
    pub what: String,
    /// Length of the bytes concerned.
    pub len: usize,
    /// The bytes in hex, or `secret` when hidden.
    pub hex: String,
}

/// The whole trace of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    records: Vec<TraceRecord>,
    reveal_secrets: bool,
}

/// The name a layer has in traces.
pub fn layer_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Qr => "qr",
        Layer::Ble => "ble",
        Layer::Tunnel => "tunnel",
        Layer::Noise => "noise",
        Layer::Transport => "transport",
        Layer::Ctap => "ctap",
        Layer::Webauthn => "webauthn",
    }
}

impl Trace {
    /// An empty trace; `reveal_secrets` keeps secret bytes instead of hiding them.
    pub fn new(reveal_secrets: bool) -> Trace {
        Trace {
            records: Vec::new(),
            reveal_secrets,
        }
    }

    /// Appends a record.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        now: Millis,
        actor: &str,
        layer: Layer,
        dir: Direction,
        what: impl Into<String>,
        bytes: &[u8],
        secret: bool,
    ) {
        let hex = if secret && !self.reveal_secrets {
            "secret".to_owned()
        } else {
            hex::encode(bytes)
        };
        self.records.push(TraceRecord {
            t_ms: now.as_millis(),
            actor: actor.to_owned(),
            layer: layer_name(layer),
            dir,
            what: what.into(),
            len: bytes.len(),
            hex,
        });
    }

    /// The records so far.
    pub fn records(&self) -> &[TraceRecord] {
        &self.records
    }

    /// The trace as JSON lines (one record per line, fields in a fixed order).
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for record in &self.records {
            // Serialising these plain fields cannot fail.
            out.push_str(&serde_json::to_string(record).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_hidden_unless_revealed() {
        let mut hidden = Trace::new(false);
        hidden.record(
            Millis(1),
            "phone",
            Layer::Noise,
            Direction::Note,
            "psk",
            &[1, 2],
            true,
        );
        assert_eq!(
            hidden.to_json_lines(),
            "{\"t_ms\":1,\"actor\":\"phone\",\"layer\":\"noise\",\"dir\":\"note\",\"what\":\"psk\",\"len\":2,\"hex\":\"secret\"}\n"
        );
        let mut shown = Trace::new(true);
        shown.record(
            Millis(1),
            "phone",
            Layer::Noise,
            Direction::Note,
            "psk",
            &[1, 2],
            true,
        );
        assert!(shown.to_json_lines().contains("\"hex\":\"0102\""));
    }
}
