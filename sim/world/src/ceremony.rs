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

mod cast;
mod outcome;
mod phone_state;
mod running;
mod session;

pub use hybridsim_webauthn::browser::{AnswerError, AnswerKind};
pub use outcome::{
    no_response_blame, CeremonyFailed, ExternalRun, Outcome, PartyFailure, Unreachable,
};
pub use phone_state::{PhoneIdentity, PhoneState};

use crate::fault::{ConnectRule, Rule};
use crate::faults::{Fault, FaultAt};
use crate::radio::RadioConfig;
use core::time::Duration;
use hybridsim_peers::desktop::{
    CrypterPolicy, Desktop, DesktopConfig, DesktopProfile, UpdatePolicy,
};
use hybridsim_peers::phone::{Phone, PhoneConfig};
use hybridsim_peers::LinkedDevice;
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;
use hybridsim_webauthn::client::{self, Caller, ClientError};
use hybridsim_webauthn::json::CreationOptionsJson;

/// The default origin of the browser tab.
pub const DEFAULT_ORIGIN: &str = "https://login.example";

/// How many deliveries a ceremony may take before it is called a livelock: far more than a
/// ceremony that sits out every timeout needs.
pub const MAX_STEPS: u64 = 2_000_000;

/// How long a year-old QR timestamp is in the past (`qr-stale`).
const STALE_QR_AGE: Duration = Duration::from_secs(365 * 24 * 3600);

/// What a browser reports as a hybrid phone's transports.
const HYBRID_TRANSPORTS: [&str; 2] = ["hybrid", "internal"];

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
    /// A fault that applies to QR ceremonies only, given to a linked one.
    #[error("fault {0} applies to QR ceremonies only")]
    FaultNeedsQr(Fault),
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
    update_policy: Option<UpdatePolicy>,
    desktop_profile: Option<DesktopProfile>,
    revision: Option<ProtocolRevision>,
    construction: Option<Construction>,
    crypter: Option<CrypterPolicy>,
    reveal_secrets: bool,
    radio: RadioConfig,
    rules: Vec<Box<dyn Rule>>,
    connect_rules: Vec<Box<dyn ConnectRule>>,
    desktop_hooks: Vec<DesktopHook>,
    phone_hooks: Vec<PhoneHook>,
    record_session: bool,
}

impl Ceremony {
    /// A ceremony with this seed, the default origin, no phone yet, no faults, the phone's
    /// wire behaviour from its profile's `[hybrid]` table (revision and construction
    /// included), Chromium's update policy, and no linking offered.
    pub fn new(seed: u64) -> Ceremony {
        Ceremony {
            seed,
            phone: None,
            origin: DEFAULT_ORIGIN.to_owned(),
            faults: Vec::new(),
            offer_linking: false,
            update_policy: None,
            desktop_profile: None,
            revision: None,
            construction: None,
            crypter: None,
            reveal_secrets: false,
            radio: RadioConfig::default(),
            rules: Vec::new(),
            connect_rules: Vec::new(),
            desktop_hooks: Vec::new(),
            phone_hooks: Vec::new(),
            record_session: false,
        }
    }

    /// The phone: an [`Authenticator`](hybridsim_ctap::Authenticator) or a [`PhoneState`] from an earlier outcome.
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
        self.update_policy = Some(policy);
        self
    }

    /// The desktop's behaviour from a desktop profile (`fixtures/desktops/`): QR keys,
    /// adverts taken, crypter, update and getInfo policies, timers. Linking asked for with
    /// [`Ceremony::offer_linking`], an update policy or a crypter set here win over it.
    pub fn desktop_profile(mut self, profile: DesktopProfile) -> Ceremony {
        self.desktop_profile = Some(profile);
        self
    }

    /// A legacy phone speaking protocol revision 0 (the desktop detects it).
    pub fn revision0(mut self) -> Ceremony {
        self.revision = Some(ProtocolRevision::V0);
        self
    }

    /// A legacy phone using the old transport construction, with a desktop that detects
    /// the construction (webauthn-rs' initiator) unless [`Ceremony::desktop_crypter`] says
    /// otherwise.
    pub fn old_crypter(mut self) -> Ceremony {
        self.construction = Some(Construction::Old);
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

    /// Records the session for a key log and a capture: the peers log their secrets and
    /// the world keeps what they put on the wire; [`Outcome::session`] carries it. Default
    /// false, so nothing secret is kept unless asked.
    pub fn record_session(mut self, record: bool) -> Ceremony {
        self.record_session = record;
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
    /// rules are the world's and are refused or unused here. With
    /// [`Ceremony::record_session`], [`Outcome::session`] is the wire the driver kept
    /// ([`ExternalRun::wire`]), named and with both peers' secrets.
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
}
