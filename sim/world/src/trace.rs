//! The trace: one typed record per observable step, serialised as JSON lines with a fixed
//! field order, so that the same seed gives the same file and a change of bytes on the wire
//! shows up as a diff.
//!
//! Secret bytes (keys, PSKs, link secrets) are recorded with their length only, unless the
//! world was asked to reveal them: traces can be attached to bug reports.

use hybridsim_peers::Layer;
use hybridsim_proto::cbor::diag::{to_diag, KeyNames};
use hybridsim_proto::cbor::{self, Strictness};
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
    /// The bytes decoded, when they are a CBOR message a person wants to read: diagnostic
    /// notation with CTAP and hybrid key numbers named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cbor: Option<String>,
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
        let hidden = secret && !self.reveal_secrets;
        let what = what.into();
        let (hex, cbor) = if hidden {
            ("secret".to_owned(), None)
        } else {
            (hex::encode(bytes), decode_message(&what, bytes))
        };
        self.records.push(TraceRecord {
            t_ms: now.as_millis(),
            actor: actor.to_owned(),
            layer: layer_name(layer),
            dir,
            what,
            len: bytes.len(),
            hex,
            cbor,
        });
    }

    /// The records so far.
    pub fn records(&self) -> &[TraceRecord] {
        &self.records
    }

    /// Appends records made elsewhere (a driver outside the simulated world).
    pub fn extend(&mut self, records: impl IntoIterator<Item = TraceRecord>) {
        self.records.extend(records);
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

const QR_KEYS: &[(i64, &str)] = &[
    (0, "publicKey"),
    (1, "qrSecret"),
    (2, "knownDomains"),
    (3, "timestamp"),
    (4, "linking"),
    (5, "requestType"),
    (6, "key6"),
];
const POST_HANDSHAKE_KEYS: &[(i64, &str)] = &[
    (0, "padding"),
    (1, "getInfo"),
    (2, "linkingInfo"),
    (3, "features"),
];
const UPDATE_KEYS: &[(i64, &str)] = &[(0, "padding"), (1, "linkingInfo")];
const GET_INFO_KEYS: &[(i64, &str)] = &[
    (1, "versions"),
    (2, "extensions"),
    (3, "aaguid"),
    (4, "options"),
    (5, "maxMsgSize"),
    (6, "pinUvAuthProtocols"),
    (9, "transports"),
    (10, "algorithms"),
];
const MAKE_CREDENTIAL_KEYS: &[(i64, &str)] = &[
    (1, "clientDataHash"),
    (2, "rp"),
    (3, "user"),
    (4, "pubKeyCredParams"),
    (5, "excludeList"),
    (6, "extensions"),
    (7, "options"),
    (8, "pinUvAuthParam"),
    (9, "pinUvAuthProtocol"),
];
const GET_ASSERTION_KEYS: &[(i64, &str)] = &[
    (1, "rpId"),
    (2, "clientDataHash"),
    (3, "allowList"),
    (4, "extensions"),
    (5, "options"),
    (6, "pinUvAuthParam"),
    (7, "pinUvAuthProtocol"),
];
const ATTESTATION_KEYS: &[(i64, &str)] = &[
    (1, "fmt"),
    (2, "authData"),
    (3, "attStmt"),
    (4, "epAtt"),
    (5, "largeBlobKey"),
    (6, "unsignedExtensionOutputs"),
];
const ASSERTION_KEYS: &[(i64, &str)] = &[
    (1, "credential"),
    (2, "authData"),
    (3, "signature"),
    (4, "user"),
    (5, "numberOfCredentials"),
    (6, "userSelected"),
    (7, "largeBlobKey"),
    (8, "unsignedExtensionOutputs"),
];

/// Decodes the CBOR behind a peer's note, by what the note says it is. CTAP requests carry
/// a command byte and responses a status byte before the CBOR; a phone's update message
/// carries its type byte.
fn decode_message(what: &str, bytes: &[u8]) -> Option<String> {
    let (body, keys): (&[u8], &'static [(i64, &str)]) = match what {
        "qr payload" | "qr scanned" => (bytes, QR_KEYS),
        "post-handshake message" => (bytes, POST_HANDSHAKE_KEYS),
        "getInfo" => (bytes, GET_INFO_KEYS),
        "update message" => match bytes.split_first() {
            Some((2, rest)) => (rest, UPDATE_KEYS),
            _ => (bytes, UPDATE_KEYS),
        },
        "ctap request" => match bytes.split_first() {
            Some((1, rest)) => (rest, MAKE_CREDENTIAL_KEYS),
            Some((2, rest)) => (rest, GET_ASSERTION_KEYS),
            Some((_, rest)) => (rest, &[]),
            None => return None,
        },
        "ctap response" => {
            let (_, rest) = bytes.split_first()?;
            let value = cbor::decode(rest, Strictness::WellFormed).ok()?;
            // A makeCredential response starts with its format name, a getAssertion one
            // with the credential descriptor.
            let keys = match cbor::map_get(&value, 1) {
                Some(cbor::Value::Text(_)) => ATTESTATION_KEYS,
                _ => ASSERTION_KEYS,
            };
            return Some(to_diag(&value, Some(KeyNames { keys })));
        }
        _ => return None,
    };
    let value = cbor::decode(body, Strictness::WellFormed).ok()?;
    Some(to_diag(&value, Some(KeyNames { keys })))
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

    #[test]
    fn ctap_messages_are_decoded_with_named_keys() {
        let mut trace = Trace::new(false);
        // getAssertion request: command 02, then {1: "a.example", 2: h'00'}
        let request = hex::decode("02a20169612e6578616d706c65024100").unwrap();
        trace.record(
            Millis(0),
            "desktop",
            Layer::Ctap,
            Direction::Note,
            "ctap request",
            &request,
            false,
        );
        let cbor = trace.records()[0].cbor.clone().unwrap();
        assert_eq!(
            cbor,
            r#"{1 /rpId/: "a.example", 2 /clientDataHash/: h'00'}"#
        );
    }
}
