//! CTAP 2.3 data channels for QR-initiated hybrid transactions: which channels the desktop
//! offers (QR key 6 as a list of channel ids), how phones of each generation read key 6, and
//! the advertisement suffix through which a phone names the channel it opens (with, for BLE,
//! the L2CAP PSM).
//!
//! Sources: CTAP 2.3 Proposed Standard (fido-v2.3-ps-20260226) adds the channel list and the
//! suffix; libwebauthn (`qr_code_device.rs`, `advertisement.rs`, issue #216) implements both
//! and documents that Google Play services before 2.3 read key 6 as a boolean and reject an
//! array; the suffix map is keyed by channel id there (`{1: PSM}`), while another client
//! writes `{0: channel id}` (the two key readings, both supported here). State-assisted
//! (linked) transactions cannot negotiate a channel and stay on WebSocket.

use crate::cbor::{self, Strictness, Value};
use crate::qr::{Key6, QrError};

/// A QR key carrying no meaning that 2.3 desktops may write so that readers learn to skip
/// unknown keys (GREASE). Every reader here tolerates it.
pub const GREASE_QR_KEY: u64 = 65_535;

/// Most bytes of suffix read: an advert suffix is a few bytes of CBOR; anything larger is
/// refused before decoding.
pub const MAX_SUFFIX_LEN: usize = 64;

/// A data channel of a QR-initiated transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// Channel id 0: the WebSocket tunnel (the only channel before 2.3, and the fallback).
    WebSocket,
    /// Channel id 1: a BLE L2CAP connection-oriented channel.
    Ble,
}

impl Channel {
    /// The channel id on the wire.
    pub fn id(self) -> u64 {
        match self {
            Channel::WebSocket => 0,
            Channel::Ble => 1,
        }
    }

    /// The channel with this id, if it is one this crate knows.
    pub fn from_id(id: u64) -> Option<Channel> {
        match id {
            0 => Some(Channel::WebSocket),
            1 => Some(Channel::Ble),
            _ => None,
        }
    }

    /// A short name for traces and reports.
    pub fn name(self) -> &'static str {
        match self {
            Channel::WebSocket => "websocket",
            Channel::Ble => "ble",
        }
    }
}

/// How a phone reads QR key 6 (docs/protocol.md §0.1 item 2; the implementations disagree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key6Reading {
    /// Key 6 is not read at all (Chromium's phone): any value is ignored.
    Ignored,
    /// The reader knows no key 6 and refuses a code that has one (a strict pre-2.3 parser;
    /// inferred, no implementation is known to do this).
    AbsentOnly,
    /// webauthn-rs' boolean ("non-discoverable makeCredential supported"); other forms are
    /// ignored.
    Bool,
    /// Google Play services before CTAP 2.3: a boolean, and a CBOR array is a hard reject
    /// (libwebauthn `qr_code_device.rs`, `CableTransports`).
    BoolRejectsArray,
    /// CTAP 2.3: a list of channel ids; the legacy boolean is read as "WebSocket only".
    Channels,
}

impl Key6Reading {
    /// The channels a phone reading key 6 this way takes the desktop to offer, in the
    /// desktop's order; WebSocket when key 6 offers nothing the phone knows or is absent.
    /// `Err` is the phone refusing the whole QR code.
    pub fn offered(self, key6: Option<&Key6>) -> Result<Vec<Channel>, QrError> {
        let websocket = vec![Channel::WebSocket];
        match (self, key6) {
            (_, None) | (Key6Reading::Ignored | Key6Reading::Bool, _) => Ok(websocket),
            (Key6Reading::AbsentOnly, Some(value)) => Err(QrError::WrongType {
                key: 6,
                expected: "no key 6",
                found: key6_type(value),
            }),
            (Key6Reading::BoolRejectsArray, Some(value @ Key6::TransportChannels(_))) => {
                Err(QrError::WrongType {
                    key: 6,
                    expected: "a boolean",
                    found: key6_type(value),
                })
            }
            (Key6Reading::BoolRejectsArray, Some(_)) => Ok(websocket),
            (Key6Reading::Channels, Some(Key6::TransportChannels(ids))) => {
                let mut known: Vec<Channel> =
                    ids.iter().filter_map(|id| Channel::from_id(*id)).collect();
                known.dedup();
                Ok(if known.is_empty() { websocket } else { known })
            }
            (Key6Reading::Channels, Some(_)) => Ok(websocket),
        }
    }
}

fn key6_type(value: &Key6) -> &'static str {
    match value {
        Key6::NonDiscoverableMc(_) => "a boolean",
        Key6::TransportChannels(_) => "an array",
        Key6::Other(v) => cbor::type_name(v),
    }
}

