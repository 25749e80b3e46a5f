//! `rp check URL`: drives a relying party that serves the FIDO2 server conformance API
//! through full hybrid ceremonies and reports each check as pass or fail.
//!
//! Checks, in order: creation options well formed; a registration whose clientDataJSON
//! names another origin refused; a genuine registration accepted; the same registration
//! replayed refused; request options well formed and allowing the new credential; an
//! assertion with a flipped signature bit refused; a genuine assertion accepted; the same
//! assertion replayed refused. A check that leaves nothing to go on ends the run early. An
//! RP that cannot be reached at all is an error, not a failed check.

// Reading a serde_json::Value by key gives Null for a missing member and never panics.
#![allow(clippy::indexing_slicing)]

use crate::ceremony::{from_another_origin, register, sign_in, with_bad_signature};
use crate::client::{PostError, RpClient, SetupError};
use crate::verdict::{accepted, creation_options, ok, refused, request_options};
use hybridsim_junit::{Case, Outcome, Suite};
use hybridsim_world::ceremony::PhoneState;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How `rp check` runs; under the `clap` feature also `hybridsim rp check`'s flags (each
/// field's doc is its flag's help).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct CheckOptions {
    /// Also trust the certificates in this PEM file for https:// (a private CA or a
    /// self-signed RP), besides the WebPKI roots.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub ca: Option<PathBuf>,
    /// The origin our browser claims; default https:// and the RP ID from the options.
    #[cfg_attr(feature = "clap", arg(long, value_name = "URL"))]
    pub origin: Option<String>,
    /// Seed of the ceremonies (and of the phone's authenticator).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0))]
    pub seed: u64,
    /// The username to register (the RP keeps it).
    #[cfg_attr(feature = "clap", arg(long, default_value = "hybridsim-check"))]
    pub username: String,
    /// Seconds each HTTP request may take, connecting included; an RP that cannot be
    /// connected to exits 3.
    #[cfg_attr(feature = "clap", arg(long, value_name = "S", default_value = "10",
        value_parser = crate::flags::seconds_at_least_one()))]
    pub timeout: Duration,
}

/// One check and how it went: `Ok(detail)` passed, `Err(why)` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// What was checked.
    pub name: &'static str,
    /// Passed with a detail, or failed with the reason.
    pub result: Result<String, String>,
    /// Wall time since the previous check was recorded (its requests and ceremonies).
    pub time: Duration,
}

/// Every check run against one RP, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The RP's base URL.
    pub url: String,
    /// The checks run.
    pub checks: Vec<CheckResult>,
}

impl CheckReport {
    /// Checks that failed.
    pub fn failed(&self) -> usize {
        self.checks.iter().filter(|c| c.result.is_err()).count()
    }

    /// The report as lines: one `pass`/`FAIL` line per check, then the totals.
    pub fn to_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .checks
            .iter()
            .map(|check| match &check.result {
                Ok(detail) => format!("pass  {:<40} {detail}", check.name),
                Err(why) => format!("FAIL  {:<40} {why}", check.name),
            })
            .collect();
        let failed = self.failed();
        lines.push(format!(
            "{} passed, {failed} failed",
            self.checks.len() - failed
        ));
        lines
    }

    /// What failed, in one line, when a check did: `N of M checks failed against URL`.
    pub fn shortfall(&self) -> Option<String> {
        let failed = self.failed();
        (failed > 0).then(|| {
            let total = self.checks.len();
            format!("{failed} of {total} checks failed against {}", self.url)
        })
    }

    /// The report as JUnit XML: one suite, one test case per check, the URL as a property.
    pub fn to_junit_xml(&self) -> String {
        let cases = self.checks.iter().map(|check| {
            let outcome = match &check.result {
                Ok(_) => Outcome::Passed,
                Err(why) => Outcome::Failed {
                    message: why.clone(),
                    detail: None,
                },
            };
            let mut case = Case::new(check.name, "hybridsim.rp.check", outcome);
            case.time = check.time;
            case.output = check.result.as_ref().ok().cloned();
            case
        });
        let suite = Suite {
            name: "hybridsim rp check".to_owned(),
            properties: vec![("url".to_owned(), self.url.clone())],
            cases: cases.collect(),
            time: self.checks.iter().map(|c| c.time).sum(),
        };
        hybridsim_junit::render("hybridsim rp check", &[suite])
    }
}

/// Why no report could be made.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The URL or `--ca` cannot be used.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The RP could not be reached (DNS, connection, TLS).
    #[error("{0}")]
    Unreachable(PostError),
}

/// Runs every check against the RP at `url` with `phone` as the authenticator.
pub async fn check(
    url: &str,
    phone: PhoneState,
    options: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    let client = RpClient::new(url, options.ca.as_deref(), options.timeout)?;
    let mut run = Run {
        client,
        options,
        seed: options.seed,
        checks: Vec::new(),
        since: Instant::now(),
    };
    match run.all(phone).await {
        Err(Stop::Unreachable(e)) => Err(CheckError::Unreachable(e)),
        Ok(()) | Err(Stop::Recorded) => Ok(CheckReport {
            url: url.to_owned(),
            checks: run.checks,
        }),
    }
}

/// Why the run stops before its last check.
enum Stop {
    /// A failed check, recorded, leaves nothing to go on.
    Recorded,
    /// The RP cannot be reached.
    Unreachable(PostError),
}

struct Run<'a> {
    client: RpClient,
    options: &'a CheckOptions,
    seed: u64,
    checks: Vec<CheckResult>,
    /// When the previous check was recorded.
    since: Instant,
}

