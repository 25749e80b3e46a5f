//! [`Ceremony`]: a whole WebAuthn ceremony over hybrid in a few lines.
//!
//! A browser on a desktop takes the relying party's options JSON, a phone with the given
//! authenticator answers, and every byte between them goes through the simulated world: the
//! QR code (or, for a linked phone, `/cable/contact` and a wake-up), the radio, the tunnel
//! server, the Noise handshake, the transport and CTAP. The [`Outcome`] says how each party
//! ended and when, and carries the response JSON, the trace, the link the phone offered and
//! the phone to use in the next ceremony.
//!
//! ```no_run
//! # use hybridsim_world::ceremony::{Ceremony, PhoneState};
//! # use hybridsim_world::faults::Fault;
//! # fn demo(phone: PhoneState, creation_options: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let outcome = Ceremony::new(7)
//!     .phone(phone)
//!     .origin("https://login.example")
//!     .fault(Fault::AdvertDuplicated)
//!     .register(creation_options)?;
//! assert!(outcome.succeeded());
//! let registration_json = outcome.response_json.unwrap();
//! # Ok(()) }
//! ```
//!
//! Seeds: the desktop's and the phone's random streams and the world's derive from the
//! ceremony seed; the authenticator brings its own. The same seed and the same phone give a
//! byte-identical trace.

use crate::fault::{ConnectRule, Rule};
use crate::faults::{
    AdvertRule, CameraRule, Fault, FaultAt, RelayRule, SecondCommandRule, UpgradeRule,
};
use crate::radio::RadioConfig;
use crate::trace::{Trace, TraceRecord};
use crate::world::{derive_seed, ActorId, World, WorldError};
use core::time::Duration;
use hybridsim_ctap::{
    Authenticator, GetAssertionResponse, MakeCredentialResponse, Profile, StatusCode,
};
use hybridsim_peers::desktop::{CrypterPolicy, Desktop, DesktopConfig, UpdatePolicy};
use hybridsim_peers::phone::{CtapHandler, Phone, PhoneConfig};
use hybridsim_peers::{LinkedDevice, Millis, Party, PeerError, Reason};
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_tunnel::Config as TunnelConfig;
use hybridsim_webauthn::client::{self, Caller, ClientError, PendingCreate, PendingGet};
use hybridsim_webauthn::json::{CreationOptionsJson, RequestOptionsJson};

/// The default origin of the browser tab.
pub const DEFAULT_ORIGIN: &str = "https://login.example";

/// How many deliveries a ceremony may take before it is called a livelock: far more than a
/// ceremony that sits out every timeout needs.
pub const MAX_STEPS: u64 = 2_000_000;

/// How long a year-old QR timestamp is in the past (`qr-stale`).
const STALE_QR_AGE: Duration = Duration::from_secs(365 * 24 * 3600);

/// What a browser reports as a hybrid phone's transports.
const HYBRID_TRANSPORTS: [&str; 2] = ["hybrid", "internal"];

/// A phone's identity: what its linking info and linked handshakes derive from.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneIdentity {
    /// The root secret (identity key and link secrets derive from it).
    pub root_secret: [u8; 32],
    /// The contact id the tunnel server wakes it by.
    pub contact_id: Vec<u8>,
}

impl core::fmt::Debug for PhoneIdentity {
    /// The root secret is left out.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PhoneIdentity")
            .field("contact_id", &hex::encode(&self.contact_id))
            .finish_non_exhaustive()
    }
}

/// A phone between ceremonies: its authenticator (with the credentials it holds) and, once it
/// has run a ceremony, its identity.
pub struct PhoneState {
    /// Answers the CTAP requests; holds the credentials.
    pub authenticator: Authenticator,
    /// `None`: drawn from the ceremony's phone seed (as `PhoneConfig::new` does).
    pub identity: Option<PhoneIdentity>,
}

