//! The command-line arguments of `hybridsim rp serve` and `hybridsim rp check` (feature
//! `cli`), and what they become: a [`ServeConfig`] and [`CheckOptions`]. Reading the files
//! they name stays with the binary, which bounds every input it reads.

use crate::{CheckOptions, Limits, RpIdentity, ServeConfig};
use clap::Args;
use hybridsim_webauthn::rp::KeyRestrictions;
use std::path::PathBuf;
use std::time::Duration;

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
    pub fn key_restrictions(&self) -> KeyRestrictions {
        KeyRestrictions {
            allowed_aaguids: self.allow_aaguid.clone(),
            enforce_attestation: self.enforce_attestation,
        }
    }
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
pub struct ServeArgs {
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
    /// The bounds.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The bounds of `rp serve`, one flag each ([`Limits`] says what each one holds back).
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Connections served at once; one more is answered 503 (closed, over TLS).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_connections,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_connections: usize,
    /// Milliseconds one request may take in all, from the accepted connection (TLS
    /// handshake included) to the last byte of the answer; one request per connection.
    #[arg(long, value_name = "MS", default_value_t = Limits::default().request_deadline.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_deadline_ms: u64,
    /// Largest request body in bytes; a larger one is answered 413 unread.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_body,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_body: usize,
    /// Longest username and displayName in bytes; a longer one is answered 400.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_name,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_name: usize,
    /// Seconds an issued challenge may be redeemed; older ones are refused and dropped.
    #[arg(long, value_name = "S", default_value_t = Limits::default().challenge_ttl.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub challenge_ttl: u64,
    /// Challenges kept at once; issuing one more evicts the oldest.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_challenges,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_challenges: usize,
    /// Registered users kept; a registration for one more is answered 503.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_users,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_users: usize,
    /// Credentials kept per user; one more registration for the user is refused.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_credentials_per_user,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_credentials_per_user: usize,
}

impl LimitArgs {
    /// The server's bounds.
    pub fn limits(&self) -> Limits {
        Limits {
            max_connections: self.max_connections,
            request_deadline: Duration::from_millis(self.request_deadline_ms),
            max_body: self.max_body,
            max_name: self.max_name,
            challenge_ttl: Duration::from_secs(self.challenge_ttl),
            max_challenges: self.max_challenges,
            max_users: self.max_users,
            max_credentials_per_user: self.max_credentials_per_user,
        }
    }
}

impl ServeArgs {
    /// The server's configuration, given the DER of each `--trust` root (read by the caller).
    pub fn config(&self, trusted_roots: Vec<Vec<u8>>) -> ServeConfig {
        ServeConfig {
            listen: self.listen,
            tls: self.tls_cert.clone().zip(self.tls_key.clone()),
            identity: RpIdentity {
                rp_id: self.rp_id.clone(),
                origins: self.origin.clone(),
                trusted_roots,
                key_restrictions: self.restrictions.key_restrictions(),
            },
            limits: self.limits.limits(),
        }
    }
}

/// `hybridsim rp check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The relying party's base URL: http(s)://HOST[:PORT][/PREFIX], e.g.
    /// https://rp.example/fido2 (redirects are followed, cookies sent back).
    pub url: String,
    /// Also trust the certificates in this PEM file for https:// (a private CA or a
    /// self-signed RP), besides the WebPKI roots.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// The origin our browser claims; default https:// and the RP ID from the options.
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
    /// The phone's profile (built-in name or TOML file).
    #[arg(
        long,
        value_name = "NAME|FILE",
        default_value = "microsoft-authenticator-ios"
    )]
    pub profile: String,
    /// Seed of the ceremonies (and of the phone's authenticator).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The username to register (the RP keeps it).
    #[arg(long, default_value = "hybridsim-check")]
    pub username: String,
    /// Seconds each HTTP request may take, connecting included; an RP that cannot be
    /// connected to exits 3.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub timeout: u64,
    /// Also write the results as JUnit XML (one testcase per check).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

impl CheckArgs {
    /// What the checks are run with (a timeout of 0 counts as one second).
    pub fn options(&self) -> CheckOptions {
        CheckOptions {
            origin: self.origin.clone(),
            username: self.username.clone(),
            seed: self.seed,
            timeout: Duration::from_secs(self.timeout.max(1)),
            ca: self.ca.clone(),
        }
    }
}
