//! `hybridsim phone` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use crate::standalone::SideArgs;
use clap::Args;
use std::path::PathBuf;

/// `hybridsim phone`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("code").required(true).args(["qr", "qr_image"])))]
pub struct PhoneArgs {
    /// The FIDO:/ string the desktop shows.
    #[arg(long, value_name = "FIDO:/…")]
    pub qr: Option<String>,
    /// A picture (PNG or JPEG) of the desktop's QR code instead; read as `decode qr` reads one
    /// (at most 1024 pixels a side after shrinking, at most 40 finder-pattern look-alikes).
    #[arg(long, value_name = "FILE")]
    pub qr_image: Option<PathBuf>,
    /// A built-in profile or a profile TOML file; needed when the state file is new, and
    /// must match the one it was made with otherwise.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// The authenticator's credentials between runs (the file `authenticator` and
    /// `ceremony` use; created if missing).
    #[arg(long, value_name = "STATE.json")]
    pub state: PathBuf,
    /// Write each advert as one hex line (fff9:…) here, for the desktop's radio ("-":
    /// stdout).
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    pub advert_out: String,
    /// Broadcast the advert on this machine's Bluetooth adapter (BlueZ) for a real desktop,
    /// withdrawn after the handshake or when the run ends (also on Ctrl-C or SIGTERM, exit
    /// 130). Exit 3 at once, one line, without an adapter that can advertise.
    #[arg(long, conflicts_with = "advert_out")]
    pub real_ble: bool,
    /// Seed of the phone's randomness (advert nonce, Noise ephemeral key, identity) and, for
    /// a new state file, of the authenticator: the phone `hybridsim ceremony --seed S` runs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// `--user-absent`, `--uv-fails`.
    #[command(flatten)]
    pub user: crate::authenticator::args::UserArgs,
    /// When several discoverable credentials match, pick this one (0 = first).
    #[arg(long, value_name = "INDEX")]
    pub account: Option<usize>,
    /// --tunnel, --tunnel-ca, --trace, --keylog, --pcapng, --reveal-secrets, --timeout.
    #[command(flatten)]
    pub side: SideArgs,
}
