//! A [`CheckReport`] as JUnit XML, the format CI systems read test results from, through the
//! project's one JUnit writer (`hybridsim-junit`).

use super::case::Outcome;
use super::report::CheckReport;
use hybridsim_junit::{Case, Outcome as JunitOutcome, Suite};

/// The suite's (and the document's) name.
const SUITE: &str = "hybridsim tunnel check";
/// Every test case's class name.
const CLASS: &str = "hybridsim.tunnel.check";

impl CheckReport {
    /// The report as JUnit XML: one `<testsuite>` with the target as a property, one
    /// `<testcase>` per case, a failure as `<failure message="observation">`, a skip as
    /// `<skipped message="…">`, an informational case as a pass, and every observation also
    /// in `<system-out>`.
    pub fn to_junit_xml(&self) -> String {
        hybridsim_junit::render(SUITE, &[suite(self)])
    }
}

fn suite(report: &CheckReport) -> Suite {
    let cases = report
        .cases
        .iter()
        .map(|case| {
            let outcome = match case.outcome {
                Outcome::Pass | Outcome::Info => JunitOutcome::Passed,
                Outcome::Fail => JunitOutcome::Failed {
                    message: case.observed.clone(),
                    detail: None,
                },
                Outcome::Skip => JunitOutcome::Skipped {
                    message: case.observed.clone(),
                },
            };
            let mut out = Case::new(case.name.as_str(), CLASS, outcome);
            out.time = case.duration;
            out.output = Some(case.observed.clone());
            out
        })
        .collect();
    Suite {
        name: SUITE.to_owned(),
        properties: vec![("target".to_owned(), report.target.clone())],
        cases,
        time: report.duration,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::report::CaseResult;
    use std::time::Duration;

    #[test]
    fn one_testcase_per_case() {
        let case = |name: &str, outcome, observed: &str| CaseResult {
            name: name.into(),
            outcome,
            observed: observed.into(),
            duration: Duration::from_millis(5),
        };
        let report = CheckReport {
            target: "ws://127.0.0.1:9".into(),
            cases: vec![
                case("a", Outcome::Pass, "fine"),
                case("b", Outcome::Fail, "HTTP 404 '<oops>'"),
                case("c", Outcome::Skip, "n/a"),
            ],
            duration: Duration::from_millis(20),
        };
        let xml = report.to_junit_xml();
        assert!(xml.contains("tests=\"3\""), "{xml}");
        assert!(xml.contains("failures=\"1\""), "{xml}");
        assert!(xml.contains("skipped=\"1\""), "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert!(xml.contains("&lt;oops&gt;"), "{xml}");
        assert!(xml.contains("n/a"), "{xml}");
    }
}
