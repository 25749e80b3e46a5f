//! The top of the command line, as clap sees it: the commands. Each command's arguments live
//! with the command (`src/<command>/args.rs`, or the top of its file). The forms are scripted by
//! CI suites: change them only compatibly.

use clap::{Parser, Subcommand};

/// FIDO2 hybrid-transport (caBLE v2) simulator and test harness.
///
/// Exit codes: 0 success; 1 valid input that does not match (e.g. an advert made for another
/// QR secret); 2 bad input or usage; 3 the machine lacks something needed (e.g. the port is
/// taken).
///
/// Limits: files named as input are read up to 16 MiB and must be regular files (advert
/// lines may come from a FIFO); state files up to 64 MiB, waiting at most 30 s for another
/// command using the same one (then exit 1, nothing written).
#[derive(Debug, Parser)]
#[command(name = "hybridsim", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files (default scenarios/): in parallel, with a summary table, trace
    /// approval and JUnit/JSON/HTML reports.
    Run(crate::run::RunArgs),
    /// Random fault schedules over the simulated world; violations shrunk to scenarios.
    Explore(hybridsim_explore::command::ExploreOptions),
    /// Decode a hybrid message: a QR code, an advert, a tunnel URL or a domain id.
    #[command(subcommand)]
    Decode(crate::decode::args::DecodeCommand),
    /// Build a hybrid message.
    #[command(subcommand)]
    Encode(crate::encode::args::EncodeCommand),
    /// Run a hybrid tunnel server, check any tunnel server against the rules, or load one.
    #[command(subcommand)]
    Tunnel(crate::tunnel::args::TunnelCommand),
    /// Act as a phone's passkey authenticator behind a browser: WebAuthn options JSON in,
    /// response JSON out.
    #[command(subcommand)]
    Authenticator(crate::authenticator::args::AuthenticatorCommand),
    /// Act as a strict relying party: check a WebAuthn response against the options issued.
    #[command(subcommand)]
    Rp(crate::rp::args::RpCommand),
    /// Run a whole WebAuthn ceremony over simulated hybrid (QR, BLE, tunnel, Noise, CTAP):
    /// the JSON of `authenticator create|get`, every byte through the simulated path.
    #[command(subcommand)]
    Ceremony(crate::ceremony::args::CeremonyCommand),
    /// TOTP/HOTP: the code for an otpauth:// URI, or how strictly such a URI parses.
    #[command(subcommand)]
    Totp(crate::totp::TotpCommand),
    /// Be the desktop (browser) of a hybrid ceremony, alone in this process: show a QR code,
    /// hear the phone's advert (from a line of text, or a real Bluetooth adapter with
    /// --real-ble), run the tunnel, Noise and CTAP, print the response JSON. Tests someone
    /// else's phone authenticator.
    #[command(subcommand)]
    Desktop(crate::desktop::args::DesktopCommand),
    /// Be the phone of a hybrid ceremony, alone in this process: scan a QR code, write the
    /// advert as a line of text (or broadcast it with --real-ble), answer over the tunnel
    /// with a profile's authenticator. Tests someone else's desktop client.
    Phone(crate::phone::args::PhoneArgs),
    /// Authenticator-app accounts and moving them to a new phone: decode export files and
    /// QR codes, keep OTP accounts in a state file, export, import, run a whole migration.
    #[command(subcommand)]
    Migrate(crate::migrate::MigrateCommand),
    /// Use a real Bluetooth adapter (BlueZ on Linux): list the hybrid adverts of real phones
    /// nearby, or broadcast one for a QR code.
    #[command(subcommand)]
    Ble(crate::ble::args::BleCommand),
    /// Every desktop profile × phone profile × flow in the simulated world: a grid of pass or
    /// the failing party, layer and reason, checked against an expectations file.
    Matrix(hybridsim_matrix::MatrixOptions),
}

// `rp serve` and `rp check` name their arguments from here.
pub use crate::rp::args::{RpCheck, RpServe};
