//! Sorting the BlueZ backend's errors into [`BleError`] variants.
//!
//! btleplug (scanning) reports most of them as `Error::Other` wrapping a D-Bus error, so the
//! D-Bus error names in its text (`org.freedesktop.DBus.Error.ServiceUnknown`, …) are what
//! tells them apart; the advertiser talks D-Bus itself and has the names as they came.

use crate::error::BleError;

impl BleError {
    /// Sorts a btleplug error from `step` into a variant.
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

    /// Sorts a D-Bus error from `step` of advertising into a variant: by its name,
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
