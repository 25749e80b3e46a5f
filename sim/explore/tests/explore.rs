//! Exploration end to end: a bounded exploration keeps every invariant, runs do not depend
//! on the thread count, and a violation is shrunk and written as a scenario file that the
//! loader accepts and that reproduces it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_explore::check::{check, observe};
use hybridsim_explore::schedule::Radio;
use hybridsim_explore::shrink::{reproduces, shrink};
use hybridsim_explore::{
    scenario_file, DesktopChoice, Explorer, Flow, Invariant, Options, Schedule,
};
use std::num::NonZeroUsize;
use std::path::Path;

/// The bounded exploration `bash tests/run` runs (through nextest): sized to take a few
/// seconds in a debug build.
#[test]
fn a_bounded_exploration_finds_no_violation() {
    let mut explorer = Explorer::new(Options::new(2026));
    explorer.run_batch(48).unwrap();
    assert_eq!(explorer.runs(), 48);
    let found: Vec<String> = explorer
        .violations()
        .iter()
        .map(|v| format!("{} [{}]", v.breach, v.schedule))
        .collect();
    assert_eq!(found, Vec::<String>::new());
    assert!(explorer.ceremonies() >= 48 * 3);
}

#[test]
fn runs_do_not_depend_on_threads_or_batches() {
    let run = |threads: usize, batches: &[u64]| {
        let mut explorer = Explorer::new(Options {
            threads: NonZeroUsize::new(threads).unwrap(),
            ..Options::new(5)
        });
        for b in batches {
            explorer.run_batch(*b).unwrap();
        }
        (
            explorer.runs(),
            explorer.ceremonies(),
            explorer.violations().to_vec(),
        )
    };
    assert_eq!(run(1, &[12]), run(2, &[5, 7]));
}

#[test]
fn the_same_seed_draws_the_same_schedule_and_others_differ() {
    let pool = hybridsim_explore::Pool::default();
    assert_eq!(pool.draw(11), pool.draw(11));
    let distinct: std::collections::BTreeSet<String> =
        (0..50).map(|i| pool.draw(i).to_string()).collect();
    assert!(distinct.len() > 45, "{}", distinct.len());
}

/// A deliberately broken schedule (its "default" trace reveals secrets), padded with
/// faults and radio settings that have nothing to do with it: shrinking drops them all,
/// and the scenario file written for it loads and reproduces the violation.
#[test]
fn a_violation_is_shrunk_and_written_as_a_scenario_that_reproduces_it() {
    let drawn = Schedule {
        seed: 3,
        flow: Flow::SignIn,
        phone: "google-password-manager".to_owned(),
        desktop: DesktopChoice::Lenient,
        radio: Radio {
            latency_ms: Some(40),
            loss: Some(0.25),
            duplicate: None,
        },
        faults: vec![
            "advert-duplicated".parse().unwrap(),
            "clock-skew@90".parse().unwrap(),
        ],
        reveal_secrets: true,
    };
    let breach = reproduces(&drawn, Invariant::Secrets).unwrap();
    let (small, breach) = shrink(&drawn, &breach, "ios16", 100);
    assert_eq!(small.faults, vec![]);
    assert!(small.radio.is_default());
    assert_eq!(small.flow, Flow::Register);
    assert_eq!(small.desktop, DesktopChoice::Chromium);
    assert_eq!(small.phone, "ios16");
    assert_eq!(breach.invariant, Invariant::Secrets);

    let text = scenario_file(&small, &breach);
    let loaded = hybridsim_scenario::parse(Path::new("explore-secrets.toml"), &text).unwrap();
    let again = check(&observe(&loaded).unwrap());
    assert_eq!(
        again.iter().map(|b| b.invariant).collect::<Vec<_>>(),
        vec![Invariant::Secrets]
    );
    // The file's own expectations hold: it passes `hybridsim run` as written.
    let steps =
        hybridsim_scenario::run::run_scenario(&loaded, Path::new("."), loaded.world.seed).unwrap();
    assert!(steps.iter().all(|s| s.passed()), "{:?}", steps[0].failures);
}
