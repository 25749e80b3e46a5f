//! The scenario format: the types a `scenarios/**/*.toml` file deserialises into, and from
//! which `scenario.schema.json` is generated.
//!
//! A file describes the world (seed, clock, radio), the actors (one desktop, named phones
//! with profiles, named relying parties, the tunnel server) and a list of `[[step]]`s, each
//! with its expectations. Unknown keys are errors everywhere.
//!
//! Steps are one enum, tagged by `kind`. Each kind has its own struct (its own keys) and its
//! own expectation type, so that new kinds are new variants: see the crate documentation.

use crate::term::Term;
use hybridsim_peers::{Layer, Party, ReasonKind};
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
    /// What the desktop does with an update or linking info it cannot accept.
    #[serde(default)]
    pub update_policy: UpdatePolicySpec,
    /// Which transport construction the desktop speaks. Default: `new`, or `detect` when
    /// the phone uses the old one.
    pub crypter: Option<DesktopCrypter>,
}

impl Default for DesktopSpec {
    fn default() -> Self {
        DesktopSpec {
            origin: default_origin(),
            update_policy: UpdatePolicySpec::default(),
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

/// A registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterStep {
    /// A short name for reports (default: the kind).
    pub name: Option<String>,
    /// Which phone (may be left out when there is one).
    pub phone: Option<String>,
    /// Which relying party (may be left out when there is one).
    pub rp: Option<String>,
    /// The account being registered.
    #[serde(default)]
    pub user: UserSpec,
    /// `residentKey` in the options.
    #[serde(default)]
    pub resident_key: ResidentKeySpec,
    /// List the credentials the relying party already holds in `excludeCredentials`.
    #[serde(default)]
    pub exclude_registered: bool,
    /// Offer linking in the QR code (key 4), so the phone sends its linking info.
    #[serde(default)]
    pub offer_linking: bool,
    /// Faults injected into this ceremony, `NAME[@STEP]` (see `hybridsim_world::faults`).
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::fault_list")]
    pub faults: Vec<String>,
    /// What must come out of it.
    pub expect: CeremonyExpect,
}

/// The account of a registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// The user handle, as text (its UTF-8 bytes are the handle).
    #[serde(default = "default_user_id")]
    pub id: String,
    /// The account name.
    #[serde(default = "default_user_name")]
    pub name: String,
    /// The display name.
    #[serde(default = "default_display_name")]
    pub display_name: String,
}

impl Default for UserSpec {
    fn default() -> Self {
        UserSpec {
            id: default_user_id(),
            name: default_user_name(),
            display_name: default_display_name(),
        }
    }
}

fn default_user_id() -> String {
    "user-1".to_owned()
}

fn default_user_name() -> String {
    "alex".to_owned()
}

fn default_display_name() -> String {
    "Alex".to_owned()
}

/// `residentKey`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ResidentKeySpec {
    /// A discoverable credential is required (passkeys).
    #[default]
    Required,
    /// Preferred.
    Preferred,
    /// Discouraged.
    Discouraged,
}

/// A sign-in over the QR flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which phone.
    pub phone: Option<String>,
    /// Which relying party.
    pub rp: Option<String>,
    /// `discoverable` (the default): an empty allow list; `registered`: every credential the
    /// relying party holds.
    #[serde(default)]
    pub allow: AllowSpec,
    /// Offer linking in the QR code.
    #[serde(default)]
    pub offer_linking: bool,
    /// Faults injected into this ceremony.
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::fault_list")]
    pub faults: Vec<String>,
    /// What must come out of it.
    pub expect: CeremonyExpect,
}

/// The allow list of a sign-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AllowSpec {
    /// An empty allow list: the phone picks a discoverable credential.
    #[default]
    Discoverable,
    /// Every credential the relying party registered.
    Registered,
}

