//! The phone profiles and attestation files shipped in `fixtures/`, built into the library
//! so that scenarios and the `hybridsim` binary name profiles wherever they are installed.

use hybridsim_ctap::profile::{Profile, ProfileText};
use hybridsim_files::Problem;
use hybridsim_peers::desktop::DesktopProfile;
use hybridsim_proto::echo::{shortened, shown};
use std::path::Path;

/// Shipped profiles: (name, TOML text).
pub const PROFILES: &[(&str, &str)] = &[
    (
        "1password-play-services",
        include_str!("../../../fixtures/profiles/1password-play-services.toml"),
    ),
    (
        "bitwarden-play-services",
        include_str!("../../../fixtures/profiles/bitwarden-play-services.toml"),
    ),
    (
        "buggy-malformed-get-info",
        include_str!("../../../fixtures/profiles/buggy-malformed-get-info.toml"),
    ),
    (
        "buggy-non-canonical",
        include_str!("../../../fixtures/profiles/buggy-non-canonical.toml"),
    ),
    (
        "buggy-wrong-rpid-hash",
        include_str!("../../../fixtures/profiles/buggy-wrong-rpid-hash.toml"),
    ),
    (
        "google-password-manager",
        include_str!("../../../fixtures/profiles/google-password-manager.toml"),
    ),
    (
        "google-play-services-2-3",
        include_str!("../../../fixtures/profiles/google-play-services-2-3.toml"),
    ),
    (
        "ios16",
        include_str!("../../../fixtures/profiles/ios16.toml"),
    ),
    (
        "iphone-icloud-keychain-2026",
        include_str!("../../../fixtures/profiles/iphone-icloud-keychain-2026.toml"),
    ),
    (
        "microsoft-authenticator-android",
        include_str!("../../../fixtures/profiles/microsoft-authenticator-android.toml"),
    ),
    (
        "microsoft-authenticator-ios",
        include_str!("../../../fixtures/profiles/microsoft-authenticator-ios.toml"),
    ),
];

/// Shipped desktop profiles (`fixtures/desktops/`): (name, TOML text).
pub const DESKTOPS: &[(&str, &str)] = &[
    (
        "chrome-150-linux",
        include_str!("../../../fixtures/desktops/chrome-150-linux.toml"),
    ),
    (
        "chrome-stable",
        include_str!("../../../fixtures/desktops/chrome-stable.toml"),
    ),
    (
        "libwebauthn",
        include_str!("../../../fixtures/desktops/libwebauthn.toml"),
    ),
    (
        "safari-macos",
        include_str!("../../../fixtures/desktops/safari-macos.toml"),
    ),
    (
        "webauthn-rs",
        include_str!("../../../fixtures/desktops/webauthn-rs.toml"),
    ),
    (
        "windows-11",
        include_str!("../../../fixtures/desktops/windows-11.toml"),
    ),
];

/// The text of a shipped desktop profile.
pub fn desktop(name: &str) -> Option<&'static str> {
    filed(DESKTOPS, name)
}

/// The names of the shipped desktop profiles.
pub fn desktop_names() -> Vec<&'static str> {
    names(DESKTOPS)
}

/// A desktop profile by built-in name or as a TOML file (relative paths from `dir`): for
/// `[desktop] profile` and `--desktop-profile NAME|FILE`. Files must be regular and at most
/// 16 MiB. `Err` is one line naming the profile.
pub fn load_desktop(asked: &str, dir: &Path) -> Result<DesktopProfile, String> {
    let text = match desktop(asked) {
        Some(text) => text.to_owned(),
        None => read_profile_file("desktop profile", asked, dir, &desktop_names())?,
    };
    DesktopProfile::from_toml_str(&text)
        .map_err(|e| format!("desktop profile {}: {e}", shortened(asked)))
}

/// A phone profile by built-in name or as a TOML file (relative paths from `dir`): for a
/// scenario's `[phone.NAME] profile` and the commands' `--profile NAME|FILE`. Files must be
/// regular, at most 16 MiB, and parse as a profile. `Err` is one line naming the profile.
pub fn load_phone(asked: &str, dir: &Path) -> Result<ProfileText, String> {
    if let Some(text) = profile(asked) {
        return Ok(ProfileText {
            name: asked.to_owned(),
            toml: text.to_owned(),
        });
    }
    let toml = read_profile_file("profile", asked, dir, &profile_names())?;
    let parsed =
        Profile::from_toml_str(&toml).map_err(|e| format!("profile {}: {e}", shortened(asked)))?;
    Ok(ProfileText {
        name: parsed.name,
        toml,
    })
}

/// The text of the profile file `asked` (from `dir`), bounded like every named input; `kind`
/// and the shipped `names` make the message when there is no such file.
fn read_profile_file(
    kind: &str,
    asked: &str,
    dir: &Path,
    names: &[&str],
) -> Result<String, String> {
    let path = dir.join(asked);
    hybridsim_files::read_text(&path, hybridsim_files::MAX_INPUT_BYTES).map_err(|e| {
        match &e.problem {
            Problem::Unreadable(io) if e.is_missing() => format!(
                "no {kind} {}: give a file or one of {} ({io})",
                shown(asked),
                names.join(", ")
            ),
            problem => format!("{kind} {}: {problem}", shortened(asked)),
        }
    })
}

