//! The scenario format: the types a `scenarios/**/*.toml` file deserialises into, and from
//! which `scenario.schema.json` is generated.
//!
//! A file describes the world (seed, clock, radio), the actors (one desktop, named phones
//! with profiles, named relying parties, the tunnel server) and a list of `[[step]]`s, each
//! with its expectations. Unknown keys are errors everywhere.
//!
//! Steps are one enum, tagged by `kind`. Each kind has its own struct (its own keys) and its
//! own expectation type, so that new kinds are new variants: see the crate documentation.

mod apps;
mod ceremony;
mod response_error;

pub use apps::*;
pub use ceremony::*;
pub use response_error::{KindName, ResponseErrorExpect, StatusName, TypedResponseError};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// UNIX time the scenario clock starts at when the file gives none: inside the validity of
/// the shipped attestation certificates (January 2027).
pub const DEFAULT_UNIX_TIME: u64 = 1_800_000_000;

/// The default origin of the desktop's browser tab.
pub const DEFAULT_ORIGIN: &str = "https://login.example";

/// The name of the relying party used when a file declares none.
pub const DEFAULT_RP: &str = "login";

/// One scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "hybridsim scenario")]
pub struct Scenario {
    /// One line saying what this scenario proves.
    pub about: String,
    /// The simulated world: seed, clock, radio.
    #[serde(default)]
    pub world: WorldSpec,
    /// The desktop (the browser showing the QR code).
    #[serde(default)]
    pub desktop: DesktopSpec,
    /// The phones, by name (`[phone.alice]`). Steps name the phone they use; with one
    /// phone they may leave it out.
    #[serde(default)]
    pub phone: BTreeMap<String, PhoneSpec>,
    /// The relying parties, by name (`[rp.login]`). Without any, one called `login` with ID
    /// `login.example` and origin `https://login.example`.
    #[serde(default)]
    pub rp: BTreeMap<String, RpSpec>,
    /// The tunnel server.
    #[serde(default)]
    pub tunnel: TunnelSpec,
    /// Authenticator apps on phones, by name (`[app.old]`): OTP accounts and how they move
    /// to a new phone. Independent of `[phone.*]`, which are passkey providers.
    #[serde(default)]
    pub app: BTreeMap<String, AppSpec>,
    /// What happens, in order (`[[step]]`).
    pub step: Vec<Step>,
}

/// The simulated world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorldSpec {
    /// Seed of every random stream (world, desktop, phones, challenges). `hybridsim run
    /// --seed` overrides it. The same seed gives byte-identical traces.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// UNIX time (seconds) when the scenario starts; `advance-clock` steps move it. Relying
    /// parties check attestation certificates against it.
    #[serde(default = "default_unix_time")]
    pub unix_time: u64,
    /// Radio conditions between the phones and the desktop.
    #[serde(default)]
    pub radio: RadioSpec,
    /// Keep secret bytes (keys, PSKs, link secrets) in traces and reports.
    #[serde(default)]
    pub reveal_secrets: bool,
}

impl Default for WorldSpec {
    fn default() -> Self {
        WorldSpec {
            seed: default_seed(),
            unix_time: default_unix_time(),
            radio: RadioSpec::default(),
            reveal_secrets: false,
        }
    }
}

fn default_seed() -> u64 {
    1
}

fn default_unix_time() -> u64 {
    DEFAULT_UNIX_TIME
}

/// Radio conditions; every key left out keeps the quiet room's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RadioSpec {
    /// Time from broadcast to reception, ms (default 10).
    pub latency_ms: Option<u64>,
    /// Time between two broadcasts of the same advert, ms (default 100).
    pub interval_ms: Option<u64>,
    /// Probability that one reception is lost, 0 to 1 (default 0).
    pub loss: Option<f64>,
    /// Probability that one reception arrives twice, 0 to 1 (default 0).
    pub duplicate: Option<f64>,
    /// Signal strength the desktop sees, dBm (default -50).
    pub rssi: Option<i8>,
}

/// The desktop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DesktopSpec {
    /// The web origin of the browser tab.
    #[serde(default = "default_origin")]
    pub origin: String,
    /// A desktop profile: a built-in name (`chrome-stable`, `chrome-150-linux`,
    /// `safari-macos`, `windows-11`, `libwebauthn`, `webauthn-rs`) or the path of a desktop
    /// profile TOML file, relative to the scenario file. Default: hybridsim's desktop
    /// (Chromium's QR and policies, getInfo logged only).
    pub profile: Option<String>,
    /// What the desktop does with an update or linking info it cannot accept. Default:
    /// the profile's, else `chromium`.
    pub update_policy: Option<UpdatePolicySpec>,
    /// Which transport construction the desktop speaks. Default: the profile's, else
    /// `new`, or `detect` when the phone uses the old one.
    pub crypter: Option<DesktopCrypter>,
}

