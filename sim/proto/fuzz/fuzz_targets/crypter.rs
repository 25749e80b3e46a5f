//! Decrypting hostile ciphertexts never panics, in either construction or while detecting.
#![no_main]

use hybridsim_proto::crypter::{Construction, Crypter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut crypters = [
        Crypter::new([1; 32], [2; 32], Construction::New),
        Crypter::new([1; 32], [2; 32], Construction::Old),
        Crypter::detecting([1; 32], [2; 32]),
    ];
    for crypter in &mut crypters {
        let _ = crypter.decrypt(data);
        let _ = crypter.decrypt_unpadded(data);
    }
});
