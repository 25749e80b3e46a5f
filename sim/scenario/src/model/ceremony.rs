//! The ceremony steps (register, sign in, linked sign-in, clock, faults) and what they must
//! produce.

use super::ResponseErrorExpect;
use crate::term::Term;
use hybridsim_peers::{Layer, Party, ReasonKind};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// The browser's reason for having no response JSON although a CTAP response arrived:
    /// text its message must contain (`"CREDENTIAL_EXCLUDED"`), or `{ kind, status }` (`kind`
    /// is `status`, `empty`, `undecodable` or `browser-refused`; `status` a CTAP status name,
    /// with or without its `CTAP2_ERR_` prefix, only for `kind = "status"`).
    pub response_error: Option<ResponseErrorExpect>,
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
