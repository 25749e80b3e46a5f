//! One cell of the matrix: a desktop profile, a phone profile and a flow, run in the
//! simulated world with a strict relying party checking the response.
//!
//! Sign-in and linked cells need a passkey (and for linked, a link) first: that setup runs
//! with hybridsim's own desktop taking CTAP 2.3 adverts, so a cell fails for what the
//! desktop under test does in the flow itself. A setup that fails makes the cell fail with
//! the setup's party and layer, its reason prefixed `setup:`.
//!
//! A failed party is the cell's failure. When no party failed and the page got no response,
//! the browser's typed reason (`Outcome::response_error`) names whose answer it was: an error
//! status, an empty answer or one that does not decode is the phone's at the `ctap` layer
//! (the `buggy-non-canonical` phone's reverse-ordered maps); one that decodes but that the
//! browser's checks refuse is the desktop's at `webauthn`. A response the relying party
//! refuses is `rp` at `webauthn`.

use crate::spec::Flow;
use hybridsim_peers::desktop::{DesktopConfig, DesktopProfile};
use hybridsim_peers::{LinkedDevice, Vocabulary};
use hybridsim_proto::advert::LengthRule;
use hybridsim_scenario::builtin;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::json::{AuthenticationResponseJson, RegistrationResponseJson, UserEntity};
use hybridsim_webauthn::rp::{
    AuthenticationRequest, RegisteredCredential, RegistrationRequest, RelyingParty, ResidentKey,
};
use hybridsim_webauthn::x509::pem_to_der;
use hybridsim_world::ceremony::{no_response_blame, Ceremony, Outcome, PhoneState};
use hybridsim_world::trace::TraceRecord;
use sha2::{Digest, Sha256};

/// The browser tab's origin in every cell.
pub const ORIGIN: &str = "https://login.example";

/// How a cell ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The browser got a response and the relying party accepted it.
    Pass,
    /// Something failed first.
    Fail {
        /// `desktop`, `phone` or `rp`.
        party: String,
        /// The layer (`ble`, `qr`, `ctap`, …; `webauthn` for the relying party).
        layer: String,
        /// The reason, one line.
        error: String,
    },
}

/// One cell's result.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The desktop profile's name.
    pub desktop: String,
    /// The phone profile's name.
    pub phone: String,
    /// The flow.
    pub flow: Flow,
    /// How it ended.
    pub verdict: Verdict,
    /// The trace of the flow's own ceremony (the setup's, when the setup failed).
    pub trace: Vec<TraceRecord>,
    /// Virtual time of that ceremony, ms.
    pub virtual_ms: u64,
}

impl Cell {
    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }
}

/// What a ceremony came to, with its trace.
struct Ran {
    verdict: Verdict,
    trace: Vec<TraceRecord>,
    virtual_ms: u64,
}

/// Runs one cell.
pub fn run_cell(desktop: &(String, DesktopProfile), phone: &(String, String), flow: Flow) -> Cell {
    let seed = seed(&desktop.0, &phone.0, flow);
    let ran = match flow {
        Flow::Register => register_cell(desktop, phone, seed),
        Flow::SignIn | Flow::Linked => sign_in_cell(desktop, phone, flow, seed),
    };
    Cell {
        desktop: desktop.0.clone(),
        phone: phone.0.clone(),
        flow,
        verdict: ran.verdict,
        trace: ran.trace,
        virtual_ms: ran.virtual_ms,
    }
}

fn register_cell(desktop: &(String, DesktopProfile), phone: &(String, String), seed: u64) -> Ran {
    let rp = relying_party();
    match phone_state(&phone.1, seed) {
        Err(error) => setup_error(error),
        Ok(state) => {
            let ceremony = Ceremony::new(seed)
                .phone(state)
                .desktop_profile(desktop.1.clone());
            register(&rp, ceremony).0
        }
    }
}

fn sign_in_cell(
    desktop: &(String, DesktopProfile),
    phone: &(String, String),
    flow: Flow,
    seed: u64,
) -> Ran {
    let rp = relying_party();
    let state = match phone_state(&phone.1, seed) {
        Ok(state) => state,
        Err(error) => return setup_error(error),
    };
    let linked = flow == Flow::Linked;
    let setup = Ceremony::new(seed ^ 1)
        .phone(state)
        .offer_linking(linked)
        .configure_desktop(permissive);
    let (ran, done) = register(&rp, setup);
    let Some((mut credential, mut outcome)) = done else {
        return as_setup(ran);
    };
    let Some(state) = outcome.phone_state.take() else {
        return setup_error("the phone was not returned".to_owned());
    };
    let (options, auth) = rp.start_authentication(
        &[],
        challenge(seed, b"sign-in"),
        &AuthenticationRequest::default(),
    );
    let ceremony = Ceremony::new(seed ^ 2)
        .phone(state)
        .desktop_profile(desktop.1.clone());
    let result = match (linked, outcome.linked_device.as_ref()) {
        (false, _) => ceremony.sign_in(&options.to_json()),
        (true, Some(link)) => sign_in_linked(ceremony, link, &options.to_json()),
        (true, None) => {
            return Ran {
                verdict: fail("phone", "transport", "setup: no link: the phone sent no linking info although the QR code offered linking"),
                trace: outcome.trace.records().to_vec(),
                virtual_ms: outcome.virtual_time.as_millis(),
            }
        }
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => return setup_error(error.to_string()),
    };
    let verdict = party_verdict(&outcome).unwrap_or_else(|| {
        let checked = outcome.response_json.as_deref().map(|json| {
            AuthenticationResponseJson::from_json(json)
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    rp.finish_authentication(&auth, &r, &mut credential)
                        .map_err(|e| e.to_string())
                })
        });
        rp_verdict(&outcome, checked.map(|c| c.map(drop)))
    });
    Ran {
        verdict,
        trace: outcome.trace.records().to_vec(),
        virtual_ms: outcome.virtual_time.as_millis(),
    }
}

