//! Inspecting a Key URI as `hybridsim totp code|check` do: the code an app shows for it, and
//! how strictly it parses (docs/migration.md §2).
//!
//! `code` reads the URI the way real apps do unless asked to be strict, so that a person
//! sees the code and every finding instead of a refusal; `check` is the strictness report
//! and judges by the strict reading.

use crate::uri::{parse, Mode, ParsedUri, UriError};
use crate::{OtpError, OtpKind};

/// Why no code could be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The URI does not parse (in the mode asked for).
    #[error("{0}")]
    Uri(UriError),
    /// A TOTP URI with no time to show the code at.
    #[error("a TOTP code needs a time")]
    NeedsTime,
    /// The account's parameters give no code.
    #[error("{0}")]
    Code(OtpError),
}

/// The code an app shows for a Key URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The code, zero-padded to the account's digits.
    pub code: String,
    /// The TOTP time step, or the HOTP counter.
    pub step: u64,
    /// The time the code is for; `None` for HOTP.
    pub at: Option<u64>,
    /// The parsed URI, with the findings of a lenient reading.
    pub parsed: ParsedUri,
}

/// The code for `uri` at Unix time `at` (needed for TOTP, ignored for HOTP), read strictly
/// or as real apps read it.
pub fn code(uri: &str, strict: bool, at: Option<u64>) -> Result<Shown, CodeError> {
    // Strict fails exactly when the lenient reading has findings, and names them all.
    let mode = if strict { Mode::Strict } else { Mode::Lenient };
    let parsed = parse(uri, mode).map_err(CodeError::Uri)?;
    let account = &parsed.account;
    let totp = matches!(account.kind, OtpKind::Totp { .. });
    let at = match (totp, at) {
        (true, None) => return Err(CodeError::NeedsTime),
        (_, at) => at.unwrap_or(0),
    };
    let code = account.code_at(at).map_err(CodeError::Code)?;
    let step = account.current_step(at).map_err(CodeError::Code)?;
    Ok(Shown {
        code,
        step,
        at: totp.then_some(at),
        parsed,
    })
}

/// How strictly a URI parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The strict parse accepts it.
    Strict,
    /// Only the lenient parse does: strict readers (pyotp, totp-rs) refuse it.
    LenientOnly,
    /// Neither parse does.
    Refused,
}

impl Verdict {
    /// `strict`, `lenient-only` or `refused`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Strict => "strict",
            Self::LenientOnly => "lenient-only",
            Self::Refused => "refused",
        }
    }
}

/// Both readings of one URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strictness {
    /// The strict reading.
    pub strict: Result<ParsedUri, UriError>,
    /// The lenient reading, with its findings.
    pub lenient: Result<ParsedUri, UriError>,
}

impl Strictness {
    /// Parses `uri` both ways.
    pub fn of(uri: &str) -> Strictness {
        Strictness {
            strict: parse(uri, Mode::Strict),
            lenient: parse(uri, Mode::Lenient),
        }
    }

    /// Which readings accept it.
    pub fn verdict(&self) -> Verdict {
        match (&self.strict, &self.lenient) {
            (Ok(_), _) => Verdict::Strict,
            (Err(_), Ok(_)) => Verdict::LenientOnly,
            (Err(_), Err(_)) => Verdict::Refused,
        }
    }

    /// Why the strict reading refused, in one line (the findings themselves are the lenient
    /// reading's); `None` when it accepted.
    pub fn strict_error(&self) -> Option<String> {
        match &self.strict {
            Err(UriError::NotStrict { .. }) => Some("refused: see the findings".to_owned()),
            Err(e) => Some(e.to_string()),
            Ok(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Key URI wiki's example: an 80-bit secret, which only lenient readers accept.
    const WIKI: &str =
        "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

    #[test]
    fn wiki_example_shows_a_code_with_findings_unless_strict() {
        let shown = code(WIKI, false, Some(59));
        let Ok(shown) = shown else {
            unreachable!("lenient code failed: {shown:?}")
        };
        assert_eq!((shown.step, shown.at), (1, Some(59)));
        assert_eq!(shown.code.len(), 6);
        assert!(!shown.parsed.findings.is_empty());
        assert!(matches!(code(WIKI, true, Some(59)), Err(CodeError::Uri(_))));
        assert_eq!(code(WIKI, false, None), Err(CodeError::NeedsTime));
    }

    #[test]
    fn hotp_needs_no_time() {
        let uri =
            "otpauth://hotp/Ex:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=3&issuer=Ex";
        let shown = code(uri, true, None).map(|s| (s.step, s.at));
        assert_eq!(shown, Ok((3, None)));
    }

    #[test]
    fn verdicts_follow_the_two_readings() {
        assert_eq!(Strictness::of(WIKI).verdict(), Verdict::LenientOnly);
        assert_eq!(
            Strictness::of(WIKI).strict_error().as_deref(),
            Some("refused: see the findings")
        );
        let good = "otpauth://totp/Ex:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Ex";
        assert_eq!(Strictness::of(good).verdict(), Verdict::Strict);
        assert_eq!(Strictness::of(good).strict_error(), None);
        assert_eq!(Strictness::of("https://x").verdict(), Verdict::Refused);
        assert_eq!(Verdict::LenientOnly.name(), "lenient-only");
    }
}
