//! Scanning a real adapter for hybrid adverts (docs/protocol.md §4): service data under 0xFFF9
//! or 0xFDE2, whatever its length; judging the length is the reader's job.
//!
//! BlueZ is given no UUID filter: it matches a filter only against an advert's service-UUID
//! lists, never its service-data UUIDs, so a service-data-only advert (iOS style) would be
//! dropped. Chromium scans the same way and picks the UUIDs out itself.

use crate::error::BleError;
use crate::SeenAdvert;
use btleplug::api::bleuuid::uuid_from_u16;
use btleplug::api::{
    Central, CentralEvent, CentralState, Manager as _, Peripheral as _, ScanFilter,
};
use btleplug::platform::{Adapter, Manager, PeripheralId};
use futures_util::{Stream, StreamExt};
use hybridsim_proto::advert::{FIDO_SERVICE_UUID, GOOGLE_SERVICE_UUID};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::Instant;

/// How long each setup call to BlueZ may take before the scan gives up on it, so that a hung
/// bluetoothd is an error rather than a hang.
pub const SETUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The hybrid service data in a device's map (0xFFF9 first, then 0xFDE2), given the map's
/// lookup by 16-bit UUID.
fn hybrid_entries(get: impl Fn(u16) -> Option<Vec<u8>>) -> Vec<(u16, Vec<u8>)> {
    [FIDO_SERVICE_UUID, GOOGLE_SERVICE_UUID]
        .into_iter()
        .filter_map(|uuid| get(uuid).map(|data| (uuid, data)))
        .collect()
}

type Events = Pin<Box<dyn Stream<Item = CentralEvent> + Send>>;

/// A running scan on the first adapter BlueZ lists. Stop it with [`Scanner::stop`]; dropping
/// it leaves BlueZ's discovery session to end when this process's D-Bus connection closes.
pub struct Scanner {
    adapter: Adapter,
    name: String,
    events: Events,
    started: Instant,
    /// Adverts found on one event but not handed out yet (a device may carry both UUIDs).
    pending: Vec<SeenAdvert>,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("adapter", &self.name)
            .finish_non_exhaustive()
    }
}

async fn bounded<T>(
    step: &'static str,
    call: impl Future<Output = Result<T, btleplug::Error>>,
) -> Result<T, BleError> {
    match tokio::time::timeout(SETUP_TIMEOUT, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(BleError::classify(step, &e)),
        Err(_) => Err(BleError::NoAnswer {
            step,
            seconds: SETUP_TIMEOUT.as_secs(),
        }),
    }
}

impl Scanner {
    /// Connects to BlueZ on the D-Bus system bus (`DBUS_SYSTEM_BUS_ADDRESS` when set), takes
    /// the first adapter, refuses one that is powered off (rather than switching the user's
    /// radio on), subscribes to its events and starts discovery with no UUID filter.
    pub async fn start() -> Result<Scanner, BleError> {
        let manager = bounded("connecting to the D-Bus system bus", Manager::new()).await?;
        let adapter = bounded("listing Bluetooth adapters", manager.adapters())
            .await?
            .into_iter()
            .next()
            .ok_or(BleError::NoAdapter)?;
        let name = bounded("reading the adapter", adapter.adapter_info()).await?;
        let state = bounded("reading the adapter's power state", adapter.adapter_state()).await?;
        if state == CentralState::PoweredOff {
            return Err(BleError::PoweredOff { adapter: name });
        }
        // Subscribe first: adverts that arrive once discovery runs must not be missed.
        let events = bounded("subscribing to adapter events", adapter.events()).await?;
        bounded(
            "starting discovery",
            adapter.start_scan(ScanFilter::default()),
        )
        .await?;
        Ok(Scanner {
            adapter,
            name,
            events,
            started: Instant::now(),
            pending: Vec::new(),
        })
    }

    /// The adapter scanning, as BlueZ describes it.
    pub fn adapter(&self) -> &str {
        &self.name
    }

    /// The next hybrid advert heard; `None` when the event stream ends. An adapter switched
    /// off mid-scan is an error.
    pub async fn next(&mut self) -> Option<Result<SeenAdvert, BleError>> {
        loop {
            if let Some(seen) = self.pending.pop() {
                return Some(Ok(seen));
            }
            let event = self.events.next().await?;
            let at = self.started.elapsed();
            match event {
                // A device seen for the first time (or already known when the scan began):
                // its advert so far is in its properties. Later adverts come as changes.
                CentralEvent::DeviceDiscovered(id) => self.read_device(&id, None, at).await,
                CentralEvent::ServiceDataAdvertisement { id, service_data } => {
                    let changed =
                        hybrid_entries(|uuid| service_data.get(&uuid_from_u16(uuid)).cloned());
                    self.read_device(&id, Some(changed), at).await;
                }
                CentralEvent::StateUpdate(CentralState::PoweredOff) => {
                    return Some(Err(BleError::PoweredOff {
                        adapter: self.name.clone(),
                    }));
                }
                _ => {}
            }
        }
    }

    /// Queues the hybrid service data of device `id`: `changed` when the event carried it,
    /// else what its properties hold. A device that vanished meanwhile is skipped.
    async fn read_device(
        &mut self,
        id: &PeripheralId,
        changed: Option<Vec<(u16, Vec<u8>)>>,
        at: Duration,
    ) {
        let Ok(peripheral) = self.adapter.peripheral(id).await else {
            return;
        };
        let Ok(Some(properties)) = peripheral.properties().await else {
            return;
        };
        let entries = changed.unwrap_or_else(|| {
            hybrid_entries(|uuid| properties.service_data.get(&uuid_from_u16(uuid)).cloned())
        });
        // Pushed in reverse so that `pop` hands them out in order.
        for (uuid, data) in entries.into_iter().rev() {
            self.pending.push(SeenAdvert {
                address: properties.address.to_string(),
                rssi: properties.rssi,
                uuid,
                data,
                at,
            });
        }
    }

    /// Stops discovery.
    pub async fn stop(self) -> Result<(), BleError> {
        bounded("stopping discovery", self.adapter.stop_scan()).await
    }
}
