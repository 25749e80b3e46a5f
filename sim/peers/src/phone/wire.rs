//! The parts of the phone's wire behaviour a profile chooses (`hybridsim_ctap::profile::hybrid`):
//! how QR key 6 is read, the CTAP 2.3 advert suffix, and the post-handshake feature list.

use super::Cx;
use crate::io::Layer;
use crate::outcome::Reason;
use hybridsim_proto::channels::{AdvertSuffix, Channel};
use hybridsim_proto::post_handshake::{PostHandshakeMessage, FEATURE_CTAP};
use hybridsim_proto::qr::QrPayload;

/// The channels the phone takes the QR code to offer, by its key 6 reading; a reading that
/// refuses the code fails the scan at the QR layer (as pre-2.3 Google Play services do with
/// an array).
pub(super) fn read_key6<H>(
    cx: &mut Cx<'_, H>,
    payload: &QrPayload,
) -> Result<Vec<Channel>, Reason> {
    let offered = cx
        .config
        .key6_reading
        .offered(payload.key6.as_ref())
        .map_err(Reason::Qr)?;
    if payload.key6.is_some() {
        let names: Vec<&str> = offered.iter().map(|c| c.name()).collect();
        cx.out.event(
            Layer::Qr,
            format!(
                "qr key 6 read as {:?}: channels offered {}",
                cx.config.key6_reading,
                names.join(",")
            ),
            [],
        );
    }
    Ok(offered)
}

/// The advert's service data: the 20 bytes and, when the profile sends one on a QR
/// transaction, the CTAP 2.3 suffix offering the BLE channel with the phone's PSM.
pub(super) fn advert_bytes<H>(cx: &mut Cx<'_, H>, advert: &[u8], qr_flow: bool) -> Vec<u8> {
    let mut data = advert.to_vec();
    // State-assisted transactions cannot negotiate a channel (CTAP 2.3), so no suffix there.
    if let (Some(keys), true) = (cx.config.advert_suffix, qr_flow) {
        let suffix = AdvertSuffix::ble(cx.config.ble_psm).encode(keys);
        cx.out.event(
            Layer::Ble,
            format!("advert suffix ({})", keys.name()),
            suffix.clone(),
        );
        data.extend_from_slice(&suffix);
    }
    data
}

/// The post-handshake message with the profile's feature list; getInfo rides in key 1 only
/// when "ctap" is among the features (docs/protocol.md §7.4).
pub(super) fn post_handshake<H: super::CtapHandler>(cx: &mut Cx<'_, H>) -> PostHandshakeMessage {
    let features = cx.config.features.clone();
    let ctap = features.iter().any(|f| f == FEATURE_CTAP);
    PostHandshakeMessage {
        get_info: ctap.then(|| cx.config.authenticator.get_info()),
        linking: None,
        features,
        padding: None,
    }
}
