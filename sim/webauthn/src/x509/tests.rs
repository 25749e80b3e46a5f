use super::*;
use crate::test_support::*;
use x509_cert::der::asn1::{OctetString, UtcTime};
use x509_cert::der::Encode as _;
use x509_cert::ext::Extension;
use x509_cert::time::Time;
use x509_cert::TbsCertificate;

fn roots() -> Vec<Vec<u8>> {
    vec![cert_der("ca")]
}

fn ios() -> Vec<u8> {
    cert_der("microsoft-authenticator-ios")
}

fn leaf_checks(der: &[u8]) -> Result<(), CertificateError> {
    let leaf = ParsedCertificate::parse(der, Position::X5c(0))?;
    check_packed_leaf(&leaf, &IOS_AAGUID)
}

fn set_extension(tbs: &mut TbsCertificate, oid: ObjectIdentifier, critical: bool, value: Vec<u8>) {
    let extensions = tbs.extensions.get_or_insert_with(Vec::new);
    extensions.retain(|e| e.extn_id != oid);
    extensions.push(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value).unwrap(),
    });
}

fn aaguid_value(aaguid: &[u8]) -> Vec<u8> {
    OctetString::new(aaguid.to_vec()).unwrap().to_der().unwrap()
}

fn time(unix: u64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(std::time::Duration::from_secs(unix)).unwrap())
}

#[test]
fn fixture_leaves_chain_to_the_test_ca_and_meet_packed_requirements() {
    let leaf = verify_chain(&[ios()], &roots(), NOW).unwrap();
    check_packed_leaf(&leaf, &IOS_AAGUID).unwrap();
    let android = cert_der("microsoft-authenticator-android");
    verify_chain(&[android], &roots(), NOW).unwrap();
}

#[test]
fn a_chain_that_ends_in_the_root_itself_is_trusted() {
    verify_chain(&[ios(), cert_der("ca")], &roots(), NOW).unwrap();
}

#[test]
fn tbs_bytes_are_the_input_bytes() {
    let der = ios();
    let parsed = ParsedCertificate::parse(&der, Position::X5c(0)).unwrap();
    let tbs = parsed.tbs_bytes();
    assert!(der.windows(tbs.len()).any(|w| w == tbs));
    assert_eq!(tbs.first(), Some(&0x30));
}

#[test]
fn empty_chain_and_no_roots() {
    assert_eq!(
        verify_chain(&[], &roots(), NOW).unwrap_err(),
        CertificateError::EmptyChain
    );
    assert_eq!(
        verify_chain(&[ios()], &[], NOW).unwrap_err(),
        CertificateError::NoTrustedRoots
    );
}

#[test]
fn garbage_is_a_decode_error_with_its_position() {
    let err = verify_chain(&[ios(), vec![0x30, 0x03, 1, 2, 3]], &roots(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::Decode {
                position: Position::X5c(1),
                ..
            }
        ),
        "{err}"
    );
    let err = verify_chain(&[ios()], &[b"not a cert".to_vec()], NOW).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::Decode {
                position: Position::Root(0),
                ..
            }
        ),
        "{err}"
    );
    let mut trailing = ios();
    trailing.push(0);
    let err = verify_chain(&[trailing], &roots(), NOW).unwrap_err();
    assert!(matches!(err, CertificateError::Decode { .. }), "{err}");
}

