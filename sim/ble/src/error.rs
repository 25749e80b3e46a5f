//! Why the machine cannot scan or advertise: each way the path to the radio (D-Bus system
//! bus → BlueZ → adapter → powered, allowed; for advertising also BlueZ's advertising
//! manager, a free slot, a registration it accepts) can be missing, with what the user can do
//! about it.
//!
//! btleplug (scanning) reports most of these as `Error::Other` wrapping a D-Bus error, so the
//! D-Bus error names in its text (`org.freedesktop.DBus.Error.ServiceUnknown`, …) are what
//! tells them apart; the advertiser talks D-Bus itself and has the names as they came.

/// Something the environment lacks for scanning or advertising. Every variant is an
/// environment problem (the CLI's exit 3), not bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BleError {
    /// No D-Bus system bus to connect to (no socket, or `DBUS_SYSTEM_BUS_ADDRESS` points
    /// nowhere): typical of containers.
    #[error("no D-Bus system bus ({detail})")]
    NoSystemBus {
        /// The connection error.
        detail: String,
    },
    /// The bus is there but nothing answers as `org.bluez` (bluetoothd not running).
    #[error("no BlueZ service on the D-Bus system bus ({detail})")]
    NoBluez {
        /// The D-Bus error.
        detail: String,
    },
    /// BlueZ runs but knows no Bluetooth adapter.
    #[error("BlueZ has no Bluetooth adapter")]
    NoAdapter,
    /// The adapter exists but is powered off (or blocked by rfkill).
    #[error("Bluetooth adapter {adapter} is powered off")]
    PoweredOff {
        /// The adapter, as BlueZ names it (e.g. `hci0 (usb:v1D6Bp0246d0540)`).
        adapter: String,
    },
    /// The bus or BlueZ refused this user.
    #[error("not allowed to use Bluetooth ({detail})")]
    PermissionDenied {
        /// The refusal.
        detail: String,
    },
    /// The adapter has no LE advertising through BlueZ (no `org.bluez.LEAdvertisingManager1`
    /// on it: an old bluetoothd, or a controller without LE advertising).
    #[error("Bluetooth adapter {adapter} cannot advertise (BlueZ offers no LEAdvertisingManager1 on it)")]
    NoAdvertising {
        /// The adapter, as BlueZ names it.
        adapter: String,
    },
    /// Every advertising slot of the adapter is taken (`SupportedInstances` 0, or BlueZ's
    /// "Maximum advertisements reached").
    #[error(
        "Bluetooth adapter {adapter} has no advertising slot free (MaxAdvertisements reached)"
    )]
    AdvertisingFull {
        /// The adapter, as BlueZ names it.
        adapter: String,
    },
    /// BlueZ refused to register the advertisement.
    #[error("BlueZ refused the advertisement ({name}: {detail})")]
    AdvertisementRefused {
        /// The D-Bus error name (`org.bluez.Error.Failed`, …).
        name: String,
        /// BlueZ's message.
        detail: String,
    },
    /// BlueZ did not answer in time.
    #[error("BlueZ did not answer within {seconds} s while {step}")]
    NoAnswer {
        /// What was being asked.
        step: &'static str,
        /// How long it was given.
        seconds: u64,
    },
    /// Any other failure of the Bluetooth stack.
    #[error("Bluetooth failed while {step}: {detail}")]
    Other {
        /// What was being done.
        step: &'static str,
        /// The stack's message.
        detail: String,
    },
}

