//! A fault schedule: one run's flow, phone, desktop, radio and faults, and how a seed picks
//! one at random from a [`Pool`].
//!
//! Everything a schedule holds can be written in a scenario file (`crate::scenario`), so a
//! run found here replays under `hybridsim run`: faults are catalogue names at a step
//! (`ws-split@3`, `clock-skew@120`, `phone-silent@2`), radio conditions are the
//! scenario's `[world.radio]`, the desktop is a [`DesktopChoice`].

use hybridsim_world::faults::{Fault, FaultAt, Medium};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde::Serialize;
use std::fmt;

/// Which ceremony the faults hit: a faulted registration; a clean registration, then a
/// faulted sign-in; a clean registration that links, then a faulted linked sign-in.
pub use hybridsim_scenario::flow::Flow;

/// The desktop (the browser): a shipped desktop profile (`fixtures/desktops/`), or
/// hybridsim's own desktop with one knob turned. The knobs stay beside the profiles because
/// they reach combinations no shipped profile has: hybridsim's desktop (Chromium's QR and
/// policies, getInfo logged only), and the detecting crypter under Chromium's strict update
/// policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DesktopChoice {
    /// hybridsim's desktop: Chromium's strict update policy, the new transport construction.
    Chromium,
    /// hybridsim's desktop, ignoring update and linking info it cannot accept.
    Lenient,
    /// hybridsim's desktop, detecting the phone's transport construction (webauthn-rs'
    /// initiator).
    Detect,
    /// A shipped desktop profile, by its name in `hybridsim_scenario::builtin::DESKTOPS`.
    Profile(&'static str),
}

impl DesktopChoice {
    /// The knobs on hybridsim's desktop, the plainest first.
    pub const KNOBS: &'static [DesktopChoice] = &[
        DesktopChoice::Chromium,
        DesktopChoice::Lenient,
        DesktopChoice::Detect,
    ];

    /// Every desktop: the knobs (the plainest first), then every shipped desktop profile.
    pub fn all() -> Vec<DesktopChoice> {
        let profiles = hybridsim_scenario::builtin::DESKTOPS
            .iter()
            .map(|(name, _)| DesktopChoice::Profile(name));
        DesktopChoice::KNOBS
            .iter()
            .copied()
            .chain(profiles)
            .collect()
    }

    /// Its name on the command line and in reports (a profile's is the profile's).
    pub fn name(self) -> &'static str {
        match self {
            DesktopChoice::Chromium => "chromium",
            DesktopChoice::Lenient => "lenient",
            DesktopChoice::Detect => "detect",
            DesktopChoice::Profile(name) => name,
        }
    }

    /// The desktop called `name`: a knob or a shipped desktop profile.
    pub fn from_name(name: &str) -> Option<DesktopChoice> {
        DesktopChoice::all().into_iter().find(|d| d.name() == name)
    }
}

impl Serialize for DesktopChoice {
    /// As its name, the form `--desktop` takes.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Radio conditions a schedule sets; `None` keeps the quiet room's value. Probabilities are
/// whole twentieths so that they print and parse back exactly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Radio {
    /// Broadcast-to-reception latency, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Probability that a reception is lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    /// Probability that a reception arrives twice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<f64>,
}

impl Radio {
    /// Whether it is the quiet room.
    pub fn is_default(&self) -> bool {
        *self == Radio::default()
    }
}

/// One run's choices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    /// The world seed of the scenario (peers' keys, challenges, the radio's dice).
    pub seed: u64,
    /// Which ceremony is faulted.
    pub flow: Flow,
    /// The phone's profile (a shipped profile name).
    pub phone: String,
    /// The desktop.
    pub desktop: DesktopChoice,
    /// Radio conditions for every ceremony of the run.
    pub radio: Radio,
    /// The faults of the faulted ceremony, `NAME[@STEP]`.
    #[serde(serialize_with = "fault_names")]
    pub faults: Vec<FaultAt>,
    /// Keep secret bytes in the "default" trace: never drawn at random; a deliberately
    /// broken schedule proving the secrets invariant can fail.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reveal_secrets: bool,
}

