//! `hybridsim encode …` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hybridsim encode …`
#[derive(Debug, Subcommand)]
pub enum EncodeCommand {
    /// Build a FIDO:/ QR string from its fields; optionally draw it.
    Qr(EncodeQr),
    /// Encrypt an EID into a 20-byte BLE advert, as a phone does after scanning a QR code.
    Advert(EncodeAdvert),
}

/// `hybridsim encode advert`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["secret", "qr"])))]
pub struct EncodeAdvert {
    /// The 16-byte QR secret (hex).
    #[arg(long, value_name = "HEX16")]
    pub secret: Option<String>,
    /// Take the secret from this FIDO:/ string instead.
    #[arg(long, value_name = "FIDO:/…")]
    pub qr: Option<String>,
    /// The 10-byte advert nonce (hex); a phone picks a random one for every advert.
    #[arg(long, value_name = "HEX10")]
    pub nonce: String,
    /// The 3-byte routing id (hex) the tunnel server gave the phone.
    #[arg(long, value_name = "HEX6")]
    pub routing_id: String,
    /// The phone's tunnel-server domain id (decimal or 0x hex).
    #[arg(long, value_name = "ID", default_value = "0")]
    pub domain_id: String,
}

/// `hybridsim encode qr`
#[derive(Debug, Args)]
pub struct EncodeQr {
    /// The desktop's P-256 public key, hex, compressed (33 bytes) or uncompressed (65 bytes).
    #[arg(long, value_name = "HEX")]
    pub public_key: String,
    /// The 16-byte QR secret, hex.
    #[arg(long, value_name = "HEX16")]
    pub secret: String,
    /// Key 2: number of assigned tunnel domains the desktop knows (Chromium: 2).
    #[arg(long, value_name = "N")]
    pub known_domains: Option<u64>,
    /// Key 3: UNIX time in seconds.
    #[arg(long, value_name = "T")]
    pub timestamp: Option<u64>,
    /// Key 4: whether linking is offered.
    #[arg(long, value_name = "true|false")]
    pub linking: Option<bool>,
    /// Key 5: request-type hint: ga, mc, dcp (other strings are carried as given).
    #[arg(long, value_name = "TYPE")]
    pub request_type: Option<String>,
    /// Also write the QR code as a PNG image to this file.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Also draw the QR code with Unicode blocks on stdout, after the string.
    #[arg(long)]
    pub terminal: bool,
}
