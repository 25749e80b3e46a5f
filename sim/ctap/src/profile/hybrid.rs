//! The `[hybrid]` table of a phone profile: how the phone's hybrid stack behaves on the wire,
//! independent of which passkey provider answers the CTAP requests behind it.
//!
//! Every field has a default that is Chromium's phone on Android as of CTAP 2.2
//! (docs/protocol.md §4, §7.4, §8.2: tunnel domain 0, service UUID 0xFFF9, a 20-byte advert,
//! the update message right after the post-handshake message, features `["ctap"]`, key 6 not
//! read, revision 1, the new transport construction), so that a profile only names where it
//! differs. The values are data; `hybridsim-peers` turns them into a phone configuration.

use serde::{Deserialize, Serialize};

/// How the phone behaves on the hybrid wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HybridProfile {
    /// Tunnel-server domain id the phone opens its tunnel on and puts in its advert: 0
    /// `cable.ua5v.com` (Google), 1 `cable.auth.com` (Apple), or a hashed id from 256.
    pub tunnel_domain: u16,
    /// BLE service UUID of the advert.
    pub service_uuid: ServiceUuid,
    /// The advert's form: 20 bytes, or 20 plus a CTAP 2.3 suffix in one of its key readings.
    pub advert: AdvertForm,
    /// L2CAP PSM named in a suffixed advert's BLE channel offer.
    pub ble_psm: u16,
    /// Data channels the phone can open, in its order of preference (CTAP 2.3).
    pub channels: Vec<ChannelName>,
    /// When the update message of a QR transaction is sent.
    pub update: UpdateWhen,
    /// Whether linking info is sent when the QR code offers linking (key 4 true).
    pub linking: bool,
    /// Post-handshake key 3, the feature list, in this order.
    pub features: Vec<String>,
    /// How QR key 6 is read.
    pub qr_key6: Key6ReadingName,
    /// Protocol revision: 1 (current) or 0 (legacy, padded post-handshake map).
    pub revision: u8,
    /// Transport construction.
    pub crypter: CrypterName,
}

impl Default for HybridProfile {
    fn default() -> Self {
        HybridProfile {
            tunnel_domain: 0,
            service_uuid: ServiceUuid::Fff9,
            advert: AdvertForm::Exact,
            ble_psm: DEFAULT_BLE_PSM,
            channels: vec![ChannelName::Websocket],
            update: UpdateWhen::AfterPostHandshake,
            linking: true,
            features: vec!["ctap".to_owned()],
            qr_key6: Key6ReadingName::Ignored,
            revision: 1,
            crypter: CrypterName::New,
        }
    }
}

/// The first dynamically assigned LE PSM (Bluetooth Core, LE credit-based channels use
/// 0x0080–0x00FF for dynamic PSMs); a phone gets one such value from its stack (inferred).
pub const DEFAULT_BLE_PSM: u16 = 0x0081;

/// The advert's 16-bit service UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceUuid {
    /// 0xFFF9, FIDO's (Android phones).
    Fff9,
    /// 0xFDE2, Google's (iPhones and older Chromium phones; libwebauthn issue #98).
    Fde2,
}

impl ServiceUuid {
    /// The 16-bit value.
    pub fn value(self) -> u16 {
        match self {
            ServiceUuid::Fff9 => 0xFFF9,
            ServiceUuid::Fde2 => 0xFDE2,
        }
    }
}

/// The advert's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdvertForm {
    /// Exactly 20 bytes (CTAP 2.2).
    Exact,
    /// 20 bytes and a CTAP 2.3 suffix `{channel id: extra}` (libwebauthn, Android).
    SuffixChannelKeyed,
    /// 20 bytes and a CTAP 2.3 suffix `{0: channel id, 1: extra}` (the other reading).
    SuffixIdKeyed,
}

/// A data channel by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelName {
    /// The WebSocket tunnel (channel id 0).
    Websocket,
    /// BLE L2CAP (channel id 1).
    Ble,
}

/// When the update message of a QR transaction is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateWhen {
    /// Never; linking info, if any, rides in post-handshake key 2.
    Never,
    /// Right after the post-handshake message (Chromium's phone).
    AfterPostHandshake,
    /// After the CTAP response ("late linking").
    AfterCtapReply,
}

/// How QR key 6 is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Key6ReadingName {
    /// Not read (Chromium's phone).
    Ignored,
    /// A code with key 6 is refused (a strict parser; inferred).
    AbsentOnly,
    /// webauthn-rs' boolean.
    Bool,
    /// A boolean; an array is a hard reject (Google Play services before CTAP 2.3).
    BoolRejectsArray,
    /// CTAP 2.3's list of channel ids.
    Channels,
}

/// Transport construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrypterName {
    /// The new construction (CTAP 2.2).
    New,
    /// The old construction (early Chromium phones).
    Old,
}

/// Why a `[hybrid]` table was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HybridProfileError {
    /// A revision other than 0 or 1.
    #[error("hybrid.revision = {0}: only 0 and 1 exist")]
    Revision(u8),
    /// Domain ids 2..=255 are assigned but unknown (docs/protocol.md §5.1).
    #[error("hybrid.tunnel_domain = {0}: ids 2 to 255 are reserved")]
    ReservedDomain(u16),
    /// No data channel.
    #[error("hybrid.channels is empty: list websocket and/or ble")]
    NoChannel,
    /// A suffixed advert offers a channel, which needs BLE among the channels.
    #[error(
        "hybrid.advert = {0}: a suffix offers the BLE channel, so hybrid.channels must list ble"
    )]
    SuffixWithoutBle(&'static str),
    /// The features must name "ctap" for a CTAP phone.
    #[error("hybrid.features must include \"ctap\": this phone answers CTAP")]
    NoCtapFeature,
}

impl HybridProfile {
    /// Checks the rules that span several fields.
    pub fn validate(&self) -> Result<(), HybridProfileError> {
        if self.revision > 1 {
            return Err(HybridProfileError::Revision(self.revision));
        }
        if (2..=255).contains(&self.tunnel_domain) {
            return Err(HybridProfileError::ReservedDomain(self.tunnel_domain));
        }
        if self.channels.is_empty() {
            return Err(HybridProfileError::NoChannel);
        }
        let suffix = match self.advert {
            AdvertForm::Exact => None,
            AdvertForm::SuffixChannelKeyed => Some("suffix-channel-keyed"),
            AdvertForm::SuffixIdKeyed => Some("suffix-id-keyed"),
        };
        if let Some(form) = suffix {
            if !self.channels.contains(&ChannelName::Ble) {
                return Err(HybridProfileError::SuffixWithoutBle(form));
            }
        }
        if !self.features.iter().any(|f| f == "ctap") {
            return Err(HybridProfileError::NoCtapFeature);
        }
        Ok(())
    }
}