#[test]
fn validity_is_checked_against_now() {
    let err = verify_chain(&[ios()], &roots(), 1_000_000_000).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::NotYetValid {
                position: Position::X5c(0),
                now: 1_000_000_000,
                ..
            }
        ),
        "{err}"
    );
    let expired = edited_leaf(|tbs| tbs.validity.not_after = time(1_790_000_000));
    let err = verify_chain(&[expired], &roots(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::Expired {
                not_after: 1_790_000_000,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_root_that_did_not_issue_the_leaf_is_untrusted() {
    let err = verify_chain(
        &[ios()],
        &[cert_der("microsoft-authenticator-android")],
        NOW,
    )
    .unwrap_err();
    assert!(
        matches!(err, CertificateError::Untrusted { top: 0, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("hybridsim test attestation root"),
        "{err}"
    );
}

#[test]
fn a_root_with_the_right_name_but_another_key_is_a_bad_signature() {
    let mut tbs = cert("ca").tbs_certificate;
    tbs.subject_public_key_info = spki(&seeded_key(9));
    let impostor = sign_tbs(&tbs, &seeded_key(9));
    let err = verify_chain(&[ios()], &[impostor], NOW).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::BadSignature {
                position: Position::X5c(0),
                signer: Position::Root(0),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_tampered_signature_fails() {
    let mut der = ios();
    if let Some(last) = der.last_mut() {
        *last ^= 1;
    }
    let err = verify_chain(&[der], &roots(), NOW).unwrap_err();
    assert!(
        matches!(err, CertificateError::BadSignature { .. }),
        "{err}"
    );
}

#[test]
fn another_signature_algorithm_is_refused() {
    let sha384 = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
    let der = edited_leaf(|tbs| tbs.signature.oid = sha384);
    let err = verify_chain(&[der], &roots(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::SignatureAlgorithm {
                position: Position::X5c(0),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_signer_key_that_is_not_p256_is_unsupported() {
    let mut tbs = cert("ca").tbs_certificate;
    tbs.subject_public_key_info.algorithm.parameters = Some(
        x509_cert::der::Any::encode_from(&ObjectIdentifier::new_unwrap("1.3.132.0.34")).unwrap(),
    );
    let root = sign_tbs(&tbs, &key("ca"));
    let err = verify_chain(&[ios()], &[root], NOW).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::UnsupportedKey {
                position: Position::Root(0)
            }
        ),
        "{err}"
    );
}

/// An intermediate CA under the test root, and a leaf issued by it.
fn intermediate_chain(intermediate_is_ca: bool) -> Vec<Vec<u8>> {
    let intermediate_key = seeded_key(5);
    let mut tbs = cert("ca").tbs_certificate;
    tbs.issuer = cert("ca").tbs_certificate.subject;
    tbs.subject = name("CN=intermediate,O=hybridsim,C=US");
    tbs.subject_public_key_info = spki(&intermediate_key);
    let bc = BasicConstraints {
        ca: intermediate_is_ca,
        path_len_constraint: None,
    };
    set_extension(&mut tbs, BASIC_CONSTRAINTS, true, bc.to_der().unwrap());
    let intermediate = sign_tbs(&tbs, &key("ca"));
    let mut leaf = cert("microsoft-authenticator-ios").tbs_certificate;
    leaf.issuer = name("CN=intermediate,O=hybridsim,C=US");
    let leaf = sign_tbs(&leaf, &intermediate_key);
    vec![leaf, intermediate]
}

#[test]
fn intermediates_are_followed_and_must_be_cas() {
    verify_chain(&intermediate_chain(true), &roots(), NOW).unwrap();
    let err = verify_chain(&intermediate_chain(false), &roots(), NOW).unwrap_err();
    assert_eq!(
        err,
        CertificateError::NotCa {
            position: Position::X5c(1)
        }
    );
}

#[test]
fn issuer_must_be_the_next_subject() {
    let mut chain = intermediate_chain(true);
    chain[0] = ios();
    let err = verify_chain(&chain, &roots(), NOW).unwrap_err();
    assert!(
        matches!(
            err,
            CertificateError::IssuerMismatch {
                position: Position::X5c(0),
                signer: Position::X5c(1),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn packed_leaf_version_must_be_3() {
    let der = edited_leaf(|tbs| {
        tbs.version = Version::V1;
        tbs.extensions = None;
    });
    assert_eq!(
        leaf_checks(&der),
        Err(CertificateError::LeafVersion { found: 1 })
    );
}

#[test]
fn packed_leaf_subject_needs_c_o_cn_and_the_ou() {
    let der =
        edited_leaf(|tbs| tbs.subject = name("CN=x,OU=Authenticator Attestation,O=hybridsim"));
    assert_eq!(
        leaf_checks(&der),
        Err(CertificateError::LeafSubjectMissing { attribute: "C" })
    );
    let der =
        edited_leaf(|tbs| tbs.subject = name("OU=Authenticator Attestation,O=hybridsim,C=US"));
    assert_eq!(
        leaf_checks(&der),
        Err(CertificateError::LeafSubjectMissing { attribute: "CN" })
    );
    let der = edited_leaf(|tbs| tbs.subject = name("CN=x,OU=Something Else,O=hybridsim,C=US"));
    assert_eq!(
        leaf_checks(&der),
        Err(CertificateError::LeafSubjectOu {
            found: Some("Something Else".into())
        })
    );
    let der = edited_leaf(|tbs| tbs.subject = name("CN=x,O=hybridsim,C=US"));
    assert_eq!(
        leaf_checks(&der),
        Err(CertificateError::LeafSubjectOu { found: None })
    );
}

#[test]
fn packed_leaf_must_not_be_a_ca() {
    let der = edited_leaf(|tbs| {
        let bc = BasicConstraints {
            ca: true,
            path_len_constraint: None,
        };
        set_extension(tbs, BASIC_CONSTRAINTS, true, bc.to_der().unwrap());
    });
    assert_eq!(leaf_checks(&der), Err(CertificateError::LeafIsCa));
    let der = edited_leaf(|tbs| set_extension(tbs, BASIC_CONSTRAINTS, true, vec![0x04, 0x00]));
    assert!(matches!(
        leaf_checks(&der),
        Err(CertificateError::MalformedExtension { .. })
    ));
}

#[test]
fn packed_leaf_aaguid_extension() {
    let other = [0x11u8; 16];
    let leaf = ParsedCertificate::parse(&ios(), Position::X5c(0)).unwrap();
    assert_eq!(
        check_packed_leaf(&leaf, &other),
        Err(CertificateError::AaguidMismatch {
            certificate: IOS_AAGUID,
            auth_data: other
        })
    );
    let der =
        edited_leaf(|tbs| set_extension(tbs, AAGUID_EXTENSION, true, aaguid_value(&IOS_AAGUID)));
    assert_eq!(leaf_checks(&der), Err(CertificateError::AaguidCritical));
    let der =
        edited_leaf(|tbs| set_extension(tbs, AAGUID_EXTENSION, false, aaguid_value(&[1; 15])));
    assert_eq!(leaf_checks(&der), Err(CertificateError::AaguidMalformed));
    let der = edited_leaf(|tbs| set_extension(tbs, AAGUID_EXTENSION, false, IOS_AAGUID.to_vec()));
    assert_eq!(leaf_checks(&der), Err(CertificateError::AaguidMalformed));
    let der = edited_leaf(|tbs| {
        let ext = Extension {
            extn_id: AAGUID_EXTENSION,
            critical: false,
            extn_value: OctetString::new(aaguid_value(&IOS_AAGUID)).unwrap(),
        };
        tbs.extensions.get_or_insert_with(Vec::new).push(ext);
    });
    assert!(matches!(
        leaf_checks(&der),
        Err(CertificateError::MalformedExtension { .. })
    ));
    // Absent is fine: §8.2.1 only constrains the extension when present.
    let der = edited_leaf(|tbs| {
        if let Some(e) = tbs.extensions.as_mut() {
            e.retain(|x| x.extn_id != AAGUID_EXTENSION);
        }
    });
    assert_eq!(leaf_checks(&der), Ok(()));
}

#[test]
fn errors_say_which_certificate_and_why() {
    let err = verify_chain(&[ios()], &roots(), 1_000_000_000).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "x5c[0] is not valid before {} (now is 1000000000)",
            cert("microsoft-authenticator-ios")
                .tbs_certificate
                .validity
                .not_before
                .to_unix_duration()
                .as_secs()
        )
    );
}

#[test]
fn pem_errors() {
    assert!(matches!(pem_to_der("nope"), Err(PemError::NotPem(_))));
    let key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_eq!(
        pem_to_der(key_pem),
        Err(PemError::Label("PRIVATE KEY".into()))
    );
}
