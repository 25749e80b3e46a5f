//! Encode → decode round trips for random account sets in every format, plain and encrypted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_export::google::{
    self, BatchAssembler, BatchRules, GoogleExportOptions, ImportRules, ScanOutcome, UriMode,
};
use hybridsim_export::{aegis, twofas};
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

/// Accounts any of the three formats can carry in full, given `digits` and `period` choices.
fn account(
    digits: impl Strategy<Value = u8>,
    period: impl Strategy<Value = u32>,
) -> impl Strategy<Value = OtpAccount> {
    let kind = prop_oneof![
        period.prop_map(|period| OtpKind::Totp { period }),
        any::<u64>().prop_map(|counter| OtpKind::Hotp { counter }),
    ];
    // No colon in names: GA importers split `Issuer:name` when the issuer is empty.
    (
        "[^:]{0,12}",
        "[^:]{0,16}",
        proptest::collection::vec(any::<u8>(), 1..64),
        algorithm(),
        digits,
        kind,
    )
        .prop_map(
            |(issuer, name, secret, algorithm, digits, kind)| OtpAccount {
                issuer,
                name,
                secret,
                algorithm,
                digits,
                kind,
            },
        )
}

fn any_account() -> impl Strategy<Value = OtpAccount> {
    account(1u8..=10, 1u32..=300)
}

proptest! {
    #[test]
    fn google_batches_round_trip_in_any_scan_order(
        accounts in proptest::collection::vec(account(prop_oneof![Just(6u8), Just(8u8)], Just(30u32)), 1..25),
        per_qr in 1usize..6,
        batch_id in any::<i32>(),
        order_seed in any::<u64>(),
    ) {
        let options = GoogleExportOptions { accounts_per_qr: per_qr, batch_id, ..GoogleExportOptions::default() };
        let out = google::export(&accounts, &options).unwrap();
        prop_assert!(out.losses.is_empty());
        prop_assert_eq!(out.uris.len(), accounts.len().div_ceil(per_qr));
        let mut uris = out.uris.clone();
        // A deterministic shuffle: rotate by the seed.
        let n = uris.len();
        uris.rotate_left((order_seed % n as u64) as usize);
        let mut assembler = BatchAssembler::new(BatchRules::default());
        let mut last = None;
        for uri in &uris {
            let decoded = google::decode_uri(uri, UriMode::Strict).unwrap();
            prop_assert!(decoded.findings.is_empty());
            last = Some(assembler.offer(decoded.payload));
        }
        let complete = matches!(last, Some(ScanOutcome::Complete { .. }));
        prop_assert!(complete, "last scan: {:?}", last);
        let back: Vec<OtpAccount> = assembler
            .entries()
            .iter()
            .map(|e| e.to_account(&ImportRules::default()).unwrap().0)
            .collect();
        prop_assert_eq!(back, accounts);
    }

    #[test]
    fn aegis_plain_round_trips(accounts in proptest::collection::vec(any_account(), 0..12), seed in any::<[u8; 32]>()) {
        let text = aegis::encode_plain(&accounts, &seed);
        let vault = aegis::decode(text.as_bytes(), None, &aegis::AegisDecodeOptions::default()).unwrap();
        let back: Vec<_> = vault.entries.into_iter().map(|e| e.imported).collect();
        let want: Vec<_> = accounts.into_iter().map(|a| aegis::Imported::Account(a, vec![])).collect();
        prop_assert_eq!(back, want);
    }

    #[test]
    fn twofas_plain_round_trips(accounts in proptest::collection::vec(any_account(), 0..12), at in any::<i64>()) {
        let options = twofas::TwofasEncodeOptions { updated_at_ms: at, ..twofas::TwofasEncodeOptions::default() };
        let text = twofas::encode_plain(&accounts, &options);
        let backup = twofas::decode(text.as_bytes(), None, &twofas::TwofasDecodeOptions::default()).unwrap();
        prop_assert!(backup.services.iter().all(|s| s.findings.is_empty()));
        let back: Vec<_> = backup.services.into_iter().map(|s| s.imported).collect();
        let want: Vec<_> = accounts.into_iter().map(twofas::Imported::Account).collect();
        prop_assert_eq!(back, want);
    }
}

