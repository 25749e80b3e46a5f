//! The command line, as clap sees it. The forms here are scripted by CI suites: change them
//! only compatibly.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// FIDO2 hybrid-transport (caBLE v2) simulator and test harness.
///
/// Exit codes: 0 success; 1 valid input that does not match (e.g. an advert made for another
/// QR secret); 2 bad input or usage; 3 the machine lacks something needed (e.g. the port is
/// taken).
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
    /// Decode a hybrid message: a QR code, an advert, a tunnel URL or a domain id.
    #[command(subcommand)]
    Decode(DecodeCommand),
    /// Build a hybrid message.
    #[command(subcommand)]
    Encode(EncodeCommand),
    /// Run a hybrid tunnel server, check any tunnel server against the rules, or load one.
    #[command(subcommand)]
    Tunnel(TunnelCommand),
    /// Act as a phone's passkey authenticator behind a browser: WebAuthn options JSON in,
    /// response JSON out.
    #[command(subcommand)]
    Authenticator(AuthenticatorCommand),
    /// Act as a strict relying party: check a WebAuthn response against the options issued.
    #[command(subcommand)]
    Rp(RpCommand),
    /// Run a whole WebAuthn ceremony over simulated hybrid (QR, BLE, tunnel, Noise, CTAP):
    /// the JSON of `authenticator create|get`, every byte through the simulated path.
    #[command(subcommand)]
    Ceremony(CeremonyCommand),
    /// TOTP/HOTP: the code for an otpauth:// URI, or how strictly such a URI parses.
    #[command(subcommand)]
    Totp(crate::totp::TotpCommand),
    /// Be the desktop (browser) of a hybrid ceremony, alone in this process: show a QR code,
    /// hear the phone's advert (from a line of text, or a real Bluetooth adapter with --real-ble), run the tunnel, Noise and CTAP, print the
    /// response JSON. Tests someone else's phone authenticator.
    #[command(subcommand)]
    Desktop(DesktopCommand),
    /// Be the phone of a hybrid ceremony, alone in this process: scan a QR code, write the
    /// advert as a line of text, answer over the tunnel with a profile's authenticator. Tests
    /// someone else's desktop client.
    Phone(PhoneArgs),
    /// Authenticator-app accounts and moving them to a new phone: decode export files and
    /// QR codes, keep OTP accounts in a state file, export, import, run a whole migration.
    #[command(subcommand)]
    Migrate(crate::migrate::MigrateCommand),
    /// Use a real Bluetooth adapter (BlueZ on Linux): list the hybrid adverts of real phones
    /// nearby.
    #[command(subcommand)]
    Ble(BleCommand),
}

/// `hybridsim ble …`
#[derive(Debug, Subcommand)]
pub enum BleCommand {
    /// List every hybrid advert heard (service data under 0xFFF9 or 0xFDE2) with address,
    /// RSSI and time; with --secret or --qr, also decrypt those made for that QR code.
    /// Exit 3 (one line saying what to do) when there is no system bus, BlueZ, adapter,
    /// power or permission.
    Scan(BleScan),
}

