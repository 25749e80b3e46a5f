//! The authenticator-app steps: enrolment, OTP sign-ins, migrations, cloud backup and
//! restore, run on `hybridsim_apps::AppWorld` at the scenario clock.

use super::{failed, seed_u64, Run, StepResult};
use crate::model::{
    AppModelSpec, AppSpec, BackupStep, CloudExpect, CloudOutcome, EnrolOutcome, EnrolTotpStep,
    IssuerInSpec, MigrateStep, OtpSignInStep, OtpVerdict, PasskeySpec, RestoreStep, RowExpect,
    Scenario, Step,
};
use hybridsim_apps::account::{DeviceCredential, PasskeyAccount, PushAccount};
use hybridsim_apps::enrol::{IssuerPlacement, SiteOffer, UriStyle};
use hybridsim_apps::mechanism::google::Transfer;
use hybridsim_apps::mechanism::MigrationFailure;
use hybridsim_apps::report::ReportRow;
use hybridsim_apps::{
    AppAccount, AppModel, AppWorld, Mechanism, MigrationReport, Provider, Quirk, Quirks,
};
use hybridsim_ctap::store::StoredCredential;
use hybridsim_otp::{Algorithm, OtpKind};
use hybridsim_peers::Layer;
use hybridsim_world::trace::{Direction, TraceRecord};
use sha2::{Digest, Sha256};

/// The apps of a scenario, with their accounts and those accounts' sites.
pub(super) fn build(scenario: &Scenario, seed: u64) -> Result<AppWorld, String> {
    let mut world = AppWorld::new(seed_u64(seed, "apps"), scenario.world.unix_time);
    for (name, spec) in &scenario.app {
        let quirks = quirks(&spec.quirks).map_err(|e| format!("app {name}: {e}"))?;
        world.add_phone(name, model(spec.model), spec.clock_offset_s, &quirks);
        for account in accounts(name, spec, seed)? {
            world
                .add_account(name, account)
                .map_err(|e| format!("app {name}: {e}"))?;
        }
    }
    Ok(world)
}

fn model(spec: AppModelSpec) -> AppModel {
    match spec {
        AppModelSpec::GoogleAuthenticator => AppModel::GoogleAuthenticator,
        AppModelSpec::MicrosoftAuthenticator => AppModel::MicrosoftAuthenticator,
        AppModelSpec::Aegis => AppModel::Aegis,
        AppModelSpec::TwoFas => AppModel::TwoFas,
    }
}

