//! The last step of every import and restore: the importer's own rules and quirks, then the
//! app adding each account. Shared so that a quirk like `import-hotp-as-totp` behaves the same
//! whichever format carried the account.

use crate::account::AppAccount;
use crate::context::Context;
use crate::phone::{Added, Phone};
use crate::quirk::Quirk;
use hybridsim_otp::OtpKind;

/// An account read from an export or backup, with the old phone's index when known.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Index of the account on the old phone it came from.
    pub source: Option<usize>,
    /// The account as read.
    pub account: AppAccount,
}

/// Whether accounts arrive by an import (a file or QR the user chose) or a restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arriving {
    /// An export read on the new phone.
    Import,
    /// A backup restored on the new phone.
    Restore,
}

/// Adds `incoming` to `phone` as the importer and the app would, noting each decision.
/// Returns how many accounts the importer told the user it added.
pub fn admit(
    phone: &mut Phone,
    incoming: Vec<Incoming>,
    how: Arriving,
    ctx: &mut Context<'_>,
) -> usize {
    let quirks = ctx.quirks.clone();
    let claimed = incoming.len();
    if quirks.has(Quirk::ImportReportsSuccessAddsNothing) {
        for item in &incoming {
            note(
                ctx,
                item.source,
                format!(
                    "the importer said it added {claimed} accounts but added none ({})",
                    Quirk::ImportReportsSuccessAddsNothing.cite()
                ),
            );
        }
        return claimed;
    }
    if quirks.has(Quirk::RestoreReplacesExisting) && !phone.accounts.is_empty() {
        ctx.trail.general(format!(
            "{} accounts already on the new phone were replaced by the {} ({})",
            phone.accounts.len(),
            match how {
                Arriving::Import => "import",
                Arriving::Restore => "restore",
            },
            Quirk::RestoreReplacesExisting.cite()
        ));
        phone.accounts.clear();
    }
    let dedupe = !quirks.has(Quirk::ImportNoDedupe);
    for Incoming { source, account } in incoming {
        let Some(account) = importer_rules(account, source, how, ctx) else {
            continue;
        };
        match phone.add(account, dedupe) {
            Added::Added => {}
            Added::AlreadyPresent => note(ctx, source, "already on the new phone; not added again"),
            Added::Replaced(previous) => note(
                ctx,
                source,
                format!(
                    "overwrote {previous} on the new phone: same issuer and name ({})",
                    Quirk::KeyedOnIssuerAndName.cite()
                ),
            ),
            Added::MergedInto(kept) => note(
                ctx,
                source,
                format!(
                    "merged into {kept}: same secret ({})",
                    Quirk::DedupeOnSecret.cite()
                ),
            ),
        }
    }
    claimed
}

/// The importer's quirks on one account; `None` when it drops the account.
fn importer_rules(
    account: AppAccount,
    source: Option<usize>,
    how: Arriving,
    ctx: &mut Context<'_>,
) -> Option<AppAccount> {
    let AppAccount::Otp(mut otp) = account else {
        return Some(account);
    };
    let quirks = ctx.quirks.clone();
    if let OtpKind::Hotp { counter } = otp.kind {
        if how == Arriving::Restore && quirks.has(Quirk::RestoreDropsHotpSilently) {
            note(ctx, source, format!(
                "restore could not decrypt this HOTP entry and skipped it without telling the user ({})",
                Quirk::RestoreDropsHotpSilently.cite()
            ));
            return None;
        }
        if quirks.has(Quirk::ImportDropsHotpAndOddPeriods) {
            note(
                ctx,
                source,
                format!(
                    "the importer has no HOTP support and dropped it ({})",
                    Quirk::ImportDropsHotpAndOddPeriods.cite()
                ),
            );
            return None;
        }
        if quirks.has(Quirk::ImportHotpAsTotp) {
            note(
                ctx,
                source,
                format!(
                    "the importer ignored the type and made it TOTP ({})",
                    Quirk::ImportHotpAsTotp.cite()
                ),
            );
            otp.kind = OtpKind::Totp { period: 30 };
        } else if quirks.has(Quirk::ImportResetsHotpCounter) && counter != 0 {
            note(
                ctx,
                source,
                format!(
                    "the importer started the counter at 0 instead of {counter} ({})",
                    Quirk::ImportResetsHotpCounter.cite()
                ),
            );
            otp.kind = OtpKind::Hotp { counter: 0 };
        }
    }
    if let OtpKind::Totp { period } = otp.kind {
        if period != 30 && quirks.has(Quirk::ImportDropsHotpAndOddPeriods) {
            note(
                ctx,
                source,
                format!(
                    "the importer supports only 30 s TOTP and dropped this {period} s one ({})",
                    Quirk::ImportDropsHotpAndOddPeriods.cite()
                ),
            );
            return None;
        }
    }
    Some(AppAccount::Otp(otp))
}

fn note(ctx: &mut Context<'_>, source: Option<usize>, text: impl Into<String>) {
    match source {
        Some(index) => ctx.trail.account(index, text),
        None => ctx.trail.general(text),
    }
}
