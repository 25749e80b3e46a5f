//! The phone's side of the BLE hop on a real adapter: its hybrid advert (service data under
//! 0xFFF9 or 0xFDE2, docs/protocol.md §4) broadcast through BlueZ's
//! `org.bluez.LEAdvertisingManager1`.
//!
//! btleplug, which scans, is central-only, so this part talks D-Bus itself, through the
//! libdbus binding btleplug already builds on: it serves one `org.bluez.LEAdvertisement1`
//! object ([`object`]) and asks BlueZ to register and unregister it. Unregistering is an
//! awaited call, so a caller that withdraws before exiting (on success, failure, Ctrl-C or
//! SIGTERM) knows BlueZ has dropped the advert; were the process to die first, bluetoothd
//! drops it when the connection closes.
//!
//! [`Advertiser::open`] checks everything the machine may lack before anything else
//! happens, so that a run without a radio fails at once with a [`BleError`]: a system bus,
//! BlueZ, an adapter, power (never switched on here), permission, the advertising manager,
//! a free advertising slot.

pub mod object;

use crate::error::BleError;
use crate::SETUP_TIMEOUT;
use dbus::arg::{prop_cast, PropMap};
use dbus::channel::{MatchingReceiver, Token};
use dbus::message::MatchRule;
use dbus::nonblock::stdintf::org_freedesktop_dbus::ObjectManager;
use dbus::nonblock::{Proxy, SyncConnection};
use dbus::Path;
use object::Served;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::task::JoinHandle;

const BLUEZ: &str = "org.bluez";
const ADAPTER_IFACE: &str = "org.bluez.Adapter1";
/// BlueZ's advertising interface on an adapter.
pub const MANAGER_IFACE: &str = "org.bluez.LEAdvertisingManager1";
/// Where this process serves its advertisement (one per process; the bus tells processes
/// apart by their connection).
pub const ADVERTISEMENT_PATH: &str = "/org/hybridsim/advertisement0";

/// A connection to BlueZ ready to advertise on its first adapter.
pub struct Advertiser {
    conn: Arc<SyncConnection>,
    adapter_path: Path<'static>,
    name: String,
    served: Arc<Served>,
    registered: bool,
    receiver: Token,
    io: JoinHandle<()>,
}

impl std::fmt::Debug for Advertiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Advertiser")
            .field("adapter", &self.name)
            .field("registered", &self.registered)
            .finish_non_exhaustive()
    }
}

/// The first adapter in `objects` (by path): its path, its name as btleplug gives it
/// (`hci0 (usb:v1D6Bp0246d0540)`), its properties, and whether it can advertise.
fn first_adapter<'a>(
    objects: &'a HashMap<Path<'static>, HashMap<String, PropMap>>,
) -> Option<(Path<'static>, String, &'a PropMap, Option<&'a PropMap>)> {
    let (path, interfaces) = objects
        .iter()
        .filter(|(_, interfaces)| interfaces.contains_key(ADAPTER_IFACE))
        .min_by(|a, b| a.0.cmp(b.0))?;
    let props = interfaces.get(ADAPTER_IFACE)?;
    let short = path.rsplit('/').next().unwrap_or_default().to_owned();
    let name = match prop_cast::<String>(props, "Modalias") {
        Some(modalias) => format!("{short} ({modalias})"),
        None => short,
    };
    Some((path.clone(), name, props, interfaces.get(MANAGER_IFACE)))
}

impl Advertiser {
    /// Connects to BlueZ on the D-Bus system bus (`DBUS_SYSTEM_BUS_ADDRESS` when set), takes
    /// the first adapter, and refuses one that is powered off (rather than switching the
    /// user's radio on), has no advertising manager, or has no advertising slot free. Then
    /// serves the (still empty) advertisement object; nothing is broadcast yet.
    pub async fn open() -> Result<Advertiser, BleError> {
        let step = "connecting to the D-Bus system bus";
        let (resource, conn) = dbus_tokio::connection::new_system_sync()
            .map_err(|e| BleError::classify_dbus(step, &e))?;
        // The connection's I/O runs on its own task until this advertiser is dropped.
        let io = tokio::spawn(async move {
            let _ = resource.await;
        });
        let root = Proxy::new(BLUEZ, "/", SETUP_TIMEOUT, conn.clone());
        let objects = match root.get_managed_objects().await {
            Ok(objects) => objects,
            Err(e) => {
                io.abort();
                return Err(BleError::classify_dbus("listing Bluetooth adapters", &e));
            }
        };
        let checked = Self::check(&objects);
        let (adapter_path, name) = match checked {
            Ok(found) => found,
            Err(e) => {
                io.abort();
                return Err(e);
            }
        };
        let served = Arc::new(Served::default());
        let handler = served.clone();
        let rule = MatchRule::new_method_call().with_path(Path::from(ADVERTISEMENT_PATH));
        let receiver = conn.start_receive(
            rule,
            Box::new(move |msg, conn| object::handle(&handler, &msg, conn)),
        );
        Ok(Advertiser {
            conn,
            adapter_path,
            name,
            served,
            registered: false,
            receiver,
            io,
        })
    }