impl core::fmt::Debug for PhoneState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PhoneState")
            .field("profile", &self.authenticator.profile().name)
            .field("credentials", &self.authenticator.store().credentials.len())
            .field("identity", &self.identity)
            .finish()
    }
}

impl From<Authenticator> for PhoneState {
    fn from(authenticator: Authenticator) -> PhoneState {
        PhoneState {
            authenticator,
            identity: None,
        }
    }
}

impl PhoneState {
    /// A phone running the profile in `toml`, whose user approves everything.
    /// `attestation_file` returns the text of a file the profile names (see
    /// `Profile::attester`); `seed` seeds the authenticator's key material.
    pub fn from_profile(
        toml: &str,
        attestation_file: impl FnMut(&str) -> Option<String>,
        seed: [u8; 32],
    ) -> Result<PhoneState, CeremonyError> {
        let profile =
            Profile::from_toml_str(toml).map_err(|e| CeremonyError::Profile(e.to_string()))?;
        let attester = profile
            .attester(attestation_file)
            .map_err(|e| CeremonyError::Profile(e.to_string()))?;
        let user = hybridsim_ctap::user::ScriptedUser::approving();
        Ok(Authenticator::new(profile, attester, seed, user).into())
    }
}

/// Why a ceremony could not be run at all (a ceremony that runs and fails is an
/// [`Outcome`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CeremonyError {
    /// No phone was given.
    #[error("no phone: give one with Ceremony::phone")]
    NoPhone,
    /// The options JSON does not parse.
    #[error("the options JSON is not valid: {0}")]
    Options(String),
    /// The browser refuses the options for this origin.
    #[error("the browser refuses these options: {0}")]
    Client(ClientError),
    /// The profile does not load.
    #[error("profile: {0}")]
    Profile(String),
    /// A fault that does not apply to this kind of ceremony.
    #[error("fault {0} applies to linked ceremonies only")]
    FaultNotApplicable(Fault),
    /// Faults are injected by the simulated world; a ceremony run by another driver (real
    /// sockets) cannot have them.
    #[error(
        "fault {0} needs the simulated world; it cannot be injected over a real tunnel server"
    )]
    FaultNeedsWorld(Fault),
    /// Custom fault rules are the simulated world's too.
    #[error(
        "custom fault rules need the simulated world; they cannot run over a real tunnel server"
    )]
    RulesNeedWorld,
}

/// What a driver outside the simulated world (real sockets) reports for a ceremony it ran
/// with the desktop and phone [`Ceremony`] prepared: see [`Ceremony::register_with`].
pub struct ExternalRun {
    /// How the desktop ended.
    pub desktop: Result<(), PeerError>,
    /// How the phone ended.
    pub phone: Result<(), PeerError>,
    /// The desktop after the run.
    pub desktop_peer: Desktop,
    /// The phone after the run.
    pub phone_peer: Phone,
    /// What happened, as trace records (times on the driver's clock).
    pub trace: Vec<TraceRecord>,
    /// How long the run took on the driver's clock.
    pub elapsed: Millis,
}

impl ExternalRun {
    /// A run that could not start (`why`): both peers abandoned untouched, no trace.
    pub fn not_started(desktop: Desktop, phone: Phone, why: &str) -> ExternalRun {
        let error = |party| Err(PeerError::new(party, Reason::Abandoned(why.to_owned())));
        ExternalRun {
            desktop: error(Party::Desktop),
            phone: error(Party::Phone),
            desktop_peer: desktop,
            phone_peer: phone,
            trace: Vec::new(),
            elapsed: Millis(0),
        }
    }
}

/// A party that failed, for reports.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyFailure {
    /// The desktop or the phone.
    pub party: Party,
    /// When it gave up (world time); `None` when it never finished (silenced, stalled).
    pub at: Option<Millis>,
    /// Where and why.
    pub error: PeerError,
}