fn fault_names<S: serde::Serializer>(faults: &[FaultAt], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(faults.iter().map(ToString::to_string))
}

impl fmt::Display for Schedule {
    /// `sign-in phone=ios16 desktop=chromium radio=latency:40ms,loss:0.25 faults=ws-split@3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} phone={} desktop={}",
            self.flow.name(),
            self.phone,
            self.desktop.name()
        )?;
        let mut radio = Vec::new();
        if let Some(ms) = self.radio.latency_ms {
            radio.push(format!("latency:{ms}ms"));
        }
        if let Some(p) = self.radio.loss {
            radio.push(format!("loss:{p}"));
        }
        if let Some(p) = self.radio.duplicate {
            radio.push(format!("duplicate:{p}"));
        }
        if !radio.is_empty() {
            write!(f, " radio={}", radio.join(","))?;
        }
        let faults: Vec<String> = self.faults.iter().map(ToString::to_string).collect();
        write!(f, " faults={}", faults.join(","))?;
        if self.reveal_secrets {
            f.write_str(" reveal-secrets")?;
        }
        Ok(())
    }
}

/// What schedules are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    /// Phone profiles (shipped names).
    pub phones: Vec<String>,
    /// Desktops.
    pub desktops: Vec<DesktopChoice>,
    /// Flows.
    pub flows: Vec<Flow>,
    /// At most this many faults per run (0 to this, uniformly).
    pub max_faults: usize,
}

/// The shipped profiles that model conformant phones. The `buggy-*` profiles answer with
/// responses a relying party must refuse (that is what they are for), so a desktop reports
/// success the relying party does not share: they break the agreement invariant by design
/// and are drawn only when named.
pub fn conformant_phones() -> Vec<String> {
    hybridsim_scenario::builtin::profile_names()
        .into_iter()
        .filter(|name| !name.starts_with("buggy-"))
        .map(str::to_owned)
        .collect()
}

impl Default for Pool {
    /// Every conformant phone, every desktop (knobs and shipped profiles), every flow, up
    /// to 3 faults.
    fn default() -> Self {
        Pool {
            phones: conformant_phones(),
            desktops: DesktopChoice::all(),
            flows: Flow::ALL.to_vec(),
            max_faults: 3,
        }
    }
}

/// Whether the shipped phone profile `name` sends linking info (the iPhone's never does:
/// iOS needs the QR code every time). A profile that does not parse counts as linking, so
/// that the scenario runner, not the draw, reports it.
pub fn phone_links(name: &str) -> bool {
    hybridsim_scenario::builtin::profile(name)
        .and_then(|text| hybridsim_ctap::profile::Profile::from_toml_str(text).ok())
        .is_none_or(|profile| profile.hybrid.linking)
}

/// A uniformly random index below `n` (`n` > 0); the modulo bias is irrelevant here.
fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
    usize::try_from(rng.next_u64() % n).unwrap_or(0)
}

fn pick<T: Clone>(rng: &mut ChaCha8Rng, items: &[T], fallback: T) -> T {
    items
        .get(below(rng, items.len()))
        .cloned()
        .unwrap_or(fallback)
}

/// A step for `fault` drawn from the range that reaches every occurrence a ceremony has.
fn random_step(rng: &mut ChaCha8Rng, fault: Fault) -> Option<u64> {
    let between = |rng: &mut ChaCha8Rng, lo: u64, hi: u64| lo + rng.next_u64() % (hi - lo + 1);
    match fault {
        _ if !fault.takes_step() => None,
        Fault::ClockSkew => Some(between(rng, 0, 7200)),
        Fault::PhoneSilent | Fault::DesktopSilent => Some(between(rng, 1, 6)),
        _ => match fault.medium() {
            // A ceremony makes at most 3 upgrades and relays at most 9 messages.
            Medium::Upgrade => Some(between(rng, 1, 3)),
            Medium::Relay => Some(between(rng, 1, 9)),
            // Advert faults (and the BLE channel's): every occurrence (no step) or one of
            // the first few.
            Medium::Advert | Medium::Other => match between(rng, 0, 4) {
                0 => None,
                n => Some(n),
            },
        },
    }
}

