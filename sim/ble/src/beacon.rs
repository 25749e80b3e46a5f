//! `hybridsim ble advertise`: one hybrid advert for a QR code, broadcast for a while, to
//! debug a desktop's scanner alone (its device log should show the advert matched; the
//! tunnel it then opens leads nowhere).

use crate::error::BleError;
use crate::phone_radio::Interrupts;
use crate::Advertiser;
use hybridsim_proto::advert::{self, Eid, FIDO_SERVICE_UUID};
use hybridsim_proto::{derive, domain};
use std::time::Duration;

/// One advert made for a QR secret, and what is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrAdvert {
    /// The 16-bit service UUID it goes under (0xFFF9).
    pub uuid: u16,
    /// The EID inside.
    pub eid: Eid,
    /// The 20 bytes of service data.
    pub data: Vec<u8>,
}

impl QrAdvert {
    /// The advert a phone that scanned the QR code with `secret` sends (docs/protocol.md
    /// §4): the EID encrypted with the secret's EID key.
    pub fn new(secret: &[u8; 16], nonce: [u8; 10], routing_id: [u8; 3], domain_id: u16) -> Self {
        let eid = Eid {
            nonce,
            routing_id,
            domain_id,
        };
        let data = advert::encrypt(&derive::eid_key(secret), &eid.to_plaintext()).to_vec();
        QrAdvert {
            uuid: FIDO_SERVICE_UUID,
            eid,
            data,
        }
    }

    /// `fff9:<hex>`, the advert line form (`hybridsim_proto::advert_line`).
    pub fn line(&self) -> String {
        format!("{:04x}:{}", self.uuid, hex::encode(&self.data))
    }

    /// What is in it, for a person: nonce, routing id and tunnel domain.
    pub fn describe(&self) -> String {
        format!(
            "nonce {}  routing id {}  domain {} (id {})",
            hex::encode(self.eid.nonce),
            hex::encode_upper(self.eid.routing_id),
            domain::host(self.eid.domain_id).unwrap_or_else(|_| "(none)".to_owned()),
            self.eid.domain_id
        )
    }
}

/// `hybridsim ble advertise`: opens the adapter, makes the advert for `secret` (a fresh
/// nonce; `routing_id` random when not given) and broadcasts it as [`broadcast`] does; `say`
/// gets the advert line once BlueZ has accepted it, `note` what is going on.
pub async fn run(
    secret: &[u8; 16],
    routing_id: Option<[u8; 3]>,
    domain_id: u16,
    seconds: u64,
    say: impl FnOnce(String),
    note: impl Fn(String),
) -> Result<(), BleError> {
    use rand_core::{OsRng, RngCore};
    let mut random = [0u8; 13];
    OsRng.fill_bytes(&mut random);
    let [nonce @ .., r0, r1, r2] = random;
    let advert = QrAdvert::new(secret, nonce, routing_id.unwrap_or([r0, r1, r2]), domain_id);
    let advertiser = Advertiser::open().await?;
    let ended = broadcast(advertiser, &advert, seconds, |on| {
        say(advert.line());
        note(format!(
            "advertising on {} for {seconds} s: {}",
            on.adapter(),
            advert.describe()
        ));
    })
    .await?;
    note(format!(
        "advert withdrawn{}",
        ended.map(|s| format!(" ({s})")).unwrap_or_default()
    ));
    Ok(())
}

/// Broadcasts `advert` through `advertiser` for `seconds`, or until Ctrl-C or SIGTERM
/// (listened for before registering, so neither can leave it registered), then withdraws
/// it. `registered` is called once BlueZ has accepted it. Returns the interrupt, if one
/// ended it.
pub async fn broadcast(
    mut advertiser: Advertiser,
    advert: &QrAdvert,
    seconds: u64,
    registered: impl FnOnce(&Advertiser),
) -> Result<Option<&'static str>, BleError> {
    // A signal during the (bounded) registration waits in the stream until it is done.
    let mut interrupts = Interrupts::listen();
    advertiser.advertise(advert.uuid, &advert.data).await?;
    registered(&advertiser);
    let interrupted = tokio::select! {
        () = tokio::time::sleep(Duration::from_secs(seconds)) => None,
        signal = interrupts.next() => Some(signal),
    };
    advertiser.withdraw().await?;
    Ok(interrupted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsim_proto::advert::{trial_decrypt, LengthRule};

    #[test]
    fn the_advert_decrypts_to_its_eid_with_the_qr_secret() {
        let secret = [0x42; 16];
        let advert = QrAdvert::new(&secret, [9; 10], [0xab, 0xcd, 0xef], 1);
        assert_eq!(advert.data.len(), advert::ADVERT_LEN);
        let keys = [derive::eid_key(&[0; 16]), derive::eid_key(&secret)];
        let verdict = trial_decrypt(&keys, &advert.data, LengthRule::Exact, 2);
        let Some((1, Ok(matched))) = verdict else {
            panic!("{verdict:?}");
        };
        assert_eq!(matched.eid, advert.eid);
        assert_eq!(advert.line(), format!("fff9:{}", hex::encode(&advert.data)));
        assert_eq!(
            advert.describe(),
            "nonce 09090909090909090909  routing id ABCDEF  domain cable.auth.com (id 1)"
        );
    }
}
