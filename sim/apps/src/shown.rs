//! What a phone's app shows its user, as `hybridsim migrate add|list` print it: what became
//! of each account given to it, and the code each account shows at a time.

use crate::phone::Added;
use crate::{AppAccount, Phone};
use hybridsim_otp::{Finding, OtpAccount, OtpError, ParsedUri};

/// What became of an account given to the app, in words: `added`, `already present`,
/// `replaced LABEL` or `merged into LABEL`.
pub fn added_word(added: &Added) -> String {
    match added {
        Added::Added => "added".to_owned(),
        Added::AlreadyPresent => "already present".to_owned(),
        Added::Replaced(old) => format!("replaced {old}"),
        Added::MergedInto(kept) => format!("merged into {kept}"),
    }
}

/// One account given to the app and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedRow {
    /// The account as parsed.
    pub account: OtpAccount,
    /// What the app did with it ([`added_word`]).
    pub outcome: String,
    /// What the lenient parse tolerated.
    pub findings: Vec<Finding>,
}

/// Gives each parsed Key URI's account to the app (deduplicating as the app does).
pub fn add_all(phone: &mut Phone, parsed: Vec<ParsedUri>) -> Vec<AddedRow> {
    parsed
        .into_iter()
        .map(|p| AddedRow {
            outcome: added_word(&phone.add(AppAccount::Otp(p.account.clone()), true)),
            account: p.account,
            findings: p.findings,
        })
        .collect()
}

/// One account in the app's list, with the code it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// Its place in the list, from 1.
    pub index: usize,
    /// Its kind ([`AppAccount::kind_name`]).
    pub kind: &'static str,
    /// Its label.
    pub label: String,
    /// The OTP account, for OTP entries.
    pub account: Option<OtpAccount>,
    /// The code it shows, for OTP entries.
    pub code: Option<String>,
}

/// An OTP account whose parameters give no code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("account {index} ({label}) has no code: {error}")]
pub struct NoCode {
    /// Its place in the list, from 1.
    pub index: usize,
    /// Its label.
    pub label: String,
    /// Why.
    pub error: OtpError,
}

/// Every account of the app with the code it shows when the phone's own clock reads
/// `phone_time`.
pub fn codes_at(phone: &Phone, phone_time: u64) -> Result<Vec<CodeRow>, NoCode> {
    let mut rows = Vec::new();
    for (k, account) in phone.accounts.iter().enumerate() {
        let otp = account.otp();
        let code = match otp {
            Some(otp) => Some(otp.code_at(phone_time).map_err(|error| NoCode {
                index: k + 1,
                label: account.label(),
                error,
            })?),
            None => None,
        };
        rows.push(CodeRow {
            index: k + 1,
            kind: account.kind_name(),
            label: account.label(),
            account: otp.cloned(),
            code,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppModel, Quirk, Quirks};
    use hybridsim_otp::{parse, Mode};

    fn parsed(uri: &str) -> ParsedUri {
        match parse(uri, Mode::Lenient) {
            Ok(p) => p,
            Err(e) => unreachable!("test URI does not parse: {e}"),
        }
    }

    const ALICE: &str = "otpauth://totp/Example:alice?secret=jbswy3dpehpk3pxp&issuer=Example";

    #[test]
    fn a_second_copy_is_already_present_and_findings_are_kept() {
        let mut phone = Phone::new(AppModel::Aegis);
        let rows = add_all(&mut phone, vec![parsed(ALICE), parsed(ALICE)]);
        let outcomes: Vec<&str> = rows.iter().map(|r| r.outcome.as_str()).collect();
        assert_eq!(outcomes, ["added", "already present"]);
        assert!(
            !rows[0].findings.is_empty(),
            "a lower-case secret is a finding"
        );
        assert_eq!(phone.accounts.len(), 1);
    }

    #[test]
    fn a_keyed_app_names_what_it_replaced() {
        let mut phone = Phone::new(AppModel::GoogleAuthenticator);
        phone.quirks = Quirks::of(Quirk::from_name("keyed-on-issuer-and-name"));
        let other = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQ&issuer=Example";
        let rows = add_all(&mut phone, vec![parsed(ALICE), parsed(other)]);
        assert_eq!(rows[1].outcome, "replaced Example (alice)");
    }

    #[test]
    fn codes_follow_the_phone_clock() {
        let mut phone = Phone::new(AppModel::Aegis);
        add_all(&mut phone, vec![parsed(ALICE)]);
        let at = |t| codes_at(&phone, t).map(|rows| rows[0].code.clone());
        assert_eq!(at(0), at(29));
        assert_ne!(at(29), at(30));
        let rows = codes_at(&phone, 0).unwrap_or_default();
        assert_eq!((rows[0].index, rows[0].kind), (1, "totp"));
        assert_eq!(rows[0].label, "Example (alice)");
    }
}
