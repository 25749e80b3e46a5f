//! The phone profiles and attestation files shipped in `fixtures/`, built into the library
//! so that scenarios and the `hybridsim` binary name profiles wherever they are installed.

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
    PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The names of the shipped profiles.
pub fn profile_names() -> Vec<&'static str> {
    PROFILES.iter().map(|(n, _)| *n).collect()
}

/// The text of a shipped attestation file.
pub fn attestation_file(name: &str) -> Option<String> {
    ATTESTATION_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| (*text).to_owned())
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
}