proptest! {
    // Each case runs a KDF; fewer cases keep the suite quick.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn aegis_encrypted_round_trips(
        accounts in proptest::collection::vec(any_account(), 0..6),
        random in any::<([u8; 32], [u8; 16], [u8; 32], [u8; 12], [u8; 12], [u8; 32])>(),
        password in "\\PC{0,12}",
    ) {
        let random = aegis::AegisRandom {
            master_key: random.0,
            slot_uuid: random.1,
            salt: random.2,
            key_nonce: random.3,
            db_nonce: random.4,
            entry_uuid_seed: random.5,
        };
        let cost = aegis::ScryptCost { log_n: 8, r: 8, p: 1 };
        let text = aegis::encode_encrypted(&accounts, password.as_bytes(), &random, &cost).unwrap();
        let options = aegis::AegisDecodeOptions::default();
        let vault = aegis::decode(text.as_bytes(), Some(password.as_bytes()), &options).unwrap();
        let plain = aegis::decode(aegis::encode_plain(&accounts, &random.entry_uuid_seed).as_bytes(), None, &options).unwrap();
        prop_assert_eq!(&vault.entries, &plain.entries);
        let back: Vec<_> = vault.entries.into_iter().map(|e| e.imported).collect();
        let want: Vec<_> = accounts.into_iter().map(|a| aegis::Imported::Account(a, vec![])).collect();
        prop_assert_eq!(back, want);
        let wrong = format!("{password}x");
        prop_assert_eq!(aegis::decode(text.as_bytes(), Some(wrong.as_bytes()), &options), Err(aegis::AegisError::WrongPassword));
    }

    #[test]
    fn twofas_encrypted_round_trips(
        accounts in proptest::collection::vec(any_account(), 0..6),
        salt in proptest::collection::vec(any::<u8>(), 256),
        ivs in any::<([u8; 12], [u8; 12])>(),
        password in "\\PC{0,12}",
    ) {
        let random = twofas::TwofasRandom { salt, services_iv: ivs.0, reference_iv: ivs.1 };
        let options = twofas::TwofasEncodeOptions::default();
        let text = twofas::encode_encrypted(&accounts, password.as_bytes(), &random, &options);
        let decode = twofas::TwofasDecodeOptions::default();
        let backup = twofas::decode(text.as_bytes(), Some(password.as_bytes()), &decode).unwrap();
        prop_assert!(backup.encrypted && !backup.unexpected_reference);
        let back: Vec<_> = backup.services.into_iter().map(|s| s.imported).collect();
        let want: Vec<_> = accounts.into_iter().map(twofas::Imported::Account).collect();
        prop_assert_eq!(back, want);
        let wrong = format!("{password}x");
        prop_assert_eq!(twofas::decode(text.as_bytes(), Some(wrong.as_bytes()), &decode), Err(twofas::TwofasError::WrongPassword));
    }
}

proptest! {
    /// Any batch fields a payload claims: decoding refuses an implausible size, and whatever
    /// is accepted keeps the assembler's report short (issue: a 2^31 batch_size aborted).
    #[test]
    fn claimed_batch_sizes_are_bounded(size in any::<i32>(), index in any::<i32>(), id in any::<i32>()) {
        let payload = google::Payload {
            batch_size: Some(size),
            batch_index: Some(index),
            batch_id: Some(id),
            ..google::Payload::default()
        };
        let bytes = payload.encode(&google::PayloadEncodeOptions::default());
        match google::Payload::decode(&bytes) {
            Ok(decoded) => {
                prop_assert!((0..=google::MAX_BATCH_SIZE).contains(&size));
                let mut assembler = BatchAssembler::new(BatchRules::default());
                assembler.offer(decoded);
                let missing = assembler.missing();
                prop_assert!(missing.count <= google::MAX_BATCH_SIZE);
                prop_assert!(missing.to_string().len() < 120);
            }
            Err(e) => {
                prop_assert!(!(0..=google::MAX_BATCH_SIZE).contains(&size));
                prop_assert_eq!(e, google::PayloadError::ImplausibleBatchSize(size));
            }
        }
    }
}
