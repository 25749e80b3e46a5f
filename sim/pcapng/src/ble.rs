//! A hybrid advert as a BLE link-layer advertising packet with the pseudo-header of
//! `LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR`.
//!
//! Pseudo-header (10 bytes, little-endian): RF channel, signal power (dBm), noise power
//! (dBm), access-address offenses, reference access address, flags. Then the packet
//! without preamble: access address `0x8E89BED6`, a 2-byte PDU header, the advertiser
//! address, the advertising data, and the 24-bit CRC.

/// The access address of every advertising-channel packet.
pub const ADVERTISING_ACCESS_ADDRESS: u32 = 0x8E89_BED6;
/// The CRC initial value on advertising channels.
const ADVERTISING_CRC_INIT: u32 = 0x55_5555;
/// PDU type `ADV_NONCONN_IND`, as Android phones advertise hybrid (docs/protocol.md §4.3).
const ADV_NONCONN_IND: u8 = 0x02;
/// Header bit: the advertiser address is random.
const TX_ADD_RANDOM: u8 = 0x40;
/// Pseudo-header flags: de-whitened, signal and noise power valid, reference access
/// address valid. "CRC checked" stays clear so that Wireshark checks the CRC itself (an
/// incorrect one shows as an expert warning, `btle.crc.incorrect`).
const PHDR_FLAGS: u16 = 0x0001 | 0x0002 | 0x0004 | 0x0010;
/// The FIDO service UUID, which Android also lists as a complete 16-bit UUID list.
const FIDO_UUID: u16 = 0xFFF9;

/// The advertising data of a hybrid advert: the 16-bit UUID list (only for 0xFFF9, as an
/// Android phone sends it; iPhones send 0xFDE2 service data alone) and the service data.
pub fn advertising_data(uuid: u16, service_data: &[u8]) -> Vec<u8> {
    let [lo, hi] = uuid.to_le_bytes();
    let mut out = Vec::with_capacity(8 + service_data.len());
    if uuid == FIDO_UUID {
        out.extend_from_slice(&[3, 0x03, lo, hi]);
    }
    // AD length counts the type byte and the UUID; service data longer than a legacy
    // advert can carry is cut at the AD structure's one-byte length.
    let data = service_data
        .get(..service_data.len().min(252))
        .unwrap_or_default();
    out.push(u8::try_from(data.len() + 3).unwrap_or(u8::MAX));
    out.extend_from_slice(&[0x16, lo, hi]);
    out.extend_from_slice(data);
    out
}

/// The whole packet: pseudo-header, access address, PDU and CRC.
pub fn advert_packet(address: &[u8; 6], uuid: u16, service_data: &[u8]) -> Vec<u8> {
    let data = advertising_data(uuid, service_data);
    let mut pdu = vec![
        ADV_NONCONN_IND | TX_ADD_RANDOM,
        u8::try_from(6 + data.len()).unwrap_or(u8::MAX),
    ];
    // The address goes on air least-significant byte first.
    pdu.extend(address.iter().rev());
    pdu.extend_from_slice(&data);
    let mut out = Vec::with_capacity(10 + 4 + pdu.len() + 3);
    out.push(0); // RF channel 0 = 2402 MHz = advertising channel 37
    out.push((-50i8).to_le_bytes()[0]);
    out.push((-90i8).to_le_bytes()[0]);
    out.push(0);
    out.extend_from_slice(&ADVERTISING_ACCESS_ADDRESS.to_le_bytes());
    out.extend_from_slice(&PHDR_FLAGS.to_le_bytes());
    out.extend_from_slice(&ADVERTISING_ACCESS_ADDRESS.to_le_bytes());
    let crc = crc24(ADVERTISING_CRC_INIT, &pdu);
    out.extend_from_slice(&pdu);
    out.extend_from_slice(&crc.to_le_bytes()[..3]);
    out
}

/// The link layer's CRC-24 (polynomial x^24 + x^10 + x^9 + x^6 + x^4 + x^3 + x + 1), as a
/// shift register over the bits in air order (least significant bit of each byte first).
/// The result's low byte is the first CRC byte on air.
pub fn crc24(init: u32, data: &[u8]) -> u32 {
    let mut state = reverse24(init);
    for &byte in data {
        let mut cur = byte;
        for _ in 0..8 {
            let bit = (state ^ u32::from(cur)) & 1;
            cur >>= 1;
            state >>= 1;
            if bit == 1 {
                state |= 1 << 23;
                state ^= 0x5A_6000;
            }
        }
    }
    state
}

fn reverse24(value: u32) -> u32 {
    (0..24).fold(0, |acc, i| acc | (((value >> i) & 1) << (23 - i)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn android_layout_lists_the_uuid_and_carries_the_service_data() {
        let data = advertising_data(0xFFF9, &[0xAB; 20]);
        assert_eq!(&data[..8], &[3, 3, 0xF9, 0xFF, 23, 0x16, 0xF9, 0xFF]);
        assert_eq!(data.len(), 28);
        assert_eq!(
            &advertising_data(0xFDE2, &[1])[..],
            &[4, 0x16, 0xE2, 0xFD, 1]
        );
        let packet = advert_packet(&[1, 2, 3, 4, 5, 6], 0xFFF9, &[0xAB; 20]);
        assert_eq!(packet.len(), 10 + 4 + 2 + 6 + 28 + 3);
        assert_eq!(&packet[14..16], &[0x42, 34]);
    }
}
