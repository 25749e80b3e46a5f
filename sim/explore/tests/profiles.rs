//! Desktop and phone profiles in the explorer: the default pool holds every shipped desktop
//! profile and every conformant shipped phone, a drawn profile is written as
//! `[desktop] profile`, and the pairs the interop matrix expects to fail
//! (scenarios/interop/matrix-expectations.toml) fail the way it says while keeping every
//! invariant, with and without faults.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_explore::check::{check, desktop_deadline, observe};
use hybridsim_explore::scenario::{to_scenario, to_toml};
use hybridsim_explore::schedule::{conformant_phones, phone_links, Radio};
use hybridsim_explore::{DesktopChoice, Flow, Invariant, Pool, Schedule};
use hybridsim_matrix::Expectations;
use hybridsim_peers::desktop::Timeouts;
use hybridsim_peers::Millis;
use hybridsim_peers::Vocabulary;
use hybridsim_scenario::builtin;
use std::collections::BTreeSet;

fn schedule(desktop: DesktopChoice, phone: &str, flow: Flow, faults: &[&str]) -> Schedule {
    Schedule {
        seed: 19,
        flow,
        phone: phone.to_owned(),
        desktop,
        radio: Radio::default(),
        faults: faults.iter().map(|f| f.parse().unwrap()).collect(),
        reveal_secrets: false,
    }
}

#[test]
fn the_default_pool_draws_every_desktop_profile_and_conformant_phone() {
    let pool = Pool::default();
    for name in builtin::desktop_names() {
        assert!(
            pool.desktops.contains(&DesktopChoice::Profile(name)),
            "{name}"
        );
    }
    for phone in [
        "iphone-icloud-keychain-2026",
        "google-play-services-2-3",
        "bitwarden-play-services",
        "1password-play-services",
    ] {
        assert!(pool.phones.iter().any(|p| p == phone), "{phone}");
    }
    assert!(pool.phones.iter().all(|p| !p.starts_with("buggy-")));
    // Drawn, not merely listed: a few hundred seeds reach every desktop.
    let drawn: BTreeSet<&str> = (0..400).map(|i| pool.draw(i).desktop.name()).collect();
    assert_eq!(drawn.len(), pool.desktops.len(), "{drawn:?}");
}

#[test]
fn desktop_names_are_profiles_and_knobs() {
    for name in builtin::desktop_names() {
        let choice = DesktopChoice::from_name(name).unwrap();
        assert_eq!(choice, DesktopChoice::Profile(name));
        assert_eq!(choice.name(), name);
    }
    assert_eq!(
        DesktopChoice::from_name("lenient"),
        Some(DesktopChoice::Lenient)
    );
    assert_eq!(DesktopChoice::from_name("chrome-151"), None);
    let pool = Pool::named(
        &[],
        &["chrome-150-linux".to_owned(), "detect".to_owned()],
        2,
    )
    .unwrap();
    assert_eq!(
        pool.desktops,
        vec![
            DesktopChoice::Profile("chrome-150-linux"),
            DesktopChoice::Detect
        ]
    );
    let unknown = Pool::named(&[], &["chrome-151".to_owned()], 2).unwrap_err();
    assert!(unknown.known.contains("safari-macos"), "{unknown}");
}

#[test]
fn a_desktop_profile_is_written_as_the_scenario_s_desktop_profile() {
    let s = schedule(
        DesktopChoice::Profile("safari-macos"),
        "ios16",
        Flow::Register,
        &[],
    );
    let text = to_toml(&s, "explore run", None);
    assert!(
        text.contains("\n[desktop]\nprofile = \"safari-macos\"\n"),
        "{text}"
    );
    let scenario = to_scenario(&s).unwrap();
    assert_eq!(scenario.desktop.profile.as_deref(), Some("safari-macos"));
    assert_eq!(
        schedule(
            DesktopChoice::Profile("safari-macos"),
            "ios16",
            Flow::Register,
            &[]
        )
        .to_string(),
        "register phone=ios16 desktop=safari-macos faults="
    );
}

/// The concrete (desktop, phone, flow, party, layer) cells the matrix expects to fail,
/// with conformant phones only (the buggy ones are opt-in in the explorer) and `*`
/// desktops spread over every shipped profile.
fn expected_failures() -> Vec<(&'static str, String, Flow, String, String)> {
    let text = include_str!("../../../scenarios/interop/matrix-expectations.toml");
    let expectations = Expectations::from_toml_str(text).unwrap();
    let phones = conformant_phones();
    let mut cells = Vec::new();
    for fail in expectations.fail {
        if !phones.contains(&fail.phone) {
            continue;
        }
        let desktops: Vec<&'static str> = builtin::desktop_names()
            .into_iter()
            .filter(|d| fail.desktop == "*" || fail.desktop == *d)
            .collect();
        assert!(!desktops.is_empty(), "{}", fail.desktop);
        let flows: Vec<Flow> = if fail.flows.is_empty() {
            Flow::ALL.to_vec()
        } else {
            fail.flows
                .iter()
                .map(|f| Flow::from_name(f).unwrap())
                .collect()
        };
        for desktop in desktops {
            for flow in &flows {
                let cell = (desktop, fail.phone.clone(), *flow);
                cells.push((
                    cell.0,
                    cell.1,
                    cell.2,
                    fail.party.clone(),
                    fail.layer.clone(),
                ));
            }
        }
    }
    cells
}

