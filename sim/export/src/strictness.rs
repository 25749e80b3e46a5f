//! The reports of `hybridsim totp`: a Key URI's strict and lenient readings
//! ([`Strictness`], `totp check`) as one JSON object or as lines for a person, with the
//! lenient reading's findings and the account it gives, and the code it shows ([`Shown`],
//! `totp code --json`), in the listings' shapes ([`crate::listing`]).

use crate::listing::{findings_json, parameters_json, parameters_line};
use hybridsim_otp::inspect::{Shown, Strictness};
use serde_json::{json, Value};

/// Both readings as one JSON object: the verdict, each reading's acceptance and error, the
/// lenient findings, the account and the issuer from each place it may appear.
pub fn to_json(both: &Strictness) -> Value {
    let lenient = &both.lenient;
    let parsed = lenient.as_ref().ok();
    json!({
        "verdict": both.verdict().name(),
        "strict": {"accepted": both.strict.is_ok(), "error": both.strict_error()},
        "lenient": {
            "accepted": lenient.is_ok(),
            "error": lenient.as_ref().err().map(ToString::to_string),
            "findings": parsed.map(|p| findings_json(&p.findings)).unwrap_or(json!([])),
        },
        "account": parsed.map(|p| parameters_json(&p.account)),
        "label_issuer": parsed.and_then(|p| p.label_issuer.clone()),
        "param_issuer": parsed.and_then(|p| p.param_issuer.clone()),
    })
}

/// Both readings as lines: `strict: …`, `lenient: …`, one indented line per finding and
/// the account's parameters when the lenient reading accepted the URI.
pub fn to_lines(both: &Strictness) -> Vec<String> {
    let mut out = vec![match both.strict_error() {
        None => "strict: accepted".to_owned(),
        Some(e) => format!("strict: {e}"),
    }];
    match &both.lenient {
        Ok(parsed) => {
            let count = parsed.findings.len();
            out.push(format!("lenient: accepted, {count} finding(s)"));
            for f in &parsed.findings {
                out.push(format!("  {}: {f}", f.name()));
            }
            out.push(parameters_line(&parsed.account));
        }
        Err(e) => out.push(format!("lenient: {e}")),
    }
    out
}

/// The code a Key URI shows, with its time step, the time, the account's parameters and
/// what reading it found.
pub fn code_json(shown: &Shown) -> Value {
    json!({
        "code": shown.code,
        "step": shown.step,
        "at": shown.at,
        "account": parameters_json(&shown.parsed.account),
        "findings": findings_json(&shown.parsed.findings),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIKI: &str =
        "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

    #[test]
    fn a_uri_only_the_lenient_reading_takes_lists_its_findings() {
        let both = Strictness::of(WIKI);
        let lines = to_lines(&both);
        let first = lines.first().map(String::as_str).unwrap_or_default();
        assert!(
            first.starts_with("strict: ") && first != "strict: accepted",
            "{lines:?}"
        );
        let second = lines.get(1).map(String::as_str).unwrap_or_default();
        assert!(second.starts_with("lenient: accepted, "), "{lines:?}");
        let json = to_json(&both);
        assert_eq!(json["strict"]["accepted"], false);
        assert_eq!(json["lenient"]["accepted"], true);
        assert_eq!(json["label_issuer"], "Example");
        assert_eq!(json["verdict"], both.verdict().name());
    }

    #[test]
    fn a_refused_uri_has_no_account() {
        let both = Strictness::of("https://example.com");
        let lines = to_lines(&both);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| !l.contains("accepted")), "{lines:?}");
        let json = to_json(&both);
        assert_eq!(json["account"], Value::Null);
        assert_eq!(json["lenient"]["findings"], json!([]));
    }

    #[test]
    fn the_code_report_carries_the_code_and_its_findings() {
        let shown = hybridsim_otp::inspect::code(WIKI, false, Some(59)).unwrap();
        let json = code_json(&shown);
        assert_eq!(json["code"], shown.code);
        assert_eq!(json["at"], 59);
        assert_eq!(json["account"], parameters_json(&shown.parsed.account));
        assert!(json["findings"].as_array().is_some_and(|f| !f.is_empty()));
    }
}
