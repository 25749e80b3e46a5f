//! A relying party that keeps no session, as `hybridsim rp verify-*` runs one: the options
//! file the RP issued carries everything the checks need (RP ID, challenge, user, UV
//! requirement, algorithms, excluded and allowed credentials), and the origins and trusted
//! roots come from the caller.
//!
//! The check lists below are what a report prints as passed; they follow the order in
//! which [`RelyingParty::finish_registration`] and
//! [`RelyingParty::finish_authentication`] run their checks (each has its own error).

use crate::client::{ClientError, Origin};
use crate::rp::RelyingParty;
use serde::Serialize;
use serde_json::{json, Value};

/// The checks a registration passes, in the order they run.
pub const REGISTRATION_CHECKS: &[&str] = &[
    "type is public-key and id matches rawId",
    "clientDataJSON: type webauthn.create, challenge, origin, crossOrigin/topOrigin",
    "attestationObject and authenticatorData decode",
    "rpIdHash is SHA-256 of the RP ID",
    "UP set; UV set if required; BS only with BE",
    "attested credential present, id equals rawId",
    "algorithm was offered; publicKey and publicKeyAlgorithm match the COSE key",
    "credential not in excludeCredentials; transports allowed",
    "attestation statement (none / packed self / packed x5c chain to a trusted root) and its signature",
];

/// The checks an authentication passes, in the order they run.
pub const AUTHENTICATION_CHECKS: &[&str] = &[
    "type is public-key and id matches rawId",
    "credential allowed and equal to the stored one",
    "clientDataJSON: type webauthn.get, challenge, origin, crossOrigin/topOrigin",
    "authenticatorData decodes; rpIdHash is SHA-256 of the RP ID",
    "UP set; UV set if required; BS only with BE; BE unchanged since registration",
    "userHandle matches the credential's user (required when discoverable)",
    "signature over authenticatorData ‖ SHA-256(clientDataJSON) with the stored key",
    "sign counter did not go backwards",
];

/// Why the first origin cannot stand for the RP ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// It does not parse as an origin.
    #[error("{0}")]
    Malformed(ClientError),
    /// It parses, but its scheme is neither `https` nor `http`.
    #[error("{0} is not an http(s) origin")]
    NotHttp(String),
}

/// The first origin's host: the RP ID when the options name none, as in browsers.
pub fn origin_host(origins: &[String]) -> Result<String, OriginError> {
    let origin = origins.first().map(String::as_str).unwrap_or_default();
    let parsed = Origin::parse(origin).map_err(OriginError::Malformed)?;
    if parsed.scheme != "https" && parsed.scheme != "http" {
        return Err(OriginError::NotHttp(origin.to_owned()));
    }
    Ok(parsed.host)
}

/// A relying party for `rp_id` at `origins`, trusting the attestation roots `roots` (DER);
/// with `require_attestation`, neither `none` nor self attestation is accepted.
pub fn relying_party(
    rp_id: &str,
    origins: &[String],
    roots: Vec<Vec<u8>>,
    require_attestation: bool,
) -> RelyingParty {
    let origins: Vec<&str> = origins.iter().map(String::as_str).collect();
    let mut rp = RelyingParty::new(rp_id, rp_id, &origins);
    rp.trusted_roots = roots;
    if require_attestation {
        rp.attestation_policy.accept_none = false;
        rp.attestation_policy.accept_self = false;
    }
    rp
}

/// The report of an accepted response: `accepted`, the stored credential or the result
/// under `detail_key`, and the checks it passed.
pub fn accepted_json(detail_key: &str, detail: &impl Serialize, checks: &[&str]) -> Value {
    json!({ "accepted": true, detail_key: detail, "checked": checks })
}

/// [`accepted_json`]'s report as lines: `accepted`, `  [ok] CHECK` for each check, then
/// `  NAME: VALUE` for each field of the credential or result.
pub fn accepted_lines(report: &Value) -> Vec<String> {
    let mut out = vec!["accepted".to_owned()];
    for check in report["checked"].as_array().into_iter().flatten() {
        out.push(format!("  [ok] {}", check.as_str().unwrap_or_default()));
    }
    let detail = report.get("credential").or_else(|| report.get("result"));
    if let Some(Value::Object(fields)) = detail {
        for (name, field) in fields {
            out.push(format!("  {name}: {field}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accepted_report_lists_the_checks_then_the_fields() {
        let detail = json!({ "id": "abc", "sign_count": 3 });
        let report = accepted_json("credential", &detail, &["one", "two"]);
        assert_eq!(report["accepted"], true);
        assert_eq!(
            accepted_lines(&report),
            [
                "accepted",
                "  [ok] one",
                "  [ok] two",
                "  id: \"abc\"",
                "  sign_count: 3"
            ]
        );
        let result = accepted_json("result", &json!({ "counter": 1 }), &[]);
        assert_eq!(accepted_lines(&result), ["accepted", "  counter: 1"]);
    }

    #[test]
    fn origin_host_takes_the_first_http_origin() {
        let origins = vec!["https://login.example:8443".to_owned(), "x".to_owned()];
        assert_eq!(origin_host(&origins), Ok("login.example".to_owned()));
        let ftp = vec!["ftp://login.example".to_owned()];
        assert!(matches!(origin_host(&ftp), Err(OriginError::NotHttp(o)) if o == ftp[0]));
        assert!(matches!(origin_host(&[]), Err(OriginError::Malformed(_))));
    }

    #[test]
    fn required_attestation_refuses_none_and_self() {
        let origins = vec!["https://a.example".to_owned()];
        let lax = relying_party("a.example", &origins, Vec::new(), false);
        assert!(lax.attestation_policy.accept_none && lax.attestation_policy.accept_self);
        let strict = relying_party("a.example", &origins, vec![vec![1]], true);
        assert!(!strict.attestation_policy.accept_none);
        assert!(!strict.attestation_policy.accept_self);
        assert_eq!(strict.trusted_roots, vec![vec![1]]);
        assert_eq!(strict.origins, origins);
    }
}
