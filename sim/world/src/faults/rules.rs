//! The world and connection rules that inject the catalogue's faults.

use super::{Fault, FaultAt};
use crate::fault::{ConnectRule, InFlight, Medium, Rule, Verdict};
use hybridsim_peers::{PeerEvent, ROUTING_ID_HEADER};
use hybridsim_proto::advert::{self, EID_LEN};
use hybridsim_proto::crypter::{Construction, Crypter};
use hybridsim_proto::derive::{self, Purpose};
use hybridsim_tunnel::ConnectionRequest;

/// Whether a 1-based occurrence count hits `step` (`None`: every occurrence).
fn hits(step: Option<u64>, count: u64) -> bool {
    step.is_none_or(|s| s == count)
}

/// Faults on the adverts the desktop hears. Learns the advert key from the desktop's note,
/// so it can forge adverts that decrypt.
pub(crate) struct AdvertRule {
    fault: Fault,
    step: Option<u64>,
    seen: u64,
    eid_key: Option<[u8; 64]>,
}

impl AdvertRule {
    pub(crate) fn new(at: FaultAt) -> AdvertRule {
        AdvertRule {
            fault: at.fault,
            step: at.step(),
            seen: 0,
            eid_key: None,
        }
    }

    /// The advert with its EID plaintext changed by `f` and encrypted again under the
    /// right key.
    fn reencrypt(&self, data: &[u8], f: impl FnOnce(&mut [u8; EID_LEN])) -> Option<Vec<u8>> {
        let key = self.eid_key.as_ref()?;
        let mut plaintext = advert::decrypt(key, data)?;
        f(&mut plaintext);
        Some(advert::encrypt(key, &plaintext).to_vec())
    }
}

impl Rule for AdvertRule {
    fn name(&self) -> &str {
        self.fault.name()
    }

    fn on_message(&mut self, message: &InFlight<'_>) -> Verdict {
        if message.medium != Medium::Radio {
            return Verdict::Pass;
        }
        self.seen += 1;
        if !hits(self.step, self.seen) {
            return Verdict::Pass;
        }
        let data = message.data;
        let replaced = |bytes: Option<Vec<u8>>| bytes.map_or(Verdict::Pass, Verdict::Replace);
        match self.fault {
            Fault::AdvertDropped => Verdict::Drop,
            Fault::AdvertDuplicated => Verdict::Duplicate,
            Fault::AdvertCorrupted => {
                let mut bytes = data.to_vec();
                if let Some(last) = bytes.last_mut() {
                    *last ^= 0x01;
                }
                Verdict::Replace(bytes)
            }
            Fault::AdvertOtherSecret => {
                // The same EID under the key of another QR secret, as a phone answering
                // another desktop's QR code would send.
                let other: [u8; 64] = derive::derive(&[0x5a; 16], &[], Purpose::EidKey);
                let plaintext = self
                    .eid_key
                    .as_ref()
                    .and_then(|key| advert::decrypt(key, data))
                    .unwrap_or([0; EID_LEN]);
                Verdict::Many(vec![
                    advert::encrypt(&other, &plaintext).to_vec(),
                    data.to_vec(),
                ])
            }
            Fault::AdvertWrongLength => {
                let mut bytes = data.to_vec();
                bytes.push(0);
                Verdict::Replace(bytes)
            }
            Fault::AdvertReservedByte => replaced(self.reencrypt(data, |p| p[0] = 1)),
            Fault::AdvertReservedDomain => replaced(self.reencrypt(data, |p| {
                let [.., lo, hi] = p;
                [*lo, *hi] = 7u16.to_le_bytes();
            })),
            Fault::NoiseWrongPsk => replaced(self.reencrypt(data, |p| {
                if let Some(nonce) = p.get_mut(1) {
                    *nonce ^= 0xff;
                }
            })),
            _ => Verdict::Pass,
        }
    }

    fn observe(&mut self, actor: &str, event: &PeerEvent) {
        if actor == "desktop" && event.what == "eid key" {
            if let Ok(key) = <[u8; 64]>::try_from(event.bytes.as_slice()) {
                self.eid_key = Some(key);
            }
        }
    }
}

/// `qr-malformed`: the camera misses the last digit.
pub(crate) struct CameraRule;

impl Rule for CameraRule {
    fn name(&self) -> &str {
        Fault::QrMalformed.name()
    }

    fn on_message(&mut self, message: &InFlight<'_>) -> Verdict {
        match (message.medium, message.data.split_last()) {
            (Medium::Camera, Some((_, rest))) => Verdict::Replace(rest.to_vec()),
            _ => Verdict::Pass,
        }
    }
}

/// Faults on the messages the tunnel server relays.
pub(crate) struct RelayRule {
    fault: Fault,
    step: Option<u64>,
    seen: u64,
}

impl RelayRule {
    pub(crate) fn new(at: FaultAt) -> RelayRule {
        RelayRule {
            fault: at.fault,
            step: at.step(),
            seen: 0,
        }
    }
}

