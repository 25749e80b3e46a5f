//! `hybridsim decode advert`: decrypt one advert with a QR secret.

use super::args::DecodeAdvert;
use crate::failure::{Failure, OrFail, Outcome};
use crate::{hex_arg, json};
use hybridsim_proto::advert::{self, Eid, LengthRule};
use hybridsim_proto::advert_fields;
use hybridsim_proto::derive;
use hybridsim_proto::qr::QrPayload;
use hybridsim_session::inspect;

/// Chromium knows two assigned domains; adverts naming others are ignored.
const KNOWN_ASSIGNED_DOMAINS: u16 = 2;

/// Decrypts the advert and prints the EID fields, or says why it is not acceptable.
pub fn run(args: &DecodeAdvert) -> Outcome {
    let secret = qr_secret(args.secret.as_deref(), args.qr.as_deref())?;
    let (uuid, data) = split_uuid_prefix(&args.advert)?;
    let data = hex_arg::any_length("advert", data)?;
    let rule = if args.allow_suffix {
        LengthRule::AllowSuffix
    } else {
        LengthRule::Exact
    };
    advert_fields::check_length(data.len(), rule).map_err(Failure::bad_input)?;
    let key = derive::eid_key(&secret);
    let plaintext = advert::decrypt(&key, &data)
        .ok_or_else(|| Failure::no_match("advert not for this QR secret"))?;
    let verdict = Eid::from_plaintext(&plaintext, KNOWN_ASSIGNED_DOMAINS);
    let suffix = data.get(advert::ADVERT_LEN..).unwrap_or_default();
    let fields = inspect::advert::to_json(&plaintext, suffix, uuid, verdict.is_ok());
    match args.json {
        true => json::print(&fields),
        false => crate::output::lines(inspect::field_lines(&fields, 12, "(none)")),
    }
    match verdict {
        Ok(_) => Ok(()),
        Err(e) => Err(Failure::no_match(format!(
            "{e}; a desktop ignores this advert"
        ))),
    }
}

/// The QR secret from `--secret HEX16` or from the secret inside `--qr FIDO:/…`.
pub fn qr_secret(secret: Option<&str>, qr: Option<&str>) -> Result<[u8; 16], Failure> {
    match (secret, qr) {
        (Some(hex), _) => hex_arg::fixed::<16>("--secret", hex),
        (None, Some(qr)) => QrPayload::parse(qr)
            .map(|q| q.secret)
            .or_bad_input_on("--qr"),
        (None, None) => Err(Failure::bad_input("give --secret or --qr")),
    }
}

/// Splits an optional `fff9:` / `fde2:` service-UUID prefix off the advert argument.
fn split_uuid_prefix(text: &str) -> Result<(Option<u16>, &str), Failure> {
    advert_fields::split_service_uuid(text).map_err(|uuid| {
        Failure::bad_input(format!(
            "advert prefix {}: hybrid adverts use service UUID fff9 or fde2",
            hybridsim_proto::echo::shown(uuid)
        ))
    })
}
