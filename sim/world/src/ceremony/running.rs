//! Running a ceremony: the peers' configurations, the world with its faults installed, or
//! another driver given the prepared peers.

use super::cast::Cast;
use super::outcome::{ExternalRun, Outcome};
use super::session;
use super::{Ceremony, CeremonyError, PhoneState, MAX_STEPS, STALE_QR_AGE};
use crate::faults::{
    AdvertRule, CameraRule, Fault, FaultAt, Medium, RelayRule, SecondCommandRule, UpgradeRule,
};
use crate::trace::Trace;
use crate::world::{derive_seed, ActorId, World};
use hybridsim_pcapng::record::merge_secrets;
use hybridsim_peers::desktop::{CrypterPolicy, Desktop, DesktopConfig};
use hybridsim_peers::phone::{CtapHandler, Phone, PhoneConfig};
use hybridsim_peers::{LinkedDevice, Millis};
use hybridsim_proto::crypter::Construction;
use hybridsim_tunnel::Config as TunnelConfig;
use hybridsim_webauthn::client::{self, Caller, PendingGet};
use hybridsim_webauthn::json::RequestOptionsJson;

impl Ceremony {
    /// The desktop's and the phone's configurations for this ceremony: options, seeds,
    /// protocol choices, the faults' settings and the hooks, in that order.
    pub(super) fn configs(
        &mut self,
        command: u8,
        params: Vec<u8>,
        linked: Option<&LinkedDevice>,
    ) -> Result<(DesktopConfig, PhoneConfig), CeremonyError> {
        let phone_state = self.phone.take().ok_or(CeremonyError::NoPhone)?;

        let mut phone_config =
            PhoneConfig::new(phone_state.authenticator, derive_seed(self.seed, b"phone"));
        let hybrid = phone_config.authenticator.profile().hybrid.clone();
        phone_config.apply_hybrid_profile(&hybrid);
        if let Some(identity) = phone_state.identity {
            phone_config.root_secret = identity.root_secret;
            phone_config.contact_id = identity.contact_id;
        }
        if let Some(revision) = self.revision {
            phone_config.revision = revision;
        }
        if let Some(construction) = self.construction {
            phone_config.construction = construction;
        }

        let mut desktop_config =
            DesktopConfig::new(command, params, derive_seed(self.seed, b"desktop"));
        desktop_config.qr.linking = Some(self.offer_linking);
        match &self.desktop_profile {
            Some(profile) => profile.apply(&mut desktop_config),
            // Without a profile the desktop follows the phone's construction.
            None => {
                desktop_config.crypter = match phone_config.construction {
                    Construction::New => CrypterPolicy::New,
                    Construction::Old => CrypterPolicy::Detect,
                }
            }
        }
        if let Some(policy) = self.update_policy {
            desktop_config.update_policy = policy;
        }
        if let Some(crypter) = self.crypter {
            desktop_config.crypter = crypter;
        }
        desktop_config.linked_device = linked.cloned();
        desktop_config.log_secrets = self.record_session;
        phone_config.log_secrets = self.record_session;

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

    pub(super) fn run_external(
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
        let name = self.session_name(command, linked.is_some());
        let run = driver(
            Desktop::new(desktop_config, Millis::ZERO),
            Phone::new(phone_config),
        );
        // The driver's wire when it kept one, else only the secrets; named here, as the
        // world's records are, with both peers' secrets under one tunnel id.
        let session = self.record_session.then(|| {
            let mut record = run.wire.unwrap_or_default();
            record.name = name;
            let desktop = run.desktop_peer.secrets();
            record.secrets = merge_secrets(desktop, run.phone_peer.secrets());
            record
        });
        let mut trace = Trace::new(self.reveal_secrets);
        trace.extend(run.trace);
        Ok(Outcome {
            desktop_at: run.desktop_at,
            phone_at: run.phone_at,
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
            phone_requests_served: run.phone_peer.requests_served(),
            phone_state: Some(PhoneState::after(run.phone_peer)),
            world_error: None,
            session,
            unreachable: run.unreachable,
        })
    }

    pub(super) fn pending_get(&self, json: &str) -> Result<PendingGet, CeremonyError> {
        let options = RequestOptionsJson::from_json(json)
            .map_err(|e| CeremonyError::Options(e.to_string()))?;
        client::get(&options, &Caller::new(&self.origin)).map_err(CeremonyError::Client)
    }

    pub(super) fn has(&self, fault: Fault) -> bool {
        self.faults.iter().any(|f| f.fault == fault)
    }

    pub(super) fn run(
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
        if linked.is_some() {
            if let Some(f) = self.faults.iter().find(|f| f.fault.qr_only()) {
                return Err(CeremonyError::FaultNeedsQr(f.fault));
            }
        }
        let (desktop_config, phone_config) = self.configs(command, params, linked)?;
        let name = self.session_name(command, linked.is_some());
        let (mut world, cast) = self.world(desktop_config, phone_config, linked.is_some());
        let world_error = world.run(MAX_STEPS).err();
        let recorded = session::record(&world, &cast, name);
        let mut outcome = Outcome::of(&mut world, &cast, world_error);
        outcome.session = recorded;
        Ok(outcome)
    }

    /// How a recorded session is named in key logs and captures.
    fn session_name(&self, command: u8, linked: bool) -> String {
        let request = if command == 0x01 {
            "makeCredential"
        } else {
            "getAssertion"
        };
        let flow = if linked { "linked" } else { "QR" };
        format!(
            "hybridsim ceremony, seed {}: {request}, {flow} flow",
            self.seed
        )
    }

    /// The world for this ceremony: the desktop, the phone (and a bystander phone for
    /// `tunnel-duplicate-new`), the faults installed, the rules added.
    fn world(
        self,
        desktop_config: DesktopConfig,
        phone_config: PhoneConfig,
        linked: bool,
    ) -> (World, Cast) {
        let mut world = World::new(self.seed, TunnelConfig::default(), self.reveal_secrets);
        world.set_radio(self.radio.clone());
        if self.record_session {
            world.record_wire();
        }
        let contact_id = phone_config.contact_id.clone();
        let construction = phone_config.construction;
        // A desktop whose clock runs ahead starts at its own time, not the world's, and
        // the world keeps it that far ahead: one offset for both (the last clock-skew
        // given), or the desktop's timers fire at the wrong world time.
        let desktop_clock = self
            .faults
            .iter()
            .rev()
            .find(|f| f.fault == Fault::ClockSkew)
            .map_or(0, |f| skew_ms(*f));
        let desktop = world.add_desktop(
            "desktop",
            Box::new(Desktop::new(desktop_config, Millis(desktop_clock))),
        );
        let phone = world.add_phone("phone", Box::new(Phone::new(phone_config)), !linked);
        if desktop_clock > 0 {
            world.set_clock_offset(desktop, desktop_clock);
        }
        let mut others = Vec::new();
        if self.has(Fault::TunnelDuplicateNew) {
            let second = PhoneConfig::new(Bystander, derive_seed(self.seed, b"phone-2"));
            others.push(world.add_phone("phone-2", Box::new(Phone::new(second)), true));
        }
        if linked && !self.has(Fault::ContactGone) {
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
        let cast = Cast {
            desktop,
            phone,
            others,
        };
        (world, cast)
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

/// A `ble-channel-*` fault added to the radio's data-channel faults.
fn channel_fault(at: FaultAt, world: &mut World) {
    let mut faults = world.channel_faults();
    match at.fault {
        Fault::BleChannelRefused => faults.refuse = true,
        Fault::BleChannelDropped => faults.drop_at = at.step(),
        _ => faults.slow_ms = at.step().unwrap_or(0),
    }
    world.set_channel_faults(faults);
}

/// The faults injected through the world.
fn install(
    at: FaultAt,
    world: &mut World,
    desktop: ActorId,
    phone: ActorId,
    construction: Construction,
) {
    match at.fault.medium() {
        Medium::Advert => return world.add_rule(Box::new(AdvertRule::new(at))),
        Medium::Upgrade => return world.add_connect_rule(Box::new(UpgradeRule::new(at))),
        Medium::Relay => return world.add_rule(Box::new(RelayRule::new(at))),
        Medium::Other => {}
    }
    match at.fault {
        Fault::QrMalformed => world.add_rule(Box::new(CameraRule)),
        Fault::SecondCtapCommand => world.add_rule(Box::new(SecondCommandRule::new(construction))),

        Fault::BleChannelRefused | Fault::BleChannelDropped | Fault::BleChannelSlow => {
            channel_fault(at, world)
        }
        Fault::PhoneSilent => world.silence_after(phone, at.step().unwrap_or(1)),
        Fault::DesktopSilent => world.silence_after(desktop, at.step().unwrap_or(1)),
        // Set once with the desktop (Ceremony::world): clock-skew, qr-stale,
        // tunnel-duplicate-new, contact-gone, phone-shutdown, update-not-cbor,
        // linking-bad-signature. The faults with a medium were installed above.
        _ => {}
    }
}
