//! The decryptor never panics on hostile messages: the fuzz input is a list of messages
//! (a sender bit and a 15-bit length before each), tried alone and after the handshake of
//! a real sample session, with every key of that session logged.
#![no_main]

use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_session::decrypt::{self, Flow, Input};
use hybridsim_session::keylog::{KeyLog, Label};
use hybridsim_session::messages::{Side, WireMessage};
use hybridsim_session::sample::{self, Options, Sample};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn split(mut data: &[u8]) -> Vec<WireMessage> {
    let mut out = Vec::new();
    while let [hi, lo, rest @ ..] = data {
        let from = if hi & 0x80 == 0 {
            Side::Desktop
        } else {
            Side::Phone
        };
        let len = (usize::from(hi & 0x7F) << 8 | usize::from(*lo)).min(rest.len());
        let (bytes, tail) = rest.split_at(len);
        out.push(WireMessage {
            from,
            bytes: bytes.to_vec(),
            line: out.len() + 1,
        });
        data = tail;
    }
    out
}

/// The two sample sessions and their key logs, built once (ECDH per input would dominate).
fn samples() -> &'static [(Sample, KeyLog)] {
    static SAMPLES: OnceLock<Vec<(Sample, KeyLog)>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        [Flow::Qr, Flow::Linked]
            .into_iter()
            .filter_map(|flow| {
                let options = Options {
                    flow,
                    construction: Construction::New,
                    revision: ProtocolRevision::V1,
                };
                let s = sample::build(options).ok()?;
                let keylog = KeyLog::parse(s.keylog(&Label::ALL).as_bytes()).ok()?;
                Some((s, keylog))
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let which = usize::from(data.first().is_some_and(|b| b & 1 == 1));
    let Some((s, keylog)) = samples().get(which) else {
        return;
    };
    let hostile = split(data);
    let mut after_handshake = s.messages.get(..2).unwrap_or_default().to_vec();
    after_handshake.extend(hostile.iter().cloned());
    for messages in [&hostile, &after_handshake] {
        let _ = decrypt::decrypt(Input {
            qr: Some(&s.qr),
            tunnel_id: Some(s.tunnel_id),
            keylog,
            messages,
            advert: data.get(..20),
        });
    }
});