/// `hybridsim ble scan`
#[derive(Debug, Args)]
pub struct BleScan {
    /// A 16-byte QR secret (hex) to trial-decrypt adverts with; repeat for several.
    #[arg(long, value_name = "HEX16")]
    pub secret: Vec<String>,
    /// Take a QR secret from this FIDO:/ string (what the desktop showed the phone); repeat
    /// for several.
    #[arg(long, value_name = "FIDO:/…")]
    pub qr: Vec<String>,
    /// Scan for this many seconds. With --secret or --qr, exit 1 if no advert decrypted.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub seconds: u64,
    /// Stop after listing this many adverts (decrypted or not).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Print one JSON object per advert instead of lines.
    #[arg(long)]
    pub json: bool,
}

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
    /// The tunnel server to open /cable/connect/{routing}/{tunnel} on, instead of
    /// wss://<the domain the advert names> (the path is kept).
    #[arg(long, value_name = "ws[s]://HOST[:PORT]")]
    pub tunnel: Option<String>,
    /// Also trust the certificates in this PEM file for wss:// (a private CA or a
    /// self-signed tunnel server), besides the WebPKI roots.
    #[arg(long, value_name = "FILE")]
    pub tunnel_ca: Option<PathBuf>,
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
    /// Write the desktop's log here as JSON lines (also when the ceremony fails).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Keep secret bytes (keys, PSKs, link secrets) in the trace.
    #[arg(long)]
    pub reveal_secrets: bool,
    /// Give up after this many seconds (the desktop's own advert timer is 300 s).
    #[arg(long, value_name = "S", default_value_t = 300)]
    pub timeout: u64,
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
}

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
    /// The tunnel server to open /cable/new/{tunnel} on, instead of wss://<the phone's own
    /// tunnel domain> (the path is kept).
    #[arg(long, value_name = "ws[s]://HOST[:PORT]")]
    pub tunnel: Option<String>,
    /// Also trust the certificates in this PEM file for wss:// (a private CA or a
    /// self-signed tunnel server), besides the WebPKI roots.
    #[arg(long, value_name = "FILE")]
    pub tunnel_ca: Option<PathBuf>,
    /// Write each advert as one hex line (fff9:…) here, for the desktop's radio ("-":
    /// stdout).
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    pub advert_out: String,
    /// Write the phone's log here as JSON lines (also when it fails).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Keep secret bytes (keys, PSKs, link secrets) in the trace.
    #[arg(long)]
    pub reveal_secrets: bool,
    /// Give up after this many seconds (the phone's own transaction timer is 120 s).
    #[arg(long, value_name = "S", default_value_t = 120)]
    pub timeout: u64,
    /// Seed of the phone's randomness (advert nonce, Noise ephemeral key, identity) and, for
    /// a new state file, of the authenticator: the phone `hybridsim ceremony --seed S` runs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The user refuses the presence check.
    #[arg(long)]
    pub user_absent: bool,
    /// User verification fails.
    #[arg(long)]
    pub uv_fails: bool,
    /// When several discoverable credentials match, pick this one (0 = first).
    #[arg(long, value_name = "INDEX")]
    pub account: Option<usize>,
}

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
    /// Write the trace here as JSON lines (also when the ceremony fails).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Keep secret bytes (keys, PSKs, link secrets) in the trace.
    #[arg(long)]
    pub reveal_secrets: bool,
    /// Inject a named fault, NAME[@STEP] (repeatable), e.g. advert-dropped, ws-split@3,
    /// clock-skew@600. The catalogue and what STEP counts are in the documentation of
    /// `hybridsim_world::faults`.
    #[arg(long, value_name = "NAME[@STEP]")]
    pub fault: Vec<String>,
    /// Run over this real tunnel server (ws://HOST:PORT) instead of the simulated one: the
    /// desktop and the phone stay emulated and the QR and BLE hops stay in-process, every
    /// tunnel message crosses real sockets. `--trace` then gets the peers' log as text;
    /// `--fault` needs the simulated tunnel.
    #[arg(long, value_name = "ws://HOST:PORT", conflicts_with = "fault")]
    pub tunnel: Option<String>,
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
    /// The user refuses the presence check (a successful user verification also counts as
    /// presence, so this bites only when no UV happens).
    #[arg(long)]
    pub user_absent: bool,
    /// User verification fails.
    #[arg(long)]
    pub uv_fails: bool,
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

/// `hybridsim rp …`
#[derive(Debug, Subcommand)]
pub enum RpCommand {
    /// Check a RegistrationResponseJSON against the creation options it answers.
    VerifyRegistration(VerifyRegistration),
    /// Check an AuthenticationResponseJSON against the request options and the stored
    /// credential; the credential's sign counter is updated in place.
    VerifyAuthentication(VerifyAuthentication),
    /// Serve the strict relying party over HTTP with the FIDO2 server conformance API:
    /// POST /attestation/options, /attestation/result, /assertion/options,
    /// /assertion/result; verification errors come back in errorMessage. Runs until Ctrl-C or
    /// SIGTERM; prints its address on stderr once listening.
    Serve(RpServe),
    /// Drive a relying party that serves the FIDO2 conformance API through full hybrid
    /// ceremonies with our desktop and phone (simulated hybrid path), and report each check
    /// as pass/fail; exit 1 if one fails.
    Check(RpCheck),
}

/// `hybridsim rp serve`
#[derive(Debug, Args)]
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
}

