//! The driver of one run: the peers, their sockets and timers, and the order in which
//! their outputs are carried out. Socket events and the wake channel are in
//! [`events`](super::events); giving up on a peer in [`abandon`](super::abandon).

use super::log::{LogEntry, Side};
use super::options::{
    endpoint_of, url_target, DriveOptions, TunnelRoute, Unreachable, ADVERT_RSSI,
};
use super::outcome::{self, Failed};
use super::socket_task::{Command, NetEvent, Phase, SocketEntry, SocketTask, WakeState};
use super::wire::WireRecord;
use crate::client::{Target, TargetError};
use crate::tap::Tap;
use hybridsim_peers::phone::CtapHandler;
use hybridsim_peers::{
    Desktop, FedAdvert, Input, Layer, Millis, Output, Peer, PeerError, PeerEvent, Phone, Reason,
    SocketId,
};
use hybridsim_proto::advert_line::AdvertLine;
use hybridsim_proto::tunnel_url::TunnelUrl;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use tokio::time::{sleep_until, timeout, Instant};

/// The hops that leave the process when only one peer runs here.
#[derive(Default)]
pub(super) struct Links {
    /// Desktop alone: where the phone's adverts come from.
    pub(super) adverts_in: Option<UnboundedReceiver<FedAdvert>>,
    /// Phone alone: where its adverts go.
    pub(super) adverts_out: Option<UnboundedSender<AdvertLine>>,
    /// Ends the run early with this reason (a radio that failed, a signal), the peers
    /// still running abandoned as on a timeout.
    pub(super) stop: Option<Stop>,
}

/// What stops a run from outside: resolves to the reason once it must stop.
pub(super) type Stop = std::pin::Pin<Box<dyn std::future::Future<Output = String> + Send>>;

/// How a run ended, before the caller puts its peers back in.
pub(super) struct Report {
    pub(super) desktop_result: Result<(), PeerError>,
    pub(super) phone_result: Result<(), PeerError>,
    /// The peer that failed first, if one did.
    pub(super) failed_first: Option<Side>,
    /// When each peer finished on its own (a driver that gave up on one leaves it out).
    pub(super) finished: BTreeMap<Side, Millis>,
    pub(super) log: Vec<LogEntry>,
    pub(super) timed_out: bool,
    pub(super) unreachable: Option<Unreachable>,
    pub(super) elapsed: Duration,
    pub(super) wire: WireRecord,
}

/// Drives whichever peers are given: both (in-process QR and radio), or one, with `links`
/// carrying the hops to the other.
pub(super) async fn drive<H: CtapHandler>(
    route: Result<TunnelRoute, TargetError>,
    desktop: Option<&mut Desktop>,
    phone: Option<&mut Phone<H>>,
    links: Links,
    options: DriveOptions,
) -> Report {
    let started = Instant::now();
    let route = match route {
        Ok(route) => route,
        Err(e) => {
            let error = |party| PeerError::new(party, Reason::BadTarget(e.to_string()));
            return Report {
                desktop_result: Err(error(Side::Desktop)),
                phone_result: Err(error(Side::Phone)),
                failed_first: None,
                finished: BTreeMap::new(),
                log: Vec::new(),
                timed_out: false,
                unreachable: None,
                elapsed: started.elapsed(),
                wire: WireRecord::default(),
            };
        }
    };
    let (events, inbox) = unbounded_channel();
    let mut driver = Driver {
        started,
        route,
        options,
        desktop,
        phone,
        links,
        events,
        inbox,
        tasks: JoinSet::new(),
        sockets: BTreeMap::new(),
        log: Vec::new(),
        finished: BTreeMap::new(),
        forced: BTreeMap::new(),
        failed: Vec::new(),
        wake: WakeState::Unused,
        cut_at: None,
        timed_out: false,
        unreachable: None,
        wire: WireRecord::default(),
        taps: Vec::new(),
    };
    driver.run().await;
    driver.finish().await
}

/// The reason to stop from outside, or never when nothing can stop the run.
async fn next_stop(stop: &mut Option<Stop>) -> String {
    match stop {
        Some(stop) => stop.await,
        None => std::future::pending().await,
    }
}

/// The next advert from outside, or never when there is no feed.
async fn next_fed(feed: &mut Option<UnboundedReceiver<FedAdvert>>) -> Option<FedAdvert> {
    match feed {
        Some(feed) => feed.recv().await,
        None => std::future::pending().await,
    }
}