/// How a ceremony ended.
#[derive(Debug)]
pub struct Outcome {
    /// How the desktop ended. A desktop that never finished (silenced, or stalled) is an
    /// error saying so.
    pub desktop: Result<(), PeerError>,
    /// When the desktop ended (world time); `None` if it never did.
    pub desktop_at: Option<Millis>,
    /// How the phone ended (same conventions).
    pub phone: Result<(), PeerError>,
    /// When the phone ended.
    pub phone_at: Option<Millis>,
    /// Other actors a fault brought in (the second phone of `tunnel-duplicate-new`).
    pub others: Vec<(String, Result<(), PeerError>)>,
    /// `RegistrationResponseJSON` or `AuthenticationResponseJSON`, when the desktop got a
    /// successful CTAP response and the browser accepted it.
    pub response_json: Option<String>,
    /// Why there is no response JSON although a CTAP response arrived (a CTAP error status,
    /// a response the browser refuses).
    pub response_error: Option<String>,
    /// The CTAP response the desktop received, `status ‖ CBOR`.
    pub ctap_response: Option<Vec<u8>>,
    /// Virtual time when the run ended.
    pub virtual_time: Millis,
    /// Every observable step.
    pub trace: Trace,
    /// The link the phone offered and the desktop verified (when linking was offered).
    pub linked_device: Option<LinkedDevice>,
    /// The tunnel server said the link is gone (HTTP 410): forget it.
    pub forget_link: bool,
    /// The phone, for the next ceremony (its authenticator holds any new credential).
    pub phone_state: Option<PhoneState>,
    /// Set when the run ended with parties still waiting (a livelock or a stall).
    pub world_error: Option<WorldError>,
}

impl Ceremony {
    /// The desktop's and the phone's configurations for this ceremony: options, seeds,
    /// protocol choices, the faults' settings and the hooks, in that order.
    fn configs(
        &mut self,
        command: u8,
        params: Vec<u8>,
        linked: Option<&LinkedDevice>,
    ) -> Result<(DesktopConfig, PhoneConfig), CeremonyError> {
        let phone_state = self.phone.take().ok_or(CeremonyError::NoPhone)?;

        let mut desktop_config =
            DesktopConfig::new(command, params, derive_seed(self.seed, b"desktop"));
        desktop_config.qr.linking = Some(self.offer_linking);
        desktop_config.update_policy = self.update_policy;
        desktop_config.crypter = self.crypter.unwrap_or(match self.construction {
            Construction::New => CrypterPolicy::New,
            Construction::Old => CrypterPolicy::Detect,
        });
        desktop_config.linked_device = linked.cloned();

        let mut phone_config =
            PhoneConfig::new(phone_state.authenticator, derive_seed(self.seed, b"phone"));
        if let Some(identity) = phone_state.identity {
            phone_config.root_secret = identity.root_secret;
            phone_config.contact_id = identity.contact_id;
        }
        phone_config.revision = self.revision;
        phone_config.construction = self.construction;

        for at in &self.faults {
            configure(*at, &mut desktop_config, &mut phone_config);
        }
        for hook in self.desktop_hooks.drain(..) {
            hook(&mut desktop_config);
        }
        for hook in self.phone_hooks.drain(..) {
            hook(&mut phone_config);
        }

        Ok((desktop_config, phone_config))
    }
}

impl Outcome {
    /// Whether both parties succeeded and the browser has its response JSON.
    pub fn succeeded(&self) -> bool {
        self.desktop.is_ok() && self.phone.is_ok() && self.response_json.is_some()
    }

    /// The first party to fail (by time, the desktop first on a tie), if any did.
    pub fn first_failure(&self) -> Option<PartyFailure> {
        let mut failures: Vec<PartyFailure> = [
            (Party::Desktop, &self.desktop, self.desktop_at),
            (Party::Phone, &self.phone, self.phone_at),
        ]
        .into_iter()
        .filter_map(|(party, result, at)| {
            result.as_ref().err().map(|error| PartyFailure {
                party,
                at,
                error: error.clone(),
            })
        })
        .collect();
        failures.sort_by_key(|f| f.at.unwrap_or(Millis(u64::MAX)));
        failures.into_iter().next()
    }
}

