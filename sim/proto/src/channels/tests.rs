use super::*;

#[test]
fn channel_ids_are_the_2_3_ones() {
    assert_eq!(Channel::WebSocket.id(), 0);
    assert_eq!(Channel::Ble.id(), 1);
    assert_eq!(Channel::from_id(1), Some(Channel::Ble));
    assert_eq!(Channel::from_id(7), None);
}

#[test]
fn pre_2_3_play_services_rejects_an_array_and_nothing_else() {
    let array = Key6::TransportChannels(vec![0, 1]);
    let refused = Key6Reading::BoolRejectsArray.offered(Some(&array));
    assert_eq!(
        refused,
        Err(QrError::WrongType {
            key: 6,
            expected: "a boolean",
            found: "an array"
        })
    );
    let legacy = Key6::NonDiscoverableMc(true);
    assert_eq!(
        Key6Reading::BoolRejectsArray.offered(Some(&legacy)),
        Ok(vec![Channel::WebSocket])
    );
    assert_eq!(
        Key6Reading::BoolRejectsArray.offered(None),
        Ok(vec![Channel::WebSocket])
    );
}

#[test]
fn a_2_3_phone_reads_the_channel_list() {
    let both = Key6::TransportChannels(vec![1, 0, 9]);
    assert_eq!(
        Key6Reading::Channels.offered(Some(&both)),
        Ok(vec![Channel::Ble, Channel::WebSocket])
    );
    let unknown_only = Key6::TransportChannels(vec![9]);
    assert_eq!(
        Key6Reading::Channels.offered(Some(&unknown_only)),
        Ok(vec![Channel::WebSocket])
    );
    assert_eq!(
        Key6Reading::Channels.offered(Some(&Key6::NonDiscoverableMc(false))),
        Ok(vec![Channel::WebSocket])
    );
}

#[test]
fn chromium_ignores_key_6_and_a_strict_reader_refuses_any() {
    let array = Key6::TransportChannels(vec![1]);
    assert_eq!(
        Key6Reading::Ignored.offered(Some(&array)),
        Ok(vec![Channel::WebSocket])
    );
    assert!(Key6Reading::AbsentOnly
        .offered(Some(&Key6::NonDiscoverableMc(true)))
        .is_err());
    assert_eq!(
        Key6Reading::AbsentOnly.offered(None),
        Ok(vec![Channel::WebSocket])
    );
}

#[test]
fn suffix_encodes_in_both_key_readings() {
    let suffix = AdvertSuffix::ble(0x0081);
    // {1: 129}
    assert_eq!(
        suffix.encode(SuffixKeys::ChannelKeyed),
        [0xa1, 0x01, 0x18, 0x81]
    );
    // {0: 1, 1: 129}
    assert_eq!(
        suffix.encode(SuffixKeys::IdKeyed),
        [0xa2, 0x00, 0x01, 0x01, 0x18, 0x81]
    );
    for keys in [SuffixKeys::ChannelKeyed, SuffixKeys::IdKeyed] {
        assert_eq!(
            AdvertSuffix::decode(&suffix.encode(keys), keys),
            Ok(vec![suffix])
        );
    }
}

#[test]
fn the_same_bytes_mean_different_channels_in_the_two_readings() {
    // {0: 1}: "WebSocket, extra 1" channel-keyed; "channel 1 (BLE)" id-keyed.
    let bytes = [0xa1, 0x00, 0x01];
    let channel_keyed = AdvertSuffix::decode(&bytes, SuffixKeys::ChannelKeyed);
    assert_eq!(
        channel_keyed,
        Ok(vec![AdvertSuffix {
            channel: 0,
            extra: Some(1)
        }])
    );
    let id_keyed = AdvertSuffix::decode(&bytes, SuffixKeys::IdKeyed);
    assert_eq!(
        id_keyed,
        Ok(vec![AdvertSuffix {
            channel: 1,
            extra: None
        }])
    );
    let line = AdvertSuffix::describe(&bytes);
    assert!(
        line.contains("channel-keyed: channel 0 (websocket) extra 1"),
        "{line}"
    );
    assert!(line.contains("id-keyed: channel 1 (ble)"), "{line}");
}

#[test]
fn hostile_suffixes_are_refused_with_a_reason() {
    assert_eq!(
        AdvertSuffix::decode(&[0u8; 65], SuffixKeys::ChannelKeyed),
        Err(SuffixError::TooLong(65))
    );
    assert!(matches!(
        AdvertSuffix::decode(&[0x80], SuffixKeys::ChannelKeyed),
        Err(SuffixError::Shape("channel-keyed"))
    ));
    assert!(matches!(
        AdvertSuffix::decode(&[0xa1], SuffixKeys::IdKeyed),
        Err(SuffixError::Cbor(_))
    ));
    // A negative channel id.
    assert!(AdvertSuffix::decode(&[0xa1, 0x20, 0x01], SuffixKeys::ChannelKeyed).is_err());
}