/// Quirks by name; an unknown name is an error naming it.
pub(crate) fn quirks(names: &[String]) -> Result<Quirks, String> {
    names
        .iter()
        .map(|n| {
            Quirk::from_name(n)
                .ok_or_else(|| format!("no quirk {n:?} (see `hybridsim migrate quirks`)"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Quirks::of)
}

/// A P-256 private key (hex) derived from the seed and a purpose.
fn key(seed: u64, purpose: &str) -> String {
    let mut counter = 0u32;
    loop {
        let mut hash = Sha256::new();
        hash.update(seed.to_le_bytes());
        hash.update(purpose.as_bytes());
        hash.update(counter.to_le_bytes());
        let bytes: [u8; 32] = hash.finalize().into();
        if p256::SecretKey::from_slice(&bytes).is_ok() {
            return hex::encode(bytes);
        }
        counter += 1;
    }
}

/// The accounts an `[app.*]` table puts in the app.
fn accounts(name: &str, spec: &AppSpec, seed: u64) -> Result<Vec<AppAccount>, String> {
    let mut out = Vec::new();
    for (i, uri) in spec.accounts.iter().enumerate() {
        let parsed = hybridsim_otp::parse(uri, hybridsim_otp::Mode::Lenient)
            .map_err(|e| format!("app {name}: accounts[{i}]: {e}"))?;
        out.push(AppAccount::Otp(parsed.account));
    }
    for user in &spec.microsoft_personal {
        let mut secret = Sha256::new();
        secret.update(seed.to_le_bytes());
        secret.update(format!("{name} msa {user}").as_bytes());
        let secret: [u8; 32] = secret.finalize().into();
        out.push(AppAccount::MicrosoftPersonal(DeviceCredential {
            user: user.clone(),
            otp: Some(hybridsim_otp::OtpAccount {
                issuer: "Microsoft".into(),
                name: user.clone(),
                secret: secret.get(..20).unwrap_or(&secret).to_vec(),
                algorithm: Algorithm::Sha1,
                digits: 8,
                kind: OtpKind::Totp { period: 30 },
            }),
        }));
    }
    for push in &spec.push {
        out.push(AppAccount::Push(PushAccount {
            tenant: push.tenant.clone(),
            user: push.user.clone(),
            device_key: Some(key(
                seed,
                &format!("{name} push {} {}", push.tenant, push.user),
            )),
        }));
    }
    for passkey in &spec.passkeys {
        out.push(AppAccount::Passkey(passkey_account(name, passkey, seed)?));
    }
    Ok(out)
}

/// A passkey of an `[app.*]` table as its provider's authenticator would have created it:
/// keys and hmac-secret randoms derived from the seed, the provider's flags.
fn passkey_account(name: &str, spec: &PasskeySpec, seed: u64) -> Result<PasskeyAccount, String> {
    let provider = match &spec.provider {
        Some(p) => provider(Some(p), &format!("app {name}: provider"))?,
        None if spec.synced => Provider::IcloudKeychain,
        None => Provider::MicrosoftAuthenticatorIos,
    };
    let purpose = format!("{name} passkey {} {}", spec.rp_id, spec.user);
    let bytes = |what: &str| -> Result<[u8; 32], String> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(key(seed, &format!("{purpose}{what}")), &mut out)
            .map_err(|e| format!("app {name}: {e}"))?;
        Ok(out)
    };
    let id = bytes(" id")?;
    let handle = bytes(" user")?;
    let credential = StoredCredential {
        id: id.get(..16).unwrap_or(&id).to_vec(),
        rp_id: spec.rp_id.clone(),
        user_handle: handle.get(..16).unwrap_or(&handle).to_vec(),
        user_name: Some(spec.user.clone()),
        user_display_name: spec.display_name.clone(),
        private_key: bytes("")?,
        sign_count: spec.sign_count,
        discoverable: true,
        backup: provider.backup(),
        cred_random_uv: bytes(" uv")?,
        cred_random_no_uv: bytes(" no-uv")?,
        created_by_profile: provider.profile().unwrap_or(provider.name()).to_owned(),
        created_at_step: 0,
    };
    Ok(PasskeyAccount {
        provider,
        credential,
    })
}

fn algorithm(name: &str) -> Result<Algorithm, String> {
    match name {
        "SHA1" => Ok(Algorithm::Sha1),
        "SHA256" => Ok(Algorithm::Sha256),
        "SHA512" => Ok(Algorithm::Sha512),
        other => Err(format!(
            "algorithm {other:?}: expected SHA1, SHA256 or SHA512"
        )),
    }
}

/// The passkey provider a `cxf` step names as `key` (iCloud Keychain when none).
fn provider(name: Option<&str>, key: &str) -> Result<Provider, String> {
    match name {
        None => Ok(Provider::IcloudKeychain),
        Some(n) => Provider::from_name(n).ok_or_else(|| {
            let known: Vec<&str> = Provider::ALL.iter().map(|p| p.name()).collect();
            format!("{key} {n:?}: expected one of {}", known.join(", "))
        }),
    }
}

/// The mechanism a `migrate` step names.
pub(crate) fn mechanism(s: &MigrateStep) -> Result<Mechanism, String> {
    Ok(match s.mechanism.as_str() {
        "cloud-backup" => Mechanism::CloudBackup {
            recovery: s.account.clone(),
            strong_auth: true,
        },
        "keychain-sync" => Mechanism::KeychainSync {
            platform_account: s.account.clone(),
        },
        "google-transfer" => Mechanism::GoogleTransfer(Transfer {
            accounts_per_qr: s.accounts_per_qr,
            scan: s
                .scan
                .as_ref()
                .map(|list| list.iter().map(|n| n.saturating_sub(1)).collect()),
            ..Transfer::default()
        }),
        "aegis-vault" => Mechanism::AegisVault {
            password: s.password.clone(),
        },
        "2fas" => Mechanism::TwoFas {
            password: s.password.clone(),
        },
        "cxf" => Mechanism::Cxf {
            exporter: provider(s.exporter.as_deref(), "exporter")?,
            importer: provider(s.importer.as_deref(), "importer")?,
            at: 0,
        },
        other => {
            return Err(format!(
                "mechanism {other:?}: expected cloud-backup, keychain-sync, google-transfer, aegis-vault, 2fas or cxf"
            ))
        }
    })
}

/// What the site offers for an enrolment step.
fn site_offer(s: &EnrolTotpStep, algorithm: Algorithm) -> SiteOffer {
    SiteOffer {
        issuer: s.site.clone(),
        user: s.user.clone(),
        algorithm,
        digits: s.digits,
        kind: match s.counter {
            Some(counter) => OtpKind::Hotp { counter },
            None => OtpKind::Totp { period: s.period },
        },
        secret_len: s.secret_bytes,
        style: UriStyle {
            issuer: match s.issuer_in {
                IssuerInSpec::Both => IssuerPlacement::Both,
                IssuerInSpec::Label => IssuerPlacement::LabelOnly,
                IssuerInSpec::Parameter => IssuerPlacement::ParameterOnly,
            },
            padded_secret: s.padded_secret,
            lowercase_secret: s.lowercase_secret,
        },
        module_px: 4,
    }
}

/// What left the old phone, as a trace record (so trace approval sees its bytes drift).
fn wire_record(app: &str, what: String, bytes: &[u8]) -> TraceRecord {
    TraceRecord {
        t_ms: 0,
        actor: app.to_owned(),
        layer: Layer::Export,
        // A note on the old phone's lane: the diagram has no lane for the other phone.
        dir: Direction::Note,
        what,
        len: bytes.len(),
        hex: hex::encode(bytes),
        cbor: None,
    }
}

impl Run<'_> {
    fn sync_clock(&mut self) {
        self.apps.now = self.unix_time;
    }

    pub(super) fn enrol_totp(
        &mut self,
        number: usize,
        step: &Step,
        s: &EnrolTotpStep,
    ) -> StepResult {
        self.sync_clock();
        let algorithm = match algorithm(&s.algorithm) {
            Ok(a) => a,
            Err(e) => return failed(number, step, e),
        };
        let outcome = match self.apps.enrol(&s.app, &site_offer(s, algorithm)) {
            Ok(outcome) => outcome,
            Err(e) => return failed(number, step, e.to_string()),
        };
        let mut failures = Vec::new();
        let mut enrolment_record = None;
        let (got, findings, text, summary) = match &outcome {
            Err(refused) => (
                EnrolOutcome::Refused,
                Vec::new(),
                refused.to_string(),
                format!("refused: {refused}"),
            ),
            Ok(enrolment) => {
                let findings: Vec<String> = enrolment
                    .findings
                    .iter()
                    .map(|f| f.name().to_string())
                    .collect();
                enrolment_record = Some(wire_record(
                    &s.site,
                    "enrolment QR".into(),
                    enrolment.uri.as_bytes(),
                ));
                match &enrolment.confirmation {
                    Ok(ok) => (
                        EnrolOutcome::Enrolled,
                        findings,
                        ok.clone(),
                        format!("enrolled: {}; first {ok}", enrolment.uri),
                    ),
                    Err(why) => (
                        EnrolOutcome::ConfirmFailed,
                        findings,
                        why.clone(),
                        format!("stored, first code refused: {why}"),
                    ),
                }
            }
        };
        if got != s.expect.outcome {
            failures.push(format!(
                "expected outcome {:?}, got {got:?}: {text}",
                s.expect.outcome
            ));
        }
        for finding in &s.expect.findings {
            if !findings.contains(finding) {
                failures.push(format!(
                    "expected finding {finding}, the app reported [{}]",
                    findings.join(", ")
                ));
            }
        }
        if let Some(part) = &s.expect.error {
            if !text.contains(part.as_str()) {
                failures.push(format!(
                    "expected the reason to contain {part:?}, it was {text:?}"
                ));
            }
        }
        let mut result = StepResult::plain(number, step, summary);
        result.failures = failures;
        result.trace = enrolment_record.into_iter().collect();
        result
    }

    pub(super) fn otp_sign_in(
        &mut self,
        number: usize,
        step: &Step,
        s: &OtpSignInStep,
    ) -> StepResult {
        self.sync_clock();
        let outcome = match self.apps.sign_in(&s.app, &s.account) {
            Ok(outcome) => outcome,
            Err(e) => return failed(number, step, e.to_string()),
        };
        let (got, text) = match &outcome {
            Ok(ok) => (OtpVerdict::Accepted, ok.clone()),
            Err(why) => (OtpVerdict::Refused, why.clone()),
        };
        let mut result = StepResult::plain(number, step, format!("{got:?}: {text}").to_lowercase());
        if got != s.expect.outcome {
            result.failures.push(format!(
                "expected {:?}, got {got:?}: {text}",
                s.expect.outcome
            ));
        }
        if let Some(part) = &s.expect.error {
            if !text.contains(part.as_str()) {
                result.failures.push(format!(
                    "expected the reason to contain {part:?}, it was {text:?}"
                ));
            }
        }
        result
    }

    pub(super) fn migrate(&mut self, number: usize, step: &Step, s: &MigrateStep) -> StepResult {
        self.sync_clock();
        let prepared = mechanism(s).and_then(|m| quirks(&s.quirks).map(|q| (m, q)));
        let (mechanism, quirks) = match prepared {
            Ok(p) => p,
            Err(e) => return failed(number, step, e),
        };
        let (mut report, wire) = match self.apps.migrate(&s.from, &s.to, &mechanism, &quirks) {
            Ok(done) => done,
            Err(e) => return failed(number, step, e.to_string()),
        };
        if s.hybrid_sign_in {
            self.passkeys_over_hybrid(number, &s.from, &s.to, &mut report);
        }
        let moved = report
            .rows
            .iter()
            .filter(|r| r.arrival == hybridsim_apps::Arrival::Moved)
            .count();
        let mut summary = format!(
            "{}: {moved} of {} accounts moved unchanged",
            report.mechanism,
            report.rows.len()
        );
        if let Some(bug) = &s.shows_bug {
            summary.push_str(&format!(" (reproduces {bug})"));
        }
        let mut result = StepResult::plain(number, step, summary);
        result.failures = check_report(&report, s);
        result.trace = wire
            .into_iter()
            .map(|(what, bytes)| wire_record(&s.from, what, &bytes))
            .collect();
        result.migration = Some(report);
        result
    }

    pub(super) fn backup(&mut self, number: usize, step: &Step, s: &BackupStep) -> StepResult {
        self.sync_clock();
        let outcome = quirks(&s.quirks).and_then(|q| {
            self.apps
                .backup(&s.app, &s.account, &q)
                .map_err(|e| e.to_string())
        });
        self.cloud_result(number, step, &s.app, outcome, &s.expect)
    }

    pub(super) fn restore(&mut self, number: usize, step: &Step, s: &RestoreStep) -> StepResult {
        self.sync_clock();
        let outcome = quirks(&s.quirks).and_then(|q| {
            self.apps
                .restore(&s.app, &s.account, &q)
                .map_err(|e| e.to_string())
        });
        self.cloud_result(number, step, &s.app, outcome, &s.expect)
    }

    fn cloud_result(
        &self,
        number: usize,
        step: &Step,
        app: &str,
        outcome: Result<Result<Vec<String>, MigrationFailure>, String>,
        expect: &CloudExpect,
    ) -> StepResult {
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(e) => return failed(number, step, e),
        };
        let (got, notes) = match outcome {
            Ok(notes) => (CloudOutcome::Ok, notes),
            Err(refusal) => (CloudOutcome::Refused, vec![refusal.to_string()]),
        };
        let held = self.apps.phones.get(app).map_or(0, |p| p.accounts.len());
        let mut result = StepResult::plain(
            number,
            step,
            format!(
                "{got:?}; the app holds {held} accounts; {}",
                notes.join("; ")
            )
            .to_lowercase(),
        );
        if got != expect.outcome {
            result.failures.push(format!(
                "expected {:?}, got {got:?}: {}",
                expect.outcome,
                notes.join("; ")
            ));
        }
        if let Some(count) = expect.accounts {
            if count != held {
                result.failures.push(format!(
                    "expected {count} accounts in {app}, it holds {held}"
                ));
            }
        }
        let all = notes.join("\n");
        for part in &expect.notes {
            if !all.contains(part.as_str()) {
                result.failures.push(format!(
                    "expected a note containing {part:?}; notes: {}",
                    notes.join(" | ")
                ));
            }
        }
        result
    }
}

