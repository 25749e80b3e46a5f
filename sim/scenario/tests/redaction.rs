//! Default traces and the HTML report hold nothing secret: every scenario of the shipped
//! suite runs twice, with and without `reveal_secrets`; every secret the revealed trace shows
//! (QR secret, EID keys, PSKs, private keys, link secrets, transport keys) must be absent,
//! in any case, from the default trace and the HTML report, and no `FIDO:/` text left in
//! the default trace may give the QR secret back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hybridsim_proto::qr::QrPayload;
use hybridsim_scenario::run::run_scenario;
use hybridsim_scenario::{discover, html, load, run_suite, SuiteOptions};
use hybridsim_world::trace::TraceRecord;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// The traces of every step, in order.
fn traces(scenario: &hybridsim_scenario::Scenario, dir: &Path) -> Vec<TraceRecord> {
    run_scenario(scenario, dir, scenario.world.seed)
        .unwrap()
        .into_iter()
        .flat_map(|step| step.trace)
        .collect()
}

/// The QR secrets of the `FIDO:/` texts in a record's bytes.
fn qr_secrets_in(record: &TraceRecord) -> Vec<String> {
    let Ok(bytes) = hex::decode(&record.hex) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes).to_ascii_uppercase();
    text.match_indices("FIDO:/")
        .filter_map(|(at, _)| {
            let digits: String = text[at + 6..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            QrPayload::parse(&format!("FIDO:/{digits}")).ok()
        })
        .map(|payload| hex::encode(payload.secret))
        .collect()
}

#[test]
fn no_secret_of_a_revealed_trace_is_in_the_default_trace_or_the_html_report() {
    let files = discover(&[suite_dir()]).unwrap();
    let options = SuiteOptions {
        jobs: 2,
        ..SuiteOptions::default()
    };
    let report = html::render(&run_suite(&files, &options, |_, _| {})).to_ascii_lowercase();
    let mut checked = 0;
    for file in &files {
        let scenario = load(&file.path).unwrap();
        if scenario.world.reveal_secrets {
            continue;
        }
        let dir = file.path.parent().unwrap();
        let plain = traces(&scenario, dir);
        let mut revealing = scenario.clone();
        revealing.world.reveal_secrets = true;
        let revealed = traces(&revealing, dir);
        assert_eq!(plain.len(), revealed.len(), "{}", file.id);
        let secrets: BTreeSet<String> = plain
            .iter()
            .zip(&revealed)
            .filter(|(p, r)| p.hex != r.hex && r.len >= 8)
            .map(|(_, r)| r.hex.to_ascii_lowercase())
            .filter(|hex| hex.len() >= 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .collect();
        let text = plain
            .iter()
            .map(TraceRecord::to_json)
            .collect::<String>()
            .to_ascii_lowercase();
        for secret in &secrets {
            assert!(
                !text.contains(secret),
                "{}: {secret} in the default trace",
                file.id
            );
            assert!(
                !report.contains(secret),
                "{}: {secret} in the HTML report",
                file.id
            );
        }
        let qr_secrets: BTreeSet<String> = revealed.iter().flat_map(qr_secrets_in).collect();
        for record in &plain {
            for secret in qr_secrets_in(record) {
                assert!(
                    !qr_secrets.contains(&secret),
                    "{}: the QR secret follows from {record:?}",
                    file.id
                );
            }
        }
        checked += usize::from(!secrets.is_empty());
    }
    assert!(
        checked >= 40,
        "only {checked} scenarios had secrets to look for"
    );
}