/// A sign-in with a linked phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedSignInStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which phone (it must have been linked by an earlier step with `offer_linking`).
    pub phone: Option<String>,
    /// Which relying party.
    pub rp: Option<String>,
    /// The allow list.
    #[serde(default)]
    pub allow: AllowSpec,
    /// Faults injected into this ceremony.
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::fault_list")]
    pub faults: Vec<String>,
    /// What must come out of it.
    pub expect: CeremonyExpect,
}

/// Moves the scenario clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClockStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Seconds to move forward.
    pub seconds: u64,
}

/// Faults for the next ceremony step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InjectFaultStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// `NAME[@STEP]`, as a ceremony step's `faults`.
    #[schemars(schema_with = "crate::schema::fault_list")]
    pub faults: Vec<String>,
}

/// What a ceremony step must produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CeremonyExpect {
    /// `success`: both parties finished, the browser got its response JSON and the relying
    /// party accepted it. `failure`: anything else.
    pub outcome: ExpectedOutcome,
    /// The first party to fail (by virtual time).
    pub first_failure: Option<FailureExpect>,
    /// How the desktop ended.
    pub desktop: Option<PartyExpect>,
    /// How the phone ended.
    pub phone: Option<PartyExpect>,
    /// How extra actors a fault brought in ended (`phone-2`).
    #[serde(default)]
    pub others: BTreeMap<String, PartyExpect>,
    /// The relying party's verdict on the response JSON (only when there is one).
    /// Default: `accepted` for a successful outcome.
    pub rp: Option<RpVerdict>,
    /// Text the relying party's refusal must contain.
    pub rp_error: Option<String>,
    /// Text the browser's reason for having no response JSON must contain.
    pub response_error: Option<String>,
    /// Whether the desktop ends up with a verified link to the phone.
    pub linked: Option<bool>,
    /// Whether the tunnel server said the link is gone (forget it).
    pub forget_link: Option<bool>,
    /// Properties of the trace.
    #[serde(default)]
    pub trace: TraceExpect,
}

/// `success` or `failure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectedOutcome {
    /// Everything worked and the relying party accepted the response.
    Success,
    /// Something failed.
    Failure,
}

/// The first failure of a ceremony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FailureExpect {
    /// Which party: `desktop` or `phone`.
    pub party: Term<Party>,
    /// At which layer.
    pub layer: Term<Layer>,
    /// Which check failed (`timeout`, `refused`, `noise`, …).
    pub reason: Option<Term<ReasonKind>>,
    /// Text the error message must contain.
    pub error: Option<String>,
    /// Exactly when (virtual ms).
    pub at_ms: Option<u64>,
}

/// How one party ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyExpect {
    /// `ok`, `failed` (with an error it reported) or `unfinished` (it never finished:
    /// silenced or stalled).
    pub result: PartyResult,
    /// The layer of the error.
    pub layer: Option<Term<Layer>>,
    /// Which check failed (`timeout`, `refused`, `noise`, …).
    pub reason: Option<Term<ReasonKind>>,
    /// Text the error message must contain.
    pub error: Option<String>,
    /// It ended exactly then (virtual ms).
    pub at_ms: Option<u64>,
    /// It ended at or after this (virtual ms).
    pub not_before_ms: Option<u64>,
    /// It ended at or before this (virtual ms).
    pub not_after_ms: Option<u64>,
}

/// How a party ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PartyResult {
    /// Finished successfully.
    Ok,
    /// Finished with an error.
    Failed,
    /// Never finished.
    Unfinished,
}

/// The relying party's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RpVerdict {
    /// It verified the response.
    Accepted,
    /// It refused the response.
    Rejected,
}

/// Properties of a step's trace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceExpect {
    /// Texts some record's `what` must contain (each one).
    #[serde(default)]
    pub contains: Vec<String>,
    /// Texts no record's `what` may contain.
    #[serde(default)]
    pub lacks: Vec<String>,
    /// The run ended by this virtual time (ms).
    pub max_virtual_ms: Option<u64>,
}

