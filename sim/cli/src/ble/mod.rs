//! `hybridsim ble scan`: the hybrid adverts of real phones nearby, heard through this
//! machine's Bluetooth adapter (`hybridsim_ble`), decrypted when the QR secret is given
//! (docs/protocol.md §4: 0xFFF9/0xFDE2 service data, 20 bytes or longer CTAP 2.3 adverts).
//!
//! Without the `ble` cargo feature every BLE command says so and exits 3.

pub mod args;

use crate::failure::{Failure, Outcome};
use args::BleCommand;

/// Runs one `ble` command.
pub fn run(command: BleCommand) -> Outcome {
    match command {
        #[cfg(feature = "ble")]
        BleCommand::Scan(args) => scan::run(&args),
        #[cfg(not(feature = "ble"))]
        BleCommand::Scan(_) => Err(not_built()),
    }
}

/// The failure of a BLE command in a build without the `ble` feature.
#[cfg(not(feature = "ble"))]
pub fn not_built() -> Failure {
    Failure::environment(
        "this hybridsim was built without BLE support (cargo feature `ble`, on by default; \
         it needs libdbus-1-dev and pkg-config to build)",
    )
}

/// A radio problem as the one exit-3 line: what is missing, then what to do.
#[cfg(feature = "ble")]
pub fn failure(error: &hybridsim_ble::BleError) -> Failure {
    Failure::environment(format!("{error}; {}", error.what_to_do()))
}

#[cfg(feature = "ble")]
mod scan {
    use super::args::BleScan;
    use super::failure;
    use crate::decode::qr_secret;
    use crate::failure::{Failure, Outcome};
    use crate::{json, standalone};
    use hybridsim_ble::{Scanner, SeenAdvert};
    use hybridsim_proto::advert::{self, AdvertError, LengthRule, Matched, ADVERT_LEN};
    use hybridsim_proto::{derive, domain};
    use serde_json::{json, Value};
    use std::time::Duration;

    /// Chromium knows two assigned domains; adverts naming others are ignored.
    const KNOWN_ASSIGNED_DOMAINS: u16 = 2;

    pub fn run(args: &BleScan) -> Outcome {
        if args.seconds == 0 {
            return Err(Failure::bad_input("--seconds must be at least 1"));
        }
        let mut keys = Vec::new();
        for hex in &args.secret {
            keys.push(derive::eid_key(&qr_secret(Some(hex), None)?));
        }
        for qr in &args.qr {
            keys.push(derive::eid_key(&qr_secret(None, Some(qr))?));
        }
        let runtime = standalone::runtime()?;
        let (heard, matched) = runtime.block_on(listen(args, &keys))?;
        // The D-Bus connection's task must not hold the process open.
        runtime.shutdown_background();
        if !keys.is_empty() && matched == 0 {
            return Err(Failure::no_match(format!(
                "no advert decrypted with the given secret(s) ({heard} hybrid adverts heard)"
            )));
        }
        Ok(())
    }

    /// Scans and prints; returns how many adverts were heard and how many decrypted.
    async fn listen(args: &BleScan, keys: &[[u8; 64]]) -> Result<(u64, u64), Failure> {
        let mut scanner = Scanner::start().await.map_err(|e| failure(&e))?;
        if !args.json {
            eprintln!(
                "scanning on {} for {} s (Ctrl-C stops)",
                scanner.adapter(),
                args.seconds
            );
        }
        let deadline = tokio::time::sleep(Duration::from_secs(args.seconds));
        tokio::pin!(deadline);
        let (mut heard, mut matched) = (0u64, 0u64);
        let outcome = loop {
            let next = tokio::select! {
                () = &mut deadline => break Ok(()),
                next = scanner.next() => next,
            };
            let seen = match next {
                None => break Ok(()),
                Some(Err(e)) => break Err(failure(&e)),
                Some(Ok(seen)) => seen,
            };
            heard += 1;
            let verdict = advert::trial_decrypt(
                keys,
                &seen.data,
                LengthRule::AllowSuffix,
                KNOWN_ASSIGNED_DOMAINS,
            );
            if matches!(verdict, Some((_, Ok(_)))) {
                matched += 1;
            }
            let shown = describe(&seen, keys.is_empty(), verdict.as_ref());
            if args.json {
                json::print(&shown);
            } else {
                print_lines(&shown);
            }
            if args.count.is_some_and(|n| heard >= n) {
                break Ok(());
            }
        };
        let _ = scanner.stop().await;
        outcome.map(|()| (heard, matched))
    }

