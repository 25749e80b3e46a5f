use super::*;
use proptest::prelude::*;

#[test]
fn frames_have_the_documented_layout() {
    assert_eq!(
        Message::ctap_request(0x01, &[0xa0]).to_bytes(),
        [0x01, 0x01, 0xa0]
    );
    assert_eq!(Message::ctap_request(0x04, &[]).to_bytes(), [0x01, 0x04]);
    assert_eq!(
        Message::ctap_response(0x00, &[0xa1, 0x01, 0x02]).to_bytes(),
        [0x01, 0x00, 0xa1, 0x01, 0x02]
    );
    assert_eq!(Message::shutdown().to_bytes(), [0x00]);
    assert_eq!(Message::update(&[0xa0]).to_bytes(), [0x02, 0xa0]);
    assert_eq!(Message::json(b"{}").to_bytes(), [0x03, b'{', b'}']);
}

#[test]
fn revision_1_parsing_checks_the_type_byte() {
    assert_eq!(
        Message::parse(&[], ProtocolRevision::V1),
        Err(MessageError::Empty)
    );
    assert_eq!(
        Message::parse(&[4, 1, 2], ProtocolRevision::V1),
        Err(MessageError::UnknownType(4))
    );
    assert_eq!(
        Message::parse(&[0xff], ProtocolRevision::V1)
            .unwrap_err()
            .to_string(),
        "unknown message type 0xff (known: 00 shutdown, 01 CTAP, 02 update, 03 JSON)"
    );
    let m = Message::parse(&[1, 0, 0xa0], ProtocolRevision::V1).unwrap();
    assert_eq!(m, Message::ctap_response(0, &[0xa0]));
    assert_eq!(m.ctap_command().unwrap(), (0, &[0xa0][..]));
    assert_eq!(
        Message::parse(&[0], ProtocolRevision::V1).unwrap(),
        Message::shutdown()
    );
}

#[test]
fn revision_0_has_no_type_byte() {
    let m = Message::parse(&[0x01, 0xa0], ProtocolRevision::V0).unwrap();
    assert_eq!(m.message_type, MessageType::Ctap);
    assert_eq!(m.ctap_command().unwrap(), (0x01, &[0xa0][..]));
    assert_eq!(
        Message::ctap_request(0x02, &[0xa0])
            .encode(ProtocolRevision::V0)
            .unwrap(),
        [0x02, 0xa0]
    );
    assert_eq!(
        Message::shutdown().encode(ProtocolRevision::V0),
        Err(MessageError::NotInRevision0(MessageType::Shutdown))
    );
    // Empty is not an error at this layer in revision 0: there is no type byte to miss.
    assert_eq!(
        Message::parse(&[], ProtocolRevision::V0)
            .unwrap()
            .ctap_command(),
        Err(MessageError::NoCtapCommand)
    );
}

#[test]
fn ctap_command_refuses_other_types() {
    assert_eq!(
        Message::update(&[0xa0]).ctap_command(),
        Err(MessageError::NotCtap(MessageType::Update))
    );
}

#[test]
fn revision_numbers_match_chromium_logging() {
    assert_eq!(ProtocolRevision::V0.number(), 0);
    assert_eq!(ProtocolRevision::V1.number(), 1);
}

fn any_message() -> impl Strategy<Value = Message> {
    (0u8..4, prop::collection::vec(any::<u8>(), 0..100)).prop_map(|(t, payload)| Message {
        message_type: MessageType::try_from(t).unwrap(),
        payload,
    })
}

proptest! {
    #[test]
    fn parse_inverts_encode(m in any_message()) {
        prop_assert_eq!(Message::parse(&m.encode(ProtocolRevision::V1).unwrap(), ProtocolRevision::V1), Ok(m.clone()));
        if m.message_type == MessageType::Ctap {
            prop_assert_eq!(Message::parse(&m.encode(ProtocolRevision::V0).unwrap(), ProtocolRevision::V0), Ok(m));
        }
    }

    #[test]
    fn parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        for revision in [ProtocolRevision::V0, ProtocolRevision::V1] {
            if let Ok(m) = Message::parse(&bytes, revision) {
                let _ = m.ctap_command();
            }
        }
    }
}
