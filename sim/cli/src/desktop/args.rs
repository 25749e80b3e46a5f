//! `hybridsim desktop …` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use crate::standalone::SideArgs;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hybridsim desktop …`
#[derive(Debug, Subcommand)]
pub enum DesktopCommand {
    /// navigator.credentials.create() with the phone elsewhere: read
    /// PublicKeyCredentialCreationOptionsJSON, print RegistrationResponseJSON.
    Create(DesktopRun),
    /// navigator.credentials.get() with the phone elsewhere: read
    /// PublicKeyCredentialRequestOptionsJSON, print AuthenticationResponseJSON.
    Get(DesktopRun),
}

/// What `desktop create` and `desktop get` take.
#[derive(Debug, Args)]
pub struct DesktopRun {
    /// The options file (the JSON an RP library emits; a {"publicKey": …} wrapper is fine).
    #[arg(long, value_name = "FILE")]
    pub options: PathBuf,
    /// The web origin the browser is on, e.g. https://login.example.
    #[arg(long, value_name = "URL")]
    pub origin: String,
    /// Write the FIDO:/ string here as one line ("-": stdout, before the response JSON).
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    pub qr_out: String,
    /// Also draw the QR code as a PNG image to this file (for a real phone's camera).
    #[arg(long, value_name = "FILE")]
    pub qr_png: Option<PathBuf>,
    /// Read the phone's adverts here, one hex service-data payload per line, optionally
    /// prefixed fff9: or fde2: (a file, a FIFO, or "-" for stdin). Lines that are not
    /// adverts, and adverts for another QR code, are noted in the trace and ignored; the
    /// input ending before a match fails the ceremony (exit 1).
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    pub advert_in: String,
    /// Seed of the desktop's randomness (QR key pair and secret, Noise ephemeral key): the
    /// desktop `hybridsim ceremony --seed S` runs. Default 0 (with --real-ble: fresh
    /// randomness).
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,
    /// Hear the phone on this machine's Bluetooth adapter instead of --advert-in: a real
    /// phone scans the QR code (shown in the terminal too), and its advert decides the
    /// tunnel. The QR secret is fresh each run unless --seed is given.
    #[arg(long, conflicts_with = "advert_in")]
    pub real_ble: bool,
    /// The desktop's behaviour: a built-in desktop profile or a desktop profile TOML file,
    /// as `hybridsim ceremony --desktop-profile`.
    #[arg(long, value_name = "NAME|FILE")]
    pub desktop_profile: Option<String>,
    /// --tunnel, --tunnel-ca, --trace, --keylog, --pcapng, --reveal-secrets, --timeout.
    #[command(flatten)]
    pub side: SideArgs,
}
