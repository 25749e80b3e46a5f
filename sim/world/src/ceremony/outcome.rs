//! How a ceremony ended: each party's result and time, the response JSON, the trace, the
//! link and the phone for the next ceremony.

use super::cast::Cast;
use super::{PhoneState, HYBRID_TRANSPORTS};
use crate::trace::{Trace, TraceRecord};
use crate::world::{ActorId, World, WorldError};
use hybridsim_pcapng::record::SessionRecord;
use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::phone::Phone;
use hybridsim_peers::{DesktopPhase, Layer, LinkedDevice, Millis, Party, PeerError, Reason};
use hybridsim_webauthn::browser::{self, AnswerError, AnswerKind};
use hybridsim_webauthn::client::{PendingCreate, PendingGet};

/// What a driver outside the simulated world (real sockets) reports for a ceremony it ran
/// with the desktop and phone [`Ceremony`](super::Ceremony) prepared: see
/// [`Ceremony::register_with`](super::Ceremony::register_with).
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
    /// When the desktop finished on its own (success or failure), on the driver's clock;
    /// `None` when it never did (the driver gave up on it). The first failure is the one
    /// that came first by these times.
    pub desktop_at: Option<Millis>,
    /// When the phone finished on its own, as for the desktop.
    pub phone_at: Option<Millis>,
    /// What went on the wire and the air, when the ceremony records its session
    /// ([`Ceremony::record_session`](super::Ceremony::record_session)) and the driver kept
    /// it: the QR code, the adverts, the tunnel messages and any tapped connection bytes.
    /// Unnamed and without secrets; the ceremony names it and adds both peers' secrets.
    pub wire: Option<SessionRecord>,
    /// The first tunnel host the driver could not reach at all, if any.
    pub unreachable: Option<Unreachable>,
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
            desktop_at: None,
            phone_at: None,
            wire: None,
            unreachable: None,
        }
    }
}

/// A tunnel host a driver outside the world could not reach at all (DNS, TCP, TLS): the
/// environment, not the protocol, failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot reach the tunnel host {host} for {url}: {reason}")]
pub struct Unreachable {
    /// The host name.
    pub host: String,
    /// The URL the connection was for, e.g. `ws://127.0.0.1:9/cable/new/…`.
    pub url: String,
    /// Why, as the driver says it.
    pub reason: String,
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

impl std::fmt::Display for PartyFailure {
    /// `the phone failed at the tunnel layer after 61000 ms: …`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use hybridsim_peers::Vocabulary;
        let layer = self.error.layer.name();
        let reason = &self.error.reason;
        match self.at {
            Some(at) => write!(
                f,
                "the {} failed at the {layer} layer after {at}: {reason}",
                self.party
            ),
            None => write!(
                f,
                "the {} failed at the {layer} layer without finishing: {reason}",
                self.party
            ),
        }
    }
}

/// Why a ceremony gave the page no response, as a command reports it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CeremonyFailed {
    /// The driver could not reach the tunnel host at all (only outside the world).
    #[error("{0}")]
    Unreachable(Unreachable),
    /// A party failed (the first one, by time).
    #[error("ceremony failed: {0}")]
    Party(PartyFailure),
    /// No party failed, but the authenticator's answer gave no response JSON: an error
    /// status, an empty or undecodable answer, or one the browser's checks refuse.
    #[error("{0}")]
    Refused(AnswerError),
    /// The desktop ended without a CTAP response and without an error.
    #[error("ceremony failed: the desktop received no CTAP response")]
    NoResponse,
}

/// How a ceremony ended.
#[derive(Debug)]
pub struct Outcome {
    /// How the desktop ended. A desktop that never finished (silenced, or stalled) is an
    /// error saying so, unless it was silenced while lingering after its response (it had
    /// succeeded by then).
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
    /// Why there is no response JSON although a CTAP response arrived: an error status, an
    /// empty answer, an answer that does not decode, or one the browser's checks refuse
    /// ([`no_response_blame`] says whose it is).
    pub response_error: Option<AnswerError>,
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
    /// How many makeCredential / getAssertion requests the phone's authenticator answered
    /// (the protocol allows one per session).
    pub phone_requests_served: u32,
    /// The phone, for the next ceremony (its authenticator holds any new credential).
    pub phone_state: Option<PhoneState>,
    /// Set when the run ended with parties still waiting (a livelock or a stall).
    pub world_error: Option<WorldError>,
    /// The session's secrets, adverts and messages, when the ceremony was asked to record
    /// them ([`Ceremony::record_session`](super::Ceremony::record_session)).
    pub session: Option<SessionRecord>,
    /// A tunnel host a driver outside the world could not reach at all
    /// ([`ExternalRun::unreachable`]); the simulated world always reaches its own.
    pub unreachable: Option<Unreachable>,
}

