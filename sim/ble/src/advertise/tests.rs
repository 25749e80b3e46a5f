use super::*;
use dbus::arg::{RefArg, Variant};

fn prop(value: impl RefArg + 'static) -> Variant<Box<dyn RefArg>> {
    Variant(Box::new(value))
}

/// One adapter at `path` with these Adapter1 properties and, optionally, an advertising
/// manager with these properties.
fn objects(
    adapters: &[(&str, bool, Option<u8>)],
) -> HashMap<Path<'static>, HashMap<String, PropMap>> {
    let mut objects = HashMap::new();
    for (path, powered, slots) in adapters {
        let mut interfaces = HashMap::new();
        let mut adapter = PropMap::new();
        adapter.insert("Powered".to_owned(), prop(*powered));
        adapter.insert(
            "Modalias".to_owned(),
            prop("usb:v1D6Bp0246d0540".to_owned()),
        );
        interfaces.insert(ADAPTER_IFACE.to_owned(), adapter);
        if let Some(slots) = slots {
            let mut manager = PropMap::new();
            manager.insert("SupportedInstances".to_owned(), prop(*slots));
            interfaces.insert(MANAGER_IFACE.to_owned(), manager);
        }
        objects.insert(Path::from(path.to_string()), interfaces);
    }
    objects.insert(Path::from("/org/bluez"), HashMap::new());
    objects
}

#[test]
fn the_first_adapter_is_taken_when_it_can_advertise() {
    let found = Advertiser::check(&objects(&[
        ("/org/bluez/hci1", false, None),
        ("/org/bluez/hci0", true, Some(4)),
    ]));
    let (path, name) = found.unwrap();
    assert_eq!(&*path, "/org/bluez/hci0");
    assert_eq!(name, "hci0 (usb:v1D6Bp0246d0540)");
}

#[test]
fn what_an_adapter_lacks_is_named() {
    let adapter = "hci0 (usb:v1D6Bp0246d0540)".to_owned();
    let check = |adapters: &[(&str, bool, Option<u8>)]| Advertiser::check(&objects(adapters));
    assert_eq!(check(&[]), Err(BleError::NoAdapter));
    assert_eq!(
        check(&[("/org/bluez/hci0", false, Some(4))]),
        Err(BleError::PoweredOff {
            adapter: adapter.clone()
        })
    );
    assert_eq!(
        check(&[("/org/bluez/hci0", true, None)]),
        Err(BleError::NoAdvertising {
            adapter: adapter.clone()
        })
    );
    assert_eq!(
        check(&[("/org/bluez/hci0", true, Some(0))]),
        Err(BleError::AdvertisingFull { adapter })
    );
}

#[test]
fn bluez_refusals_are_sorted_by_their_names() {
    let error = |name: &str, message: &str| dbus::Error::new_custom(name, message);
    assert_eq!(
        refusal(
            "hci0",
            &error(
                "org.bluez.Error.NotPermitted",
                "Maximum advertisements reached"
            )
        ),
        BleError::AdvertisingFull {
            adapter: "hci0".to_owned()
        }
    );
    assert_eq!(
        refusal("hci0", &error("org.bluez.Error.InvalidLength", "too long")),
        BleError::AdvertisementRefused {
            name: "org.bluez.Error.InvalidLength".to_owned(),
            detail: "too long".to_owned()
        }
    );
    assert!(matches!(
        refusal(
            "hci0",
            &error("org.freedesktop.DBus.Error.AccessDenied", "Rejected send")
        ),
        BleError::PermissionDenied { .. }
    ));
    assert!(matches!(
        refusal(
            "hci0",
            &error("org.bluez.Error.NotReady", "Resource Not Ready")
        ),
        BleError::PoweredOff { .. }
    ));
    assert!(matches!(
        refusal("hci0", &error("org.freedesktop.DBus.Error.NoReply", "")),
        BleError::NoAnswer { .. }
    ));
}

#[test]
fn the_advertisement_has_a_type_and_service_data_only() {
    let served = object::Served::default();
    served.set(0xfff9, &[7; 20]);
    let props = served.properties();
    let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["ServiceData", "Type"]);
    assert_eq!(
        props.get("Type").and_then(|v| v.0.as_str()),
        Some("peripheral")
    );
    let service_data = props.get("ServiceData").map(|v| &v.0);
    let mut entries = service_data.and_then(|v| v.as_iter()).unwrap();
    let uuid = entries.next().and_then(|k| k.as_str().map(str::to_owned));
    assert_eq!(
        uuid.as_deref(),
        Some("0000fff9-0000-1000-8000-00805f9b34fb")
    );
    assert_eq!(
        object::uuid128(0xfde2),
        "0000fde2-0000-1000-8000-00805f9b34fb"
    );
}
