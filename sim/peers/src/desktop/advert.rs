//! The desktop's BLE scanning: which adverts it looks at and how it matches them
//! (docs/protocol.md §4.2–§4.3, Chromium `FidoCableDiscovery` and `v2::Discovery`).

use hybridsim_proto::advert::{self, AdvertError, Eid, LengthRule, ADVERT_LEN, EID_LEN};
use hybridsim_proto::channels::AdvertSuffix;
use hybridsim_proto::derive;

/// Proof that an advert verified under one of the desktop's keys and passed the EID checks
/// (reserved byte zero, known domain). Only [`match_advert`] makes one, and connecting to a
/// tunnel needs one.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AdvertMatched {
    /// The decrypted EID.
    pub plaintext: [u8; EID_LEN],
    /// Its fields.
    pub eid: Eid,
    /// The Noise PSK: Derive(secret, plaintext, 3), with the QR secret or the link secret.
    pub psk: [u8; 32],
    /// Bytes after the first 20: a CTAP 2.3 suffix the length rule let in.
    pub suffix: Vec<u8>,
}

impl AdvertMatched {
    /// The "advert matched" event text: routing id, domain id and, when there is one, the
    /// suffix in both key readings (the implementations disagree on which one is meant).
    pub fn describe(&self) -> String {
        let mut text = format!(
            "advert matched: routing id {}, domain id {}",
            hex::encode_upper(self.eid.routing_id),
            self.eid.domain_id
        );
        if !self.suffix.is_empty() {
            text.push_str("; ");
            text.push_str(&AdvertSuffix::describe(&self.suffix));
        }
        text
    }
}

impl std::fmt::Debug for AdvertMatched {
    /// The PSK is left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdvertMatched")
            .field("eid", &self.eid)
            .finish_non_exhaustive()
    }
}

/// One key the desktop tries adverts with, and the secret its PSK derives from.
pub(crate) struct Candidate<'a> {
    /// The 64-byte EID key.
    pub eid_key: &'a [u8; 64],
    /// The QR secret or link secret.
    pub secret: &'a [u8],
}

/// Why an advert was not taken, for the "advert ignored" event.
pub(crate) enum Ignored {
    /// Not under 0xFFF9 or 0xFDE2.
    Uuid(u16),
    /// A hybrid UUID this desktop does not scan for.
    NotScanned(u16),
    /// A phone was already chosen.
    Committed,
    /// Not 20 bytes (or, with a suffix allowed, shorter than 20).
    Length(usize),
    /// The tag matched no key.
    NotForUs,
    /// The tag matched but the EID failed a check.
    Eid(AdvertError),
}

impl Ignored {
    /// The event text: "advert ignored: <why>".
    pub fn describe(&self) -> String {
        let why = match self {
            Ignored::Uuid(uuid) => {
                format!("service UUID {uuid:#06x} is neither 0xFFF9 nor 0xFDE2")
            }
            Ignored::NotScanned(uuid) => {
                format!("service UUID {uuid:#06x} is not among the UUIDs this desktop scans")
            }
            Ignored::Committed => "a phone was already matched".to_owned(),
            Ignored::Length(len) => format!("{len} bytes of service data; hybrid adverts are 20"),
            Ignored::NotForUs => "not for this desktop (MAC mismatch under every key)".to_owned(),
            Ignored::Eid(e) => e.to_string(),
        };
        format!("advert ignored: {why}")
    }
}

/// Tries `candidates` in order (Chromium: linked devices first, then the QR key) on one
/// advert's service data.
pub(crate) fn match_advert(
    candidates: &[Candidate<'_>],
    data: &[u8],
    rule: LengthRule,
    known_domains: u16,
) -> Result<AdvertMatched, Ignored> {
    let length_ok = match rule {
        LengthRule::Exact => data.len() == ADVERT_LEN,
        LengthRule::AllowSuffix => data.len() >= ADVERT_LEN,
    };
    if !length_ok {
        return Err(Ignored::Length(data.len()));
    }
    let keys: Vec<[u8; 64]> = candidates.iter().map(|c| *c.eid_key).collect();
    let (index, opened) =
        advert::trial_decrypt(&keys, data, rule, known_domains).ok_or(Ignored::NotForUs)?;
    let matched = opened.map_err(Ignored::Eid)?;
    let secret = candidates
        .get(index)
        .map(|c| c.secret)
        .ok_or(Ignored::NotForUs)?;
    Ok(AdvertMatched {
        plaintext: matched.plaintext,
        eid: matched.eid,
        psk: derive::psk(secret, &matched.plaintext),
        suffix: matched.suffix,
    })
}

/// Whether the desktop looks at service data under `uuid` at all.
pub(crate) fn is_hybrid_uuid(uuid: u16) -> bool {
    uuid == advert::FIDO_SERVICE_UUID || uuid == advert::GOOGLE_SERVICE_UUID
}
