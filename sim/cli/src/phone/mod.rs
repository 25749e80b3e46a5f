//! `hybridsim phone`: the phone of a hybrid ceremony alone, to test someone else's desktop.
//!
//! It scans the QR code (a `FIDO:/` string or a picture of it), opens `/cable/new` on the
//! tunnel, writes its advert as a hex line (or broadcasts it: `--real-ble`), answers the
//! handshake and serves the CTAP command with the profile's authenticator and the credentials
//! in the state file (saved afterwards, as `authenticator` and `ceremony` do). Seeds are the
//! simulated ceremony's (`--seed` as in `hybridsim ceremony`).

pub mod args;

use crate::failure::{Failure, OrFail, Outcome};
use crate::{phone_state, real_ble, standalone};
use args::PhoneArgs;
use hybridsim_peers::phone::{Phone, PhoneConfig};
use hybridsim_proto::qr::QrPayload;
use hybridsim_sockets::drive::served;
use hybridsim_sockets::{run_phone_until, run_phone_writing};
use hybridsim_world::world::derive_seed;

/// Runs the phone.
pub fn run(args: PhoneArgs) -> Outcome {
    let qr = qr_text(&args)?;
    QrPayload::parse(&qr).or_bad_input_on("QR code")?;
    let (route, endpoint, options) = args.side.prepare(120)?;
    let lock = phone_state::lock(&args.state)?;
    let mut state = phone_state::load_or_start(&lock, args.profile.as_deref(), args.seed)?;
    let user = args.user.scripted(args.account);
    let mut config = PhoneConfig::new(
        phone_state::build(&state, user)?,
        derive_seed(args.seed, b"phone"),
    );
    let hybrid = config.authenticator.profile().hybrid.clone();
    config.apply_hybrid_profile(&hybrid);
    config.tunnel = endpoint;
    config.log_secrets = args.side.capture.wanted();
    let runtime = standalone::runtime()?;
    let radio = real_ble::advertiser(args.real_ble, &runtime)?;
    let phone = Phone::new(config);

    let advert_out = args.advert_out.clone();
    let (outcome, written) = runtime.block_on(async move {
        if let Some(radio) = radio {
            return real_ble::on_air(radio, |adverts, stop| {
                run_phone_until(&route, phone, &qr, adverts, stop, options)
            })
            .await;
        }
        let (outcome, written) = run_phone_writing(&route, phone, &qr, &advert_out, options).await;
        let written = written.map_err(|e| {
            Failure::environment(format!("cannot write the advert to {advert_out}: {e}"))
        });
        (outcome, written)
    });
    runtime.shutdown_background();

    let name = format!("hybridsim phone, seed {}", args.seed);
    let session = outcome.wire.session(&name, outcome.phone.secrets());
    let authenticator = outcome.phone.into_authenticator();
    // The state first: the phone keeps a credential it made even when a file cannot be written.
    phone_state::finish(&lock, &mut state, &authenticator)?;
    args.side.capture.record(&outcome.log, session)?;
    written?;
    standalone::ended(outcome.unreachable.as_ref(), &outcome.result)?;
    let line = served(&outcome.log);
    // With the advert on stdout, the status goes to stderr so a pipe carries adverts only.
    if args.advert_out == "-" && !args.real_ble {
        eprintln!("hybridsim: phone: {line}");
    } else {
        say!("{line}");
    }
    Ok(())
}

/// The QR text from `--qr`, or the first `FIDO:/` code in the `--qr-image` picture.
fn qr_text(args: &PhoneArgs) -> Result<String, Failure> {
    match (&args.qr, &args.qr_image) {
        (Some(text), _) => Ok(text.trim().to_owned()),
        (None, Some(path)) => crate::decode::qr_image(path),
        (None, None) => Err(Failure::bad_input("give --qr or --qr-image")),
    }
}
