//! `hybridsim rp …` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use clap::{Args, Subcommand};
pub use hybridsim_rp_http::command::{
    CheckArgs as RpCheck, KeyRestrictionArgs, ServeArgs as RpServe,
};
use std::path::PathBuf;

/// `hybridsim rp …`
#[derive(Debug, Subcommand)]
pub enum RpCommand {
    /// `verify-registration` and `verify-authentication`.
    #[command(flatten)]
    Verify(VerifyCommand),
    /// Serve the strict relying party over HTTP(S) with the FIDO2 server conformance API:
    /// POST /attestation/options, /attestation/result, /assertion/options,
    /// /assertion/result; verification errors come back in errorMessage. Runs until Ctrl-C or
    /// SIGTERM; prints its address on stderr once listening.
    Serve(RpServe),
    /// Drive a relying party that serves the FIDO2 conformance API through full hybrid
    /// ceremonies with our desktop and phone (simulated hybrid path), and report each check
    /// as pass/fail; exit 1 if one fails, 3 if the RP cannot be reached.
    Check(RpCheck),
}

/// `hybridsim rp verify-…`: the strict relying party on files (`rp/mod.rs`).
#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Check a RegistrationResponseJSON against the creation options it answers.
    VerifyRegistration(VerifyRegistration),
    /// Check an AuthenticationResponseJSON against the request options and the stored
    /// credential; the credential's sign counter is updated in place.
    VerifyAuthentication(VerifyAuthentication),
}

/// `hybridsim rp verify-registration`
#[derive(Debug, Args)]
pub struct VerifyRegistration {
    /// The creation options the RP issued.
    #[arg(long, value_name = "FILE")]
    pub options: PathBuf,
    /// The RegistrationResponseJSON to check.
    #[arg(long, value_name = "FILE")]
    pub response: PathBuf,
    /// The origin the RP is served from (repeat for several).
    #[arg(long, value_name = "URL", required = true)]
    pub origin: Vec<String>,
    /// A PEM root certificate whose attestation chains are trusted (repeatable).
    #[arg(long, value_name = "PEM")]
    pub trust: Vec<PathBuf>,
    /// Refuse `none` and self attestation: only chains to a --trust root pass.
    #[arg(long)]
    pub require_attestation: bool,
    /// Key restrictions (AAGUID allow-list, enforced attestation).
    #[command(flatten)]
    pub restrictions: KeyRestrictionArgs,
    /// Time for certificate validity checks, UNIX seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    pub now: Option<u64>,
    /// Write the accepted credential here (refused if the file exists).
    #[arg(long, value_name = "FILE")]
    pub credential_out: Option<PathBuf>,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `hybridsim rp verify-authentication`
#[derive(Debug, Args)]
pub struct VerifyAuthentication {
    /// The request options the RP issued.
    #[arg(long, value_name = "FILE")]
    pub options: PathBuf,
    /// The AuthenticationResponseJSON to check.
    #[arg(long, value_name = "FILE")]
    pub response: PathBuf,
    /// The origin the RP is served from (repeat for several).
    #[arg(long, value_name = "URL", required = true)]
    pub origin: Vec<String>,
    /// The credential file written by verify-registration (its counter is updated).
    #[arg(long, value_name = "FILE")]
    pub credential: PathBuf,
    /// Key restrictions, checked against the AAGUID and attestation stored at registration.
    #[command(flatten)]
    pub restrictions: KeyRestrictionArgs,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}
