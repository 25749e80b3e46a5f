//! The three ceremonies a desktop and a phone can run, as the interop matrix lays out its grid
//! and the explorer draws its runs: a QR registration, a QR sign-in, and a sign-in with a
//! phone linked first.

use serde::Serialize;
use std::fmt;

/// A ceremony flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// A QR registration.
    Register,
    /// A QR sign-in with a passkey registered first.
    SignIn,
    /// A sign-in with a phone linked first (no QR code).
    Linked,
}

impl Flow {
    /// Every flow, in grid order.
    pub const ALL: [Flow; 3] = [Flow::Register, Flow::SignIn, Flow::Linked];

    /// The name on the command line, in reports and in JSON: `register`, `sign-in`, `linked`.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Register => "register",
            Flow::SignIn => "sign-in",
            Flow::Linked => "linked",
        }
    }

    /// The flow with this name.
    pub fn from_name(name: &str) -> Option<Flow> {
        Flow::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_are_what_json_says() {
        for flow in Flow::ALL {
            assert_eq!(Flow::from_name(flow.name()), Some(flow));
            let json = serde_json::to_string(&flow).unwrap_or_default();
            assert_eq!(json, format!("\"{flow}\""));
        }
        assert_eq!(Flow::from_name("signin"), None);
    }
}