fn sign_in_linked(
    ceremony: Ceremony,
    link: &LinkedDevice,
    options: &str,
) -> Result<Outcome, hybridsim_world::ceremony::CeremonyError> {
    ceremony.sign_in_linked(link, options)
}

/// A registration checked by `rp`: the ceremony's verdict, and on a pass the credential and
/// the outcome (with the phone for the next ceremony).
fn register(
    rp: &RelyingParty,
    ceremony: Ceremony,
) -> (Ran, Option<(RegisteredCredential, Outcome)>) {
    let user = UserEntity {
        id: Base64Url(b"user-1".to_vec()),
        name: "alex".into(),
        display_name: "Alex".into(),
    };
    let request = RegistrationRequest {
        resident_key: ResidentKey::Required,
        ..RegistrationRequest::default()
    };
    let (options, state) = rp.start_registration(user, [1; 32], &request);
    let outcome = match ceremony.register(&options.to_json()) {
        Ok(outcome) => outcome,
        Err(error) => return (setup_error(error.to_string()), None),
    };
    let now = hybridsim_scenario::model::DEFAULT_UNIX_TIME;
    let checked = outcome.response_json.as_deref().map(|json| {
        RegistrationResponseJson::from_json(json)
            .map_err(|e| e.to_string())
            .and_then(|r| {
                rp.finish_registration(&state, &r, now)
                    .map_err(|e| e.to_string())
            })
    });
    let credential = checked.as_ref().and_then(|c| c.as_ref().ok()).cloned();
    let verdict = party_verdict(&outcome)
        .unwrap_or_else(|| rp_verdict(&outcome, checked.map(|c| c.map(drop))));
    let ran = Ran {
        verdict,
        trace: outcome.trace.records().to_vec(),
        virtual_ms: outcome.virtual_time.as_millis(),
    };
    let done = (ran.verdict == Verdict::Pass)
        .then_some(credential)
        .flatten()
        .map(|c| (c, outcome));
    (ran, done)
}

/// The first party to fail, if one did.
fn party_verdict(outcome: &Outcome) -> Option<Verdict> {
    outcome.first_failure().map(|f| {
        fail(
            f.party.name(),
            f.error.layer.name(),
            &f.error.reason.to_string(),
        )
    })
}

/// The browser's and the relying party's say when no party failed. A reason the browser has
/// for no response JSON names the party whose answer it is (`no_response_blame`): an error
/// status, an empty answer or one that does not decode is the phone's at the `ctap` layer;
/// one that decodes but that the browser's checks refuse is the desktop's at `webauthn`.
fn rp_verdict(outcome: &Outcome, checked: Option<Result<(), String>>) -> Verdict {
    match (checked, &outcome.response_error) {
        (Some(Ok(())), _) => Verdict::Pass,
        (Some(Err(error)), _) => fail("rp", "webauthn", &error),
        (None, Some(reason)) => {
            let (party, layer) = no_response_blame(reason);
            fail(party.name(), layer.name(), &reason.to_string())
        }
        (None, None) => fail("desktop", "webauthn", "the browser produced no response"),
    }
}

fn fail(party: &str, layer: &str, error: &str) -> Verdict {
    Verdict::Fail {
        party: party.to_owned(),
        layer: layer.to_owned(),
        error: error.to_owned(),
    }
}

fn as_setup(mut ran: Ran) -> Ran {
    if let Verdict::Fail { error, .. } = &mut ran.verdict {
        *error = format!("setup: {error}");
    }
    ran
}

fn setup_error(error: String) -> Ran {
    Ran {
        verdict: fail("setup", "setup", &error),
        trace: Vec::new(),
        virtual_ms: 0,
    }
}

/// hybridsim's desktop for setups, taking CTAP 2.3 suffixed adverts.
fn permissive(desktop: &mut DesktopConfig) {
    desktop.advert_length = LengthRule::AllowSuffix;
}

fn relying_party() -> RelyingParty {
    let mut rp = RelyingParty::new("login.example", "Login", &[ORIGIN]);
    if let Ok(der) = pem_to_der(builtin::TEST_CA_PEM) {
        rp.trusted_roots = vec![der];
    }
    rp
}

fn phone_state(toml: &str, seed: u64) -> Result<PhoneState, String> {
    PhoneState::from_profile(
        toml,
        builtin::attestation_file,
        challenge(seed, b"authenticator"),
    )
    .map_err(|e| e.to_string())
}

/// A cell's seed: the same names always give the same bytes.
fn seed(desktop: &str, phone: &str, flow: Flow) -> u64 {
    let digest = Sha256::digest(format!("{desktop} {phone} {flow}"));
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    u64::from_le_bytes(bytes)
}

fn challenge(seed: u64, purpose: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(seed.to_le_bytes());
    hash.update(purpose);
    hash.finalize().into()
}
