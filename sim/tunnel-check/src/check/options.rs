//! What a check takes: timeouts, the server's message limit if known, the malformed paths
//! to try, and the cases to run.

use super::case::ExtraCase;
use super::origin::Origin;
use std::time::Duration;

/// The malformed tunnel paths of `fixtures/vectors/tunnel_paths.json` (its `invalid` list,
/// from webauthn-rs' tunnel server tests).
const TUNNEL_PATH_VECTORS: &str = include_str!("../../../../fixtures/vectors/tunnel_paths.json");

/// Default for [`CheckOptions::case_timeout`].
pub const DEFAULT_CASE_TIMEOUT: Duration = Duration::from_secs(15);
/// Default for [`CheckOptions::step_timeout`].
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(3);
/// The oversize probes when no limit is given: 16 KiB + 1 (webauthn-rs' limit) and
/// 1 MiB + 1 (Chromium's).
pub const DEFAULT_OVERSIZE_PROBES: [usize; 2] = [16 * 1024 + 1, (1 << 20) + 1];

/// What [`check`](super::check()) takes besides the target.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Longest a case may take; then it fails as "timed out". Default 15 s.
    pub case_timeout: Duration,
    /// Longest one step (an upgrade, waiting for one message) may take. Default 3 s.
    pub step_timeout: Duration,
    /// The server's message size limit, if known: the oversize case then expects exactly
    /// this many bytes relayed and one more refused. `None` probes
    /// [`DEFAULT_OVERSIZE_PROBES`] and records which are refused (the 1 MiB + 1 one must be).
    pub message_limit: Option<usize>,
    /// Paths that must be refused. Default: the `invalid` list of the tunnel path vectors
    /// ([`default_malformed_paths`]). Each goes into the request line as given.
    pub malformed_paths: Vec<String>,
    /// The `Origin` header of every probe and of the ceremony cases' peers. `None` (the
    /// default): the target's own origin, as the peers send it ([`Origin::of_target`]).
    /// Give the origin a server insists on when it is reached under another name.
    pub origin: Option<Origin>,
    /// Run the built-in cases (default `true`); `false` runs only [`Self::extra_cases`].
    pub builtin_cases: bool,
    /// Cases run after the built-in ones, in order. Default: the full ceremonies of
    /// [`crate::ceremony_cases`]; push to keep them, assign to replace them.
    pub extra_cases: Vec<ExtraCase>,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            case_timeout: DEFAULT_CASE_TIMEOUT,
            step_timeout: DEFAULT_STEP_TIMEOUT,
            message_limit: None,
            malformed_paths: default_malformed_paths(),
            origin: None,
            builtin_cases: true,
            extra_cases: crate::ceremony::ceremony_cases(),
        }
    }
}

/// The `invalid` paths of `fixtures/vectors/tunnel_paths.json`, compiled in.
pub fn default_malformed_paths() -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(TUNNEL_PATH_VECTORS)
        .ok()
        .and_then(|v| {
            v.get("invalid").and_then(|list| {
                list.as_array().map(|items| {
                    items
                        .iter()
                        .filter_map(|p| p.as_str().map(str::to_owned))
                        .collect()
                })
            })
        })
        .unwrap_or_default()
}
