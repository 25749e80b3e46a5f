//! `hybridsim ble …` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use clap::{Args, Subcommand};

/// `hybridsim ble …`
#[derive(Debug, Subcommand)]
pub enum BleCommand {
    /// List every hybrid advert heard (service data under 0xFFF9 or 0xFDE2) with address,
    /// RSSI and time; with --secret or --qr, also decrypt those made for that QR code.
    /// Exit 3 (one line saying what to do) when there is no system bus, BlueZ, adapter,
    /// power or permission.
    Scan(BleScan),
    /// Broadcast the advert our phone would send for a QR code, to debug a desktop's scanner
    /// alone: printed as a line once BlueZ has accepted it, withdrawn at the end or on
    /// Ctrl-C / SIGTERM. Exit 3 (one line) when the machine cannot advertise.
    Advertise(BleAdvertise),
}

/// `hybridsim ble advertise`
#[derive(Debug, Args)]
pub struct BleAdvertise {
    /// The FIDO:/ string the desktop shows.
    #[arg(long, value_name = "FIDO:/…")]
    pub qr: String,
    /// The routing id in the advert (3 bytes, hex); random when not given.
    #[arg(long, value_name = "HEX3")]
    pub routing_id: Option<String>,
    /// The tunnel domain id in the advert (0 cable.ua5v.com, 1 cable.auth.com).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub domain_id: u16,
    /// Advertise for this many seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub seconds: u64,
}

/// `hybridsim ble scan`
#[derive(Debug, Args)]
pub struct BleScan {
    /// A 16-byte QR secret (hex) to trial-decrypt adverts with; repeat for several.
    #[arg(long, value_name = "HEX16")]
    pub secret: Vec<String>,
    /// Take a QR secret from this FIDO:/ string (what the desktop showed the phone); repeat
    /// for several.
    #[arg(long, value_name = "FIDO:/…")]
    pub qr: Vec<String>,
    /// Scan for this many seconds. With --secret or --qr, exit 1 if no advert decrypted.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub seconds: u64,
    /// Stop after listing this many adverts (decrypted or not).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Print one JSON object per advert instead of lines.
    #[arg(long)]
    pub json: bool,
}
