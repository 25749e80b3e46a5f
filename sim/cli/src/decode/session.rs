//! `hybridsim decode session`: decrypt a captured hybrid session from its QR code, key log
//! and WebSocket messages (and optionally its advert), and optionally write it as pcapng.

use crate::failure::{Failure, OrFail, Outcome};
use crate::{hex_arg, input, json};
use clap::Args;
use hybridsim_pcapng::session as capture;
use hybridsim_proto::advert_fields;
use hybridsim_proto::qr::QrPayload;
use hybridsim_session::decrypt::{self, Input};
use hybridsim_session::keylog::KeyLog;
use hybridsim_session::messages;
use hybridsim_session::report;
use std::path::PathBuf;

/// Key logs and message files larger than this are refused before reading (the readers
/// bound them again, line by line).
const MAX_FILE: u64 = 64 << 20;

/// `hybridsim decode session`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("session").required(true).args(["qr", "tunnel_id"])))]
pub struct DecodeSession {
    /// The session's FIDO:/ QR string (its secret gives the tunnel id, EID key and PSK).
    #[arg(long, value_name = "FIDO:/…")]
    pub qr: Option<String>,
    /// The tunnel id (hex, 16 bytes) of a session without a QR code (a linked phone).
    #[arg(long, value_name = "HEX16")]
    pub tunnel_id: Option<String>,
    /// The key log: `LABEL TUNNEL_ID_HEX VALUE_HEX` lines.
    #[arg(long, value_name = "FILE")]
    pub keylog: PathBuf,
    /// The WebSocket binary messages in order, JSON lines `{"from": "desktop"|"phone", "hex": "…"}`.
    #[arg(long, value_name = "FILE")]
    pub messages: PathBuf,
    /// The phone's advert (hex service data), to derive the PSK from the QR secret.
    #[arg(long, value_name = "HEX")]
    pub advert: Option<String>,
    /// Also write the session as a pcapng capture (tunnel, advert, key log, decoded comments).
    #[arg(long, value_name = "FILE")]
    pub pcapng: Option<PathBuf>,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Decrypts the session; exit 2 for unusable input, 1 when a message fails (named).
pub fn run(args: &DecodeSession) -> Outcome {
    let qr = args
        .qr
        .as_deref()
        .map(QrPayload::parse)
        .transpose()
        .or_bad_input_on("--qr")?;
    let tunnel_id = args
        .tunnel_id
        .as_deref()
        .map(|t| hex_arg::fixed::<16>("--tunnel-id", t))
        .transpose()?;
    let keylog_text = input::read_at_most(&args.keylog, MAX_FILE)?;
    let keylog = KeyLog::parse(&keylog_text).or_bad_input()?;
    let wire = messages::parse(&input::read_at_most(&args.messages, MAX_FILE)?).or_bad_input()?;
    let advert = args
        .advert
        .as_deref()
        .map(|a| hex_arg::any_length("--advert", strip_uuid(a)))
        .transpose()?;
    let input = Input {
        qr: qr.as_ref(),
        tunnel_id,
        keylog: &keylog,
        messages: &wire,
        advert: advert.as_deref(),
    };
    let (session, failure) = match decrypt::decrypt(input) {
        Ok(session) => (session, None),
        Err(failure) => (failure.partial, Some(failure.error)),
    };
    if let Some(path) = &args.pcapng {
        let capture = capture::decrypted(&session, &wire, advert.as_deref(), &keylog_text);
        crate::output::write_file(path, capture.to_bytes().or_bad_input_on("--pcapng")?)?;
    }
    let error = failure.as_ref().map(ToString::to_string);
    let error = error.as_deref();
    match args.json {
        true => json::print(&report::to_json(&session, error)),
        false => crate::output::lines(report::to_lines(&session, error)),
    }
    error.map_or(Ok(()), |e| Err(Failure::no_match(e)))
}

/// The advert may be given as `decode advert` takes it, with a `fff9:` / `fde2:` prefix;
/// any other text is left for the hex reader to refuse.
fn strip_uuid(advert: &str) -> &str {
    advert_fields::split_service_uuid(advert).map_or(advert, |(_, rest)| rest)
}
