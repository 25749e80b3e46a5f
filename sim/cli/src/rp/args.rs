//! `hybridsim rp …` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use clap::{Args, Subcommand};
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

/// `hybridsim rp serve`
#[derive(Debug, Args)]
#[command(
    after_help = "Bounds (each a flag above): connections served at once (one more is \
answered 503 and closed); one deadline per request, from the accepted connection to the last \
byte of the answer, so a client trickling its request is cut off; request body and user name \
sizes; how long a challenge lives and how many are kept (the oldest is evicted); users and \
credentials per user kept. A user is kept only once a registration succeeded. When accepting \
fails for lack of file descriptors the server pauses (10 ms, doubling to 1 s) instead of \
spinning."
)]
pub struct RpServe {
    /// Address and port to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: std::net::SocketAddr,
    /// The RP ID.
    #[arg(long, value_name = "ID")]
    pub rp_id: String,
    /// The origin the RP is served from (repeat for several).
    #[arg(long, value_name = "URL", required = true)]
    pub origin: Vec<String>,
    /// A PEM root certificate whose attestation chains are trusted (repeatable); without
    /// one, registrations with an x5c attestation chain are refused (ask for attestation
    /// "none" to avoid that).
    #[arg(long, value_name = "PEM")]
    pub trust: Vec<PathBuf>,
    /// Key restrictions (AAGUID allow-list, enforced attestation).
    #[command(flatten)]
    pub restrictions: KeyRestrictionArgs,
    /// PEM certificate chain (leaf first) to serve https:// with.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, SEC1 or PKCS#1) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The server's bounds, one flag each.
    #[command(flatten)]
    pub limits: hybridsim_rp_http::Limits,
}

/// `hybridsim rp check`
#[derive(Debug, Args)]
pub struct RpCheck {
    /// The relying party's base URL: http(s)://HOST[:PORT][/PREFIX], e.g.
    /// https://rp.example/fido2 (redirects are followed, cookies sent back).
    pub url: String,
    /// The phone's profile (built-in name or TOML file).
    #[arg(
        long,
        value_name = "NAME|FILE",
        default_value = "microsoft-authenticator-ios"
    )]
    pub profile: String,
    /// `--ca`, `--origin`, `--seed`, `--username`, `--timeout`.
    #[command(flatten)]
    pub options: hybridsim_rp_http::CheckOptions,
    /// Also write the results as JUnit XML (one testcase per check).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
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

/// Key restrictions as identity providers set them (Entra ID passkey profiles).
#[derive(Debug, Clone, Args)]
pub struct KeyRestrictionArgs {
    /// Allow only authenticators with this AAGUID (repeatable; none given: any).
    #[arg(long = "allow-aaguid", value_name = "UUID", value_parser = hybridsim_ctap::profile::parse_aaguid)]
    pub allow_aaguid: Vec<[u8; 16]>,
    /// Accept only attestation chaining to a --trust root (options ask for "direct"), and
    /// refuse sign-ins with credentials registered without one.
    #[arg(long)]
    pub enforce_attestation: bool,
}

impl KeyRestrictionArgs {
    /// The relying party's restrictions.
    pub fn key_restrictions(&self) -> hybridsim_webauthn::rp::KeyRestrictions {
        hybridsim_webauthn::rp::KeyRestrictions {
            allowed_aaguids: self.allow_aaguid.clone(),
            enforce_attestation: self.enforce_attestation,
        }
    }
}