/// The report against a `migrate` step's expectations, one line per mismatch.
fn check_report(report: &MigrationReport, s: &MigrateStep) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(lossless) = s.expect.lossless {
        if report.lossless() != lossless {
            failures.push(format!(
                "expected lossless = {lossless}, the report says otherwise:\n{}",
                report.to_table()
            ));
        }
    }
    // Two accounts can have the same label (the M19 collision): the n-th expectation for a
    // label is checked against the n-th row with it.
    let mut seen: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for RowExpect {
        account,
        arrival,
        same_code,
        site_accepts,
        why,
    } in &s.expect.accounts
    {
        let nth = seen.entry(account.as_str()).or_insert(0);
        let row = report
            .rows
            .iter()
            .filter(|r| &r.account == account)
            .nth(*nth);
        *nth += 1;
        let Some(row) = row else {
            failures.push(format!(
                "no report row for {account:?}; rows: {}",
                report
                    .rows
                    .iter()
                    .map(|r| r.account.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        };
        check_row(
            row,
            account,
            arrival,
            *same_code,
            *site_accepts,
            why,
            &mut failures,
        );
    }
    let notes = report.notes.join("\n");
    for part in &s.expect.notes {
        if !notes.contains(part.as_str()) {
            failures.push(format!(
                "expected a note containing {part:?}; notes: {}",
                report.notes.join(" | ")
            ));
        }
    }
    failures
}

/// One report row against what the step expects of it.
fn check_row(
    row: &ReportRow,
    account: &str,
    arrival: &Option<String>,
    same_code: Option<bool>,
    site_accepts: Option<bool>,
    why: &Option<String>,
    failures: &mut Vec<String>,
) {
    if let Some(arrival) = arrival {
        if row.arrival.word() != arrival {
            failures.push(format!(
                "{account}: expected arrival {arrival}, got {} ({})",
                row.arrival.word(),
                row.why.join("; ")
            ));
        }
    }
    if let Some(same) = same_code {
        if row.same_code != Some(same) {
            failures.push(format!(
                "{account}: expected same_code = {same}, got {:?}",
                row.same_code
            ));
        }
    }
    if let Some(accepts) = site_accepts {
        if row.site_accepts != accepts {
            failures.push(format!(
                "{account}: expected site_accepts = {accepts} ({})",
                row.why.join("; ")
            ));
        }
    }
    if let Some(part) = why {
        let reasons = row.why.join("; ");
        if !reasons.contains(part.as_str()) {
            failures.push(format!(
                "{account}: expected a reason containing {part:?}, reasons: {reasons}"
            ));
        }
    }
}
