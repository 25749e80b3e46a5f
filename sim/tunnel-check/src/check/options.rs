//! What a check takes: timeouts, the server's message limit if known, the malformed paths
//! to try, and the cases to run. Under the `clap` feature [`CheckOptions`] doubles as
//! `hybridsim tunnel check`'s flags.

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

/// What [`check`](super::check()) takes besides the target. Under the `clap` feature
/// [`Self::message_limit`] and [`Self::origin`] are `hybridsim tunnel check`'s flags (each
/// field's doc is its flag's help); the rest keep their defaults there.
///
/// A known [`Self::message_limit`] makes the oversize case expect exactly that many bytes
/// relayed and one more refused; `None` probes [`DEFAULT_OVERSIZE_PROBES`] and records which
/// are refused (the 1 MiB + 1 one must be). [`Self::origin`] is the `Origin` header of every
/// probe and of the ceremony cases' peers; `None` is the target's own origin
/// ([`Origin::of_target`]).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct CheckOptions {
    /// Longest a case may take; then it fails as "timed out". Default 15 s.
    #[cfg_attr(feature = "clap", arg(skip = DEFAULT_CASE_TIMEOUT))]
    pub case_timeout: Duration,
    /// Longest one step (an upgrade, waiting for one message) may take. Default 3 s.
    #[cfg_attr(feature = "clap", arg(skip = DEFAULT_STEP_TIMEOUT))]
    pub step_timeout: Duration,
    /// The message size limit to probe, in bytes (default: try 16 KiB+1 and 1 MiB+1).
    #[cfg_attr(feature = "clap", arg(long, value_name = "BYTES"))]
    pub message_limit: Option<usize>,
    /// Paths that must be refused. Default: the `invalid` list of the tunnel path vectors
    /// ([`default_malformed_paths`]). Each goes into the request line as given.
    #[cfg_attr(feature = "clap", arg(skip = default_malformed_paths()))]
    pub malformed_paths: Vec<String>,
    // The doc is the flag's help, shown verbatim: its brackets are not links.
    #[allow(rustdoc::broken_intra_doc_links)]
    /// The Origin header to send, ws[s]://HOST[:PORT] (default: the target's own, as the
    /// peers send it); for a server that insists on its public name.
    #[cfg_attr(feature = "clap", arg(long, value_name = "ORIGIN", value_parser = Origin::parse))]
    pub origin: Option<Origin>,
    /// Run the built-in cases (default `true`); `false` runs only [`Self::extra_cases`].
    #[cfg_attr(feature = "clap", arg(skip = true))]
    pub builtin_cases: bool,
    /// Cases run after the built-in ones, in order. Default: the full ceremonies of
    /// [`crate::ceremony_cases`]; push to keep them, assign to replace them.
    #[cfg_attr(feature = "clap", arg(skip = crate::ceremony::ceremony_cases()))]
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

#[cfg(all(test, feature = "clap"))]
mod tests {
    use super::CheckOptions;
    use clap::Parser;

    /// `hybridsim tunnel check`'s flags, flattened as the binary has them.
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        options: CheckOptions,
    }

    /// Field by field: the extra cases are closures, compared by name.
    #[test]
    fn no_flags_give_the_default_options() -> Result<(), clap::Error> {
        let parsed = Wrapper::try_parse_from(["check"])?.options;
        let default = CheckOptions::default();
        assert_eq!(parsed.case_timeout, default.case_timeout);
        assert_eq!(parsed.step_timeout, default.step_timeout);
        assert_eq!(parsed.message_limit, default.message_limit);
        assert_eq!(parsed.malformed_paths, default.malformed_paths);
        assert_eq!(parsed.origin, default.origin);
        assert_eq!(parsed.builtin_cases, default.builtin_cases);
        let names = |o: &CheckOptions| -> Vec<String> {
            o.extra_cases.iter().map(|c| c.name().to_owned()).collect()
        };
        assert_eq!(names(&parsed), names(&default));
        Ok(())
    }
}