#[test]
fn pairs_expected_not_to_interoperate_fail_as_expected_and_keep_every_invariant() {
    let cells = expected_failures();
    assert!(cells.len() >= 20, "{}", cells.len());
    for (desktop, phone, flow, party, layer) in cells {
        let s = schedule(DesktopChoice::Profile(desktop), &phone, flow, &[]);
        let observation = observe(&to_scenario(&s).unwrap()).unwrap();
        assert_eq!(check(&observation), vec![], "{s}");
        let last = observation.default.last().unwrap();
        if last.parties.is_none() {
            // The matrix's setup verdict (a phone that never links has no link to use):
            // the scenario runner refuses the linked sign-in before any ceremony, so no
            // party is there to agree or blame.
            assert_eq!(
                (flow, party.as_str(), layer.as_str()),
                (Flow::Linked, "phone", "transport"),
                "{s}"
            );
            assert!(
                last.failures.iter().any(|f| f.contains("not linked")),
                "{s}: {:?}",
                last.failures
            );
            continue;
        }
        let failure = last
            .first_failure
            .as_ref()
            .unwrap_or_else(|| panic!("{s}: no failure"));
        assert_eq!(
            (failure.party.name(), failure.error.layer.name()),
            (party.as_str(), layer.as_str()),
            "{s}"
        );
    }
}

/// Faults on top of a pair that cannot interoperate still leave a run that keeps every
/// invariant: the failure moves or stays, but it is one party's, with a typed reason.
#[test]
fn faults_on_a_pair_expected_to_fail_keep_every_invariant() {
    let pairs = [
        ("chrome-150-linux", "google-play-services-2-3"),
        ("libwebauthn", "google-password-manager"),
        ("webauthn-rs", "bitwarden-play-services"),
    ];
    let faults: &[&[&str]] = &[
        &["advert-dropped"],
        &["phone-silent@2"],
        &["ws-split@3", "clock-skew@600"],
        &["desktop-silent@1"],
    ];
    for (desktop, phone) in pairs {
        for f in faults {
            for flow in [Flow::Register, Flow::SignIn] {
                let s = schedule(DesktopChoice::Profile(desktop), phone, flow, f);
                let observation = observe(&to_scenario(&s).unwrap()).unwrap();
                assert_eq!(check(&observation), vec![], "{s}");
            }
        }
    }
}

/// Each party by its own deadline: a desktop profile with shorter timers (webauthn-rs waits
/// 30 s for the response, hybridsim's desktop 60 s) is late sooner than hybridsim's desktop.
#[test]
fn a_desktop_profile_is_held_to_its_own_timers() {
    let s = schedule(
        DesktopChoice::Profile("webauthn-rs"),
        "ios16",
        Flow::Register,
        &[],
    );
    let mut o = observe(&to_scenario(&s).unwrap()).unwrap();
    assert_eq!(check(&o), vec![]);
    let own = desktop_deadline(&o.desktop_timeouts);
    let default = desktop_deadline(&Timeouts::default());
    assert_eq!(default.as_millis() - own.as_millis(), 30_000);
    let parties = o.default[0].parties.as_mut().unwrap();
    parties.desktop_at = Some(Millis(own.as_millis() + 1));
    o.replay = o.default.clone();
    let broken: Vec<Invariant> = check(&o).into_iter().map(|b| b.invariant).collect();
    assert_eq!(broken, vec![Invariant::Deadline]);
}

/// A phone that never links is not drawn with the linked flow (its linked sign-in would run
/// no ceremony); phones that link are.
#[test]
fn a_phone_that_never_links_is_not_drawn_for_a_linked_sign_in() {
    assert!(!phone_links("iphone-icloud-keychain-2026"));
    assert!(phone_links("google-play-services-2-3"));
    let pool = Pool {
        phones: vec!["iphone-icloud-keychain-2026".to_owned(), "ios16".to_owned()],
        ..Pool::default()
    };
    let drawn: Vec<Schedule> = (0..300).map(|i| pool.draw(i)).collect();
    assert!(drawn
        .iter()
        .all(|s| s.phone != "iphone-icloud-keychain-2026" || s.flow != Flow::Linked));
    assert!(drawn
        .iter()
        .any(|s| s.phone == "iphone-icloud-keychain-2026"));
    assert!(drawn
        .iter()
        .any(|s| s.phone == "ios16" && s.flow == Flow::Linked));
}