impl Default for DesktopSpec {
    fn default() -> Self {
        DesktopSpec {
            origin: default_origin(),
            profile: None,
            update_policy: None,
            crypter: None,
        }
    }
}

fn default_origin() -> String {
    DEFAULT_ORIGIN.to_owned()
}

/// The desktop's update policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UpdatePolicySpec {
    /// As Chromium: an update it cannot accept fails the request.
    #[default]
    Chromium,
    /// Note it and carry on without a link.
    Lenient,
}

/// The desktop's transport construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DesktopCrypter {
    /// The new construction only (current Chromium).
    New,
    /// The old construction only (older Chromium).
    Old,
    /// Learn it from the first message that decrypts (webauthn-rs' initiator).
    Detect,
}

/// A phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneSpec {
    /// A built-in profile name (`hybridsim authenticator profiles`) or the path of a profile
    /// TOML file, relative to the scenario file.
    pub profile: String,
    /// Seed of the authenticator's key material. Default: derived from the world seed and
    /// the phone's name.
    pub key_seed: Option<u64>,
    /// Protocol revision the phone speaks: 1 (current) or 0 (legacy "v2.0").
    #[serde(default = "default_revision")]
    pub revision: u8,
    /// Transport construction the phone uses.
    #[serde(default)]
    pub crypter: PhoneCrypter,
    /// An app (`[app.NAME]`) whose passkeys this phone's authenticator holds, taken when each
    /// ceremony starts: a migration step before it decides what the phone can sign with.
    pub passkeys_from: Option<String>,
}

fn default_revision() -> u8 {
    1
}

/// The phone's transport construction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PhoneCrypter {
    /// The new construction (CTAP 2.2).
    #[default]
    New,
    /// The legacy construction.
    Old,
}

/// A strict relying party that verifies every response the browser gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RpSpec {
    /// The RP ID.
    #[serde(default = "default_rp_id")]
    pub id: String,
    /// The RP name shown to users.
    #[serde(default = "default_rp_name")]
    pub name: String,
    /// Accepted origins. Default: the desktop's origin.
    #[serde(default)]
    pub origins: Vec<String>,
    /// User verification asked for (and enforced when `required`).
    #[serde(default)]
    pub user_verification: UserVerificationSpec,
    /// Attestation asked for in the options.
    #[serde(default)]
    pub attestation: AttestationSpec,
    /// Trust the shipped test attestation CA (`fixtures/attestation/ca.pem`).
    #[serde(default = "yes")]
    pub trust_test_ca: bool,
    /// Key restrictions: only authenticators with these AAGUIDs (empty: any), checked at
    /// registration and against the registered AAGUID at every sign-in.
    #[serde(default)]
    pub allowed_aaguids: Vec<String>,
    /// Only attestation chaining to a trusted root is accepted (the options ask for
    /// `direct`); credentials registered without one are refused at sign-in.
    #[serde(default)]
    pub enforce_attestation: bool,
    /// An app (`[app.NAME]`) whose passkeys this relying party registered before the scenario
    /// starts, as their providers made them (none attestation, the provider's AAGUID and
    /// flags, the counter they have).
    pub registered_from: Option<String>,
}

impl Default for RpSpec {
    fn default() -> Self {
        RpSpec {
            id: default_rp_id(),
            name: default_rp_name(),
            origins: Vec::new(),
            user_verification: UserVerificationSpec::default(),
            attestation: AttestationSpec::default(),
            trust_test_ca: true,
            allowed_aaguids: Vec::new(),
            enforce_attestation: false,
            registered_from: None,
        }
    }
}

fn default_rp_id() -> String {
    "login.example".to_owned()
}

fn default_rp_name() -> String {
    "Login".to_owned()
}

fn yes() -> bool {
    true
}

/// `userVerification`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UserVerificationSpec {
    /// Required, and enforced.
    Required,
    /// Preferred.
    #[default]
    Preferred,
    /// Discouraged.
    Discouraged,
}

/// `attestation`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AttestationSpec {
    /// `none`.
    #[default]
    None,
    /// `indirect`.
    Indirect,
    /// `direct`.
    Direct,
    /// `enterprise`.
    Enterprise,
}

/// The tunnel server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TunnelSpec {
    /// `simulated` (the default): the tunnel server inside the simulated world. Or a real
    /// server's `ws://HOST:PORT` / `wss://HOST[:PORT]`: ceremonies then run over real
    /// sockets (no faults; traces are not approved, their timing is the network's).
    /// `hybridsim run --tunnel URL` overrides it for every scenario.
    #[serde(default = "simulated")]
    pub server: String,
}