pub(super) struct Driver<'a, H: CtapHandler> {
    pub(super) started: Instant,
    pub(super) route: TunnelRoute,
    pub(super) options: DriveOptions,
    pub(super) desktop: Option<&'a mut Desktop>,
    pub(super) phone: Option<&'a mut Phone<H>>,
    pub(super) links: Links,
    pub(super) events: UnboundedSender<NetEvent>,
    pub(super) inbox: UnboundedReceiver<NetEvent>,
    pub(super) tasks: JoinSet<()>,
    pub(super) sockets: BTreeMap<(Side, SocketId), SocketEntry>,
    pub(super) log: Vec<LogEntry>,
    /// When each peer finished (its `Finished` output).
    pub(super) finished: BTreeMap<Side, Millis>,
    /// Errors the driver gave a peer that did not finish on its own.
    pub(super) forced: BTreeMap<Side, PeerError>,
    /// The peers' failures in the order they happened.
    pub(super) failed: Vec<Failed>,
    pub(super) wake: WakeState,
    /// When to abandon the peers still running after a failure.
    pub(super) cut_at: Option<Instant>,
    pub(super) timed_out: bool,
    /// The first socket whose host could not be reached.
    pub(super) unreachable: Option<Unreachable>,
    /// What went on the wire and the air.
    pub(super) wire: WireRecord,
    /// The recorders of the connections tapped ([`DriveOptions::record_bytes`]).
    pub(super) taps: Vec<(Side, Tap)>,
}

