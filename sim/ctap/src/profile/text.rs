//! A profile as a new phone starts from it: its text, and the name it goes by (a shipped
//! profile's name, or the `name` inside a profile file). Kept as text so that a state file can
//! hold the profile it was made with, whatever the shipped ones become.

/// A profile's TOML text and the name it goes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileText {
    /// The shipped profile's name, or the `name` inside a profile file.
    pub name: String,
    /// The profile's TOML text.
    pub toml: String,
}
