//! The protobuf payload reader never panics; what it accepts re-encodes to bytes that decode
//! to the same payload, every entry converts to an account or a typed error, and a batch
//! assembled from it stays within the batch-size bound.
#![no_main]

use hybridsim_export::google::{
    BatchAssembler, BatchRules, ImportRules, Payload, PayloadEncodeOptions, MAX_BATCH_SIZE,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(payload) = Payload::decode(data) {
        let again = Payload::decode(&payload.encode(&PayloadEncodeOptions::default()));
        assert_eq!(again.as_ref(), Ok(&payload));
        for entry in &payload.entries {
            let _ = entry.to_account(&ImportRules::default());
        }
        let mut assembler = BatchAssembler::new(BatchRules::default());
        assembler.offer(payload);
        assert!(assembler.batch_size() <= MAX_BATCH_SIZE);
        assert!(assembler.missing().first.len() <= 10);
    }
});
