//! Switches that make an exporter, an importer, an app or a transport behave like a real one
//! that had a bug, so the bug reproduces every time. Each names the entry of
//! `docs/migration-bugs.md` it reproduces; the migration report cites the switch in the
//! line that explains what went wrong.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where in a migration a quirk acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Phone A writing the export or backup.
    Export,
    /// Between the phones: the QR picture or text on its way.
    Transport,
    /// Phone B reading the export or restoring the backup.
    Import,
    /// The app itself, whatever the mechanism (also at enrolment).
    App,
    /// The backup service.
    Service,
}

impl Stage {
    /// The stage's name in listings: `export`, `transport`, `import`, `app`, `service`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::Transport => "transport",
            Self::Import => "import",
            Self::App => "app",
            Self::Service => "service",
        }
    }
}

/// One bug-reproducing switch. Names are stable: scenarios refer to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quirk {
    /// M01: the Google-format exporter leaves `batch_index` off the wire when it is 0.
    GaExportOmitsZeroBatchIndex,
    /// M02: the importer reads the first QR code of a batch and stops.
    ImportFirstQrOnly,
    /// M03: the scanner reads a downscaled screenshot of the QR codes, not the original.
    ScanDownscaledScreenshot,
    /// M04: the importer says it added the accounts but adds nothing.
    ImportReportsSuccessAddsNothing,
    /// M05: restore fails to decrypt HOTP entries and skips them without a word.
    RestoreDropsHotpSilently,
    /// M06: restore replaces the accounts already on the phone instead of adding to them.
    RestoreReplacesExisting,
    /// M07: the importer keeps an `Issuer:` prefix in the account name when an issuer is set.
    ImportKeepsIssuerPrefixInName,
    /// M08: the importer reads the 2FAS service name as the account name and vice versa.
    ImportSwapsNameAndService,
    /// M09: the importer decodes secrets as strict Base32 and skips those with spaces.
    ImportStrictBase32,
    /// Companion of M09: the 2FAS exporter writes secrets in groups of four with spaces, as
    /// files seen in the wild do.
    ExportSpacedSecrets,
    /// M10: the exporter leaves out algorithm and digits, so the importer's defaults apply.
    ExportDropsAlgorithmAndDigits,
    /// Code-read hazard in docs/migration.md §3: the Google-format exporter exports accounts
    /// whose period is not 30 s (the format has no period field) instead of refusing them.
    GaExportIgnoresPeriod,
    /// M11: the app accepts any algorithm, digits and period and uses SHA-1, 6 digits, 30 s.
    AppIgnoresOtpParameters,
    /// M12: the importer turns HOTP accounts into TOTP accounts.
    ImportHotpAsTotp,
    /// M12: the importer drops HOTP accounts and TOTP accounts whose period is not 30 s.
    ImportDropsHotpAndOddPeriods,
    /// M13: the importer adds an account again when it is already there.
    ImportNoDedupe,
    /// M13: the app treats two accounts with the same secret as one.
    DedupeOnSecret,
    /// M14: the 2FAS importer refuses schema version 4 files.
    ImportRefusesSchemaV4,
    /// M15: the app refuses secrets with `=` padding.
    RejectBase32Padding,
    /// M16: the migration QR text passes through form decoding, which turns `+` into spaces.
    TransportFormDecodesPlus,
    /// M18: a new, empty backup overwrites the only backup the service keeps.
    BackupOverwrittenByEmpty,
    /// M19: the app keys accounts on (issuer, name), so a second account with both equal
    /// overwrites the first.
    KeyedOnIssuerAndName,
    /// M20: the importer starts every HOTP account at counter 0.
    ImportResetsHotpCounter,
    /// M21: a CXF importer that lists itself as a destination and imports nothing, saying
    /// nothing (Strongbox).
    CxfImportsNothing,
    /// M22: the CXF exporter leaves passkeys with a non-zero counter out without telling the
    /// user (the spec says it SHOULD).
    CxfOmitsCountedPasskeysSilently,
    /// M25: the CXF importer drops `fido2Extensions`, so hmac-secret / PRF outputs change.
    CxfImportDropsFido2Extensions,
    /// M26: the CXF importer stores the user name as the user handle.
    CxfImportRewritesUserHandle,
}

impl Quirk {
    /// Every quirk, in catalogue order.
    pub const ALL: [Quirk; 27] = [
        Self::GaExportOmitsZeroBatchIndex,
        Self::ImportFirstQrOnly,
        Self::ScanDownscaledScreenshot,
        Self::ImportReportsSuccessAddsNothing,
        Self::RestoreDropsHotpSilently,
        Self::RestoreReplacesExisting,
        Self::ImportKeepsIssuerPrefixInName,
        Self::ImportSwapsNameAndService,
        Self::ImportStrictBase32,
        Self::ExportSpacedSecrets,
        Self::ExportDropsAlgorithmAndDigits,
        Self::GaExportIgnoresPeriod,
        Self::AppIgnoresOtpParameters,
        Self::ImportHotpAsTotp,
        Self::ImportDropsHotpAndOddPeriods,
        Self::ImportNoDedupe,
        Self::DedupeOnSecret,
        Self::ImportRefusesSchemaV4,
        Self::RejectBase32Padding,
        Self::TransportFormDecodesPlus,
        Self::BackupOverwrittenByEmpty,
        Self::KeyedOnIssuerAndName,
        Self::ImportResetsHotpCounter,
        Self::CxfImportsNothing,
        Self::CxfOmitsCountedPasskeysSilently,
        Self::CxfImportDropsFido2Extensions,
        Self::CxfImportRewritesUserHandle,
    ];

