//! The expectations file: the cells that must fail, each with why and its public source;
//! every other cell must pass. A cell that changes either way is a [`Mismatch`], so a
//! changed cell fails CI.
//!
//! ```toml
//! about = "…"
//! [[fail]]
//! desktop = "chrome-150-linux"        # a name or "*"
//! phone = "google-play-services-2-3"  # a name or "*"
//! flows = ["register", "sign-in"]     # default: every flow
//! party = "desktop"                   # the failing party the cell must show
//! layer = "ble"                       # and its layer
//! why = "exactly 20-byte adverts only; the phone appends a CTAP 2.3 suffix"
//! source = "bloom-directory/bloom#129; Chromium device/fido/cable/v2_discovery.cc"
//! ```

use crate::cell::{Cell, Verdict};
use crate::spec::Flow;
use serde::Deserialize;

/// A parsed expectations file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// What the file is.
    pub about: String,
    /// The cells that must fail.
    #[serde(default)]
    pub fail: Vec<ExpectedFailure>,
}

/// Cells that must fail, and how.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// Desktop profile name, or `*`.
    pub desktop: String,
    /// Phone profile name, or `*`.
    pub phone: String,
    /// Flows (`register`, `sign-in`, `linked`); empty or absent: every flow.
    #[serde(default)]
    pub flows: Vec<String>,
    /// The failing party the cells must show.
    pub party: String,
    /// Its layer.
    pub layer: String,
    /// Why they fail.
    pub why: String,
    /// The public source of the behaviour (or "deliberate fault" for the buggy profiles).
    pub source: String,
}

/// Why the expectations file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExpectationsError {
    /// Not valid TOML or not this shape (with line and column).
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// A flow name that does not exist.
    #[error("fail[{index}].flows: no flow {name:?} (register, sign-in, linked)")]
    Flow {
        /// The entry.
        index: usize,
        /// The name.
        name: String,
    },
    /// An entry without its source.
    #[error("fail[{0}].source is empty: every expected failure names its public source")]
    NoSource(usize),
}

/// A cell that does not match the expectations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// `desktop × phone × flow`.
    pub cell: String,
    /// What was expected and what happened.
    pub what: String,
}

impl ExpectedFailure {
    fn covers(&self, cell: &Cell) -> bool {
        let name_ok = |pattern: &str, name: &str| pattern == "*" || pattern == name;
        name_ok(&self.desktop, &cell.desktop)
            && name_ok(&self.phone, &cell.phone)
            && (self.flows.is_empty() || self.flows.iter().any(|f| f == cell.flow.name()))
    }
}

impl Expectations {
    /// Parses and checks an expectations file.
    pub fn from_toml_str(text: &str) -> Result<Expectations, ExpectationsError> {
        let parsed: Expectations = toml::from_str(text)?;
        for (index, entry) in parsed.fail.iter().enumerate() {
            if entry.source.trim().is_empty() {
                return Err(ExpectationsError::NoSource(index));
            }
            if let Some(name) = entry.flows.iter().find(|f| Flow::from_name(f).is_none()) {
                return Err(ExpectationsError::Flow {
                    index,
                    name: name.clone(),
                });
            }
        }
        Ok(parsed)
    }

    /// The expected failure covering `cell`, if any (the first that does).
    pub fn expected(&self, cell: &Cell) -> Option<&ExpectedFailure> {
        self.fail.iter().find(|f| f.covers(cell))
    }

    /// Every cell that does not match: an expected failure that passed or failed at another
    /// party or layer, or an unexpected failure.
    pub fn check(&self, cells: &[Cell]) -> Vec<Mismatch> {
        cells
            .iter()
            .filter_map(|cell| {
                let what = match (self.expected(cell), &cell.verdict) {
                    (None, Verdict::Pass) => return None,
                    (
                        None,
                        Verdict::Fail {
                            party,
                            layer,
                            error,
                        },
                    ) => {
                        format!("expected to pass, failed: {party}/{layer}: {error}")
                    }
                    (Some(e), Verdict::Pass) => {
                        format!(
                            "expected {}/{} to fail ({}), passed",
                            e.party, e.layer, e.why
                        )
                    }
                    (
                        Some(e),
                        Verdict::Fail {
                            party,
                            layer,
                            error,
                        },
                    ) => {
                        if *party == e.party && *layer == e.layer {
                            return None;
                        }
                        format!(
                            "expected {}/{} ({}), failed at {party}/{layer}: {error}",
                            e.party, e.layer, e.why
                        )
                    }
                };
                Some(Mismatch {
                    cell: format!("{} × {} × {}", cell.desktop, cell.phone, cell.flow),
                    what,
                })
            })
            .collect()
    }
}