type DesktopHook = Box<dyn FnOnce(&mut DesktopConfig)>;
type PhoneHook = Box<dyn FnOnce(&mut PhoneConfig)>;

/// A ceremony to run: the seed, the phone, the origin, options and faults. Consumed by
/// [`Ceremony::register`], [`Ceremony::sign_in`] or [`Ceremony::sign_in_linked`].
pub struct Ceremony {
    seed: u64,
    phone: Option<PhoneState>,
    origin: String,
    faults: Vec<FaultAt>,
    offer_linking: bool,
    update_policy: UpdatePolicy,
    revision: ProtocolRevision,
    construction: Construction,
    crypter: Option<CrypterPolicy>,
    reveal_secrets: bool,
    radio: RadioConfig,
    rules: Vec<Box<dyn Rule>>,
    connect_rules: Vec<Box<dyn ConnectRule>>,
    desktop_hooks: Vec<DesktopHook>,
    phone_hooks: Vec<PhoneHook>,
}

impl Ceremony {
    /// A ceremony with this seed, the default origin, no phone yet, no faults, current
    /// peers (revision 1, new transport construction, Chromium's update policy), and no
    /// linking offered.
    pub fn new(seed: u64) -> Ceremony {
        Ceremony {
            seed,
            phone: None,
            origin: DEFAULT_ORIGIN.to_owned(),
            faults: Vec::new(),
            offer_linking: false,
            update_policy: UpdatePolicy::Chromium,
            revision: ProtocolRevision::V1,
            construction: Construction::New,
            crypter: None,
            reveal_secrets: false,
            radio: RadioConfig::default(),
            rules: Vec::new(),
            connect_rules: Vec::new(),
            desktop_hooks: Vec::new(),
            phone_hooks: Vec::new(),
        }
    }

    /// The phone: an [`Authenticator`] or a [`PhoneState`] from an earlier outcome.
    pub fn phone(mut self, phone: impl Into<PhoneState>) -> Ceremony {
        self.phone = Some(phone.into());
        self
    }

    /// The web origin the browser tab is on.
    pub fn origin(mut self, origin: &str) -> Ceremony {
        origin.clone_into(&mut self.origin);
        self
    }

    /// Injects a fault (a [`Fault`] at its default step, or a [`FaultAt`]).
    pub fn fault(mut self, fault: impl Into<FaultAt>) -> Ceremony {
        self.faults.push(fault.into());
        self
    }

    /// Injects several faults.
    pub fn faults(mut self, faults: impl IntoIterator<Item = FaultAt>) -> Ceremony {
        self.faults.extend(faults);
        self
    }

    /// Offers linking in the QR code (key 4 true), so that the outcome carries the phone's
    /// link. Default false, as Chromium for WebAuthn requests.
    pub fn offer_linking(mut self, offer: bool) -> Ceremony {
        self.offer_linking = offer;
        self
    }

    /// What the desktop does with an update or linking info it cannot accept.
    pub fn update_policy(mut self, policy: UpdatePolicy) -> Ceremony {
        self.update_policy = policy;
        self
    }

    /// A legacy phone speaking protocol revision 0 (the desktop detects it).
    pub fn revision0(mut self) -> Ceremony {
        self.revision = ProtocolRevision::V0;
        self
    }

    /// A legacy phone using the old transport construction, with a desktop that detects
    /// the construction (webauthn-rs' initiator) unless [`Ceremony::desktop_crypter`] says
    /// otherwise.
    pub fn old_crypter(mut self) -> Ceremony {
        self.construction = Construction::Old;
        self
    }

