//! Unit tests of the backup decoder and encoders.

use super::*;
use crate::secret::SecretRepair;
use hybridsim_otp::OtpKind;
use serde_json::{json, Value};

fn service(secret: &str) -> String {
    format!(
        r#"{{"services":[{{"name":"Deno","secret":"{secret}","otp":{{"label":"Mason","account":"Mason","issuer":"Deno"}},"type":"Unknown"}}],"schemaVersion":1}}"#
    )
}

#[test]
fn v1_defaults_and_mapping() {
    let b = decode(
        service("4SJH B4GS D43F ZBAI 7C2H LRJG PQ").as_bytes(),
        None,
        &TwofasDecodeOptions::default(),
    )
    .unwrap();
    let s = &b.services[0];
    let Imported::Account(a) = &s.imported else {
        panic!()
    };
    assert_eq!((a.issuer.as_str(), a.name.as_str()), ("Deno", "Mason"));
    assert_eq!(a.kind, OtpKind::Totp { period: 30 });
    assert!(s
        .findings
        .contains(&ServiceFinding::SecretRepaired(SecretRepair::Whitespace)));
    assert_eq!(s.raw.secret, "4SJH B4GS D43F ZBAI 7C2H LRJG PQ");

    let strict = TwofasDecodeOptions {
        repair_secrets: false,
        ..TwofasDecodeOptions::default()
    };
    let err = decode(service("4SJH B4GS").as_bytes(), None, &strict).unwrap_err();
    assert!(
        matches!(err, TwofasError::Secret { ref path, .. } if path == "services[0].secret"),
        "{err:?}"
    );

    let swapped = TwofasDecodeOptions {
        name_from: NameSource::ServiceName,
        ..TwofasDecodeOptions::default()
    };
    let b = decode(
        service("4SJHB4GSD43FZBAI7C2HLRJGPQ").as_bytes(),
        None,
        &swapped,
    )
    .unwrap();
    let Imported::Account(a) = &b.services[0].imported else {
        panic!()
    };
    assert_eq!(a.name, "Deno");

    let old = TwofasDecodeOptions {
        schema_versions: 1..=3,
        ..TwofasDecodeOptions::default()
    };
    let v4 = service("AA").replace("\"schemaVersion\":1", "\"schemaVersion\":4");
    assert_eq!(
        decode(v4.as_bytes(), None, &old),
        Err(TwofasError::UnsupportedSchema(4))
    );
}

#[test]
fn reference_decides_the_password_before_services() {
    let random = TwofasRandom {
        salt: vec![1; 256],
        services_iv: [2; 12],
        reference_iv: [3; 12],
    };
    let text = encode_encrypted(&[], b"pw", &random, &TwofasEncodeOptions::default());
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let sealed = v["servicesEncrypted"].as_str().unwrap().to_owned();
    // Flip the first ciphertext character: services no longer authenticate.
    let flipped = format!(
        "{}{}",
        if sealed.starts_with('A') { "B" } else { "A" },
        &sealed[1..]
    );
    v["servicesEncrypted"] = json!(flipped);
    let tampered = v.to_string();
    let options = TwofasDecodeOptions::default();
    assert_eq!(
        decode(tampered.as_bytes(), Some(b"wrong"), &options),
        Err(TwofasError::WrongPassword)
    );
    assert_eq!(
        decode(tampered.as_bytes(), Some(b"pw"), &options),
        Err(TwofasError::ServicesAuthentication)
    );
    v["reference"] = json!("AAAA:AAAA");
    let err = decode(v.to_string().as_bytes(), Some(b"pw"), &options).unwrap_err();
    assert!(
        matches!(err, TwofasError::BadValue { ref path, .. } if path == "reference"),
        "{err:?}"
    );
}
