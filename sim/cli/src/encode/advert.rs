//! `hybridsim encode advert`: the 20 bytes a phone broadcasts after scanning a QR code.

use super::args::EncodeAdvert;
use crate::decode::{domain_id, qr_secret};
use crate::failure::Outcome;
use crate::hex_arg;
use hybridsim_proto::advert::{self, Eid};
use hybridsim_proto::derive;

/// Prints the advert as one line of hex.
pub fn run(args: &EncodeAdvert) -> Outcome {
    let secret = qr_secret(args.secret.as_deref(), args.qr.as_deref())?;
    let eid = Eid {
        nonce: hex_arg::fixed("--nonce", &args.nonce)?,
        routing_id: hex_arg::fixed("--routing-id", &args.routing_id)?,
        domain_id: domain_id(&args.domain_id)?,
    };
    let bytes = advert::encrypt(&derive::eid_key(&secret), &eid.to_plaintext());
    say!("{}", hex::encode(bytes));
    Ok(())
}
