//! Desktop (client) profiles: a browser's or library's hybrid behaviour as data
//! (`fixtures/desktops/*.toml`), applied to a [`DesktopConfig`].
//!
//! A profile names what goes in the QR code (keys 2, 4, 6 and GREASE), which adverts are
//! taken (exactly 20 bytes or a CTAP 2.3 suffix allowed; which service UUIDs are scanned),
//! the crypter and update policies, how the phone's getInfo is checked, the step timers,
//! and whether linked phones and the QR code are tried side by side. Unknown fields are
//! errors with their line and column; every shipped file cites its source per value or marks
//! it inferred.

use super::{CrypterPolicy, DesktopConfig, GetInfoValidation, Timeouts, UpdatePolicy};
use core::time::Duration;
use hybridsim_proto::advert::{LengthRule, FIDO_SERVICE_UUID, GOOGLE_SERVICE_UUID};
use hybridsim_proto::qr::Key6;
use serde::Deserialize;

/// A desktop's hybrid behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesktopProfile {
    /// Short identifier, e.g. "chrome-150-linux".
    pub name: String,
    /// What the profile stands for and where its values come from.
    pub description: String,
    /// What the QR code carries.
    #[serde(default)]
    pub qr: QrProfile,
    /// Which adverts are looked at.
    #[serde(default)]
    pub advert: AdvertProfile,
    /// Transport construction policy.
    #[serde(default = "default_crypter")]
    pub crypter: CrypterName,
    /// What an unacceptable update or linking info does.
    #[serde(default = "default_update")]
    pub update: UpdateName,
    /// How the phone's getInfo is checked.
    #[serde(default)]
    pub get_info: GetInfoName,
    /// Whether linked phones and the QR code are tried side by side.
    #[serde(default = "yes")]
    pub side_by_side: bool,
    /// Step timers, seconds.
    #[serde(default)]
    pub timeouts: TimeoutsProfile,
}

/// The QR keys a desktop writes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QrProfile {
    /// Key 2: assigned tunnel domains known.
    pub known_domains: u16,
    /// Key 4 when linking is not asked for: `false` or `absent`.
    pub linking: LinkingKey,
    /// Key 6.
    pub key6: Key6Form,
    /// With `key6 = "channels"`: the channel ids, in order.
    pub channels: Vec<u64>,
    /// Write the GREASE key 65535.
    pub grease: bool,
}

impl Default for QrProfile {
    fn default() -> Self {
        QrProfile {
            known_domains: super::DEFAULT_KNOWN_DOMAINS,
            linking: LinkingKey::False,
            key6: Key6Form::Absent,
            channels: Vec::new(),
            grease: false,
        }
    }
}

/// QR key 4 when the desktop does not offer linking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkingKey {
    /// Written as false (Chromium).
    False,
    /// Left out (libwebauthn).
    Absent,
}

/// QR key 6 as a desktop writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Key6Form {
    /// Not written (Chrome, Safari; libwebauthn in cloud-assisted-only mode).
    Absent,
    /// webauthn-rs' boolean, true on makeCredential requests.
    Bool,
    /// CTAP 2.3's channel list (`qr.channels`).
    Channels,
}

/// Which adverts a desktop looks at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdvertProfile {
    /// Exactly 20 bytes, or a CTAP 2.3 suffix allowed.
    pub length: LengthName,
    /// Service UUIDs scanned.
    pub uuids: Vec<UuidName>,
}

impl Default for AdvertProfile {
    fn default() -> Self {
        AdvertProfile {
            length: LengthName::Exact,
            uuids: vec![UuidName::Fff9, UuidName::Fde2],
        }
    }
}

/// An advert length rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LengthName {
    /// Exactly 20 bytes.
    Exact,
    /// 20 bytes and an optional suffix.
    AllowSuffix,
}

/// A service UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UuidName {
    /// 0xFFF9.
    Fff9,
    /// 0xFDE2.
    Fde2,
}

/// A crypter policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrypterName {
    /// New construction only.
    New,
    /// Old construction only.
    Old,
    /// Learn it from the first message.
    Detect,
}

/// An update policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateName {
    /// Chromium's: fails the request.
    Chromium,
    /// Noted, carry on.
    Lenient,
}

/// A getInfo validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GetInfoName {
    /// Logged only.
    #[default]
    None,
    /// Chromium's parse.
    Chromium,
    /// Chromium's parse on canonical CBOR.
    Strict,
}

