//! `hybridsim decode …` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use clap::{Args, Subcommand};

/// `hybridsim decode …`
#[derive(Debug, Subcommand)]
pub enum DecodeCommand {
    /// Decode a FIDO:/ QR string, or a picture of one (PNG or JPEG), with the phone's validation
    /// rules.
    Qr(DecodeQr),
    /// Decrypt a BLE advert (service data) with a QR secret and show the EID fields.
    Advert(DecodeAdvert),
    /// Show the tunnel-server host name of a domain id (decimal or 0x hex).
    Domain(DecodeDomain),
    /// Parse a tunnel URL (wss://host/cable/new|connect|contact/…) and check it.
    Url(DecodeUrl),
    /// Decrypt a captured session from its QR code, key log and WebSocket messages.
    Session(crate::decode::session::DecodeSession),
}

/// `hybridsim decode qr`
#[derive(Debug, Args)]
pub struct DecodeQr {
    /// A FIDO:/ string, or the path of a PNG or JPEG picture of the QR code. Images are read at
    /// most 1024 pixels wide and tall (larger ones are shrunk first), and one with more than
    /// 40 finder-pattern look-alikes (noise, fine texture) is refused.
    pub input: String,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `hybridsim decode advert`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["secret", "qr"])))]
pub struct DecodeAdvert {
    /// The advert: hex service data (20 bytes), optionally prefixed `fff9:` or `fde2:`.
    pub advert: String,
    /// The 16-byte QR secret (hex) the advert should have been made with.
    #[arg(long, value_name = "HEX16")]
    pub secret: Option<String>,
    /// Take the secret from this FIDO:/ string instead.
    #[arg(long, value_name = "FIDO:/…")]
    pub qr: Option<String>,
    /// Accept a CTAP 2.3 advertisement suffix after the 20 bytes (CTAP 2.2 and Chromium
    /// accept exactly 20).
    #[arg(long)]
    pub allow_suffix: bool,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `hybridsim decode domain`
#[derive(Debug, Args)]
pub struct DecodeDomain {
    /// The 16-bit domain id, e.g. 0, 1, 266 or 0xf980.
    pub id: String,
    /// Print one JSON object instead of the host name.
    #[arg(long)]
    pub json: bool,
}

/// `hybridsim decode url`
#[derive(Debug, Args)]
pub struct DecodeUrl {
    /// The tunnel URL. Its host must be a DNS name, a dotted IPv4 address or a bracketed IPv6
    /// address.
    pub url: String,
    /// Also check that the tunnel id is the one this 16-byte QR secret (hex) derives.
    #[arg(long, value_name = "HEX16")]
    pub secret: Option<String>,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}
