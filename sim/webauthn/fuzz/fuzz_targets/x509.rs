//! Certificate parsing and chain verification never panic: an arbitrary certificate, the
//! fixture attestation certificate with bytes flipped, or an arbitrary two-certificate chain,
//! each checked against the test CA and the packed requirements.
#![no_main]

mod common;

use hybridsim_webauthn::x509::{self, ParsedCertificate, Position};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn fixtures() -> &'static (Vec<u8>, Vec<u8>) {
    static DER: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    DER.get_or_init(|| {
        (
            x509::pem_to_der(common::CA_PEM).expect("ca"),
            x509::pem_to_der(common::LEAF_PEM).expect("leaf"),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (ca, leaf) = fixtures();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let chain = match mode % 3 {
        0 => vec![rest.to_vec()],
        1 => {
            let mut der = leaf.clone();
            common::mutate(&mut der, rest);
            vec![der]
        }
        _ => {
            let split = rest.len() / 2;
            let (a, b) = rest.split_at(split);
            vec![a.to_vec(), b.to_vec()]
        }
    };
    let roots = [ca.clone()];
    let _ = x509::verify_chain(&chain, &roots, common::NOW);
    let _ = x509::verify_chain(&chain, &chain, common::NOW);
    if let Some(first) = chain.first() {
        if let Ok(parsed) = ParsedCertificate::parse(first, Position::X5c(0)) {
            let _ = x509::check_packed_leaf(&parsed, &[0; 16]);
            let _ = parsed.public_key_sec1(Position::X5c(0));
        }
    }
});
