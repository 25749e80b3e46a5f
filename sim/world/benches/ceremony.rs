//! How much the simulated world costs on top of the cryptography a ceremony cannot avoid.
//!
//! Run: `cargo bench -p hybridsim-world --bench ceremony` (release build, one thread).
//! Prints registrations per second through the whole simulated hybrid path, the time of the
//! same ceremony's public-key operations alone (measured in the same run), their ratio, and
//! the wall time of a run whose desktop sits out a 300 s advert timeout in virtual time.
//! Benchmarks, not tests: the figures go to reports/BENCHMARKS.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_ctap::user::ScriptedUser;
use hybridsim_ctap::{Authenticator, Profile};
use hybridsim_peers::desktop::{Desktop, DesktopConfig};
use hybridsim_peers::phone::{Phone, PhoneConfig};
use hybridsim_peers::Millis;
use hybridsim_tunnel::Config as TunnelConfig;
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::client::{self, Caller};
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{RegistrationRequest, RelyingParty, ResidentKey};
use hybridsim_world::fault::{FnRule, Medium, Verdict};
use hybridsim_world::World;
use p256::ecdsa::signature::Signer;
use std::time::{Duration, Instant};

const ORIGIN: &str = "https://login.example";

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

struct Setup {
    request: Vec<u8>,
    /// Built once: loading a profile and its attestation identity is not part of a ceremony.
    authenticator: Authenticator,
}

fn setup() -> Setup {
    let user = UserEntity {
        id: Base64Url(b"user-1".to_vec()),
        name: "a".into(),
        display_name: "A".into(),
    };
    let request = RegistrationRequest {
        resident_key: ResidentKey::Required,
        ..RegistrationRequest::default()
    };
    let (options, _) = RelyingParty::new("login.example", "Login", &[ORIGIN])
        .start_registration(user, [1; 32], &request);
    let profile =
        Profile::from_toml_str(&fixture("profiles/microsoft-authenticator-ios.toml")).unwrap();
    let attester = profile
        .attester(|f| Some(fixture(&format!("attestation/{f}"))))
        .unwrap();
    Setup {
        request: client::create(&options, &Caller::new(ORIGIN))
            .unwrap()
            .request
            .encode(),
        authenticator: Authenticator::new(profile, attester, [0; 32], ScriptedUser::approving()),
    }
}

/// One QR registration through the world; `drop_adverts` makes the desktop time out instead.
fn ceremony(setup: &Setup, seed: u8, drop_adverts: bool) -> World {
    let authenticator = setup.authenticator.clone();
    let mut world = World::new(u64::from(seed), TunnelConfig::default(), false);
    let desktop = Desktop::new(
        DesktopConfig::new(0x01, setup.request.clone(), [seed; 32]),
        Millis::ZERO,
    );
    let phone = Phone::new(PhoneConfig::new(authenticator, [seed ^ 0x5a; 32]));
    world.add_desktop("desktop", Box::new(desktop));
    world.add_phone("phone", Box::new(phone), true);
    if drop_adverts {
        world.add_rule(Box::new(FnRule::new("drop adverts", |m| {
            if m.medium == Medium::Radio {
                Verdict::Drop
            } else {
                Verdict::Pass
            }
        })));
    }
    world.run(1_000_000).unwrap();
    world
}

/// The public-key work of one packed-attestation QR registration, done directly: key
/// generation for the desktop's QR identity, both Noise ephemerals and the new credential
/// (4), the four Noise DH operations (ee and se on each side), the phone decompressing the
/// desktop's QR key (1), and the attestation signature (1).
fn public_key_operations(seed: u8) {
    let scalar = |i: u8| {
        let mut bytes = [seed; 32];
        bytes[0] = i.wrapping_add(1);
        p256::SecretKey::from_slice(&bytes).unwrap()
    };
    let keys: Vec<p256::SecretKey> = (0..4).map(scalar).collect();
    let publics: Vec<p256::PublicKey> = keys.iter().map(|k| k.public_key()).collect();
    for (secret, public) in [(0, 1), (1, 0), (1, 2), (2, 1)] {
        let shared = p256::ecdh::diffie_hellman(
            keys[secret].to_nonzero_scalar(),
            publics[public].as_affine(),
        );
        std::hint::black_box(shared.raw_secret_bytes());
    }
    let compressed =
        p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&publics[0], true);
    std::hint::black_box(p256::PublicKey::from_sec1_bytes(compressed.as_bytes()).unwrap());
    let signer = p256::ecdsa::SigningKey::from(&keys[3]);
    let signature: p256::ecdsa::Signature = signer.sign(b"authenticator data and client data hash");
    std::hint::black_box(signature);
}

fn time_per_run(runs: u32, mut f: impl FnMut(u32)) -> Duration {
    let start = Instant::now();
    for i in 0..runs {
        f(i);
    }
    start.elapsed() / runs
}

fn main() {
    let setup = setup();
    let runs = 200;
    // Warm up caches and lazily built tables first.
    for i in 0..10u8 {
        ceremony(&setup, i, false);
        public_key_operations(i);
    }
    let per_ceremony = time_per_run(runs, |i| {
        std::hint::black_box(ceremony(&setup, u8::try_from(i % 250).unwrap(), false));
    });
    let per_pk = time_per_run(runs, |i| {
        public_key_operations(u8::try_from(i % 250).unwrap())
    });
    let timeout_world = ceremony(&setup, 1, true);
    let per_timeout = time_per_run(50, |i| {
        std::hint::black_box(ceremony(&setup, u8::try_from(i % 250).unwrap(), true));
    });
    let ratio = per_ceremony.as_secs_f64() / per_pk.as_secs_f64();
    println!("registration ceremony (whole simulated hybrid path): {:>8.1} µs  ({:.0} per second on one core)", per_ceremony.as_secs_f64() * 1e6, 1.0 / per_ceremony.as_secs_f64());
    println!(
        "its public-key operations alone:                     {:>8.1} µs",
        per_pk.as_secs_f64() * 1e6
    );
    println!(
        "ceremony / public-key operations:                    {ratio:>8.2}x  (target <= 1.30x)"
    );
    println!(
        "run with a {} of virtual advert timeout: {:>8.2} ms wall  (target < 50 ms)",
        timeout_world.now(),
        per_timeout.as_secs_f64() * 1e3
    );
}
