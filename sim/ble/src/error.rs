//! Why the machine cannot scan or advertise: each way the path to the radio (D-Bus system
//! bus → BlueZ → adapter → powered, allowed; for advertising also BlueZ's advertising
//! manager, a free slot, a registration it accepts) can be missing, with what the user can do
//! about it; or a build with no backend to reach it through at all.

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
    /// This build has no BLE backend: hybridsim-ble without its `bluez` feature (hybridsim-cli
    /// without `ble`), so that it builds where libdbus is missing.
    #[error(
        "this hybridsim was built without BLE support (cargo feature `ble` of hybridsim-cli, \
         `bluez` of hybridsim-ble; building it needs libdbus-1-dev and pkg-config)"
    )]
    NotBuilt,
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
            BleError::NotBuilt => {
                "install libdbus-1-dev and pkg-config (`apt install libdbus-1-dev pkg-config`), \
                 then build with the feature on (the default, or `--features ble`)"
            }
        }
    }
}