    /// The desktop's crypter policy (default: new, or detect with [`Ceremony::old_crypter`]).
    pub fn desktop_crypter(mut self, policy: CrypterPolicy) -> Ceremony {
        self.crypter = Some(policy);
        self
    }

    /// Keeps secret bytes in the trace.
    pub fn reveal_secrets(mut self, reveal: bool) -> Ceremony {
        self.reveal_secrets = reveal;
        self
    }

    /// The radio conditions between the phone and the desktop (default: a quiet room).
    pub fn radio(mut self, radio: RadioConfig) -> Ceremony {
        self.radio = radio;
        self
    }

    /// Installs a custom fault rule (after the catalogue faults' rules).
    pub fn rule(mut self, rule: Box<dyn Rule>) -> Ceremony {
        self.rules.push(rule);
        self
    }

    /// Installs a custom rule on WebSocket upgrades.
    pub fn connect_rule(mut self, rule: Box<dyn ConnectRule>) -> Ceremony {
        self.connect_rules.push(rule);
        self
    }

    /// Changes the desktop's configuration last, after options and faults.
    pub fn configure_desktop(mut self, f: impl FnOnce(&mut DesktopConfig) + 'static) -> Ceremony {
        self.desktop_hooks.push(Box::new(f));
        self
    }

    /// Changes the phone's configuration last, after options and faults.
    pub fn configure_phone(mut self, f: impl FnOnce(&mut PhoneConfig) + 'static) -> Ceremony {
        self.phone_hooks.push(Box::new(f));
        self
    }

    /// `navigator.credentials.create()` with this `PublicKeyCredentialCreationOptionsJSON`
    /// (a `{"publicKey": …}` wrapper is fine) over the QR flow.
    pub fn register(self, creation_options_json: &str) -> Result<Outcome, CeremonyError> {
        let options = CreationOptionsJson::from_json(creation_options_json)
            .map_err(|e| CeremonyError::Options(e.to_string()))?;
        let pending =
            client::create(&options, &Caller::new(&self.origin)).map_err(CeremonyError::Client)?;
        let mut outcome = self.run(0x01, pending.request.encode(), None)?;
        outcome.finish_registration(&pending);
        Ok(outcome)
    }

    /// `navigator.credentials.get()` with this `PublicKeyCredentialRequestOptionsJSON` over
    /// the QR flow.
    pub fn sign_in(self, request_options_json: &str) -> Result<Outcome, CeremonyError> {
        let pending = self.pending_get(request_options_json)?;
        let mut outcome = self.run(0x02, pending.request.encode(), None)?;
        outcome.finish_authentication(&pending);
        Ok(outcome)
    }

    /// `navigator.credentials.get()` with a phone linked earlier: the desktop contacts it
    /// through `/cable/contact`, the tunnel server wakes it (it is registered for wake-ups
    /// under its contact id), and no QR code is shown. The phone must be the one that
    /// linked (its [`PhoneState`] from that outcome).
    pub fn sign_in_linked(
        self,
        linked_device: &LinkedDevice,
        request_options_json: &str,
    ) -> Result<Outcome, CeremonyError> {
        let pending = self.pending_get(request_options_json)?;
        let mut outcome = self.run(0x02, pending.request.encode(), Some(linked_device))?;
        outcome.finish_authentication(&pending);
        Ok(outcome)
    }

    /// [`Ceremony::register`], but the prepared desktop and phone are run by `driver`
    /// (e.g. over a real tunnel server) instead of the simulated world. Faults, radio and
    /// rules are the world's and are refused or unused here.
    pub fn register_with(
        self,
        creation_options_json: &str,
        driver: impl FnOnce(Desktop, Phone) -> ExternalRun,
    ) -> Result<Outcome, CeremonyError> {
        let options = CreationOptionsJson::from_json(creation_options_json)
            .map_err(|e| CeremonyError::Options(e.to_string()))?;
        let pending =
            client::create(&options, &Caller::new(&self.origin)).map_err(CeremonyError::Client)?;
        let mut outcome = self.run_external(0x01, pending.request.encode(), None, driver)?;
        outcome.finish_registration(&pending);
        Ok(outcome)
    }