/// An authenticator app on a phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Which app it models.
    pub model: AppModelSpec,
    /// How far the phone's clock is from true time, in seconds (positive: ahead).
    #[serde(default)]
    pub clock_offset_s: i64,
    /// App-stage quirks (`hybridsim migrate quirks`): `app-ignores-otp-parameters`,
    /// `dedupe-on-secret`, `reject-base32-padding`, `keyed-on-issuer-and-name`.
    #[serde(default)]
    pub quirks: Vec<String>,
    /// OTP accounts already in the app, as `otpauth://` URIs (read leniently). Their sites
    /// hold the same parameters.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Personal Microsoft accounts (user names), each with this device's own credential.
    #[serde(default)]
    pub microsoft_personal: Vec<String>,
    /// Push-approval accounts whose key is in the phone's hardware keystore.
    #[serde(default)]
    pub push: Vec<PushSpec>,
    /// Passkeys the phone holds.
    #[serde(default)]
    pub passkeys: Vec<PasskeySpec>,
}

/// The authenticator apps modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AppModelSpec {
    /// Google Authenticator.
    GoogleAuthenticator,
    /// Microsoft Authenticator.
    MicrosoftAuthenticator,
    /// Aegis.
    Aegis,
    /// 2FAS.
    #[serde(rename = "2fas")]
    TwoFas,
}

/// A push-approval (work or school) account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PushSpec {
    /// The organisation (tenant).
    pub tenant: String,
    /// The user name.
    pub user: String,
}

/// A passkey in the app's phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeySpec {
    /// The relying party ID.
    pub rp_id: String,
    /// The user name.
    pub user: String,
    /// Synced by its provider (BE=1) rather than device-bound.
    #[serde(default)]
    pub synced: bool,
}

/// A TOTP/HOTP enrolment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolTotpStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which app.
    pub app: String,
    /// The site (the issuer it writes).
    pub site: String,
    /// The user's account name at the site.
    pub user: String,
    /// `SHA1`, `SHA256` or `SHA512`.
    #[serde(default = "default_algorithm")]
    pub algorithm: String,
    /// Code length.
    #[serde(default = "default_digits")]
    pub digits: u8,
    /// TOTP period in seconds (ignored with `counter`).
    #[serde(default = "default_period")]
    pub period: u32,
    /// HOTP with this first counter instead of TOTP.
    pub counter: Option<u64>,
    /// Secret length in bytes.
    #[serde(default = "default_secret_bytes")]
    pub secret_bytes: usize,
    /// Where the issuer goes in the URI: `both` (the wiki's advice), `label`, `parameter`.
    #[serde(default)]
    pub issuer_in: IssuerInSpec,
    /// Write the secret with `=` padding.
    #[serde(default)]
    pub padded_secret: bool,
    /// Write the secret in lower case.
    #[serde(default)]
    pub lowercase_secret: bool,
    /// What must come out of it.
    pub expect: EnrolExpect,
}

fn default_algorithm() -> String {
    "SHA1".to_owned()
}

fn default_digits() -> u8 {
    6
}

fn default_period() -> u32 {
    30
}

fn default_secret_bytes() -> usize {
    20
}

/// Where an enrolment URI names the issuer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IssuerInSpec {
    /// Label prefix and parameter.
    #[default]
    Both,
    /// Label prefix only.
    Label,
    /// Parameter only.
    Parameter,
}

/// What an enrolment must produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolExpect {
    /// `enrolled` (the app stored it and the site accepted the first code),
    /// `confirm-failed` (stored, but the site refused the first code), `refused` (the app
    /// or its camera would not take the QR code).
    pub outcome: EnrolOutcome,
    /// Findings the app's lenient parse must report (names, e.g. `secret-padding`).
    #[serde(default)]
    pub findings: Vec<String>,
    /// Text the refusal or the site's reason must contain.
    pub error: Option<String>,
}

/// How an enrolment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EnrolOutcome {
    /// Stored, and the first code accepted.
    Enrolled,
    /// Stored, but the first code refused.
    ConfirmFailed,
    /// Not stored.
    Refused,
}