/// A twentieth between 0 and `max` twentieths.
fn twentieths(rng: &mut ChaCha8Rng, max: u64) -> f64 {
    // At most 20 / 20: exact in f64.
    let n = u32::try_from(rng.next_u64() % (max + 1)).unwrap_or(0);
    f64::from(n) / 20.0
}

fn random_radio(rng: &mut ChaCha8Rng) -> Radio {
    let mut radio = Radio::default();
    if rng.next_u64().is_multiple_of(2) {
        return radio;
    }
    if rng.next_u64().is_multiple_of(2) {
        radio.latency_ms = Some(1 + rng.next_u64() % 300);
    }
    if rng.next_u64().is_multiple_of(2) {
        radio.loss = Some(twentieths(rng, 18));
    }
    if rng.next_u64().is_multiple_of(2) {
        radio.duplicate = Some(twentieths(rng, 10));
    }
    radio
}

/// A name given for a phone or a desktop that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no {what} {name:?}; the {what}s are: {known}")]
pub struct UnknownName {
    /// `phone` or `desktop`.
    pub what: &'static str,
    /// The name given.
    pub name: String,
    /// The names there are.
    pub known: String,
}

impl Pool {
    /// The default pool restricted to the `phones` and `desktops` named (empty: all of
    /// them), with at most `max_faults` faults a run. A `buggy-*` phone may be named.
    pub fn named(
        phones: &[String],
        desktops: &[String],
        max_faults: usize,
    ) -> Result<Pool, UnknownName> {
        let mut pool = Pool {
            max_faults,
            ..Pool::default()
        };
        if !phones.is_empty() {
            let known = hybridsim_scenario::builtin::profile_names();
            if let Some(name) = phones.iter().find(|p| !known.contains(&p.as_str())) {
                return Err(UnknownName {
                    what: "phone",
                    name: name.clone(),
                    known: known.join(", "),
                });
            }
            pool.phones = phones.to_vec();
        }
        if !desktops.is_empty() {
            pool.desktops = desktops
                .iter()
                .map(|name| {
                    DesktopChoice::from_name(name).ok_or_else(|| UnknownName {
                        what: "desktop",
                        name: name.clone(),
                        known: DesktopChoice::all()
                            .iter()
                            .map(|d| d.name())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(pool)
    }

    /// The schedule of run `seed`: the same seed and pool always give the same schedule.
    pub fn draw(&self, seed: u64) -> Schedule {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut flow = pick(&mut rng, &self.flows, Flow::Register);
        let phone = pick(&mut rng, &self.phones, String::from("ios16"));
        if flow == Flow::Linked && !phone_links(&phone) {
            // A phone that never links leaves a linked sign-in no link to use: the run
            // would execute no faulted ceremony. Another flow, when the pool has one.
            let others: Vec<Flow> = self.flows.iter().copied().filter(|f| *f != flow).collect();
            flow = pick(&mut rng, &others, flow);
        }
        let desktop = pick(&mut rng, &self.desktops, DesktopChoice::Chromium);
        let radio = random_radio(&mut rng);
        let count = below(&mut rng, self.max_faults.saturating_add(1));
        let usable: Vec<Fault> = Fault::ALL
            .iter()
            .copied()
            .filter(|f| match flow {
                Flow::Linked => !f.qr_only(),
                Flow::Register | Flow::SignIn => !f.linked_only(),
            })
            .collect();
        let mut faults = Vec::with_capacity(count);
        for _ in 0..count {
            let fault = pick(&mut rng, &usable, Fault::QrStale);
            let at = FaultAt {
                fault,
                step: random_step(&mut rng, fault),
            };
            if !faults.contains(&at) {
                faults.push(at);
            }
        }
        Schedule {
            seed: rng.next_u64() % 1_000_000,
            flow,
            phone,
            desktop,
            radio,
            faults,
            reveal_secrets: false,
        }
    }
}

/// The seed of run `index` of an exploration seeded with `seed` (SplitMix64): runs are
/// independent of how many threads share them.
pub fn run_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed
        .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