/// `hybridsim rp check`
#[derive(Debug, Args)]
pub struct RpCheck {
    /// The relying party's base URL, e.g. http://127.0.0.1:8081 (plain HTTP).
    pub url: String,
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
    /// Seconds each HTTP request may take.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub timeout: u64,
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
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `hybridsim tunnel …`
#[derive(Debug, Subcommand)]
pub enum TunnelCommand {
    /// Serve /cable/new, /cable/connect and /cable/contact over WebSocket until Ctrl-C or
    /// SIGTERM. Phones subscribe to contact wake-ups at /hybridsim/wake/{b64url contact id};
    /// GET /metrics gives Prometheus counters.
    Serve(TunnelServe),
    /// Check any tunnel server against the hybrid rules over real sockets (routes, headers,
    /// pairing, buffering, boundaries, close, limits); exit 1 if a case fails.
    Check(TunnelCheck),
    /// Load a tunnel server: pairings per second, relayed messages per second, relay latency
    /// and memory per idle pending tunnel.
    Bench(TunnelBench),
}

/// `hybridsim tunnel check`
#[derive(Debug, Args)]
pub struct TunnelCheck {
    /// The server, e.g. ws://127.0.0.1:8080 (or wss://HOST[:PORT], trusting the WebPKI roots).
    pub target: String,
    /// Also write the results as JUnit XML (one testcase per case).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// The message size limit to probe, in bytes (default: try 16 KiB+1 and 1 MiB+1).
    #[arg(long, value_name = "BYTES")]
    pub message_limit: Option<usize>,
}

/// `hybridsim tunnel bench`
#[derive(Debug, Args)]
pub struct TunnelBench {
    /// The server, e.g. ws://127.0.0.1:8080 (or wss://HOST[:PORT], trusting the WebPKI roots).
    pub target: String,
    /// Concurrent pairings to time.
    #[arg(long, default_value_t = 1000)]
    pub pairs: usize,
    /// Messages per second in the relay phase.
    #[arg(long, default_value_t = 10_000)]
    pub rate: u32,
    /// Length of the relay phase, seconds.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Idle pending tunnels to hold open for the memory figure (0 skips it).
    #[arg(long, default_value_t = 20_000)]
    pub idle: usize,
    /// The server's process id, to read its memory (VmRSS) from /proc.
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
}

/// `hybridsim tunnel serve`
#[derive(Debug, Args)]
pub struct TunnelServe {
    /// Address and port to listen on (ws://, or wss:// with --tls-cert and --tls-key).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// PEM certificate chain (leaf first) to serve wss:// with.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, SEC1 or PKCS#1) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// This instance's 3-byte routing id (hex), sent in X-caBLE-Routing-ID; give each
    /// instance of a fleet its own.
    #[arg(long, value_name = "HEX6", default_value = "2A0000")]
    pub routing_id: String,
    /// Largest WebSocket message accepted, in bytes (larger: close 1009).
    #[arg(long, default_value_t = hybridsim_tunnel::config::DEFAULT_MAX_MESSAGE_SIZE)]
    pub max_message_size: usize,
    /// Messages each side may send in one tunnel (more: close 1008).
    #[arg(long, default_value_t = hybridsim_tunnel::config::DEFAULT_MAX_MESSAGES_PER_PEER)]
    pub max_messages_per_peer: u32,
    /// Seconds a tunnel may wait for its second side (then close 1008).
    #[arg(long, value_name = "SECONDS", default_value_t = hybridsim_tunnel::config::DEFAULT_PENDING_TTL.as_secs())]
    pub pending_ttl: u64,
    /// Seconds a paired tunnel may live (then close 1008).
    #[arg(long, value_name = "SECONDS", default_value_t = hybridsim_tunnel::config::DEFAULT_TUNNEL_TTL.as_secs())]
    pub tunnel_ttl: u64,
    /// Tunnels open at once (more: HTTP 503).
    #[arg(long, default_value_t = hybridsim_tunnel::config::DEFAULT_MAX_TUNNELS)]
    pub max_tunnels: usize,
    /// Connections from one IP address at once (more: HTTP 429).
    #[arg(long, default_value_t = hybridsim_tunnel::config::DEFAULT_MAX_CONNECTIONS_PER_IP)]
    pub max_connections_per_ip: usize,
}

/// `hybridsim decode …`
#[derive(Debug, Subcommand)]
pub enum DecodeCommand {
    /// Decode a FIDO:/ QR string, or a picture of one (PNG or JPEG), with the phone's validation rules.
    Qr(DecodeQr),
    /// Decrypt a BLE advert (service data) with a QR secret and show the EID fields.
    Advert(DecodeAdvert),
    /// Show the tunnel-server host name of a domain id (decimal or 0x hex).
    Domain(DecodeDomain),
    /// Parse a tunnel URL (wss://host/cable/new|connect|contact/…) and check it.
    Url(DecodeUrl),
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