/// A sign-in with an OTP code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtpSignInStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which app shows the code.
    pub app: String,
    /// The account, as the app lists it: `Issuer (name)`.
    pub account: String,
    /// What must come out of it.
    pub expect: OtpSignInExpect,
}

/// What an OTP sign-in must produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtpSignInExpect {
    /// `accepted` or `refused`.
    pub outcome: OtpVerdict,
    /// Text the site's reason must contain.
    pub error: Option<String>,
}

/// A site's verdict on a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OtpVerdict {
    /// Accepted.
    Accepted,
    /// Refused.
    Refused,
}

/// A whole migration from one app to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// The old phone's app.
    pub from: String,
    /// The new phone's app.
    pub to: String,
    /// `cloud-backup`, `keychain-sync`, `google-transfer`, `aegis-vault` or `2fas`.
    pub mechanism: String,
    /// Password of an encrypted Aegis vault or 2FAS file (plain without).
    pub password: Option<String>,
    /// Recovery account of a cloud backup, platform account of a keychain.
    #[serde(default = "default_account")]
    pub account: String,
    /// Google transfer: accounts per QR code.
    #[serde(default = "default_per_qr")]
    pub accounts_per_qr: usize,
    /// Google transfer: the QR codes the user scans, 1-based, in order (default: all).
    pub scan: Option<Vec<usize>>,
    /// Export, transport, import and service quirks (`hybridsim migrate quirks`).
    #[serde(default)]
    pub quirks: Vec<String>,
    /// Whether this run is expected to reproduce a known bug (reports mark it).
    #[serde(default)]
    pub shows_bug: Option<String>,
    /// What the report must say.
    pub expect: MigrateExpect,
}

fn default_account() -> String {
    "user@example.com".to_owned()
}

fn default_per_qr() -> usize {
    10
}

/// What a migration report must say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateExpect {
    /// Every account moved unchanged, shows the same code, and signs in.
    pub lossless: Option<bool>,
    /// Rows of the report, by account. When several accounts share a label, the n-th
    /// expectation for it is checked against the n-th row with it.
    #[serde(default)]
    pub accounts: Vec<RowExpect>,
    /// Texts the report's general notes must contain (each one).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One row of a migration report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RowExpect {
    /// The account as the old app lists it: `Issuer (name)`.
    pub account: String,
    /// `moved`, `changed`, `duplicated`, `name-only` or `missing`.
    pub arrival: Option<String>,
    /// The new phone shows the same code as the old one.
    pub same_code: Option<bool>,
    /// The site accepts a sign-in from the new phone.
    pub site_accepts: Option<bool>,
    /// Text the row's reasons must contain.
    pub why: Option<String>,
}

/// A cloud backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which app backs up.
    pub app: String,
    /// The recovery account.
    #[serde(default = "default_account")]
    pub account: String,
    /// Service quirks (`backup-overwritten-by-empty`).
    #[serde(default)]
    pub quirks: Vec<String>,
    /// What must come out of it.
    pub expect: CloudExpect,
}

/// A cloud restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreStep {
    /// A short name for reports.
    pub name: Option<String>,
    /// Which app restores.
    pub app: String,
    /// The recovery account.
    #[serde(default = "default_account")]
    pub account: String,
    /// Restore quirks (`restore-drops-hotp-silently`, `restore-replaces-existing`).
    #[serde(default)]
    pub quirks: Vec<String>,
    /// What must come out of it.
    pub expect: CloudExpect,
}

/// What a backup or restore must produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudExpect {
    /// `ok` or `refused`.
    pub outcome: CloudOutcome,
    /// How many accounts the app holds afterwards.
    pub accounts: Option<usize>,
    /// Texts the notes (or the refusal) must contain.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// How a backup or restore ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CloudOutcome {
    /// Done.
    Ok,
    /// Refused.
    Refused,
}
