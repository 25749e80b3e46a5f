use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/cxf/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_default()
}

#[test]
fn the_public_vector_decodes_with_its_passkey_totp_and_other_items() {
    let header = decode(&fixture("public-test-vector.json")).unwrap();
    assert_eq!(header.exporter_rp_id, "exporter.example.com");
    let kinds: Vec<String> = list(&header).into_iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            "basic-auth",
            "totp",
            "passkey",
            "wifi",
            "note",
            "file",
            "generated-password"
        ]
    );
    let passkey = header
        .accounts
        .iter()
        .flat_map(|a| &a.items)
        .flat_map(|i| &i.credentials)
        .find_map(|c| match c {
            Credential::Passkey(p) => Some(p),
            _ => None,
        })
        .unwrap();
    assert_eq!(passkey.rp_id, "webauthn.io");
    assert!(passkey
        .fido2_extensions
        .as_ref()
        .is_some_and(|e| e.hmac_credentials.is_some()));
}

#[test]
fn unknown_credential_types_are_kept_and_written_back() {
    let header = decode(&fixture("unknown-type.json")).unwrap();
    let listed = list(&header);
    assert_eq!(
        listed.first().map(|l| l.kind.as_str()),
        Some("future-credential")
    );
    let again = decode(encode(&header).as_bytes()).unwrap();
    let text = encode(&again);
    assert!(text.contains("\"nested\""), "{text}");
    assert!(looks_like(text.as_bytes()));
}

#[test]
fn a_corrupt_field_is_refused_naming_its_path() {
    let text = String::from_utf8(fixture("public-test-vector.json")).unwrap();
    let broken = text.replace(
        "\"credentialId\": \"Y3JlZGVudGlhbElkRXhhbXBsZQ\"",
        "\"credentialId\": 7",
    );
    let err = decode(broken.as_bytes()).unwrap_err();
    match &err {
        CxfError::Field { path, .. } => {
            assert!(
                path.starts_with("accounts[0].items[1].credentials[0]"),
                "{err}"
            )
        }
        other => panic!("{other}"),
    }
    let newer = text.replace("\"major\": 1", "\"major\": 2");
    assert_eq!(
        decode(newer.as_bytes()).err(),
        Some(CxfError::Version { found: 2 })
    );
    let huge = vec![b' '; MAX_CXF_BYTES + 1];
    assert!(matches!(decode(&huge), Err(CxfError::TooLarge { .. })));
    assert!(matches!(decode(b"{"), Err(CxfError::Field { .. })));
}
