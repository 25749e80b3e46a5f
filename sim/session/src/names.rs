//! Names for what a decrypted session carries: CTAP commands and status codes, and the
//! integer keys of the CBOR maps (the same names hybridsim's traces use).

use hybridsim_proto::cbor::diag::{to_diag, KeyNames};
use hybridsim_proto::cbor::{self, Strictness, Value};

/// Keys of the post-handshake map (docs/protocol.md §7.4).
pub const POST_HANDSHAKE_KEYS: &[(i64, &str)] = &[
    (0, "padding"),
    (1, "getInfo"),
    (2, "linkingInfo"),
    (3, "features"),
];
/// Keys of an update map (§8.2).
pub const UPDATE_KEYS: &[(i64, &str)] = &[(0, "padding"), (1, "linkingInfo")];
/// Keys of the linking-info map (§8.1).
pub const LINKING_KEYS: &[(i64, &str)] = &[
    (1, "contactId"),
    (2, "linkId"),
    (3, "linkSecret"),
    (4, "publicKey"),
    (5, "authenticatorName"),
    (6, "handshakeSignature"),
    (999, "playServices"),
];
/// Keys of an authenticatorGetInfo response.
pub const GET_INFO_KEYS: &[(i64, &str)] = &[
    (1, "versions"),
    (2, "extensions"),
    (3, "aaguid"),
    (4, "options"),
    (5, "maxMsgSize"),
    (6, "pinUvAuthProtocols"),
    (9, "transports"),
    (10, "algorithms"),
];
/// Keys of an authenticatorMakeCredential request.
pub const MAKE_CREDENTIAL_KEYS: &[(i64, &str)] = &[
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
/// Keys of an authenticatorGetAssertion request.
pub const GET_ASSERTION_KEYS: &[(i64, &str)] = &[
    (1, "rpId"),
    (2, "clientDataHash"),
    (3, "allowList"),
    (4, "extensions"),
    (5, "options"),
    (6, "pinUvAuthParam"),
    (7, "pinUvAuthProtocol"),
];
/// Keys of a makeCredential response.
pub const ATTESTATION_KEYS: &[(i64, &str)] = &[
    (1, "fmt"),
    (2, "authData"),
    (3, "attStmt"),
    (4, "epAtt"),
    (5, "largeBlobKey"),
    (6, "unsignedExtensionOutputs"),
];
/// Keys of a getAssertion response.
pub const ASSERTION_KEYS: &[(i64, &str)] = &[
    (1, "credential"),
    (2, "authData"),
    (3, "signature"),
    (4, "user"),
    (5, "numberOfCredentials"),
    (6, "userSelected"),
    (7, "largeBlobKey"),
    (8, "unsignedExtensionOutputs"),
];

/// The name of a CTAP 2.x command byte (`authenticatorMakeCredential` is `makeCredential`).
pub fn command_name(command: u8) -> &'static str {
    match command {
        0x01 => "makeCredential",
        0x02 => "getAssertion",
        0x04 => "getInfo",
        0x06 => "clientPIN",
        0x07 => "reset",
        0x08 => "getNextAssertion",
        0x09 => "bioEnrollment",
        0x0A => "credentialManagement",
        0x0B => "selection",
        0x0C => "largeBlobs",
        0x0D => "config",
        0x40..=0xBF => "vendor",
        _ => "unknown",
    }
}

/// The name of a CTAP status byte.
pub fn status_name(status: u8) -> &'static str {
    match status {
        0x00 => "CTAP2_OK",
        0x01 => "CTAP1_ERR_INVALID_COMMAND",
        0x02 => "CTAP1_ERR_INVALID_PARAMETER",
        0x03 => "CTAP1_ERR_INVALID_LENGTH",
        0x11 => "CTAP2_ERR_CBOR_UNEXPECTED_TYPE",
        0x12 => "CTAP2_ERR_INVALID_CBOR",
        0x14 => "CTAP2_ERR_MISSING_PARAMETER",
        0x19 => "CTAP2_ERR_CREDENTIAL_EXCLUDED",
        0x21 => "CTAP2_ERR_PROCESSING",
        0x26 => "CTAP2_ERR_UNSUPPORTED_ALGORITHM",
        0x27 => "CTAP2_ERR_OPERATION_DENIED",
        0x2B => "CTAP2_ERR_UNSUPPORTED_OPTION",
        0x2E => "CTAP2_ERR_NO_CREDENTIALS",
        0x2F => "CTAP2_ERR_USER_ACTION_TIMEOUT",
        0x30 => "CTAP2_ERR_NOT_ALLOWED",
        0x31 => "CTAP2_ERR_PIN_INVALID",
        0x36 => "CTAP2_ERR_PUAT_REQUIRED",
        0x3C => "CTAP2_ERR_ACTION_TIMEOUT",
        0x3D => "CTAP2_ERR_UP_REQUIRED",
        0x3E => "CTAP2_ERR_UV_BLOCKED",
        0x3F => "CTAP2_ERR_INTEGRITY_FAILURE",
        0x7F => "CTAP1_ERR_OTHER",
        _ => "CTAP_ERR_UNKNOWN",
    }
}

/// The key names for the parameters of a CTAP request.
pub fn request_keys(command: u8) -> &'static [(i64, &'static str)] {
    match command {
        0x01 => MAKE_CREDENTIAL_KEYS,
        0x02 => GET_ASSERTION_KEYS,
        _ => &[],
    }
}

/// The key names for a CTAP response body: a makeCredential response starts with its
/// format name (key 1 a text), a getAssertion one with the credential descriptor.
pub fn response_keys(body: &Value) -> &'static [(i64, &'static str)] {
    match cbor::map_get(body, 1) {
        Some(Value::Text(_)) => ATTESTATION_KEYS,
        Some(Value::Array(_)) => GET_INFO_KEYS,
        _ => ASSERTION_KEYS,
    }
}

/// Diagnostic notation of CBOR bytes with named keys, or `None` when they are not one
/// well-formed CBOR item.
pub fn diag(bytes: &[u8], keys: &'static [(i64, &'static str)]) -> Option<String> {
    let value = cbor::decode(bytes, Strictness::WellFormed).ok()?;
    Some(to_diag(&value, Some(KeyNames { keys })))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_commands_statuses_and_keys() {
        assert_eq!(command_name(0x01), "makeCredential");
        assert_eq!(command_name(0x0B), "selection");
        assert_eq!(status_name(0x2E), "CTAP2_ERR_NO_CREDENTIALS");
        // {1: "none"}
        assert_eq!(
            diag(&hex::decode("a101646e6f6e65").unwrap(), ATTESTATION_KEYS).unwrap(),
            "{1 /fmt/: \"none\"}"
        );
        assert_eq!(diag(&[0xa1], ATTESTATION_KEYS), None);
    }
}
