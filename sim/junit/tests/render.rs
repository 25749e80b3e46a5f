//! The rendered document read back: counts, outcomes, properties and hostile text.

use hybridsim_junit::{render, xml_escape, Case, Outcome, Suite};
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use std::time::Duration;

fn sample() -> Vec<Suite> {
    let mut passed = Case::new("relay/basic", "hybridsim.tunnel.check", Outcome::Passed);
    passed.time = Duration::from_millis(1500);
    passed.output = Some("relayed 2 messages".into());
    let failed = Case::new(
        "relay/close",
        "hybridsim.tunnel.check",
        Outcome::Failed {
            message: "no close frame <after> 5 s & \"more\"".into(),
            detail: Some("waited for close 1000\nsaw nothing".into()),
        },
    );
    let skipped = Case::new(
        "contact/wake",
        "hybridsim.tunnel.check",
        Outcome::Skipped {
            message: "no contact route".into(),
        },
    );
    let errored = Case::new(
        "load",
        "faults.broken",
        Outcome::Errored {
            message: "broken.toml:3:1: steps: missing field".into(),
            detail: None,
        },
    );
    vec![
        Suite {
            name: "hybridsim tunnel check".into(),
            properties: vec![("target".into(), "ws://127.0.0.1:8080".into())],
            cases: vec![passed, failed, skipped],
            time: Duration::from_secs(2),
        },
        Suite {
            name: "faults/broken".into(),
            properties: vec![],
            cases: vec![errored],
            time: Duration::ZERO,
        },
    ]
}

#[test]
fn counts_outcomes_and_properties_survive_a_round_trip() {
    let xml = render("hybridsim", &sample());
    let report = Report::deserialize_from_str(&xml).expect("well-formed JUnit");
    assert_eq!(report.name.as_ref().map(|n| n.as_str()), Some("hybridsim"));
    assert_eq!(report.tests, 4);
    assert_eq!(report.failures, 1);
    assert_eq!(report.errors, 1);
    let check = &report.test_suites[0];
    assert_eq!(check.name.as_str(), "hybridsim tunnel check");
    assert_eq!(check.properties[0].value.as_str(), "ws://127.0.0.1:8080");
    assert_eq!(check.test_cases.len(), 3);
    assert!(matches!(
        check.test_cases[0].status,
        TestCaseStatus::Success { .. }
    ));
    assert_eq!(check.test_cases[0].time, Some(Duration::from_millis(1500)));
    match &check.test_cases[1].status {
        TestCaseStatus::NonSuccess {
            kind,
            message,
            description,
            ..
        } => {
            assert_eq!(*kind, NonSuccessKind::Failure);
            assert_eq!(
                message.as_ref().map(|m| m.as_str()),
                Some("no close frame <after> 5 s & \"more\"")
            );
            assert_eq!(
                description.as_ref().map(|d| d.as_str()),
                Some("waited for close 1000\nsaw nothing")
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(matches!(
        check.test_cases[2].status,
        TestCaseStatus::Skipped { .. }
    ));
    let load = &report.test_suites[1].test_cases[0];
    assert!(matches!(
        load.status,
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Error,
            ..
        }
    ));
}

#[test]
fn control_characters_from_a_peer_do_not_break_the_document() {
    let hostile = "bad \u{0}\u{1b}[31mred\u{7} ]]> </testcase> \u{fffe}";
    let suites = vec![Suite {
        name: hostile.into(),
        properties: vec![(hostile.into(), hostile.into())],
        cases: vec![Case {
            output: Some(hostile.into()),
            ..Case::new(
                hostile,
                "x",
                Outcome::Failed {
                    message: hostile.into(),
                    detail: Some(hostile.into()),
                },
            )
        }],
        time: Duration::ZERO,
    }];
    let xml = render("hybridsim", &suites);
    let report = Report::deserialize_from_str(&xml).expect("still well-formed");
    let name = report.test_suites[0].test_cases[0].name.as_str().to_owned();
    assert!(name.contains("]]> </testcase>"), "{name}");
    assert!(!name.contains('\u{0}'));
}

#[test]
fn escaping_covers_markup_whitespace_and_non_characters() {
    assert_eq!(
        xml_escape("<a href=\"x\">'&'\t\n\r\u{1}\u{ffff}</a>"),
        "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&#9;&#10;&#13;\u{fffd}\u{fffd}&lt;/a&gt;"
    );
}
