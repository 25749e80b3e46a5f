use super::*;

#[test]
fn every_byte_round_trips() {
    for byte in 0..=u8::MAX {
        assert_eq!(StatusCode::from_byte(byte).byte(), byte);
    }
}

#[test]
fn named_codes_have_the_spec_values() {
    let expected = [
        (0x00, "CTAP2_OK"),
        (0x01, "CTAP1_ERR_INVALID_COMMAND"),
        (0x02, "CTAP1_ERR_INVALID_PARAMETER"),
        (0x03, "CTAP1_ERR_INVALID_LENGTH"),
        (0x11, "CTAP2_ERR_CBOR_UNEXPECTED_TYPE"),
        (0x12, "CTAP2_ERR_INVALID_CBOR"),
        (0x14, "CTAP2_ERR_MISSING_PARAMETER"),
        (0x15, "CTAP2_ERR_LIMIT_EXCEEDED"),
        (0x19, "CTAP2_ERR_CREDENTIAL_EXCLUDED"),
        (0x21, "CTAP2_ERR_PROCESSING"),
        (0x22, "CTAP2_ERR_INVALID_CREDENTIAL"),
        (0x23, "CTAP2_ERR_USER_ACTION_PENDING"),
        (0x24, "CTAP2_ERR_OPERATION_PENDING"),
        (0x25, "CTAP2_ERR_NO_OPERATIONS"),
        (0x26, "CTAP2_ERR_UNSUPPORTED_ALGORITHM"),
        (0x27, "CTAP2_ERR_OPERATION_DENIED"),
        (0x28, "CTAP2_ERR_KEY_STORE_FULL"),
        (0x2B, "CTAP2_ERR_UNSUPPORTED_OPTION"),
        (0x2C, "CTAP2_ERR_INVALID_OPTION"),
        (0x2D, "CTAP2_ERR_KEEPALIVE_CANCEL"),
        (0x2E, "CTAP2_ERR_NO_CREDENTIALS"),
        (0x2F, "CTAP2_ERR_USER_ACTION_TIMEOUT"),
        (0x30, "CTAP2_ERR_NOT_ALLOWED"),
        (0x31, "CTAP2_ERR_PIN_INVALID"),
        (0x32, "CTAP2_ERR_PIN_BLOCKED"),
        (0x33, "CTAP2_ERR_PIN_AUTH_INVALID"),
        (0x34, "CTAP2_ERR_PIN_AUTH_BLOCKED"),
        (0x35, "CTAP2_ERR_PIN_NOT_SET"),
        (0x36, "CTAP2_ERR_PUAT_REQUIRED"),
        (0x37, "CTAP2_ERR_PIN_POLICY_VIOLATION"),
        (0x39, "CTAP2_ERR_REQUEST_TOO_LARGE"),
        (0x3A, "CTAP2_ERR_ACTION_TIMEOUT"),
        (0x3B, "CTAP2_ERR_UP_REQUIRED"),
        (0x3C, "CTAP2_ERR_UV_BLOCKED"),
        (0x3D, "CTAP2_ERR_INTEGRITY_FAILURE"),
        (0x3E, "CTAP2_ERR_INVALID_SUBCOMMAND"),
        (0x3F, "CTAP2_ERR_UV_INVALID"),
        (0x40, "CTAP2_ERR_UNAUTHORIZED_PERMISSION"),
        (0x7F, "CTAP1_ERR_OTHER"),
    ];
    for (value, name) in expected {
        let StatusCode::Known(code) = StatusCode::from_byte(value) else {
            panic!("0x{value:02X} is not a named code");
        };
        assert_eq!(code.name(), name);
    }
}

#[test]
fn all_is_sorted_and_matches_from_value() {
    for pair in Ctap2Code::ALL.windows(2) {
        assert!(pair[0].value() < pair[1].value());
    }
    for code in Ctap2Code::ALL {
        assert_eq!(Ctap2Code::from_value(code.value()), Some(*code));
    }
}

#[test]
fn ranges_and_display() {
    assert_eq!(StatusCode::from_byte(0xE3), StatusCode::Extension(0xE3));
    assert_eq!(StatusCode::from_byte(0xF1), StatusCode::Vendor(0xF1));
    assert_eq!(StatusCode::from_byte(0x42), StatusCode::Other(0x42));
    assert_eq!(StatusCode::from_byte(0xDF), StatusCode::Other(0xDF));
    assert_eq!(
        StatusCode::from_byte(0x2E).to_string(),
        "CTAP2_ERR_NO_CREDENTIALS (0x2E)"
    );
    assert_eq!(
        StatusCode::Vendor(0xF1).to_string(),
        "CTAP2_ERR_VENDOR (0xF1)"
    );
    assert!(StatusCode::OK.is_ok());
}

#[test]
fn codes_are_found_by_spec_name_or_short_name() {
    let excluded = Some(Ctap2Code::CredentialExcluded);
    assert_eq!(
        Ctap2Code::from_name("CTAP2_ERR_CREDENTIAL_EXCLUDED"),
        excluded
    );
    assert_eq!(Ctap2Code::from_name("CREDENTIAL_EXCLUDED"), excluded);
    assert_eq!(Ctap2Code::from_name("OK"), Some(Ctap2Code::Ok));
    assert_eq!(Ctap2Code::from_name("TIMEOUT"), Some(Ctap2Code::Timeout));
    assert_eq!(
        Ctap2Code::CredentialExcluded.short_name(),
        "CREDENTIAL_EXCLUDED"
    );
    assert_eq!(Ctap2Code::from_name("credential_excluded"), None);
    assert_eq!(Ctap2Code::from_name("CTAP2_ERR_NO_SUCH_THING"), None);
    let mut short: Vec<&str> = Ctap2Code::ALL.iter().map(|c| c.short_name()).collect();
    short.sort_unstable();
    short.dedup();
    assert_eq!(short.len(), Ctap2Code::ALL.len(), "short names are unique");
    for code in Ctap2Code::ALL {
        assert_eq!(Ctap2Code::from_name(code.name()), Some(*code));
        assert_eq!(Ctap2Code::from_name(code.short_name()), Some(*code));
    }
}