impl Outcome {
    /// Whether both parties succeeded and the browser has its response JSON.
    pub fn succeeded(&self) -> bool {
        self.desktop.is_ok() && self.phone.is_ok() && self.response_json.is_some()
    }

    /// Whether the page got its response: `Ok` with it, or why not (an unreachable tunnel
    /// host first, the parties' failures only its echo; then a failed party).
    pub fn verdict(&self) -> Result<&str, CeremonyFailed> {
        if let Some(unreachable) = &self.unreachable {
            return Err(CeremonyFailed::Unreachable(unreachable.clone()));
        }
        if let Some(failure) = self.first_failure() {
            return Err(CeremonyFailed::Party(failure));
        }
        match (&self.response_json, &self.response_error) {
            (Some(json), _) => Ok(json),
            (None, Some(error)) => Err(CeremonyFailed::Refused(error.clone())),
            (None, None) => Err(CeremonyFailed::NoResponse),
        }
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

    /// How the actors of a finished world ended, with what the desktop received and the
    /// phone for the next ceremony.
    pub(super) fn of(world: &mut World, cast: &Cast, world_error: Option<WorldError>) -> Outcome {
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
        let (desktop, desktop_at) = desktop_end(world, cast.desktop, result);
        let mut outcome = Outcome {
            desktop,
            desktop_at,
            phone: result(world, cast.phone, Party::Phone),
            phone_at: world.finished_at(cast.phone),
            others: cast
                .others
                .iter()
                .map(|id| {
                    let name = world.actor_name(*id).unwrap_or_default().to_owned();
                    (name, result(world, *id, Party::Phone))
                })
                .collect(),
            response_json: None,
            response_error: None,
            ctap_response: None,
            virtual_time: world.now(),
            trace: world.trace().clone(),
            linked_device: None,
            forget_link: false,
            phone_requests_served: 0,
            phone_state: None,
            world_error,
            session: None,
            unreachable: None,
        };
        let desktop = world
            .take_peer(cast.desktop)
            .map(|p| p.downcast::<Desktop>());
        if let Some(Ok(desktop)) = desktop {
            outcome.ctap_response = desktop.ctap_response().map(<[u8]>::to_vec);
            outcome.linked_device = desktop.linked_device().cloned();
            outcome.forget_link = desktop.should_forget_link();
        }
        if let Some(Ok(phone)) = world.take_peer(cast.phone).map(|p| p.downcast::<Phone>()) {
            outcome.phone_requests_served = phone.requests_served();
            outcome.phone_state = Some(PhoneState::after(*phone));
        }
        outcome
    }
}

/// How the desktop ended. A desktop silenced while lingering had already handed its
/// response to the page (the request resolves when the response arrives; lingering only
/// reads late linking updates in the background), so it succeeded when it went silent.
fn desktop_end(
    world: &World,
    desktop: ActorId,
    result: impl Fn(&World, ActorId, Party) -> Result<(), PeerError>,
) -> (Result<(), PeerError>, Option<Millis>) {
    let lingering = world.is_silent(desktop)
        && world
            .peer::<Desktop>(desktop)
            .is_some_and(|d| d.phase() == DesktopPhase::Lingering);
    if world.finished_at(desktop).is_none() && lingering {
        return (Ok(()), world.silent_since(desktop));
    }
    (
        result(world, desktop, Party::Desktop),
        world.finished_at(desktop),
    )
}

/// Whose answer a reason for having no response JSON is, and at which layer, for reports
/// that name a party when none failed: an error status, an empty answer or one that does not
/// decode is the phone's answer at the CTAP layer; an answer that decodes but that the
/// browser's checks refuse is the desktop's (the browser's) decision at the WebAuthn layer.
pub fn no_response_blame(error: &AnswerError) -> (Party, Layer) {
    match error.kind() {
        AnswerKind::Status | AnswerKind::Empty | AnswerKind::Undecodable => {
            (Party::Phone, Layer::Ctap)
        }
        AnswerKind::BrowserRefused => (Party::Desktop, Layer::Webauthn),
    }
}

impl Outcome {
    /// Registration response JSON from the CTAP response, or why there is none.
    pub(super) fn finish_registration(&mut self, pending: &PendingCreate) {
        let Some(reply) = self.ctap_response.as_deref() else {
            return;
        };
        let transports: Vec<String> = HYBRID_TRANSPORTS.iter().map(|t| (*t).to_owned()).collect();
        let json = browser::registration_json(pending, reply, &transports);
        self.finish(json);
    }

    /// Authentication response JSON from the CTAP response, or why there is none.
    pub(super) fn finish_authentication(&mut self, pending: &PendingGet) {
        let Some(reply) = self.ctap_response.as_deref() else {
            return;
        };
        let json = browser::authentication_json(pending, reply);
        self.finish(json);
    }

    fn finish(&mut self, json: Result<String, AnswerError>) {
        match json {
            Ok(json) => self.response_json = Some(json),
            Err(e) => self.response_error = Some(e),
        }
    }
}