impl Rule for RelayRule {
    fn name(&self) -> &str {
        self.fault.name()
    }

    fn on_message(&mut self, message: &InFlight<'_>) -> Verdict {
        if message.medium != Medium::Relay {
            return Verdict::Pass;
        }
        self.seen += 1;
        if !hits(self.step, self.seen) {
            return Verdict::Pass;
        }
        let data = message.data;
        let short = data.split_last().map(|(_, rest)| rest.to_vec());
        match self.fault {
            Fault::WsTruncated | Fault::HandshakeWrongLength => {
                short.map_or(Verdict::Pass, Verdict::Replace)
            }
            Fault::WsDuplicated => Verdict::Duplicate,
            Fault::WsReordered => Verdict::Hold,
            Fault::WsSplit => {
                let (first, second) = data.split_at(data.len() / 2);
                Verdict::Many(vec![first.to_vec(), second.to_vec()])
            }
            Fault::WsText => Verdict::Text,
            Fault::NoiseBadTag => {
                let mut bytes = data.to_vec();
                if let Some(last) = bytes.last_mut() {
                    *last ^= 0x01;
                }
                Verdict::Replace(bytes)
            }
            _ => Verdict::Pass,
        }
    }
}

/// `second-ctap-command`: after the desktop's first CTAP request reaches the phone, the same
/// request again, encrypted under the desktop's key with the next counter, so that the
/// phone reads a second command. Learns the key from the phone's note.
pub(crate) struct SecondCommandRule {
    construction: Construction,
    /// The desktop → phone transport key (the phone's read key).
    key: Option<[u8; 32]>,
    to_phone: u64,
}

impl SecondCommandRule {
    pub(crate) fn new(construction: Construction) -> SecondCommandRule {
        SecondCommandRule {
            construction,
            key: None,
            to_phone: 0,
        }
    }
}

impl Rule for SecondCommandRule {
    fn name(&self) -> &str {
        Fault::SecondCtapCommand.name()
    }

    fn on_message(&mut self, message: &InFlight<'_>) -> Verdict {
        if message.medium != Medium::Relay || message.to != "phone" {
            return Verdict::Pass;
        }
        self.to_phone += 1;
        // Message 1 is the handshake; the second message to the phone is the request.
        let (2, Some(key)) = (self.to_phone, self.key) else {
            return Verdict::Pass;
        };
        let mut reader = Crypter::new(key, [0; 32], self.construction);
        let Ok(plaintext) = reader.decrypt(message.data) else {
            return Verdict::Pass;
        };
        let mut writer = Crypter::new([0; 32], key, self.construction);
        match (writer.encrypt(&plaintext), writer.encrypt(&plaintext)) {
            (Ok(_), Ok(second)) => Verdict::Many(vec![message.data.to_vec(), second]),
            _ => Verdict::Pass,
        }
    }

    fn observe(&mut self, actor: &str, event: &PeerEvent) {
        if actor == "phone" && event.what == "transport read key" {
            if let Ok(key) = <[u8; 32]>::try_from(event.bytes.as_slice()) {
                self.key = Some(key);
            }
        }
    }
}

/// Faults on WebSocket upgrades: the request's subprotocol or path, the response's routing
/// id header.
pub(crate) struct UpgradeRule {
    fault: Fault,
    step: Option<u64>,
}

impl UpgradeRule {
    pub(crate) fn new(at: FaultAt) -> UpgradeRule {
        UpgradeRule {
            fault: at.fault,
            step: at.step(),
        }
    }
}

impl ConnectRule for UpgradeRule {
    fn name(&self) -> &str {
        self.fault.name()
    }

    fn on_request(&mut self, _: &str, index: u64, request: &mut ConnectionRequest) -> bool {
        if !hits(self.step, index + 1) {
            return false;
        }
        match self.fault {
            Fault::TunnelNoSubprotocol => {
                request.subprotocols.clear();
                true
            }
            Fault::TunnelUnknown => {
                // /cable/connect/{routing}/{tunnel}: another tunnel id.
                let Some((prefix, _)) = request.path.rsplit_once('/') else {
                    return false;
                };
                request.path = format!("{prefix}/{}", "0F".repeat(16));
                true
            }
            _ => false,
        }
    }

    fn on_accept(&mut self, _: &str, index: u64, headers: &mut Vec<(String, String)>) -> bool {
        if !hits(self.step, index + 1) {
            return false;
        }
        let is_routing = |name: &str| name.eq_ignore_ascii_case(ROUTING_ID_HEADER);
        match self.fault {
            Fault::RoutingIdMissing => {
                headers.retain(|(name, _)| !is_routing(name));
                true
            }
            Fault::RoutingIdBad => {
                for (name, value) in headers.iter_mut() {
                    if is_routing(name) {
                        *value = "2A00ZZ".to_owned();
                    }
                }
                true
            }
            _ => false,
        }
    }
}
