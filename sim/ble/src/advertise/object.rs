//! The advertisement object this process serves on the bus for BlueZ to read
//! (`org.bluez.LEAdvertisement1`, BlueZ's doc/org.bluez.LEAdvertisement.rst): a peripheral
//! advertisement carrying service data only, with no local name, no service-UUID list and
//! no TX power, as a phone's hybrid advert is (docs/protocol.md §4).
//!
//! bluetoothd reads the properties with `Properties.GetAll` when the advertisement is
//! registered (some versions first ask the path's `ObjectManager`), and calls `Release`
//! when it drops the advertisement on its own (adapter gone or powered off). Every other
//! call on the path is refused with `UnknownMethod`.

use dbus::arg::{PropMap, RefArg, Variant};
use dbus::channel::Sender;
use dbus::nonblock::SyncConnection;
use dbus::strings::ErrorName;
use dbus::Message;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The advertisement's D-Bus interface.
pub const ADVERTISEMENT_IFACE: &str = "org.bluez.LEAdvertisement1";
const PROPERTIES_IFACE: &str = "org.freedesktop.DBus.Properties";
const OBJECT_MANAGER_IFACE: &str = "org.freedesktop.DBus.ObjectManager";
const INTROSPECTABLE_IFACE: &str = "org.freedesktop.DBus.Introspectable";

/// BlueZ's advertisement type: "peripheral" (connectable, with the LE discoverable flags)
/// or "broadcast" (non-connectable). The issue asks for a peripheral advertisement.
pub const ADVERTISEMENT_TYPE: &str = "peripheral";

/// The 128-bit form of a 16-bit Bluetooth SIG UUID, as BlueZ names service data.
pub fn uuid128(uuid16: u16) -> String {
    format!("0000{uuid16:04x}-0000-1000-8000-00805f9b34fb")
}

/// What the object serves, shared with the method-call handler on the connection's task.
#[derive(Debug, Default)]
pub(super) struct Served {
    /// The service data under its 16-bit UUID.
    pub(super) advert: Mutex<Option<(u16, Vec<u8>)>>,
    /// Set when BlueZ called `Release`.
    pub(super) released: AtomicBool,
}

impl Served {
    pub(super) fn set(&self, uuid: u16, data: &[u8]) {
        *self.advert.lock().unwrap_or_else(PoisonError::into_inner) = Some((uuid, data.to_vec()));
    }

    /// The `LEAdvertisement1` properties: `Type` and `ServiceData` only.
    pub(super) fn properties(&self) -> PropMap {
        let advert = self
            .advert
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut props = PropMap::new();
        props.insert(
            "Type".to_owned(),
            Variant(Box::new(ADVERTISEMENT_TYPE.to_owned()) as Box<dyn RefArg>),
        );
        if let Some((uuid, data)) = advert {
            let mut service_data = PropMap::new();
            service_data.insert(uuid128(uuid), Variant(Box::new(data) as Box<dyn RefArg>));
            props.insert(
                "ServiceData".to_owned(),
                Variant(Box::new(service_data) as Box<dyn RefArg>),
            );
        }
        props
    }
}

/// Answers one method call on the advertisement's path; always `true` (keep listening).
pub(super) fn handle(served: &Arc<Served>, msg: &Message, conn: &SyncConnection) -> bool {
    let interface = msg.interface().map(|i| i.to_string()).unwrap_or_default();
    let member = msg.member().map(|m| m.to_string()).unwrap_or_default();
    let reply = match (interface.as_str(), member.as_str()) {
        (PROPERTIES_IFACE, "GetAll") => match msg.read1::<&str>() {
            Ok(ADVERTISEMENT_IFACE) => Some(msg.method_return().append1(served.properties())),
            Ok(_) => Some(msg.method_return().append1(PropMap::new())),
            Err(_) => None,
        },
        (PROPERTIES_IFACE, "Get") => msg
            .read2::<&str, &str>()
            .ok()
            .filter(|(iface, _)| *iface == ADVERTISEMENT_IFACE)
            .and_then(|(_, name)| served.properties().remove(name))
            .map(|value| msg.method_return().append1(value)),
        (OBJECT_MANAGER_IFACE, "GetManagedObjects") => {
            let mut interfaces = HashMap::new();
            interfaces.insert(ADVERTISEMENT_IFACE.to_owned(), served.properties());
            let mut objects = HashMap::new();
            if let Some(path) = msg.path() {
                objects.insert(path.into_static(), interfaces);
            }
            Some(msg.method_return().append1(objects))
        }
        (INTROSPECTABLE_IFACE, "Introspect") => {
            Some(msg.method_return().append1(INTROSPECTION.to_owned()))
        }
        (ADVERTISEMENT_IFACE, "Release") => {
            served.released.store(true, Ordering::SeqCst);
            Some(msg.method_return())
        }
        _ => None,
    };
    let reply = reply.or_else(|| {
        let name = ErrorName::new("org.freedesktop.DBus.Error.UnknownMethod").ok()?;
        let text = std::ffi::CString::new(format!("no method {interface}.{member} here")).ok()?;
        Some(msg.error(&name, &text))
    });
    if let Some(reply) = reply {
        let _ = conn.send(reply);
    }
    true
}

const INTROSPECTION: &str = r#"<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="org.bluez.LEAdvertisement1">
    <method name="Release"/>
    <property name="Type" type="s" access="read"/>
    <property name="ServiceData" type="a{sv}" access="read"/>
  </interface>
  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="v" direction="out"/></method>
    <method name="GetAll"><arg type="s" direction="in"/><arg type="a{sv}" direction="out"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.ObjectManager">
    <method name="GetManagedObjects"><arg type="a{oa{sa{sv}}}" direction="out"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect"><arg type="s" direction="out"/></method>
  </interface>
</node>
"#;