    /// The switch's name in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::GaExportOmitsZeroBatchIndex => "ga-export-omits-zero-batch-index",
            Self::ImportFirstQrOnly => "import-first-qr-only",
            Self::ScanDownscaledScreenshot => "scan-downscaled-screenshot",
            Self::ImportReportsSuccessAddsNothing => "import-reports-success-adds-nothing",
            Self::RestoreDropsHotpSilently => "restore-drops-hotp-silently",
            Self::RestoreReplacesExisting => "restore-replaces-existing",
            Self::ImportKeepsIssuerPrefixInName => "import-keeps-issuer-prefix-in-name",
            Self::ImportSwapsNameAndService => "import-swaps-name-and-service",
            Self::ImportStrictBase32 => "import-strict-base32",
            Self::ExportSpacedSecrets => "export-spaced-secrets",
            Self::ExportDropsAlgorithmAndDigits => "export-drops-algorithm-and-digits",
            Self::GaExportIgnoresPeriod => "ga-export-ignores-period",
            Self::AppIgnoresOtpParameters => "app-ignores-otp-parameters",
            Self::ImportHotpAsTotp => "import-hotp-as-totp",
            Self::ImportDropsHotpAndOddPeriods => "import-drops-hotp-and-odd-periods",
            Self::ImportNoDedupe => "import-no-dedupe",
            Self::DedupeOnSecret => "dedupe-on-secret",
            Self::ImportRefusesSchemaV4 => "import-refuses-schema-v4",
            Self::RejectBase32Padding => "reject-base32-padding",
            Self::TransportFormDecodesPlus => "transport-form-decodes-plus",
            Self::BackupOverwrittenByEmpty => "backup-overwritten-by-empty",
            Self::KeyedOnIssuerAndName => "keyed-on-issuer-and-name",
            Self::ImportResetsHotpCounter => "import-resets-hotp-counter",
            Self::CxfImportsNothing => "cxf-imports-nothing",
            Self::CxfOmitsCountedPasskeysSilently => "cxf-omits-counted-passkeys-silently",
            Self::CxfImportDropsFido2Extensions => "cxf-import-drops-fido2-extensions",
            Self::CxfImportRewritesUserHandle => "cxf-import-rewrites-user-handle",
        }
    }

    /// The quirk with this name.
    pub fn from_name(name: &str) -> Option<Quirk> {
        Self::ALL.into_iter().find(|q| q.name() == name)
    }

    /// The entry of docs/migration-bugs.md it reproduces (`M01`…), or `§3` for the code-read hazard.
    pub fn bug(self) -> &'static str {
        match self {
            Self::GaExportOmitsZeroBatchIndex => "M01",
            Self::ImportFirstQrOnly => "M02",
            Self::ScanDownscaledScreenshot => "M03",
            Self::ImportReportsSuccessAddsNothing => "M04",
            Self::RestoreDropsHotpSilently => "M05",
            Self::RestoreReplacesExisting => "M06",
            Self::ImportKeepsIssuerPrefixInName => "M07",
            Self::ImportSwapsNameAndService => "M08",
            Self::ImportStrictBase32 | Self::ExportSpacedSecrets => "M09",
            Self::ExportDropsAlgorithmAndDigits => "M10",
            Self::GaExportIgnoresPeriod => "§3",
            Self::AppIgnoresOtpParameters => "M11",
            Self::ImportHotpAsTotp | Self::ImportDropsHotpAndOddPeriods => "M12",
            Self::ImportNoDedupe | Self::DedupeOnSecret => "M13",
            Self::ImportRefusesSchemaV4 => "M14",
            Self::RejectBase32Padding => "M15",
            Self::TransportFormDecodesPlus => "M16",
            Self::BackupOverwrittenByEmpty => "M18",
            Self::KeyedOnIssuerAndName => "M19",
            Self::ImportResetsHotpCounter => "M20",
            Self::CxfImportsNothing => "M21",
            Self::CxfOmitsCountedPasskeysSilently => "M22",
            Self::CxfImportDropsFido2Extensions => "M25",
            Self::CxfImportRewritesUserHandle => "M26",
        }
    }

    /// Where it acts.
    pub fn stage(self) -> Stage {
        match self {
            Self::GaExportOmitsZeroBatchIndex
            | Self::CxfOmitsCountedPasskeysSilently
            | Self::ExportSpacedSecrets
            | Self::ExportDropsAlgorithmAndDigits
            | Self::GaExportIgnoresPeriod => Stage::Export,
            Self::ScanDownscaledScreenshot | Self::TransportFormDecodesPlus => Stage::Transport,
            Self::ImportFirstQrOnly
            | Self::ImportReportsSuccessAddsNothing
            | Self::RestoreDropsHotpSilently
            | Self::RestoreReplacesExisting
            | Self::ImportKeepsIssuerPrefixInName
            | Self::ImportSwapsNameAndService
            | Self::ImportStrictBase32
            | Self::ImportHotpAsTotp
            | Self::ImportDropsHotpAndOddPeriods
            | Self::ImportNoDedupe
            | Self::ImportRefusesSchemaV4
            | Self::ImportResetsHotpCounter
            | Self::CxfImportsNothing
            | Self::CxfImportDropsFido2Extensions
            | Self::CxfImportRewritesUserHandle => Stage::Import,
            Self::AppIgnoresOtpParameters
            | Self::DedupeOnSecret
            | Self::RejectBase32Padding
            | Self::KeyedOnIssuerAndName => Stage::App,
            Self::BackupOverwrittenByEmpty => Stage::Service,
        }
    }

    /// One sentence saying what the switch does, for listings (the variant docs say the same).
    pub fn description(self) -> &'static str {
        match self {
            Self::GaExportOmitsZeroBatchIndex => "the Google-format exporter leaves batch_index off the wire when it is 0",
            Self::ImportFirstQrOnly => "the importer reads the first QR code of a batch and stops",
            Self::ScanDownscaledScreenshot => "the scanner reads a downscaled screenshot of the QR codes, not the original",
            Self::ImportReportsSuccessAddsNothing => "the importer says it added the accounts but adds nothing",
            Self::RestoreDropsHotpSilently => "restore fails to decrypt HOTP entries and skips them without a word",
            Self::RestoreReplacesExisting => "restore replaces the accounts already on the phone instead of adding to them",
            Self::ImportKeepsIssuerPrefixInName => "the importer keeps an Issuer: prefix in the account name when an issuer is set",
            Self::ImportSwapsNameAndService => "the importer reads the 2FAS service name as the account name and vice versa",
            Self::ImportStrictBase32 => "the importer decodes secrets as strict Base32 and skips those with spaces",
            Self::ExportSpacedSecrets => "the 2FAS exporter writes secrets in groups of four with spaces",
            Self::ExportDropsAlgorithmAndDigits => "the exporter leaves out algorithm and digits, so the importer's defaults apply",
            Self::GaExportIgnoresPeriod => "the Google-format exporter exports accounts whose period is not 30 s instead of refusing them",
            Self::AppIgnoresOtpParameters => "the app accepts any algorithm, digits and period and uses SHA-1, 6 digits, 30 s",
            Self::ImportHotpAsTotp => "the importer turns HOTP accounts into TOTP accounts",
            Self::ImportDropsHotpAndOddPeriods => "the importer drops HOTP accounts and TOTP accounts whose period is not 30 s",
            Self::ImportNoDedupe => "the importer adds an account again when it is already there",
            Self::DedupeOnSecret => "the app treats two accounts with the same secret as one",
            Self::ImportRefusesSchemaV4 => "the 2FAS importer refuses schema version 4 files",
            Self::RejectBase32Padding => "the app refuses secrets with = padding",
            Self::TransportFormDecodesPlus => "the migration QR text passes through form decoding, which turns + into spaces",
            Self::BackupOverwrittenByEmpty => "a new, empty backup overwrites the only backup the service keeps",
            Self::KeyedOnIssuerAndName => "the app keys accounts on (issuer, name), so a second account with both equal overwrites the first",
            Self::ImportResetsHotpCounter => "the importer starts every HOTP account at counter 0",
            Self::CxfImportsNothing => "the CXF importer offers itself as a destination and imports nothing, silently",
            Self::CxfOmitsCountedPasskeysSilently => "the CXF exporter leaves passkeys with a non-zero counter out without a word",
            Self::CxfImportDropsFido2Extensions => "the CXF importer drops fido2Extensions, so hmac-secret / PRF outputs change",
            Self::CxfImportRewritesUserHandle => "the CXF importer stores the user name as the user handle",
        }
    }

    /// `name (bug)`, the form report lines cite.
    pub fn cite(self) -> String {
        format!("quirk {} ({})", self.name(), self.bug())
    }
}

impl std::fmt::Display for Quirk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The quirks switched on for one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quirks(pub BTreeSet<Quirk>);

impl Quirks {
    /// No quirk: every party behaves as its format's documentation says.
    pub fn none() -> Self {
        Self::default()
    }

    /// These quirks.
    pub fn of(quirks: impl IntoIterator<Item = Quirk>) -> Self {
        Self(quirks.into_iter().collect())
    }

    /// Whether `quirk` is on.
    pub fn has(&self, quirk: Quirk) -> bool {
        self.0.contains(&quirk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let names: BTreeSet<_> = Quirk::ALL.iter().map(|q| q.name()).collect();
        assert_eq!(names.len(), Quirk::ALL.len());
        for quirk in Quirk::ALL {
            assert_eq!(Quirk::from_name(quirk.name()), Some(quirk));
            let json = serde_json::to_string(&quirk).unwrap();
            assert_eq!(json, format!("\"{}\"", quirk.name()));
        }
    }
}
