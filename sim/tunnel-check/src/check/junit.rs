//! A [`CheckReport`] as JUnit XML, the format CI systems read test results from.

use super::case::Outcome;
use super::report::CheckReport;
use std::fmt::Write;

/// The suite's name.
const SUITE: &str = "hybridsim tunnel check";
/// Every test case's class name.
const CLASS: &str = "hybridsim.tunnel.check";

impl CheckReport {
    /// The report as JUnit XML: one `<testsuite>`, one `<testcase>` per case, a failure as
    /// `<failure message="observation">`, a skip as `<skipped message="…"/>`, and every
    /// observation also in `<system-out>`.
    pub fn to_junit_xml(&self) -> String {
        render(self)
    }
}

fn render(report: &CheckReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">",
        escape(SUITE),
        report.cases.len(),
        report.count(Outcome::Fail),
        report.count(Outcome::Skip),
        report.duration.as_secs_f64(),
    );
    let _ = writeln!(out, "  <properties>");
    let _ = writeln!(
        out,
        "    <property name=\"target\" value=\"{}\"/>",
        escape(&report.target)
    );
    let _ = writeln!(out, "  </properties>");
    for case in &report.cases {
        let _ = write!(
            out,
            "  <testcase classname=\"{CLASS}\" name=\"{}\" time=\"{:.3}\">",
            escape(&case.name),
            case.duration.as_secs_f64(),
        );
        let observed = escape(&case.observed);
        match case.outcome {
            Outcome::Pass => {}
            Outcome::Fail => {
                let _ = write!(out, "\n    <failure message=\"{observed}\"/>");
            }
            Outcome::Skip => {
                let _ = write!(out, "\n    <skipped message=\"{observed}\"/>");
            }
        }
        let _ = writeln!(
            out,
            "\n    <system-out>{observed}</system-out>\n  </testcase>"
        );
    }
    out.push_str("</testsuite>\n");
    out
}

/// Escapes text for XML 1.0 element content and double- or single-quoted attributes:
/// markup characters become entities, tab/newline/carriage return become character
/// references (so attribute values keep them), and characters XML 1.0 cannot carry at all
/// (other C0 controls, U+FFFE, U+FFFF) become U+FFFD.
pub fn escape(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::report::CaseResult;
    use std::time::Duration;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("a<b>&\"c\"'d'\te\nf\u{1}\u{fffe}ü"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#9;e&#10;f\u{fffd}\u{fffd}ü"
        );
    }

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
        let xml = render(&report);
        assert!(xml.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert!(xml.contains("<failure message=\"HTTP 404 &apos;&lt;oops&gt;&apos;\"/>"));
        assert!(xml.contains("<skipped message=\"n/a\"/>"));
    }
}
