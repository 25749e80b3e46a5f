//! `hybridsim phone --real-ble`: the phone's adverts, as the socket driver hands them out,
//! broadcast on a real adapter for as long as the transaction needs them, and withdrawn when
//! the phone stops advertising (after the handshake, as a real phone does) or the run ends:
//! on success, on failure, on Ctrl-C and on SIGTERM (the advert is unregistered before the
//! process goes), and when the radio itself fails (then the run is stopped).
//!
//! The advert's form (service UUID, suffix) and the tunnel domain are the phone's own, set
//! from its profile's `[hybrid]` table by `PhoneConfig::apply_hybrid_profile`.

use crate::error::BleError;
use crate::Advertiser;
use hybridsim_proto::advert_line::AdvertLine;
use std::future::Future;
use std::pin::Pin;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;

/// Opens the adapter for a phone about to advertise (see [`Advertiser::open`]).
pub async fn prepare() -> Result<Advertiser, BleError> {
    Advertiser::open().await
}

/// Ctrl-C (SIGINT) and SIGTERM, listened for from creation on, so that neither ends the
/// process before the advert is withdrawn.
#[derive(Debug)]
pub struct Interrupts {
    int: Option<Signal>,
    term: Option<Signal>,
}

impl Interrupts {
    /// Starts listening (a signal that cannot be listened for is left to its default).
    pub fn listen() -> Interrupts {
        Interrupts {
            int: signal(SignalKind::interrupt()).ok(),
            term: signal(SignalKind::terminate()).ok(),
        }
    }

    /// The next interrupt: `"Ctrl-C"` or `"SIGTERM"`.
    pub async fn next(&mut self) -> &'static str {
        async fn recv(signal: &mut Option<Signal>) {
            match signal {
                Some(signal) => {
                    if signal.recv().await.is_none() {
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = recv(&mut self.int) => "Ctrl-C",
            () = recv(&mut self.term) => "SIGTERM",
        }
    }
}

/// How the radio's part of a phone run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RadioEnd {
    /// The run ended (its advert sender went away) and the advert, if any, was withdrawn.
    Finished,
    /// Ctrl-C or SIGTERM (named); the advert was withdrawn and the run told to stop.
    Interrupted(&'static str),
    /// The radio failed (a registration refused, …); the run was told to stop.
    Failed(BleError),
}

impl std::fmt::Display for RadioEnd {
    /// `the run ended`, `stopped by SIGTERM; the advert was withdrawn`, or the radio's error.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RadioEnd::Finished => f.write_str("the run ended"),
            RadioEnd::Interrupted(signal) => {
                write!(f, "stopped by {signal}; the advert was withdrawn")
            }
            RadioEnd::Failed(e) => write!(f, "the radio failed: {e}"),
        }
    }
}

/// Broadcasts every advert from `adverts` until the sender goes away (the phone stopped
/// advertising, or its run ended), an interrupt comes, or the radio fails; then withdraws the
/// advert. Until `run_over` (the run ended) an interrupt still stops the run; a radio failure
/// or an interrupt is sent on `stop` so that the driver stops the run. `note` hears each
/// step, for progress output.
pub async fn serve_phone(
    mut advertiser: Advertiser,
    mut adverts: UnboundedReceiver<AdvertLine>,
    mut interrupts: Interrupts,
    stop: oneshot::Sender<String>,
    run_over: oneshot::Receiver<()>,
    mut note: impl FnMut(String) + Send,
) -> RadioEnd {
    let mut end = loop {
        let next = tokio::select! {
            next = adverts.recv() => next,
            signal = interrupts.next() => break RadioEnd::Interrupted(signal),
        };
        let Some(advert) = next else {
            break RadioEnd::Finished;
        };
        match advertiser.advertise(advert.uuid, &advert.data).await {
            Ok(()) => note(format!(
                "advertising {} on {} ({} B of service data under {:04x})",
                hex::encode(&advert.data),
                advertiser.adapter(),
                advert.data.len(),
                advert.uuid
            )),
            Err(e) => break RadioEnd::Failed(e),
        }
    };
    let withdrawn = advertiser.withdraw().await;
    if withdrawn.is_ok() && !matches!(end, RadioEnd::Failed(_)) {
        note("advert withdrawn".to_owned());
    }
    if end == RadioEnd::Finished {
        // The run may go on without its advert (after the handshake); Ctrl-C still stops it.
        end = tokio::select! {
            signal = interrupts.next() => RadioEnd::Interrupted(signal),
            _ = run_over => RadioEnd::Finished,
        };
    }
    if end != RadioEnd::Finished {
        let _ = stop.send(end.to_string());
    }
    match (end, withdrawn) {
        (RadioEnd::Finished, Err(e)) => RadioEnd::Failed(e),
        (end, _) => end,
    }
}

/// A request to stop a run, resolved with the reason (never, once the radio ended with the
/// run itself).
pub type StopRequest = Pin<Box<dyn Future<Output = String> + Send>>;

/// Runs `run` (a phone run: it gets the sender for its adverts and the request to stop it
/// early) with its adverts broadcast through `advertiser` as [`serve_phone`] does; returns
/// its output and how the radio ended, the advert withdrawn by then.
pub async fn on_air<T, F>(
    advertiser: Advertiser,
    note: impl FnMut(String) + Send + 'static,
    run: impl FnOnce(UnboundedSender<AdvertLine>, StopRequest) -> F,
) -> (T, RadioEnd)
where
    F: Future<Output = T>,
{
    let interrupts = Interrupts::listen();
    let mut note = note;
    note(format!(
        "advertising on {} once the tunnel is open (Ctrl-C stops)",
        advertiser.adapter()
    ));
    let (adverts, to_radio) = unbounded_channel();
    let (stop, stopped) = oneshot::channel();
    let (over, run_over) = oneshot::channel();
    let radio = tokio::spawn(serve_phone(
        advertiser, to_radio, interrupts, stop, run_over, note,
    ));
    let stop: StopRequest = Box::pin(async move {
        match stopped.await {
            Ok(reason) => reason,
            Err(_) => std::future::pending().await,
        }
    });
    let output = run(adverts, stop).await;
    let _ = over.send(());
    let end = radio.await.unwrap_or_else(|e| {
        RadioEnd::Failed(BleError::Other {
            step: "advertising",
            detail: e.to_string(),
        })
    });
    (output, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_the_radio_ended_reads_as_one_line() {
        assert_eq!(
            RadioEnd::Interrupted("SIGTERM").to_string(),
            "stopped by SIGTERM; the advert was withdrawn"
        );
        assert_eq!(
            RadioEnd::Failed(BleError::NoAdapter).to_string(),
            "the radio failed: BlueZ has no Bluetooth adapter"
        );
    }
}
