//! `hybridsim authenticator …` arguments (the common part is shared with `ceremony`). The forms here are scripted by CI suites: change them only
//! compatibly.

use clap::{Args, Subcommand};
use hybridsim_ctap::user::{ScriptedUser, Verification};
use std::path::PathBuf;

/// `hybridsim authenticator …`
#[derive(Debug, Subcommand)]
pub enum AuthenticatorCommand {
    /// List the built-in phone profiles.
    Profiles(Profiles),
    /// navigator.credentials.create(): read PublicKeyCredentialCreationOptionsJSON, print
    /// RegistrationResponseJSON.
    Create(AuthenticatorCreate),
    /// navigator.credentials.get(): read PublicKeyCredentialRequestOptionsJSON, print
    /// AuthenticationResponseJSON.
    Get(AuthenticatorGet),
}

/// `hybridsim authenticator profiles`
#[derive(Debug, Args)]
pub struct Profiles {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// What `create` and `get` share: the browser's origin, the state file, the user's answers.
#[derive(Debug, Args)]
pub struct AuthenticatorCommon {
    /// The options file (the JSON an RP library emits; a {"publicKey": …} wrapper is fine).
    #[arg(long, value_name = "FILE")]
    pub options: PathBuf,
    /// The web origin the browser is on, e.g. https://login.example.
    #[arg(long, value_name = "URL")]
    pub origin: String,
    /// The authenticator's credentials between calls (created if missing; never overwritten
    /// when unreadable).
    #[arg(long, value_name = "STATE.json")]
    pub state: PathBuf,
    /// `--user-absent`, `--uv-fails`.
    #[command(flatten)]
    pub user: UserArgs,
}

/// The user's answers at the phone, scripted (`authenticator`, `ceremony`, `phone`).
#[derive(Debug, Args)]
pub struct UserArgs {
    /// The user refuses the presence check (a successful user verification also counts as
    /// presence, so this bites only when no UV happens).
    #[arg(long)]
    pub user_absent: bool,
    /// User verification fails.
    #[arg(long)]
    pub uv_fails: bool,
}

impl UserArgs {
    /// The user who answers so, picking discoverable credential `account` when several match.
    pub fn scripted(&self, account: Option<usize>) -> ScriptedUser {
        let mut user = ScriptedUser::approving();
        if let Some(index) = account {
            user = user.then_account(Some(index));
        }
        if self.user_absent {
            user = user.then_presence(false);
        }
        if self.uv_fails {
            user = user.then_verification(Verification::Failed);
        }
        user
    }
}

/// `hybridsim authenticator create`
#[derive(Debug, Args)]
pub struct AuthenticatorCreate {
    /// Shared options.
    #[command(flatten)]
    pub common: AuthenticatorCommon,
    /// A built-in profile (see `hybridsim authenticator profiles`) or a profile TOML file;
    /// needed when the state file is new, and must match the one it was made with otherwise.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Seed of the authenticator's randomness (credential ids and keys); kept in a new state
    /// file, so the same seed and the same calls give the same bytes.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// `hybridsim authenticator get`
#[derive(Debug, Args)]
pub struct AuthenticatorGet {
    /// Shared options.
    #[command(flatten)]
    pub common: AuthenticatorCommon,
    /// When several discoverable credentials match, pick this one (0 = first).
    #[arg(long, value_name = "INDEX")]
    pub account: Option<usize>,
}