    /// [`Ceremony::sign_in`] (or, with `linked_device`, [`Ceremony::sign_in_linked`]) run by
    /// `driver`; see [`Ceremony::register_with`].
    pub fn sign_in_with(
        self,
        request_options_json: &str,
        linked_device: Option<&LinkedDevice>,
        driver: impl FnOnce(Desktop, Phone) -> ExternalRun,
    ) -> Result<Outcome, CeremonyError> {
        let pending = self.pending_get(request_options_json)?;
        let mut outcome =
            self.run_external(0x02, pending.request.encode(), linked_device, driver)?;
        outcome.finish_authentication(&pending);
        Ok(outcome)
    }

    fn run_external(
        mut self,
        command: u8,
        params: Vec<u8>,
        linked: Option<&LinkedDevice>,
        driver: impl FnOnce(Desktop, Phone) -> ExternalRun,
    ) -> Result<Outcome, CeremonyError> {
        if let Some(at) = self.faults.first() {
            return Err(CeremonyError::FaultNeedsWorld(at.fault));
        }
        if !self.rules.is_empty() || !self.connect_rules.is_empty() {
            return Err(CeremonyError::RulesNeedWorld);
        }
        let (desktop_config, phone_config) = self.configs(command, params, linked)?;
        let run = driver(
            Desktop::new(desktop_config, Millis::ZERO),
            Phone::new(phone_config),
        );
        let mut trace = Trace::new(self.reveal_secrets);
        trace.extend(run.trace);
        let identity = PhoneIdentity {
            root_secret: run.phone_peer.config().root_secret,
            contact_id: run.phone_peer.config().contact_id.clone(),
        };
        Ok(Outcome {
            desktop_at: run.desktop.is_ok().then_some(run.elapsed),
            phone_at: run.phone.is_ok().then_some(run.elapsed),
            desktop: run.desktop,
            phone: run.phone,
            others: Vec::new(),
            response_json: None,
            response_error: None,
            ctap_response: run.desktop_peer.ctap_response().map(<[u8]>::to_vec),
            virtual_time: run.elapsed,
            trace,
            linked_device: run.desktop_peer.linked_device().cloned(),
            forget_link: run.desktop_peer.should_forget_link(),
            phone_state: Some(PhoneState {
                authenticator: run.phone_peer.into_authenticator(),
                identity: Some(identity),
            }),
            world_error: None,
        })
    }

    fn pending_get(&self, json: &str) -> Result<PendingGet, CeremonyError> {
        let options = RequestOptionsJson::from_json(json)
            .map_err(|e| CeremonyError::Options(e.to_string()))?;
        client::get(&options, &Caller::new(&self.origin)).map_err(CeremonyError::Client)
    }

    fn has(&self, fault: Fault) -> bool {
        self.faults.iter().any(|f| f.fault == fault)
    }