    /// The advert's length class: Chromium and CTAP 2.2 accept exactly 20 bytes; CTAP 2.3
    /// allows a suffix after them.
    fn form(len: usize) -> &'static str {
        match len.cmp(&ADVERT_LEN) {
            std::cmp::Ordering::Equal => "20-byte",
            std::cmp::Ordering::Greater => "ctap2.3-suffix",
            std::cmp::Ordering::Less => "too-short",
        }
    }

    fn describe(
        seen: &SeenAdvert,
        no_keys: bool,
        verdict: Option<&(usize, Result<Matched, AdvertError>)>,
    ) -> Value {
        let mut out = json!({
            "at_ms": seen.at.as_millis(),
            "address": seen.address,
            "rssi": seen.rssi,
            "uuid": format!("{:04x}", seen.uuid),
            "length": seen.data.len(),
            "form": form(seen.data.len()),
            "data": hex::encode(&seen.data),
        });
        if no_keys {
            return out;
        }
        let decrypted = match verdict {
            None => json!({"for_secret": Value::Null}),
            Some((i, Err(e))) => json!({"for_secret": i + 1, "error": e.to_string()}),
            Some((i, Ok(m))) => json!({
                "for_secret": i + 1,
                "nonce": hex::encode(m.eid.nonce),
                "routing_id": hex::encode_upper(m.eid.routing_id),
                "domain_id": m.eid.domain_id,
                "domain": domain::host(m.eid.domain_id).ok(),
                "suffix": (!m.suffix.is_empty()).then(|| hex::encode(&m.suffix)),
            }),
        };
        if let Some(map) = out.as_object_mut() {
            map.insert("decrypted".to_owned(), decrypted);
        }
        out
    }

    fn print_lines(shown: &Value) {
        let text = |key: &str| match &shown[key] {
            Value::String(s) => s.clone(),
            Value::Null => "-".to_owned(),
            other => other.to_string(),
        };
        let at_ms = shown["at_ms"].as_u64().unwrap_or(0);
        say!(
            "+{}.{:03}s  {}  rssi {:>4}  {}  {} B {:<14}  {}",
            at_ms / 1000,
            at_ms % 1000,
            text("address"),
            text("rssi"),
            text("uuid"),
            text("length"),
            text("form"),
            text("data"),
        );
        let decrypted = &shown["decrypted"];
        match (&decrypted["for_secret"], decrypted.get("error")) {
            (Value::Null, _) if decrypted.is_null() => {}
            (Value::Null, _) => say!("    not for the given secret(s)"),
            (i, Some(e)) => say!("    made for secret #{i}, but {}", e.as_str().unwrap_or("")),
            (i, None) => {
                let field = |key: &str| match &decrypted[key] {
                    Value::String(s) => s.clone(),
                    Value::Null => "(none)".to_owned(),
                    other => other.to_string(),
                };
                say!(
                    "    secret #{i}: nonce {}  routing id {}  domain {} (id {}){}",
                    field("nonce"),
                    field("routing_id"),
                    field("domain"),
                    field("domain_id"),
                    match &decrypted["suffix"] {
                        Value::String(s) => format!("  suffix {s}"),
                        _ => String::new(),
                    }
                );
            }
        }
    }
}