    /// The adapter's path and name, or what it lacks.
    fn check(
        objects: &HashMap<Path<'static>, HashMap<String, PropMap>>,
    ) -> Result<(Path<'static>, String), BleError> {
        let (path, name, props, manager) = first_adapter(objects).ok_or(BleError::NoAdapter)?;
        if prop_cast::<bool>(props, "Powered") == Some(&false) {
            return Err(BleError::PoweredOff { adapter: name });
        }
        let manager = manager.ok_or_else(|| BleError::NoAdvertising {
            adapter: name.clone(),
        })?;
        if prop_cast::<u8>(manager, "SupportedInstances") == Some(&0) {
            return Err(BleError::AdvertisingFull { adapter: name });
        }
        Ok((path, name))
    }

    /// The adapter advertising, as BlueZ describes it.
    pub fn adapter(&self) -> &str {
        &self.name
    }

    /// The advertisement object's path on this process's connection.
    pub fn object_path(&self) -> &'static str {
        ADVERTISEMENT_PATH
    }

    /// Whether BlueZ dropped the advertisement on its own (it called `Release`).
    pub fn released(&self) -> bool {
        self.served.released.load(Ordering::SeqCst)
    }

    fn manager(&self) -> Proxy<'_, Arc<SyncConnection>> {
        Proxy::new(
            BLUEZ,
            self.adapter_path.clone(),
            SETUP_TIMEOUT,
            self.conn.clone(),
        )
    }

    /// Broadcasts `data` as service data under the 16-bit `uuid`, replacing the advert
    /// broadcast before (BlueZ reads the properties when it registers, so a new advert is
    /// a new registration).
    pub async fn advertise(&mut self, uuid: u16, data: &[u8]) -> Result<(), BleError> {
        self.withdraw().await?;
        self.served.set(uuid, data);
        self.served.released.store(false, Ordering::SeqCst);
        let call: Result<(), dbus::Error> = self
            .manager()
            .method_call(
                MANAGER_IFACE,
                "RegisterAdvertisement",
                (Path::from(ADVERTISEMENT_PATH), PropMap::new()),
            )
            .await;
        call.map_err(|e| refusal(&self.name, &e))?;
        self.registered = true;
        Ok(())
    }

    /// Stops broadcasting: unregisters the advertisement, if registered, and waits for BlueZ
    /// to confirm. An advertisement BlueZ already released needs no call.
    pub async fn withdraw(&mut self) -> Result<(), BleError> {
        if !std::mem::take(&mut self.registered) || self.released() {
            return Ok(());
        }
        let call: Result<(), dbus::Error> = self
            .manager()
            .method_call(
                MANAGER_IFACE,
                "UnregisterAdvertisement",
                (Path::from(ADVERTISEMENT_PATH),),
            )
            .await;
        call.map_err(|e| BleError::classify_dbus("unregistering the advertisement", &e))
    }
}

/// What a refused registration on `adapter` means: no slot free, not allowed, or refused
/// outright (BlueZ's `org.bluez.Error.*` names); other errors as any D-Bus call's.
fn refusal(adapter: &str, error: &dbus::Error) -> BleError {
    let name = error.name().unwrap_or_default();
    let message = error.message().unwrap_or_default();
    match name {
        "org.bluez.Error.NotPermitted" if message.contains("Maximum advertisements") => {
            BleError::AdvertisingFull {
                adapter: adapter.to_owned(),
            }
        }
        _ if name.starts_with("org.bluez.Error.") && name != "org.bluez.Error.NotReady" => {
            BleError::AdvertisementRefused {
                name: name.to_owned(),
                detail: message.to_owned(),
            }
        }
        _ => BleError::classify_dbus("registering the advertisement", error),
    }
}

impl Drop for Advertiser {
    /// Stops serving the object and closes the connection (bluetoothd then drops an
    /// advertisement still registered; call [`Advertiser::withdraw`] first to be sure).
    fn drop(&mut self) {
        let _ = self.conn.stop_receive(self.receiver);
        self.io.abort();
    }
}

#[cfg(test)]
mod tests;