impl Default for TunnelSpec {
    fn default() -> Self {
        TunnelSpec {
            server: simulated(),
        }
    }
}

fn simulated() -> String {
    "simulated".to_owned()
}

impl TunnelSpec {
    /// The real server's URL, or `None` for the simulated one.
    pub fn real(&self) -> Option<&str> {
        (self.server != "simulated").then_some(self.server.as_str())
    }
}

/// One step. `kind` says which; each kind has its own keys and expectations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Step {
    /// `navigator.credentials.create()` over the QR flow; the relying party verifies the
    /// response and keeps the credential.
    Register(RegisterStep),
    /// `navigator.credentials.get()` over the QR flow; the relying party verifies the
    /// assertion against the credentials it registered.
    SignIn(SignInStep),
    /// `navigator.credentials.get()` with a phone linked in an earlier step (no QR code:
    /// `/cable/contact` and a wake-up).
    LinkedSignIn(LinkedSignInStep),
    /// Moves the scenario clock forward.
    AdvanceClock(AdvanceClockStep),
    /// Arms faults for the next ceremony step (the same as that step's `faults`).
    InjectFault(InjectFaultStep),
    /// A site enrols an app in TOTP or HOTP through a QR code picture and checks the first
    /// code.
    EnrolTotp(EnrolTotpStep),
    /// The user signs in to a site with the code an app shows now.
    OtpSignIn(OtpSignInStep),
    /// Moves every account of one app to another by a mechanism, and checks the migration
    /// report.
    Migrate(MigrateStep),
    /// An app backs up to the vendor's cloud (Microsoft style).
    Backup(BackupStep),
    /// An app restores the vendor's cloud backup.
    Restore(RestoreStep),
}

impl Step {
    /// The kind, as written in files.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Register(_) => "register",
            Step::SignIn(_) => "sign-in",
            Step::LinkedSignIn(_) => "linked-sign-in",
            Step::AdvanceClock(_) => "advance-clock",
            Step::InjectFault(_) => "inject-fault",
            Step::EnrolTotp(_) => "enrol-totp",
            Step::OtpSignIn(_) => "otp-sign-in",
            Step::Migrate(_) => "migrate",
            Step::Backup(_) => "backup",
            Step::Restore(_) => "restore",
        }
    }

    /// The name a person gave the step, if any.
    pub fn label(&self) -> Option<&str> {
        match self {
            Step::Register(s) => s.name.as_deref(),
            Step::SignIn(s) => s.name.as_deref(),
            Step::LinkedSignIn(s) => s.name.as_deref(),
            Step::AdvanceClock(s) => s.name.as_deref(),
            Step::InjectFault(s) => s.name.as_deref(),
            Step::EnrolTotp(s) => s.name.as_deref(),
            Step::OtpSignIn(s) => s.name.as_deref(),
            Step::Migrate(s) => s.name.as_deref(),
            Step::Backup(s) => s.name.as_deref(),
            Step::Restore(s) => s.name.as_deref(),
        }
    }

    /// Every kind, in the order of the enum.
    pub const KINDS: &'static [&'static str] = &[
        "register",
        "sign-in",
        "linked-sign-in",
        "advance-clock",
        "inject-fault",
        "enrol-totp",
        "otp-sign-in",
        "migrate",
        "backup",
        "restore",
    ];

    /// Checks the keys of one `[[step]]` table as the given kind, so that an error inside a
    /// step gets a full key path (serde loses it inside internally tagged enums). `table`
    /// is the step without its `kind` key. `None`: an unknown kind.
    pub(crate) fn check_keys(
        kind: &str,
        table: toml::Value,
    ) -> Option<Result<(), serde_path_to_error::Error<toml::de::Error>>> {
        fn check<T: serde::de::DeserializeOwned>(
            table: toml::Value,
        ) -> Result<(), serde_path_to_error::Error<toml::de::Error>> {
            serde_path_to_error::deserialize::<_, T>(table).map(drop)
        }
        Some(match kind {
            "register" => check::<RegisterStep>(table),
            "sign-in" => check::<SignInStep>(table),
            "linked-sign-in" => check::<LinkedSignInStep>(table),
            "advance-clock" => check::<AdvanceClockStep>(table),
            "inject-fault" => check::<InjectFaultStep>(table),
            "enrol-totp" => check::<EnrolTotpStep>(table),
            "otp-sign-in" => check::<OtpSignInStep>(table),
            "migrate" => check::<MigrateStep>(table),
            "backup" => check::<BackupStep>(table),
            "restore" => check::<RestoreStep>(table),
            _ => return None,
        })
    }
}
