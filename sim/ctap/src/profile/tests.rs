use super::*;
use crate::get_info::GetInfoResponse;
use crate::testkit::{self, profile, read_fixture, ALL_PROFILES};
use hybridsim_proto::noise::HandshakeKind;
use hybridsim_proto::post_handshake::PostHandshakeMessage;

/// The getInfo bytes (post-handshake key 1) of a capture in fixtures/vectors/post_handshake.json.
fn captured_get_info(name: &str) -> Vec<u8> {
    let vectors: serde_json::Value =
        serde_json::from_str(&read_fixture("vectors/post_handshake.json")).unwrap();
    let case = vectors["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap();
    let bytes = hex::decode(case["cbor_hex"].as_str().unwrap()).unwrap();
    let (message, _) = PostHandshakeMessage::decode(&bytes, HandshakeKind::QrInitiated).unwrap();
    message.get_info.unwrap()
}

#[test]
fn ios16_get_info_is_byte_identical_to_the_capture() {
    // Independent check: the bytes were sent by a real iPhone (kanidm/webauthn-rs test vector).
    let ours = profile("ios16").get_info_response().encode();
    assert_eq!(hex::encode(ours), hex::encode(captured_get_info("ios16")));
}

#[test]
fn gpm_get_info_is_byte_identical_to_the_android_capture() {
    let ours = profile("google-password-manager")
        .get_info_response()
        .encode();
    assert_eq!(
        hex::encode(ours),
        hex::encode(captured_get_info("android_gms_chrome"))
    );
}

#[test]
fn captured_get_info_decodes_to_the_profile_values() {
    let info = GetInfoResponse::decode(&captured_get_info("ios16")).unwrap();
    assert_eq!(info, profile("ios16").get_info_response());
    assert_eq!(
        format_aaguid(&info.aaguid),
        "f24a8e70-d0d3-f82c-2937-32523cc4de5a"
    );
    assert!(info.option("rk") && info.option("uv") && !info.option("up"));
}

#[test]
fn every_shipped_profile_loads_with_its_attestation() {
    for name in ALL_PROFILES {
        let p = profile(name);
        assert_eq!(p.name, *name);
        let attester = testkit::attester(&p);
        let expected = match p.attestation {
            AttestationKind::None => "none",
            _ => "packed",
        };
        assert_eq!(attester.fmt(), expected, "{name}");
    }
}

#[test]
fn shipped_profiles_state_the_requested_facts() {
    let gpm = profile("google-password-manager");
    assert_eq!(
        format_aaguid(&gpm.aaguid),
        "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"
    );
    assert_eq!(gpm.backup_flags(), Flags::BE | Flags::BS);
    assert_eq!(gpm.sign_count, SignCountPolicy::Zero);
    assert_eq!(gpm.attestation, AttestationKind::None);
    let ios = profile("microsoft-authenticator-ios");
    assert_eq!(
        format_aaguid(&ios.aaguid),
        "90a3ccdf-635c-4729-a248-9b709135078f"
    );
    assert_eq!(ios.backup, BackupPolicy::DeviceBound);
    assert!(matches!(testkit::attester(&ios), Attester::PackedX5c(_)));
    let android = profile("microsoft-authenticator-android");
    assert_eq!(
        format_aaguid(&android.aaguid),
        "de1e552d-db1d-4423-a619-566b625cdc84"
    );
    assert_eq!(android.backup_flags(), Flags::empty());
    assert!(
        profile("buggy-non-canonical")
            .quirks
            .non_canonical_responses
    );
    assert!(profile("buggy-wrong-rpid-hash").quirks.wrong_rp_id_hash);
}

fn gpm_text() -> String {
    read_fixture("profiles/google-password-manager.toml")
}

/// 1-based line of the first line of `text` that starts with `start`.
fn line_of(text: &str, start: &str) -> usize {
    text.lines().position(|l| l.starts_with(start)).unwrap() + 1
}

#[test]
fn toml_errors_give_line_and_column() {
    let text = gpm_text().replace("backup = \"synced\"", "backup = \"cloud\"");
    let message = Profile::from_toml_str(&text).unwrap_err().to_string();
    let line = line_of(&text, "backup");
    assert!(
        message.contains(&format!("line {line}, column 10")),
        "{message}"
    );
    assert!(message.contains("unknown variant `cloud`"), "{message}");

    let text = gpm_text().replace(
        "sign_count = \"zero\"",
        "sign_count = \"zero\"\nsignature = 1",
    );
    let message = Profile::from_toml_str(&text).unwrap_err().to_string();
    assert!(message.contains("unknown field `signature`"), "{message}");
    assert!(
        message.contains(&format!("line {}", line_of(&text, "signature"))),
        "{message}"
    );

    let text = gpm_text().replace("algorithms = [-7]", "algorithms = [-7, -8]");
    let message = Profile::from_toml_str(&text).unwrap_err().to_string();
    assert!(
        message.contains("algorithm -8 is not implemented"),
        "{message}"
    );
    assert!(
        message.contains(&format!("line {}", line_of(&text, "algorithms"))),
        "{message}"
    );

    let text = gpm_text().replace("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "ea9b8d66");
    let message = Profile::from_toml_str(&text).unwrap_err().to_string();
    assert!(message.contains("is not of the form"), "{message}");

    let text = gpm_text().replace(
        "options = { rk = true, uv = true }",
        "options = { rk = true, clientPin = true }",
    );
    let message = Profile::from_toml_str(&text).unwrap_err().to_string();
    assert!(message.contains("unknown field `clientPin`"), "{message}");
}

#[test]
fn cross_field_rules_are_checked() {
    let cases: Vec<(String, &str)> = vec![
        (
            gpm_text().replace("uv = \"always\"", "uv = \"never\""),
            "uv = \"never\" needs get_info.options.uv = false or absent",
        ),
        (
            gpm_text().replace("{ rk = true, uv = true }", "{ rk = true }"),
            "uv = \"always\" needs get_info.options.uv = true",
        ),
        (
            gpm_text().replace("{ rk = true, uv = true }", "{ uv = true }"),
            "always_discoverable = true needs get_info.options.rk = true",
        ),
        (
            gpm_text().replace("[\"devicePubKey\"]", "[]"),
            "\"devicePubKey\" is not implemented",
        ),
        (
            gpm_text().replace("\"devicePubKey\", \"prf\"", "\"hmac-secret\""),
            "needs get_info.pin_uv_auth_protocols",
        ),
        (
            gpm_text().replace("attestation = \"none\"", "attestation = \"packed-x5c\""),
            "needs attestation_cert",
        ),
        (
            gpm_text().replace(
                "attestation = \"none\"",
                "attestation = \"none\"\nattestation_key = \"x.key\"",
            ),
            "attestation_key is only used with",
        ),
    ];
    for (text, expected) in cases {
        let message = Profile::from_toml_str(&text).unwrap_err().to_string();
        assert!(message.contains(expected), "{message} lacks {expected}");
    }
}

#[test]
fn attestation_files_come_through_the_callback_and_are_checked() {
    let ios = profile("microsoft-authenticator-ios");
    let missing = ios.attester(|_| None).unwrap_err();
    assert!(
        matches!(missing, ProfileError::AttestationFileNotFound(ref f) if f == "microsoft-authenticator-ios.pem")
    );

    // The Android key does not belong to the iOS certificate.
    let swapped = ios
        .attester(|file| {
            let file = file.replace("ios.key", "android.key");
            Some(read_fixture(&format!("attestation/{file}")))
        })
        .unwrap_err();
    assert!(matches!(
        swapped,
        ProfileError::AttestationIdentity {
            error: IdentityError::KeyMismatch,
            ..
        }
    ));

    // A profile whose AAGUID differs from the one its certificate names.
    let mut wrong = ios.clone();
    wrong.aaguid = [0x11; 16];
    let err = wrong
        .attester(|file| Some(read_fixture(&format!("attestation/{file}"))))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("names AAGUID 90a3ccdf-635c-4729-a248-9b709135078f"),
        "{err}"
    );

    let garbage = ios.attester(|_| Some("not pem".to_owned())).unwrap_err();
    assert!(matches!(
        garbage,
        ProfileError::AttestationIdentity {
            error: IdentityError::Pem { .. },
            ..
        }
    ));
}

#[test]
fn profiles_serialise_back_to_equivalent_toml() {
    for name in ALL_PROFILES {
        let p = profile(name);
        let text = toml::to_string(&p).unwrap();
        assert_eq!(Profile::from_toml_str(&text).unwrap(), p, "{name}");
    }
}

#[test]
fn aaguid_text_round_trips() {
    let a = parse_aaguid("F24A8E70-D0D3-F82C-2937-32523CC4DE5A").unwrap();
    assert_eq!(format_aaguid(&a), "f24a8e70-d0d3-f82c-2937-32523cc4de5a");
    assert!(parse_aaguid("f24a8e70d0d3f82c293732523cc4de5a").is_err());
    assert!(parse_aaguid("g24a8e70-d0d3-f82c-2937-32523cc4de5a").is_err());
}

#[test]
fn the_hybrid_table_defaults_to_chromiums_phone_and_names_the_field_facts() {
    use super::hybrid::{AdvertForm, ChannelName, Key6ReadingName, ServiceUuid, UpdateWhen};
    let defaults = profile("buggy-non-canonical").hybrid;
    assert_eq!(defaults, HybridProfile::default());
    assert_eq!(
        (
            defaults.tunnel_domain,
            defaults.service_uuid,
            defaults.advert
        ),
        (0, ServiceUuid::Fff9, AdvertForm::Exact)
    );
    let iphone = profile("iphone-icloud-keychain-2026").hybrid;
    assert_eq!(iphone.tunnel_domain, 1);
    assert_eq!(iphone.service_uuid.value(), 0xFDE2);
    assert_eq!(iphone.update, UpdateWhen::Never);
    assert_eq!(iphone.features, ["ctap", "dc"]);
    let gps23 = profile("google-play-services-2-3");
    assert_eq!(gps23.hybrid.advert, AdvertForm::SuffixChannelKeyed);
    assert_eq!(gps23.hybrid.qr_key6, Key6ReadingName::Channels);
    assert_eq!(
        gps23.hybrid.channels,
        [ChannelName::Ble, ChannelName::Websocket]
    );
    assert!(gps23.get_info.versions.iter().any(|v| v == "FIDO_2_3"));
    let gpm = profile("google-password-manager").hybrid;
    assert_eq!(gpm.qr_key6, Key6ReadingName::BoolRejectsArray);
    let bitwarden = profile("bitwarden-play-services");
    assert_eq!(
        format_aaguid(&bitwarden.aaguid),
        "d548826e-79b4-db40-a3d8-11116f7e8349"
    );
    assert_eq!(bitwarden.backup, BackupPolicy::Synced);
    let onepassword = profile("1password-play-services");
    assert_eq!(
        format_aaguid(&onepassword.aaguid),
        "bada5566-a7aa-401f-bd96-45619a55120d"
    );
}

#[test]
fn hybrid_tables_breaking_a_rule_are_refused_with_the_field() {
    let base = read_fixture("profiles/buggy-non-canonical.toml");
    let with = |table: &str| {
        let text = base.replace("[hybrid]", &format!("[hybrid]\n{table}"));
        Profile::from_toml_str(&text)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    assert!(with("revision = 2").contains("hybrid.revision = 2"));
    assert!(with("tunnel_domain = 7").contains("reserved"));
    assert!(with("channels = []").contains("hybrid.channels is empty"));
    assert!(with("advert = \"suffix-id-keyed\"").contains("must list ble"));
    assert!(with("features = [\"dc\"]").contains("must include \"ctap\""));
    assert!(with("service_uuid = \"180f\"").contains("unknown variant"));
    assert!(with("colour = 1").contains("unknown field"));
}