impl<H: CtapHandler> Driver<'_, H> {
    pub(super) fn now(&self) -> Millis {
        Millis::from(self.started.elapsed())
    }
    fn instant_of(&self, at: Millis) -> Instant {
        self.started + Duration::from_millis(at.as_millis())
    }
    pub(super) fn note(&mut self, side: Side, layer: Layer, what: impl Into<String>, bytes: &[u8]) {
        let at = self.now();
        self.log.push(LogEntry {
            at,
            side,
            layer,
            what: what.into(),
            bytes: hex::encode(bytes),
            peer_event: false,
            secret_len: None,
        });
    }
    pub(super) fn is_done(&self, side: Side) -> bool {
        // An absent peer (it runs elsewhere) has nothing left to do here.
        self.forced.contains_key(&side)
            || match side {
                Side::Desktop => self.desktop.as_ref().is_none_or(|d| d.is_finished()),
                Side::Phone => self.phone.as_ref().is_none_or(|p| p.is_finished()),
            }
    }
    pub(super) async fn run(&mut self) {
        let deadline = self.started + self.options.timeout;
        let linked = self
            .desktop
            .as_ref()
            .is_some_and(|d| d.config().linked_device.is_some());
        if self.options.wake_channel && linked && self.phone.is_some() {
            self.open_wake_channel(deadline).await;
        }
        loop {
            self.pump();
            if self.is_done(Side::Desktop) && self.is_done(Side::Phone) {
                return;
            }
            let timer = [
                self.desktop.as_ref().and_then(|d| d.poll_timeout()),
                self.phone.as_ref().and_then(|p| p.poll_timeout()),
            ]
            .into_iter()
            .flatten()
            .min();
            let timer_at = timer.map(|at| self.instant_of(at));
            let cut_at = self.cut_at;
            tokio::select! {
                event = self.inbox.recv() => match event {
                    Some(event) => self.on_event(event),
                    // Unreachable while the driver holds a sender; treat as stuck.
                    None => return self.abandon_all(false),
                },
                fed = next_fed(&mut self.links.adverts_in), if self.links.adverts_in.is_some() => {
                    self.on_fed(fed);
                }
                reason = next_stop(&mut self.links.stop), if self.links.stop.is_some() => {
                    return self.stop_all(&reason);
                }
                () = sleep_until(timer_at.unwrap_or(deadline)), if timer_at.is_some() => {
                    let now = self.now().max(timer.unwrap_or_default());
                    if let Some(desktop) = self.desktop.as_mut() {
                        desktop.handle_timeout(now);
                    }
                    if let Some(phone) = self.phone.as_mut() {
                        phone.handle_timeout(now);
                    }
                }
                () = sleep_until(cut_at.unwrap_or(deadline)), if cut_at.is_some() => {
                    return self.abandon_all(false);
                }
                () = sleep_until(deadline) => {
                    self.timed_out = true;
                    return self.abandon_all(true);
                }
            }
        }
    }
    /// Drains both peers' outputs until neither has any left (carrying one out may feed the
    /// other peer).
    fn pump(&mut self) {
        loop {
            let mut progress = false;
            while let Some(output) = self.desktop.as_mut().and_then(|d| d.poll_output()) {
                progress = true;
                self.carry_out(Side::Desktop, output);
            }
            while let Some(output) = self.phone.as_mut().and_then(|p| p.poll_output()) {
                progress = true;
                self.carry_out(Side::Phone, output);
            }
            if !progress {
                return;
            }
        }
    }
    /// Carries out one output of `side`'s peer: one small method per kind of output.
    fn carry_out(&mut self, side: Side, output: Output) {
        match output {
            Output::ShowQr(text) => self.show_qr(side, text),
            Output::Advertise { uuid, data } => self.advertise(side, uuid, data),
            Output::StopAdvertising => self.stop_advertising(side),
            Output::Connect {
                socket,
                url,
                headers,
            } => self.connect(side, socket, &url, headers),
            // No radio between processes for a CTAP 2.3 data channel: refused, so the
            // desktop takes the tunnel as CTAP 2.3's fallback.
            Output::OpenDataChannel { socket, .. } => {
                let reason = "no BLE data channel over sockets".to_owned();
                let now = self.now();
                self.input(side, now, Input::DataChannelRefused { socket, reason });
            }
            Output::Send { socket, data } => self.send(side, socket, data),
            Output::Close { socket, code } => self.close(side, socket, code),
            Output::Event(event) => self.peer_event(side, event),
            Output::Finished(result) => self.finished(side, result),
        }
    }

    /// The QR code goes straight to the phone when it runs here.
    fn show_qr(&mut self, side: Side, text: String) {
        self.wire.qr(&text);
        let now = self.now();
        match self.phone.as_mut() {
            Some(phone) => {
                phone.handle_input(now, Input::QrScanned(text));
                self.note(side, Layer::Qr, "QR code shown; the phone scans it", &[]);
            }
            None => self.note(
                side,
                Layer::Qr,
                "QR code shown, for a phone outside this process",
                text.as_bytes(),
            ),
        }
    }

    /// The advert goes straight to the desktop when it runs here, else out on the link.
    fn advertise(&mut self, side: Side, uuid: u16, data: Vec<u8>) {
        self.wire.advert(uuid, &data);
        let now = self.now();
        if let Some(desktop) = self.desktop.as_mut() {
            let input = Input::Advert {
                uuid,
                data: data.clone(),
                rssi: ADVERT_RSSI,
            };
            desktop.handle_input(now, input);
            let what = format!("advertising under {uuid:#06x}; the desktop hears it");
            self.note(side, Layer::Ble, what, &data);
        } else if let Some(out) = &self.links.adverts_out {
            let line = AdvertLine {
                uuid,
                data: data.clone(),
            };
            let what = if out.send(line).is_ok() {
                format!("advertising under {uuid:#06x}; handed out for the desktop's radio")
            } else {
                format!("advertising under {uuid:#06x}; nobody takes the advert out")
            };
            self.note(side, Layer::Ble, what, &data);
        }
    }

    /// A lone phone's advert link closes when it stops advertising (after the handshake): it
    /// advertises once per transaction, so the radio on the other end withdraws the advert
    /// now, as a real phone stops advertising.
    fn stop_advertising(&mut self, side: Side) {
        if side == Side::Phone {
            self.links.adverts_out = None;
        }
        self.note(side, Layer::Ble, "advertising stopped", &[]);
    }

    fn send(&mut self, side: Side, socket: SocketId, data: Vec<u8>) {
        self.note(side, Layer::Tunnel, format!("sent {} B", data.len()), &data);
        self.wire.message(side, &data);
        match self.sockets.get_mut(&(side, socket)) {
            Some(entry) if entry.phase != Phase::Gone => {
                entry.sent += 1;
                let _ = entry.commands.send(Command::Send(data));
            }
            _ => self.note(side, Layer::Tunnel, "send on a socket that is gone", &[]),
        }
    }

    fn close(&mut self, side: Side, socket: SocketId, code: u16) {
        self.note(side, Layer::Tunnel, format!("close {code}"), &[]);
        if let Some(entry) = self.sockets.get_mut(&(side, socket)) {
            if entry.phase != Phase::Gone {
                entry.phase = Phase::Gone;
                let _ = entry.commands.send(Command::Close(code));
            }
        }
    }

    fn finished(&mut self, side: Side, result: Result<(), PeerError>) {
        self.finished.insert(side, self.now());
        match result {
            Ok(()) => self.note(side, Layer::Tunnel, "finished: ok", &[]),
            Err(error) => {
                self.note(side, error.layer, outcome::failed_note(&error), &[]);
                self.failed.push(Failed {
                    side,
                    error,
                    by_driver: false,
                });
                self.start_grace();
            }
        }
    }

    fn peer_event(&mut self, side: Side, event: PeerEvent) {
        let hidden = event.secret && !self.options.log_secrets && !event.bytes.is_empty();
        let bytes = if hidden {
            format!("(secret, {} B)", event.bytes.len())
        } else {
            hex::encode(&event.bytes)
        };
        let at = self.now();
        self.log.push(LogEntry {
            at,
            side,
            layer: event.layer,
            what: event.what,
            bytes,
            peer_event: true,
            secret_len: hidden.then_some(event.bytes.len()),
        });
    }
    pub(super) fn start_grace(&mut self) {
        if self.cut_at.is_none() {
            self.cut_at = Some(Instant::now() + self.options.failure_grace);
        }
    }
    pub(super) fn connect(
        &mut self,
        side: Side,
        socket: SocketId,
        url: &TunnelUrl,
        headers: Vec<(String, String)>,
    ) {
        let path = url.route.path();
        let target = match self.route.clone() {
            TunnelRoute::Server(target) => {
                let mapped = endpoint_of(&target);
                if url.host != mapped.host || url.port != mapped.port || url.scheme != mapped.scheme
                {
                    self.note(
                        side,
                        Layer::Tunnel,
                        format!("{url} mapped to {target}{path}"),
                        &[],
                    );
                }
                Ok(target)
            }
            TunnelRoute::PeerUrls(tls) => url_target(url, &tls),
        };
        let shown = match &target {
            Ok(target) => format!("{target}{path}"),
            Err(_) => url.to_string(),
        };
        self.note(side, Layer::Tunnel, format!("upgrade {shown}"), &[]);
        let (commands, receiver) = unbounded_channel();
        self.sockets.insert(
            (side, socket),
            SocketEntry {
                commands,
                path: path.clone(),
                phase: Phase::Upgrading,
                sent: 0,
                received: 0,
            },
        );
        self.spawn_socket(side, socket, path, headers, target, receiver);
    }

    /// Starts the socket task, or refuses at once a target that could not be made.
    fn spawn_socket(
        &mut self,
        side: Side,
        socket: SocketId,
        path: String,
        headers: Vec<(String, String)>,
        target: Result<Target, TargetError>,
        receiver: UnboundedReceiver<Command>,
    ) {
        let target = match target {
            Ok(target) => target,
            Err(e) => {
                let _ = self.events.send(NetEvent::Refused {
                    side,
                    socket,
                    status: 0,
                    reason: e.to_string(),
                    unreachable: None,
                });
                return;
            }
        };
        let target = if self.options.record_bytes && !target.is_tls() {
            let tap = Tap::new(self.started.into_std());
            self.taps.push((side, tap.clone()));
            target.tapped(tap)
        } else {
            target
        };
        let task = SocketTask {
            target,
            side,
            socket,
            path,
            headers,
            upgrade_timeout: self.options.upgrade_timeout,
            close_linger: self.options.close_linger,
            events: self.events.clone(),
        };
        self.tasks.spawn(task.run(receiver));
    }
    pub(super) fn set_gone(&mut self, side: Side, socket: SocketId) {
        if let Some(entry) = self.sockets.get_mut(&(side, socket)) {
            entry.phase = Phase::Gone;
        }
    }
    pub(super) fn input(&mut self, side: Side, now: Millis, input: Input) {
        match side {
            Side::Desktop => {
                if let Some(desktop) = self.desktop.as_mut() {
                    desktop.handle_input(now, input);
                }
            }
            Side::Phone => {
                if let Some(phone) = self.phone.as_mut() {
                    phone.handle_input(now, input);
                }
            }
        }
    }
    /// Lets the socket tasks send their close frames (bounded), then reports.
    pub(super) async fn finish(mut self) -> Report {
        // Dropping the command senders tells each socket task to close (if the peer did not)
        // and to finish once the server answered or the linger is over.
        self.sockets.clear();
        self.wake = match self.wake {
            WakeState::Open { .. } => WakeState::Unused,
            other => other,
        };
        let linger = self.options.close_linger + Duration::from_millis(100);
        let _ = timeout(linger, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        self.tasks.abort_all();
        let result = |side: Side, own: Option<&Result<(), PeerError>>| match own {
            Some(result) => result.clone(),
            None => Err(self
                .forced
                .get(&side)
                .cloned()
                .unwrap_or(PeerError::new(side, Reason::DidNotFinish(side)))),
        };
        // A peer that finished on its own reports its own result, even if the driver had
        // given up on it for another reason (the wake channel) before.
        let desktop_result = result(
            Side::Desktop,
            self.desktop.as_ref().and_then(|d| d.result()),
        );
        let phone_result = result(Side::Phone, self.phone.as_ref().and_then(|p| p.result()));
        for (side, tap) in &self.taps {
            self.wire.streams.push((*side, tap.record()));
        }
        Report {
            desktop_result,
            phone_result,
            failed_first: self.failed.first().map(|f| f.side),
            finished: self.finished,
            log: self.log,
            timed_out: self.timed_out,
            unreachable: self.unreachable,
            elapsed: self.started.elapsed(),
            wire: self.wire,
        }
    }
}