/// Which key reading an advert suffix map uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuffixKeys {
    /// `{channel id: channel extra}`: libwebauthn and Android (`{1: PSM}` for BLE).
    ChannelKeyed,
    /// `{0: channel id, 1: channel extra}`: the other client's reading (`{0: id}`); the
    /// extra under key 1 is inferred.
    IdKeyed,
}

impl SuffixKeys {
    /// A short name for traces and decoders.
    pub fn name(self) -> &'static str {
        match self {
            SuffixKeys::ChannelKeyed => "channel-keyed",
            SuffixKeys::IdKeyed => "id-keyed",
        }
    }
}

/// What an advert suffix says: the channel the phone opens and its extra (the L2CAP PSM for
/// BLE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvertSuffix {
    /// The channel id (may be one this crate does not know).
    pub channel: u64,
    /// The channel's extra, e.g. the PSM.
    pub extra: Option<u64>,
}

/// Why a suffix could not be read in a given key reading.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SuffixError {
    /// More bytes than any suffix needs.
    #[error("advert suffix is {0} bytes; at most {MAX_SUFFIX_LEN} are read")]
    TooLong(usize),
    /// Not a CBOR item.
    #[error("advert suffix: {0}")]
    Cbor(#[from] cbor::CborError),
    /// Not a map of unsigned integers in this reading.
    #[error("advert suffix is not a {0} map of unsigned integers")]
    Shape(&'static str),
}

impl AdvertSuffix {
    /// A BLE channel offer with its PSM.
    pub fn ble(psm: u16) -> AdvertSuffix {
        AdvertSuffix {
            channel: Channel::Ble.id(),
            extra: Some(psm.into()),
        }
    }

    /// The suffix bytes in `keys` reading (canonical CBOR).
    pub fn encode(&self, keys: SuffixKeys) -> Vec<u8> {
        let int = |n: u64| Value::Integer(n.into());
        let entries: Vec<(Value, Value)> = match keys {
            SuffixKeys::ChannelKeyed => {
                vec![(int(self.channel), self.extra.map_or(Value::Null, int))]
            }
            SuffixKeys::IdKeyed => {
                let mut entries = vec![(int(0), int(self.channel))];
                entries.extend(self.extra.map(|e| (int(1), int(e))));
                entries
            }
        };
        cbor::encode_canonical(&Value::Map(entries))
    }

    /// Reads suffix bytes in `keys` reading. A channel-keyed map may name several channels;
    /// each is returned.
    pub fn decode(bytes: &[u8], keys: SuffixKeys) -> Result<Vec<AdvertSuffix>, SuffixError> {
        if bytes.len() > MAX_SUFFIX_LEN {
            return Err(SuffixError::TooLong(bytes.len()));
        }
        let Value::Map(entries) = cbor::decode(bytes, Strictness::WellFormed)? else {
            return Err(SuffixError::Shape(keys.name()));
        };
        let uint = |v: &Value| v.as_integer().and_then(|i| u64::try_from(i).ok());
        match keys {
            SuffixKeys::ChannelKeyed => entries
                .iter()
                .map(|(k, v)| {
                    let channel = uint(k).ok_or(SuffixError::Shape(keys.name()))?;
                    let extra = match v {
                        Value::Null => None,
                        other => Some(uint(other).ok_or(SuffixError::Shape(keys.name()))?),
                    };
                    Ok(AdvertSuffix { channel, extra })
                })
                .collect(),
            SuffixKeys::IdKeyed => {
                let get = |want: u64| {
                    entries
                        .iter()
                        .find(|(k, _)| uint(k) == Some(want))
                        .map(|(_, v)| uint(v).ok_or(SuffixError::Shape(keys.name())))
                        .transpose()
                };
                let channel = get(0)?.ok_or(SuffixError::Shape(keys.name()))?;
                Ok(vec![AdvertSuffix {
                    channel,
                    extra: get(1)?,
                }])
            }
        }
    }

    /// One line naming the suffix in both key readings, for decoders and traces.
    pub fn describe(bytes: &[u8]) -> String {
        let reading = |keys: SuffixKeys| match AdvertSuffix::decode(bytes, keys) {
            Ok(found) => found
                .iter()
                .map(|s| {
                    let name = Channel::from_id(s.channel).map_or("unknown", Channel::name);
                    match s.extra {
                        Some(extra) => format!("channel {} ({name}) extra {extra}", s.channel),
                        None => format!("channel {} ({name})", s.channel),
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
            Err(error) => format!("unreadable ({error})"),
        };
        format!(
            "CTAP 2.3 suffix of {} bytes: {}: {}; {}: {}",
            bytes.len(),
            SuffixKeys::ChannelKeyed.name(),
            reading(SuffixKeys::ChannelKeyed),
            SuffixKeys::IdKeyed.name(),
            reading(SuffixKeys::IdKeyed)
        )
    }
}

#[cfg(test)]
mod tests;