impl Run<'_> {
    fn record(&mut self, name: &'static str, result: Result<String, String>) {
        let time = self.since.elapsed();
        self.since = Instant::now();
        self.checks.push(CheckResult { name, result, time });
    }

    /// Records `name` failed and stops.
    fn fail<T>(&mut self, name: &'static str, why: String) -> Result<T, Stop> {
        self.record(name, Err(why));
        Err(Stop::Recorded)
    }

    /// The answer's JSON, `Err` for a failed exchange; an unreachable RP stops the run.
    async fn post(&mut self, path: &str, body: &Value) -> Result<Result<Value, String>, Stop> {
        match self.client.post(path, body).await {
            Ok((_, value)) => Ok(Ok(value)),
            Err(e @ PostError::Unreachable { .. }) => Err(Stop::Unreachable(e)),
            Err(e) => Ok(Err(e.to_string())),
        }
    }

    fn next_seed(&mut self) -> u64 {
        self.seed += 1;
        self.seed
    }

    async fn all(&mut self, phone: PhoneState) -> Result<(), Stop> {
        let (credential_id, origin, phone) = self.registration(phone).await?;
        self.authentication(&credential_id, &origin, phone).await
    }

    /// The registration checks; the new credential's id, the origin, the phone.
    async fn registration(
        &mut self,
        phone: PhoneState,
    ) -> Result<(String, String, PhoneState), Stop> {
        let username = self.options.username.clone();
        let request = json!({
            "username": username,
            "displayName": username,
            "authenticatorSelection": {"residentKey": "preferred", "userVerification": "preferred"},
            "attestation": "none"
        });
        // One options call for the tampered response, one for the genuine one.
        let name = "attestation options well formed";
        let options = match self.post("/attestation/options", &request).await? {
            Ok(o) => match creation_options(&o) {
                Ok(()) => o,
                Err(why) => return self.fail(name, why),
            },
            Err(why) => return self.fail(name, why),
        };
        self.record(name, Ok("challenge, rp, user, pubKeyCredParams".into()));
        let origin =
            self.options.origin.clone().unwrap_or_else(|| {
                format!("https://{}", options["rp"]["id"].as_str().unwrap_or(""))
            });
        let (tampered, phone) = match register(&options, &origin, self.seed, phone) {
            Ok(done) => done,
            Err(why) => return self.fail("registration ceremony", why),
        };
        let answer = self
            .post("/attestation/result", &from_another_origin(&tampered))
            .await?;
        self.record("registration from another origin refused", refused(answer));
        let seed = self.next_seed();
        let options = self.post("/attestation/options", &request).await?;
        let (registration, phone) = match options.and_then(|o| register(&o, &origin, seed, phone)) {
            Ok(done) => done,
            Err(why) => return self.fail("registration accepted", why),
        };
        let verdict = accepted(self.post("/attestation/result", &registration).await?);
        let registered = verdict.is_ok();
        self.record("registration accepted", verdict);
        let replay = refused(self.post("/attestation/result", &registration).await?);
        self.record("replayed registration refused", replay);
        if !registered {
            return Err(Stop::Recorded);
        }
        let id = registration["rawId"].as_str().unwrap_or_default();
        Ok((id.to_owned(), origin, phone))
    }

    /// The authentication checks, with the credential registered before.
    async fn authentication(
        &mut self,
        credential_id: &str,
        origin: &str,
        phone: PhoneState,
    ) -> Result<(), Stop> {
        let request = json!({"username": self.options.username, "userVerification": "preferred"});
        let name = "assertion options well formed";
        let options = match self.post("/assertion/options", &request).await? {
            Ok(o) => match request_options(&o, credential_id) {
                Ok(()) => o,
                Err(why) => return self.fail(name, why),
            },
            Err(why) => return self.fail(name, why),
        };
        self.record(
            name,
            Ok("challenge, allowCredentials has the credential".into()),
        );
        let seed = self.next_seed();
        let (assertion, phone) = match sign_in(&options, origin, seed, phone) {
            Ok(done) => done,
            Err(why) => return self.fail("assertion ceremony", why),
        };
        let answer = self
            .post("/assertion/result", &with_bad_signature(&assertion))
            .await?;
        self.record("assertion with a bad signature refused", refused(answer));
        let seed = self.next_seed();
        let options = self.post("/assertion/options", &request).await?;
        let signed = options.and_then(|o| {
            ok(&o).map_err(|why| format!("options: {why}"))?;
            sign_in(&o, origin, seed, phone)
        });
        let assertion = match signed {
            Ok((assertion, _)) => assertion,
            Err(why) => return self.fail("assertion accepted", why),
        };
        let verdict = accepted(self.post("/assertion/result", &assertion).await?);
        self.record("assertion accepted", verdict);
        let replay = refused(self.post("/assertion/result", &assertion).await?);
        self.record("replayed assertion refused", replay);
        Ok(())
    }
}

#[cfg(all(test, feature = "clap"))]
mod tests {
    use super::CheckOptions;
    use clap::Parser;
    use std::time::Duration;

    /// `hybridsim rp check`'s options, flattened as the binary has them.
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        options: CheckOptions,
    }

    #[test]
    fn the_flags_default_to_what_rp_check_documents() -> Result<(), clap::Error> {
        let options = Wrapper::try_parse_from(["check"])?.options;
        assert_eq!(
            (options.seed, options.username.as_str(), options.timeout),
            (0, "hybridsim-check", Duration::from_secs(10))
        );
        assert_eq!((options.origin, options.ca), (None, None));
        Ok(())
    }

    #[test]
    fn a_zero_timeout_is_one_second() -> Result<(), clap::Error> {
        let options = Wrapper::try_parse_from(["check", "--timeout", "0"])?.options;
        assert_eq!(options.timeout, Duration::from_secs(1));
        Ok(())
    }
}