    fn run(
        mut self,
        command: u8,
        params: Vec<u8>,
        linked: Option<&LinkedDevice>,
    ) -> Result<Outcome, CeremonyError> {
        if linked.is_none() {
            if let Some(f) = self.faults.iter().find(|f| f.fault.linked_only()) {
                return Err(CeremonyError::FaultNotApplicable(f.fault));
            }
        }
        let (desktop_config, phone_config) = self.configs(command, params, linked)?;

        let mut world = World::new(self.seed, TunnelConfig::default(), self.reveal_secrets);
        world.set_radio(self.radio.clone());
        let contact_id = phone_config.contact_id.clone();
        let construction = phone_config.construction;
        // A desktop whose clock runs ahead starts at its own time, not the world's.
        let desktop_clock = self
            .faults
            .iter()
            .find(|f| f.fault == Fault::ClockSkew)
            .map_or(0, |f| skew_ms(*f));
        let desktop = world.add_desktop(
            "desktop",
            Box::new(Desktop::new(desktop_config, Millis(desktop_clock))),
        );
        let phone = world.add_phone(
            "phone",
            Box::new(Phone::new(phone_config)),
            linked.is_none(),
        );
        let mut others = Vec::new();
        if self.has(Fault::TunnelDuplicateNew) {
            let second = PhoneConfig::new(Bystander, derive_seed(self.seed, b"phone-2"));
            others.push(world.add_phone("phone-2", Box::new(Phone::new(second)), true));
        }
        if linked.is_some() && !self.has(Fault::ContactGone) {
            world.register_contact(phone, contact_id);
        }
        for at in &self.faults {
            install(*at, &mut world, desktop, phone, construction);
        }
        for rule in self.rules {
            world.add_rule(rule);
        }
        for rule in self.connect_rules {
            world.add_connect_rule(rule);
        }

        let world_error = world.run(MAX_STEPS).err();
        let result = |world: &World, actor: ActorId, party: Party| -> Result<(), PeerError> {
            if let Some(result) = world.outcome(actor) {
                return result.clone();
            }
            let reason = if world.is_silent(actor) {
                Reason::WentSilent
            } else {
                Reason::NeverFinished
            };
            Err(PeerError::new(party, reason))
        };
        let mut outcome = Outcome {
            desktop: result(&world, desktop, Party::Desktop),
            desktop_at: world.finished_at(desktop),
            phone: result(&world, phone, Party::Phone),
            phone_at: world.finished_at(phone),
            others: others
                .iter()
                .map(|id| {
                    let name = world.actor_name(*id).unwrap_or_default().to_owned();
                    (name, result(&world, *id, Party::Phone))
                })
                .collect(),
            response_json: None,
            response_error: None,
            ctap_response: None,
            virtual_time: world.now(),
            trace: world.trace().clone(),
            linked_device: None,
            forget_link: false,
            phone_state: None,
            world_error,
        };
        if let Some(Ok(desktop)) = world.take_peer(desktop).map(|p| p.downcast::<Desktop>()) {
            outcome.ctap_response = desktop.ctap_response().map(<[u8]>::to_vec);
            outcome.linked_device = desktop.linked_device().cloned();
            outcome.forget_link = desktop.should_forget_link();
        }
        if let Some(Ok(phone)) = world.take_peer(phone).map(|p| p.downcast::<Phone>()) {
            let identity = PhoneIdentity {
                root_secret: phone.config().root_secret,
                contact_id: phone.config().contact_id.clone(),
            };
            outcome.phone_state = Some(PhoneState {
                authenticator: phone.into_authenticator(),
                identity: Some(identity),
            });
        }
        Ok(outcome)
    }
}

impl Outcome {
    /// The CTAP body of a successful response, or why there is none.
    fn success_body(&mut self) -> Option<Vec<u8>> {
        let response = self.ctap_response.as_deref()?;
        match response.split_first() {
            Some((0, body)) => Some(body.to_vec()),
            Some((status, _)) => {
                self.response_error = Some(format!(
                    "the authenticator refused: {}",
                    StatusCode::from(*status)
                ));
                None
            }
            None => {
                self.response_error = Some("the CTAP response is empty".to_owned());
                None
            }
        }
    }

    fn finish_registration(&mut self, pending: &PendingCreate) {
        let Some(body) = self.success_body() else {
            return;
        };
        let transports: Vec<String> = HYBRID_TRANSPORTS.iter().map(|t| (*t).to_owned()).collect();
        let json = MakeCredentialResponse::decode(&body)
            .map_err(|e| format!("authenticator response: {e}"))
            .and_then(|response| {
                client::registration_response(pending, &response, &transports)
                    .map_err(|e| format!("the browser refuses the authenticator's answer: {e}"))
            });
        match json {
            Ok(json) => self.response_json = Some(json.to_json()),
            Err(e) => self.response_error = Some(e),
        }
    }

