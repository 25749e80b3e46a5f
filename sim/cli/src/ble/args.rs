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
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub seconds: u64,
    /// Stop after listing this many adverts (decrypted or not).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Print one JSON object per advert instead of lines.
    #[arg(long)]
    pub json: bool,
}
