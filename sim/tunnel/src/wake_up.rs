//! The wake-up message: what stands in for push messaging (FCM) in the contact flow, and
//! the path of the socket it is delivered on.
//!
//! An emulated phone opens a WebSocket to `/hybridsim/wake/{base64url contact id}` (no
//! subprotocol) and keeps it open; while it is open, the contact id is registered. When a
//! desktop connects to `/cable/contact/{the same id}`, the phone receives one text message:
//!
//! ```json
//! {"tunnel_id": "<32 hex>", "routing_id": "<6 hex>", "client_payload": "<hex>"}
//! ```
//!
//! mirroring FCM's `caBLE.tunnelID`, `caBLE.routingID` and `caBLE.clientPayload`
//! (docs/protocol.md §5.4), hex in upper case. The phone then connects to
//! `/cable/connect/{routing_id}/{tunnel_id}` ([`WakeUp::connect_path`]). The type lives in
//! the sans-IO core because both ends use it: the server that sends it and the phone
//! drivers that read it.

use crate::output::Wake;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hybridsim_proto::tunnel_url::Route;
use serde_json::Value;

/// Path prefix of the wake socket; the base64url (unpadded) contact id follows.
pub const WAKE_PATH_PREFIX: &str = "/hybridsim/wake/";

/// The wake socket's path for a contact id.
pub fn wake_path(contact_id: &[u8]) -> String {
    format!("{WAKE_PATH_PREFIX}{}", URL_SAFE_NO_PAD.encode(contact_id))
}

/// One wake-up, as delivered on the wake socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WakeUp {
    /// The tunnel the phone should connect to.
    pub tunnel_id: [u8; 16],
    /// The routing id of the server holding it.
    pub routing_id: [u8; 3],
    /// The desktop's client payload (CBOR bytes).
    pub client_payload: Vec<u8>,
}

/// Why a wake-up message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WakeParseError {
    /// Not a JSON object.
    #[error("wake-up is not a JSON object: {0}")]
    NotAnObject(String),
    /// A field is missing or not a hex string of the right length.
    #[error("wake-up field {0:?} is missing or not hex of the right length")]
    Field(&'static str),
}

impl WakeUp {
    /// The JSON text sent on the wake socket.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "tunnel_id": hex::encode_upper(self.tunnel_id),
            "routing_id": hex::encode_upper(self.routing_id),
            "client_payload": hex::encode_upper(&self.client_payload),
        })
        .to_string()
    }

    /// Reads the JSON text (hex in either case; unknown fields ignored).
    pub fn from_json(text: &str) -> Result<WakeUp, WakeParseError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| WakeParseError::NotAnObject(e.to_string()))?;
        if !value.is_object() {
            return Err(WakeParseError::NotAnObject("not an object".to_owned()));
        }
        let field = |name: &'static str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .and_then(|s| hex::decode(s).ok())
                .ok_or(WakeParseError::Field(name))
        };
        let tunnel_id = field("tunnel_id")?.try_into();
        let routing_id = field("routing_id")?.try_into();
        Ok(WakeUp {
            tunnel_id: tunnel_id.map_err(|_| WakeParseError::Field("tunnel_id"))?,
            routing_id: routing_id.map_err(|_| WakeParseError::Field("routing_id"))?,
            client_payload: field("client_payload")?,
        })
    }

    /// The path the phone connects to: `/cable/connect/{routing id}/{tunnel id}`.
    pub fn connect_path(&self) -> String {
        Route::Connect {
            routing_id: self.routing_id,
            tunnel_id: self.tunnel_id,
        }
        .path()
    }
}

impl From<&Wake> for WakeUp {
    fn from(wake: &Wake) -> WakeUp {
        WakeUp {
            tunnel_id: wake.tunnel_id,
            routing_id: wake.routing_id,
            client_payload: wake.client_payload.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wake_up_json_round_trips_in_upper_case_hex() {
        let wake = WakeUp {
            tunnel_id: [0xab; 16],
            routing_id: [0x2a, 0, 0],
            client_payload: vec![0xa3, 0x01],
        };
        let json = wake.to_json();
        assert_eq!(
            json,
            format!(
                "{{\"tunnel_id\":\"{}\",\"routing_id\":\"2A0000\",\"client_payload\":\"A301\"}}",
                "AB".repeat(16)
            )
        );
        assert_eq!(WakeUp::from_json(&json).unwrap(), wake);
        assert_eq!(
            wake.connect_path(),
            format!("/cable/connect/2A0000/{}", "AB".repeat(16))
        );
        assert_eq!(
            WakeUp::from_json(r#"{"tunnel_id":"00","routing_id":"2A0000","client_payload":""}"#),
            Err(WakeParseError::Field("tunnel_id"))
        );
        assert!(WakeUp::from_json("[1]").is_err());
        assert_eq!(wake_path(b"phone-token"), "/hybridsim/wake/cGhvbmUtdG9rZW4");
    }
}
