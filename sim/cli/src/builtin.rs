//! The profiles and attestation files shipped in `fixtures/`, built into the binary so that
//! `--profile NAME` works wherever the binary is run (one copy, kept by the scenario crate).

pub use hybridsim_scenario::builtin::{attestation_file, load_phone};

/// `--desktop-profile NAME|FILE`: the profile, or exit 2 with one line.
pub fn desktop_profile(
    asked: Option<&str>,
) -> Result<Option<hybridsim_peers::desktop::DesktopProfile>, crate::failure::Failure> {
    let load = |a| hybridsim_scenario::builtin::load_desktop(a, std::path::Path::new("."));
    let loaded = asked.map(load).transpose();
    loaded.map_err(crate::failure::Failure::bad_input)
}
