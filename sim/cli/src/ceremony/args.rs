//! `hybridsim ceremony …` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use crate::authenticator::args::AuthenticatorCommon;
use crate::capture_args::CaptureArgs;
use clap::{Args, Subcommand};

/// `hybridsim ceremony …`
#[derive(Debug, Subcommand)]
pub enum CeremonyCommand {
    /// navigator.credentials.create() over hybrid: read
    /// PublicKeyCredentialCreationOptionsJSON, print RegistrationResponseJSON.
    Create(CeremonyCreate),
    /// navigator.credentials.get() over hybrid: read PublicKeyCredentialRequestOptionsJSON,
    /// print AuthenticationResponseJSON.
    Get(CeremonyGet),
}

/// What `ceremony create` and `ceremony get` share besides the authenticator's options.
#[derive(Debug, Args)]
pub struct CeremonyRun {
    /// Seed of the simulated world and of the desktop's and phone's randomness (and, for
    /// `create` with a new state file, of the authenticator, as `authenticator create`);
    /// the same seed and state give byte-identical traces.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// `--trace`, `--reveal-secrets`, `--keylog`, `--pcapng`.
    #[command(flatten)]
    pub capture: CaptureArgs,
    /// Inject a named fault, NAME[@STEP] (repeatable), e.g. advert-dropped, ws-split@3,
    /// clock-skew@600. The catalogue and what STEP counts are in the documentation of
    /// `hybridsim_world::faults`.
    #[arg(long, value_name = "NAME[@STEP]")]
    pub fault: Vec<String>,
    /// Run over this real tunnel server (ws://HOST:PORT) instead of the simulated one: the
    /// same desktop and phone under the same seeds, the QR and BLE hops in-process, every
    /// tunnel message across real sockets. `--trace`, `--keylog` and `--pcapng` work as
    /// without it (the capture holds the real tunnel bytes); `--fault` needs the simulated
    /// tunnel. A tunnel host that cannot be reached is exit 3.
    #[arg(long, value_name = "ws://HOST:PORT", conflicts_with = "fault")]
    pub tunnel: Option<String>,
    /// The desktop's behaviour: a built-in desktop profile (chrome-stable, chrome-150-linux,
    /// safari-macos, windows-11, libwebauthn, webauthn-rs) or a desktop profile TOML file.
    #[arg(long, value_name = "NAME|FILE")]
    pub desktop_profile: Option<String>,
}

/// `hybridsim ceremony create`
#[derive(Debug, Args)]
pub struct CeremonyCreate {
    /// The options, origin, state file and user, as `authenticator create`.
    #[command(flatten)]
    pub common: AuthenticatorCommon,
    /// A built-in profile or a profile TOML file; needed when the state file is new, and
    /// must match the one it was made with otherwise.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// The simulation.
    #[command(flatten)]
    pub run: CeremonyRun,
}

/// `hybridsim ceremony get`
#[derive(Debug, Args)]
pub struct CeremonyGet {
    /// The options, origin, state file and user, as `authenticator get`.
    #[command(flatten)]
    pub common: AuthenticatorCommon,
    /// When several discoverable credentials match, pick this one (0 = first).
    #[arg(long, value_name = "INDEX")]
    pub account: Option<usize>,
    /// The simulation.
    #[command(flatten)]
    pub run: CeremonyRun,
}