impl BleError {
    /// One line saying what to do about it.
    pub fn what_to_do(&self) -> &'static str {
        match self {
            BleError::NoSystemBus { .. } => {
                "start the system bus (e.g. `service dbus start`), or point \
                 DBUS_SYSTEM_BUS_ADDRESS at one"
            }
            BleError::NoBluez { .. } => {
                "install and start BlueZ (`apt install bluez`, then `bluetoothd` or \
                 `systemctl start bluetooth`)"
            }
            BleError::NoAdapter => {
                "plug in a Bluetooth LE adapter (check `bluetoothctl list`); containers and \
                 VMs usually have none"
            }
            BleError::PoweredOff { .. } => {
                "turn it on: `bluetoothctl power on` (and `rfkill unblock bluetooth` if blocked)"
            }
            BleError::PermissionDenied { .. } => {
                "run as a user the D-Bus policy lets use org.bluez (e.g. in group `bluetooth`), \
                 or as root"
            }
            BleError::NoAdvertising { .. } => {
                "use an adapter and a BlueZ with LE advertising (`bluetoothctl show` lists its \
                 advertising features; old bluetoothd releases need `--experimental`)"
            }
            BleError::AdvertisingFull { .. } => {
                "stop the other advertisers on it (`bluetoothctl advertise off`, other \
                 programs) or use another adapter"
            }
            BleError::AdvertisementRefused { .. } => {
                "see bluetoothd's log (`journalctl -u bluetooth`) and the adapter \
                 (`bluetoothctl show`)"
            }
            BleError::NoAnswer { .. } => "check that bluetoothd is healthy (`bluetoothctl show`)",
            BleError::Other { .. } => "check the adapter with `bluetoothctl show`",
        }
    }

    /// Sorts a btleplug error from `step` into the variants above.
    pub(crate) fn classify(step: &'static str, error: &btleplug::Error) -> BleError {
        if let btleplug::Error::PermissionDenied = error {
            return BleError::PermissionDenied {
                detail: error.to_string(),
            };
        }
        let detail = error.to_string();
        let debug = format!("{error:?}");
        BleError::from_text(step, detail, &debug)
    }

    /// Sorts a D-Bus error from `step` of advertising into the variants above: by its name,
    /// as the scan's btleplug errors are by the names in their text.
    pub(crate) fn classify_dbus(step: &'static str, error: &dbus::Error) -> BleError {
        let name = error.name().unwrap_or("(no error name)");
        // The message alone, as btleplug's text has it for the scan; the name decides.
        let detail = error.message().unwrap_or(name).to_owned();
        match name {
            "org.freedesktop.DBus.Error.NoReply" | "org.freedesktop.DBus.Error.Timeout" => {
                BleError::NoAnswer {
                    step,
                    seconds: crate::SETUP_TIMEOUT.as_secs(),
                }
            }
            _ => BleError::from_text(step, detail, name),
        }
    }

    /// The variant for an error described by `detail` and `names` (its D-Bus error names).
    fn from_text(step: &'static str, detail: String, names: &str) -> BleError {
        let has = |needle: &str| detail.contains(needle) || names.contains(needle);
        if has("org.freedesktop.DBus.Error.AccessDenied")
            || has("org.bluez.Error.NotPermitted")
            || has("Permission denied")
        {
            BleError::PermissionDenied { detail }
        } else if has("org.freedesktop.DBus.Error.ServiceUnknown")
            || has("org.freedesktop.DBus.Error.NameHasNoOwner")
        {
            BleError::NoBluez { detail }
        } else if has("Failed to connect to socket")
            || has("org.freedesktop.DBus.Error.FileNotFound")
            || has("org.freedesktop.DBus.Error.NoServer")
            || has("org.freedesktop.DBus.Error.BadAddress")
        {
            BleError::NoSystemBus { detail }
        } else if has("org.bluez.Error.NotReady") || has("rfkill") {
            BleError::PoweredOff { adapter: detail }
        } else {
            BleError::Other { step, detail }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbus_error_names_pick_the_variant() {
        let other = |text: &str| btleplug::Error::Other(text.to_owned().into());
        let no_bus = other(
            "D-Bus error: Failed to connect to socket /run/dbus/system_bus_socket: No such \
             file or directory (org.freedesktop.DBus.Error.FileNotFound)",
        );
        assert!(matches!(
            BleError::classify("connecting", &no_bus),
            BleError::NoSystemBus { .. }
        ));
        let no_bluez = other(
            "D-Bus error: The name org.bluez was not provided by any .service files \
             (org.freedesktop.DBus.Error.ServiceUnknown)",
        );
        assert!(matches!(
            BleError::classify("listing adapters", &no_bluez),
            BleError::NoBluez { .. }
        ));
        let denied = other("D-Bus error: Rejected send (org.freedesktop.DBus.Error.AccessDenied)");
        assert!(matches!(
            BleError::classify("scanning", &denied),
            BleError::PermissionDenied { .. }
        ));
        assert!(matches!(
            BleError::classify("scanning", &btleplug::Error::PermissionDenied),
            BleError::PermissionDenied { .. }
        ));
        assert!(matches!(
            BleError::classify(
                "scanning",
                &other("D-Bus error: x (org.bluez.Error.NotReady)")
            ),
            BleError::PoweredOff { .. }
        ));
        assert_eq!(
            BleError::classify("scanning", &other("something else")),
            BleError::Other {
                step: "scanning",
                detail: "something else".to_owned()
            }
        );
    }
}