/// Step timers in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutsProfile {
    /// Until an advert matches.
    pub advert_s: u64,
    /// From the advert to the post-handshake message.
    pub handshake_s: u64,
    /// From the request to the response.
    pub ctap_response_s: u64,
}

impl Default for TimeoutsProfile {
    fn default() -> Self {
        let t = Timeouts::default();
        TimeoutsProfile {
            advert_s: t.advert.as_secs(),
            handshake_s: t.handshake.as_secs(),
            ctap_response_s: t.ctap_response.as_secs(),
        }
    }
}

/// Why a desktop profile was refused.
#[derive(Debug, thiserror::Error)]
pub enum DesktopProfileError {
    /// Not valid TOML, or a field is missing, unknown or of the wrong value (with line and
    /// column).
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// `qr.channels` without `qr.key6 = "channels"`, or the reverse.
    #[error("qr.key6 = \"channels\" needs a non-empty qr.channels, and qr.channels needs it")]
    Channels,
    /// No UUID scanned.
    #[error("advert.uuids is empty: the desktop would never see a phone")]
    NoUuid,
    /// A timer of zero or over a day.
    #[error("timeouts: {0} must be 1 to 86400 seconds")]
    Timeout(&'static str),
}

fn default_crypter() -> CrypterName {
    CrypterName::New
}

fn default_update() -> UpdateName {
    UpdateName::Chromium
}

fn yes() -> bool {
    true
}

impl DesktopProfile {
    /// Parses and checks a profile.
    pub fn from_toml_str(text: &str) -> Result<DesktopProfile, DesktopProfileError> {
        let profile: DesktopProfile = toml::from_str(text)?;
        let channels = profile.qr.key6 == Key6Form::Channels;
        if channels == profile.qr.channels.is_empty() {
            return Err(DesktopProfileError::Channels);
        }
        if profile.advert.uuids.is_empty() {
            return Err(DesktopProfileError::NoUuid);
        }
        let t = &profile.timeouts;
        for (name, secs) in [
            ("advert_s", t.advert_s),
            ("handshake_s", t.handshake_s),
            ("ctap_response_s", t.ctap_response_s),
        ] {
            if !(1..=86_400).contains(&secs) {
                return Err(DesktopProfileError::Timeout(name));
            }
        }
        Ok(profile)
    }

    /// Sets every field of `config` the profile names. QR key 4 is only touched when the
    /// configuration does not offer linking (`Some(true)` stays).
    pub fn apply(&self, config: &mut DesktopConfig) {
        let qr = &mut config.qr;
        qr.known_domains = self.qr.known_domains;
        if qr.linking != Some(true) {
            qr.linking = match self.qr.linking {
                LinkingKey::False => Some(false),
                LinkingKey::Absent => None,
            };
        }
        let making = config.request.command == 0x01;
        qr.key6 = match self.qr.key6 {
            Key6Form::Absent => None,
            Key6Form::Bool => Some(Key6::NonDiscoverableMc(making)),
            Key6Form::Channels => Some(Key6::TransportChannels(self.qr.channels.clone())),
        };
        qr.grease = self.qr.grease;
        config.advert_length = match self.advert.length {
            LengthName::Exact => LengthRule::Exact,
            LengthName::AllowSuffix => LengthRule::AllowSuffix,
        };
        config.scan_uuids = self
            .advert
            .uuids
            .iter()
            .map(|u| match u {
                UuidName::Fff9 => FIDO_SERVICE_UUID,
                UuidName::Fde2 => GOOGLE_SERVICE_UUID,
            })
            .collect();
        config.crypter = match self.crypter {
            CrypterName::New => CrypterPolicy::New,
            CrypterName::Old => CrypterPolicy::Old,
            CrypterName::Detect => CrypterPolicy::Detect,
        };
        config.update_policy = match self.update {
            UpdateName::Chromium => UpdatePolicy::Chromium,
            UpdateName::Lenient => UpdatePolicy::Lenient,
        };
        config.get_info_validation = match self.get_info {
            GetInfoName::None => GetInfoValidation::None,
            GetInfoName::Chromium => GetInfoValidation::Chromium,
            GetInfoName::Strict => GetInfoValidation::Strict,
        };
        config.side_by_side = self.side_by_side;
        config.timeouts = Timeouts {
            advert: Duration::from_secs(self.timeouts.advert_s),
            handshake: Duration::from_secs(self.timeouts.handshake_s),
            ctap_response: Duration::from_secs(self.timeouts.ctap_response_s),
        };
    }
}