/// `run --desktop-profile NAME|FILE` for every scenario: the name of a built-in profile, or
/// the file's absolute path (scenarios resolve relative paths from their own folder), once
/// it has loaded.
pub fn desktop_arg(asked: Option<&str>) -> Result<Option<String>, String> {
    let Some(asked) = asked else {
        return Ok(None);
    };
    load_desktop(asked, Path::new("."))?;
    if desktop(asked).is_some() {
        return Ok(Some(asked.to_owned()));
    }
    let path = std::fs::canonicalize(asked)
        .map_err(|e| format!("desktop profile {}: {e}", shortened(asked)))?;
    Ok(Some(path.to_string_lossy().into_owned()))
}

/// Shipped attestation files: (file name, PEM text).
pub const ATTESTATION_FILES: &[(&str, &str)] = &[
    (
        "ca.pem",
        include_str!("../../../fixtures/attestation/ca.pem"),
    ),
    (
        "microsoft-authenticator-android.pem",
        include_str!("../../../fixtures/attestation/microsoft-authenticator-android.pem"),
    ),
    (
        "microsoft-authenticator-android.key",
        include_str!("../../../fixtures/attestation/microsoft-authenticator-android.key"),
    ),
    (
        "microsoft-authenticator-ios.pem",
        include_str!("../../../fixtures/attestation/microsoft-authenticator-ios.pem"),
    ),
    (
        "microsoft-authenticator-ios.key",
        include_str!("../../../fixtures/attestation/microsoft-authenticator-ios.key"),
    ),
];

/// The test CA that signs the shipped attestation certificates.
pub const TEST_CA_PEM: &str = include_str!("../../../fixtures/attestation/ca.pem");

/// The text of a shipped profile.
pub fn profile(name: &str) -> Option<&'static str> {
    filed(PROFILES, name)
}

/// The names of the shipped profiles.
pub fn profile_names() -> Vec<&'static str> {
    names(PROFILES)
}

/// The text of a shipped attestation file.
pub fn attestation_file(name: &str) -> Option<String> {
    filed(ATTESTATION_FILES, name).map(str::to_owned)
}

/// The text filed under `name` in one of the (name, text) tables above.
fn filed(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The names of one of the (name, text) tables above, in table order.
fn names(table: &[(&'static str, &str)]) -> Vec<&'static str> {
    table.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &str, suffixes: &[&str]) -> Vec<String> {
        let path = format!("{}/../../fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| suffixes.iter().any(|s| n.ends_with(s)))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_shipped_profile_is_built_in() {
        let built_in: Vec<String> = PROFILES.iter().map(|(n, _)| format!("{n}.toml")).collect();
        assert_eq!(built_in, names_in("profiles", &[".toml"]));
    }

    #[test]
    fn every_shipped_desktop_is_built_in_and_loads() {
        let built_in: Vec<String> = DESKTOPS.iter().map(|(n, _)| format!("{n}.toml")).collect();
        assert_eq!(built_in, names_in("desktops", &[".toml"]));
        for (name, text) in DESKTOPS {
            let profile = hybridsim_peers::desktop::DesktopProfile::from_toml_str(text).unwrap();
            assert_eq!(profile.name, *name);
        }
    }

    #[test]
    fn every_attestation_file_is_built_in() {
        let mut built_in: Vec<String> = ATTESTATION_FILES
            .iter()
            .map(|(n, _)| (*n).to_owned())
            .collect();
        built_in.sort();
        let mut on_disk = names_in("attestation", &[".pem", ".key"]);
        on_disk.retain(|n| n != "ca.key");
        assert_eq!(built_in, on_disk);
    }

    #[test]
    fn a_phone_profile_is_a_shipped_name_or_a_bounded_file_named_by_its_own_name() {
        let shipped = load_phone("ios16", Path::new("/nonexistent")).unwrap();
        assert_eq!(shipped.name, "ios16");
        assert_eq!(shipped.toml, profile("ios16").unwrap());
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/profiles");
        let file = load_phone("ios16.toml", &fixtures).unwrap();
        assert_eq!(
            (file.name.as_str(), file.toml.as_str()),
            ("ios16", shipped.toml.as_str())
        );
        let unknown = load_phone("no-such-phone", &fixtures).unwrap_err();
        assert!(unknown.starts_with("no profile \"no-such-phone\": give a file or one of "));
        assert!(unknown.contains("google-password-manager"), "{unknown}");
        let device = load_phone("/dev/zero", Path::new("/")).unwrap_err();
        assert_eq!(
            device,
            "profile /dev/zero: not a regular file (a device, FIFO or directory): give a file"
        );
        let not_a_profile = load_phone("README.md", &fixtures).unwrap_err();
        assert!(
            not_a_profile.starts_with("profile README.md: "),
            "{not_a_profile}"
        );
    }
}
