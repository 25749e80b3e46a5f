//! Hostile handshake messages never panic either side: the phone reading message 1 and the
//! desktop reading message 2, in both handshake kinds.
#![no_main]

use hybridsim_proto::keys;
use hybridsim_proto::noise::{Initiator, Responder};
use libfuzzer_sys::fuzz_target;

const PSK: [u8; 32] = [3; 32];
const DESKTOP: [u8; 32] = [4; 32];
const PHONE: [u8; 32] = [5; 32];
const EPHEMERAL: [u8; 32] = [6; 32];

fuzz_target!(|data: &[u8]| {
    let (Ok(desktop_public), Ok(phone_public)) = (keys::public_of(&DESKTOP), keys::public_of(&PHONE)) else {
        return;
    };
    if let Ok(phone) = Responder::qr_initiated(&PSK, &desktop_public, &EPHEMERAL) {
        let _ = phone.read_message_1(data);
    }
    if let Ok(phone) = Responder::linked(&PSK, &PHONE, &EPHEMERAL) {
        let _ = phone.read_message_1(data);
    }
    if let Ok(desktop) = Initiator::qr_initiated(&PSK, &DESKTOP, &EPHEMERAL) {
        if let Ok((_, waiting)) = desktop.write_message_1() {
            let _ = waiting.read_message_2(data);
        }
    }
    if let Ok(desktop) = Initiator::linked(&PSK, &phone_public, &EPHEMERAL) {
        if let Ok((_, waiting)) = desktop.write_message_1() {
            let _ = waiting.read_message_2(data);
        }
    }
});