    fn finish_authentication(&mut self, pending: &PendingGet) {
        let Some(body) = self.success_body() else {
            return;
        };
        let json = GetAssertionResponse::decode(&body)
            .map_err(|e| format!("authenticator response: {e}"))
            .and_then(|response| {
                client::authentication_response(pending, &response)
                    .map_err(|e| format!("the browser refuses the authenticator's answer: {e}"))
            });
        match json {
            Ok(json) => self.response_json = Some(json.to_json()),
            Err(e) => self.response_error = Some(e),
        }
    }
}

/// The second phone of `tunnel-duplicate-new`: it never gets as far as CTAP.
struct Bystander;

impl CtapHandler for Bystander {
    fn handle(&mut self, _: u8, _: &[u8]) -> Vec<u8> {
        // CTAP1_ERR_INVALID_COMMAND.
        vec![0x01]
    }

    fn get_info(&mut self) -> Vec<u8> {
        // An empty map.
        vec![0xa0]
    }
}

/// The faults injected through peer configuration.
fn configure(at: FaultAt, desktop: &mut DesktopConfig, phone: &mut PhoneConfig) {
    match at.fault {
        Fault::QrStale => {
            desktop.unix_epoch = desktop.unix_epoch.saturating_sub(STALE_QR_AGE.as_secs());
        }
        Fault::PhoneShutdown => phone.faults.shutdown_before_reply = true,
        // 0xff is a CBOR "break" with nothing to end: not well-formed.
        Fault::UpdateNotCbor => phone.faults.update_payload = Some(vec![0xff]),
        Fault::LinkingBadSignature => {
            desktop.qr.linking = Some(true);
            phone.faults.corrupt_linking_signature = true;
        }
        _ => {}
    }
}

/// How far ahead the desktop's clock runs under `clock-skew`.
fn skew_ms(at: FaultAt) -> u64 {
    at.step().unwrap_or(0).saturating_mul(1000)
}

/// The faults injected through the world.
fn install(
    at: FaultAt,
    world: &mut World,
    desktop: ActorId,
    phone: ActorId,
    construction: Construction,
) {
    match at.fault {
        Fault::AdvertDropped
        | Fault::AdvertDuplicated
        | Fault::AdvertCorrupted
        | Fault::AdvertOtherSecret
        | Fault::AdvertWrongLength
        | Fault::AdvertReservedByte
        | Fault::AdvertReservedDomain
        | Fault::NoiseWrongPsk => world.add_rule(Box::new(AdvertRule::new(at))),
        Fault::QrMalformed => world.add_rule(Box::new(CameraRule)),
        Fault::TunnelNoSubprotocol
        | Fault::TunnelUnknown
        | Fault::RoutingIdMissing
        | Fault::RoutingIdBad => world.add_connect_rule(Box::new(UpgradeRule::new(at))),
        Fault::WsTruncated
        | Fault::WsDuplicated
        | Fault::WsReordered
        | Fault::WsSplit
        | Fault::WsText
        | Fault::NoiseBadTag
        | Fault::HandshakeWrongLength => world.add_rule(Box::new(RelayRule::new(at))),
        Fault::SecondCtapCommand => world.add_rule(Box::new(SecondCommandRule::new(construction))),
        Fault::ClockSkew => world.set_clock_offset(desktop, skew_ms(at)),
        Fault::PhoneSilent => world.silence_after(phone, at.step().unwrap_or(1)),
        Fault::DesktopSilent => world.silence_after(desktop, at.step().unwrap_or(1)),
        Fault::QrStale
        | Fault::TunnelDuplicateNew
        | Fault::ContactGone
        | Fault::PhoneShutdown
        | Fault::UpdateNotCbor
        | Fault::LinkingBadSignature => {}
    }
}
