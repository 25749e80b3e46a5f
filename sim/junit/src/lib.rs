//! JUnit XML, the format CI systems read test results from, for every report hybridsim
//! writes: `hybridsim run --junit`, `tunnel check --junit` and `rp check --junit`.
//!
//! Callers describe their results as [`Suite`]s of [`Case`]s; [`render`] turns them into
//! one `<testsuites>` document through the maintained `quick-junit` crate (the writer
//! cargo-nextest uses), which escapes text and drops characters XML 1.0 cannot carry, so a
//! hostile peer's bytes in a failure message never break the document.
//!
//! [`xml_escape`] is the attribute-safe escaping the HTML report uses for the same texts.

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// A group of cases: one scenario file, one tunnel check run, one RP check run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suite {
    /// The suite's name (`faults/advert-lost`, `hybridsim tunnel check`).
    pub name: String,
    /// Name/value pairs shown with the suite (the scenario's seed, the checked URL).
    pub properties: Vec<(String, String)>,
    /// The cases, in the order they ran.
    pub cases: Vec<Case>,
    /// Wall time of the whole suite.
    pub time: Duration,
}

/// One test case and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The case's name (`relay/boundaries`, `step 2: sign-in`).
    pub name: String,
    /// The JUnit class name, dotted (`hybridsim.tunnel.check`).
    pub classname: String,
    /// Wall time of the case.
    pub time: Duration,
    /// Pass, fail, error or skip.
    pub outcome: Outcome,
    /// Free text shown as the case's `system-out` (a trace excerpt, what was observed).
    pub output: Option<String>,
}

/// How a [`Case`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The case passed.
    Passed,
    /// The checked behaviour was wrong: `<failure>`.
    Failed {
        /// One line saying what was wrong.
        message: String,
        /// Longer text, if any (the element's body).
        detail: Option<String>,
    },
    /// The case could not run at all (an unreadable scenario file): `<error>`.
    Errored {
        /// One line saying why.
        message: String,
        /// Longer text, if any.
        detail: Option<String>,
    },
    /// The case did not apply: `<skipped>`.
    Skipped {
        /// Why it was skipped.
        message: String,
    },
}

impl Case {
    /// A case with no output and no time, to be filled in.
    pub fn new(name: impl Into<String>, classname: impl Into<String>, outcome: Outcome) -> Case {
        Case {
            name: name.into(),
            classname: classname.into(),
            time: Duration::ZERO,
            outcome,
            output: None,
        }
    }
}

/// The JUnit XML document for `suites`, under a `<testsuites name="{report}">` root whose
/// counts and time quick-junit sums from the suites.
pub fn render(report: &str, suites: &[Suite]) -> String {
    let mut document = Report::new(report);
    document.set_time(suites.iter().map(|s| s.time).sum());
    for suite in suites {
        document.add_test_suite(test_suite(suite));
    }
    // Serialising into memory cannot fail on I/O; quick-junit's only other error is an
    // XML writer failure on text it has already sanitised.
    document
        .to_string()
        .unwrap_or_else(|e| format!("<!-- JUnit report could not be written: {e} -->\n"))
}

fn test_suite(suite: &Suite) -> TestSuite {
    let mut out = TestSuite::new(suite.name.as_str());
    out.set_time(suite.time);
    out.add_properties(
        suite
            .properties
            .iter()
            .map(|(name, value)| Property::new(name.as_str(), value.as_str())),
    );
    out.add_test_cases(suite.cases.iter().map(test_case));
    out
}

fn test_case(case: &Case) -> TestCase {
    let status = match &case.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::Failed { message, detail } => {
            non_success(NonSuccessKind::Failure, message, detail.as_deref())
        }
        Outcome::Errored { message, detail } => {
            non_success(NonSuccessKind::Error, message, detail.as_deref())
        }
        Outcome::Skipped { message } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(message.as_str());
            status
        }
    };
    let mut out = TestCase::new(case.name.as_str(), status);
    out.set_classname(case.classname.as_str());
    out.set_time(case.time);
    if let Some(output) = &case.output {
        out.set_system_out(output.as_str());
    }
    out
}

fn non_success(kind: NonSuccessKind, message: &str, detail: Option<&str>) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(kind);
    status.set_message(message);
    if let Some(detail) = detail {
        status.set_description(detail);
    }
    status
}

/// `text` made safe inside an XML or HTML attribute or element: the five markup characters
/// and tab/newline/carriage return as references, other control characters and the two
/// XML non-characters replaced by U+FFFD (XML 1.0 cannot carry them at all).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
