//! Which cells a matrix has: desktop profiles, phone profiles and flows, by name, defaulting
//! to every shipped profile and every flow.

use hybridsim_peers::desktop::DesktopProfile;
use hybridsim_scenario::builtin;

/// A flow a cell runs.
pub use hybridsim_scenario::flow::Flow;

/// Why a selection could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// An unknown desktop profile name.
    #[error("no desktop profile {0:?}: expected some of {1}")]
    Desktop(String, String),
    /// An unknown phone profile name.
    #[error("no phone profile {0:?}: expected some of {1}")]
    Phone(String, String),
    /// An unknown flow.
    #[error("no flow {0:?}: expected some of register, sign-in, linked")]
    Flow(String),
    /// A shipped profile that does not load (a build defect).
    #[error("shipped profile {0}: {1}")]
    Shipped(String, String),
}

/// The desktops, phones and flows of a matrix.
#[derive(Debug, Clone)]
pub struct MatrixSpec {
    /// Desktop profiles, by name.
    pub desktops: Vec<(String, DesktopProfile)>,
    /// Phone profiles: (name, TOML text).
    pub phones: Vec<(String, String)>,
    /// Flows.
    pub flows: Vec<Flow>,
}

impl MatrixSpec {
    /// The matrix of comma-separated selections; `None` is every shipped one.
    pub fn select(
        desktops: Option<&str>,
        phones: Option<&str>,
        flows: Option<&str>,
    ) -> Result<MatrixSpec, SpecError> {
        let desktop_names = names(desktops, builtin::desktop_names());
        let phone_names = names(phones, builtin::profile_names());
        let mut spec = MatrixSpec {
            desktops: Vec::new(),
            phones: Vec::new(),
            flows: Vec::new(),
        };
        for name in desktop_names {
            let text = builtin::desktop(&name).ok_or_else(|| {
                SpecError::Desktop(name.clone(), builtin::desktop_names().join(", "))
            })?;
            let profile = DesktopProfile::from_toml_str(text)
                .map_err(|e| SpecError::Shipped(name.clone(), e.to_string()))?;
            spec.desktops.push((name, profile));
        }
        for name in phone_names {
            let text = builtin::profile(&name).ok_or_else(|| {
                SpecError::Phone(name.clone(), builtin::profile_names().join(", "))
            })?;
            spec.phones.push((name, text.to_owned()));
        }
        match flows {
            None => spec.flows = Flow::ALL.to_vec(),
            Some(list) => {
                for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let flow =
                        Flow::from_name(name).ok_or_else(|| SpecError::Flow(name.to_owned()))?;
                    spec.flows.push(flow);
                }
            }
        }
        Ok(spec)
    }

    /// How many cells.
    pub fn cells(&self) -> usize {
        self.desktops.len() * self.phones.len() * self.flows.len()
    }
}

fn names(list: Option<&str>, all: Vec<&str>) -> Vec<String> {
    match list {
        None => all.into_iter().map(str::to_owned).collect(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}
