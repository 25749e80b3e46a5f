//! Running a migration from one phone to another and reporting, per account, what moved.

use crate::account::AppAccount;
use crate::context::{Cloud, Context, Trail};
use crate::mechanism::Mechanism;
use crate::phone::Phone;
use crate::report::{Arrival, MigrationReport, ReportRow};
use crate::site::Site;
use hybridsim_otp::{OtpAccount, OtpKind};

/// Moves `old`'s accounts to `new` by `mechanism` and reports on every account of `old`.
///
/// `sites` holds the site of each account of `old`, in the same order (see
/// [`Site::enrolled`]); accounts without an entry get a freshly enrolled site. Checks happen at
/// true time `at`; each phone reads its own clock.
pub fn migrate(
    old: &Phone,
    new: &mut Phone,
    mechanism: &Mechanism,
    sites: &[Site],
    at: u64,
    ctx: &mut Context<'_>,
) -> MigrationReport {
    let before = new.accounts.clone();
    if let Err(failure) = mechanism.run(old, new, ctx) {
        ctx.trail.general(failure.to_string());
    }
    build_report(
        old,
        &before,
        new,
        sites,
        at,
        &ctx.trail,
        ctx.cloud,
        mechanism.name(),
    )
}

/// The report of a migration that has happened: `before` is what `new` held beforehand.
#[allow(clippy::too_many_arguments)]
pub fn build_report(
    old: &Phone,
    before: &[AppAccount],
    new: &Phone,
    sites: &[Site],
    at: u64,
    trail: &Trail,
    cloud: &Cloud,
    mechanism: &str,
) -> MigrationReport {
    let pairing = Pairing::of(old, new);
    let rows = old
        .accounts
        .iter()
        .enumerate()
        .map(|(i, account)| {
            let site = sites
                .get(i)
                .cloned()
                .or_else(|| Site::enrolled(account).ok());
            let seen = Seen { new, at, cloud };
            report_row(
                account,
                pairing.target(i, new),
                pairing.extra_copies(i),
                trail.notes(i).to_vec(),
                site,
                old,
                &seen,
            )
        })
        .collect();
    let unexpected = new
        .accounts
        .iter()
        .enumerate()
        .filter(|(j, account)| !pairing.is_taken(*j) && !before.contains(account))
        .map(|(_, account)| account.label())
        .collect();
    MigrationReport {
        mechanism: mechanism.to_string(),
        at,
        rows,
        notes: trail.general.clone(),
        unexpected,
    }
}

/// Which account of the new phone each old account became, and how many extra copies of it
/// arrived.
struct Pairing {
    /// For each new-phone account, whether some old account claimed it.
    taken: Vec<bool>,
    /// For each old account, the index of its best match on the new phone.
    matched: Vec<Option<usize>>,
    /// For each old account, how many identical extra copies the new phone holds.
    duplicates: Vec<usize>,
}

impl Pairing {
    fn of(old: &Phone, new: &Phone) -> Pairing {
        let mut taken = vec![false; new.accounts.len()];
        // Accounts already on the new phone beforehand are not evidence that anything moved,
        // unless the import was told to leave them (an identical account, deduplicated).
        let mut matched = Vec::with_capacity(old.accounts.len());
        for account in &old.accounts {
            let found = best_match(account, new, &taken);
            if let Some(j) = found {
                if let Some(slot) = taken.get_mut(j) {
                    *slot = true;
                }
            }
            matched.push(found);
        }
        let mut duplicates = vec![0usize; old.accounts.len()];
        for (j, account) in new.accounts.iter().enumerate() {
            if taken.get(j).copied().unwrap_or(true) {
                continue;
            }
            if let Some(i) = old.accounts.iter().position(|o| o == account) {
                if let (Some(count), Some(slot)) = (duplicates.get_mut(i), taken.get_mut(j)) {
                    *count += 1;
                    *slot = true;
                }
            }
        }
        Pairing {
            taken,
            matched,
            duplicates,
        }
    }

    fn target<'p>(&self, i: usize, new: &'p Phone) -> Option<&'p AppAccount> {
        self.matched
            .get(i)
            .copied()
            .flatten()
            .and_then(|j| new.accounts.get(j))
    }

    fn extra_copies(&self, i: usize) -> usize {
        self.duplicates.get(i).copied().unwrap_or(0)
    }

    fn is_taken(&self, j: usize) -> bool {
        self.taken.get(j).copied().unwrap_or(true)
    }
}

/// The new phone as the report looks at it: its accounts, the time, the cloud it signs in to.
struct Seen<'a> {
    new: &'a Phone,
    at: u64,
    cloud: &'a Cloud,
}

/// One old account's row: how it arrived, whether it shows the same code, whether its site
/// takes the code; `why` starts with the trail's notes on it.
fn report_row(
    account: &AppAccount,
    target: Option<&AppAccount>,
    extra: usize,
    mut why: Vec<String>,
    site: Option<Site>,
    old: &Phone,
    seen: &Seen<'_>,
) -> ReportRow {
    let arrival = match target {
        None => Arrival::Missing,
        Some(_) if extra > 0 => {
            why.push(format!("{} copies on the new phone", extra + 1));
            Arrival::Duplicated(extra + 1)
        }
        Some(arrived) => arrival_of(account, arrived),
    };
    if let Arrival::Changed(fields) = &arrival {
        why.push(format!("changed on the way: {}", fields.join(", ")));
    }
    if arrival == Arrival::Missing && why.is_empty() {
        why.push("not on the new phone, and nothing said why".into());
    }
    let same_code = target.and_then(|arrived| same_code(old, account, seen.new, arrived, seen.at));
    if same_code == Some(false) {
        why.push("the new phone shows a different code than the old one".into());
    }
    let site_accepts = match (target, site) {
        (None, _) => false,
        (Some(_), None) => {
            why.push("no site to sign in to".into());
            false
        }
        (Some(arrived), Some(mut site)) => {
            match site.sign_in(seen.new, arrived, seen.at, seen.cloud) {
                Ok(_) => true,
                Err(reason) => {
                    why.push(format!("site: {reason}"));
                    false
                }
            }
        }
    };
    ReportRow {
        account: account.label(),
        kind: account.kind_name().to_string(),
        arrival,
        same_code,
        site_accepts,
        why,
    }
}

/// Whether two entries are the same credential: the same OTP secret, the same personal
/// account, the same tenant and user, the same passkey.
fn same_credential(old: &AppAccount, new: &AppAccount) -> bool {
    match (old, new) {
        (AppAccount::Otp(a), AppAccount::Otp(b)) => a.secret == b.secret,
        (AppAccount::MicrosoftPersonal(a), AppAccount::MicrosoftPersonal(b)) => a.user == b.user,
        (AppAccount::Push(a), AppAccount::Push(b)) => a.tenant == b.tenant && a.user == b.user,
        (AppAccount::Passkey(a), AppAccount::Passkey(b)) => a.credential.id == b.credential.id,
        _ => false,
    }
}

/// The untaken entry of `new` that best matches `account`: identical first, then the same
/// names, then any with the same credential.
fn best_match(account: &AppAccount, new: &Phone, taken: &[bool]) -> Option<usize> {
    let free = |j: &usize| !taken.get(*j).copied().unwrap_or(true);
    let candidates: Vec<usize> = (0..new.accounts.len())
        .filter(free)
        .filter(|&j| {
            new.accounts
                .get(j)
                .is_some_and(|n| same_credential(account, n))
        })
        .collect();
    let get = |j: usize| new.accounts.get(j);
    candidates
        .iter()
        .copied()
        .find(|&j| get(j) == Some(account))
        .or_else(|| {
            candidates
                .iter()
                .copied()
                .find(|&j| get(j).is_some_and(|n| n.label() == account.label()))
        })
        .or_else(|| candidates.first().copied())
}

fn arrival_of(old: &AppAccount, new: &AppAccount) -> Arrival {
    match (old, new) {
        (AppAccount::Otp(a), AppAccount::Otp(b)) => {
            let fields = otp_differences(a, b);
            if fields.is_empty() {
                Arrival::Moved
            } else {
                Arrival::Changed(fields)
            }
        }
        (AppAccount::Push(_), AppAccount::Push(b)) if b.device_key.is_none() => Arrival::NameOnly,
        (AppAccount::MicrosoftPersonal(_), AppAccount::MicrosoftPersonal(b)) if b.otp.is_none() => {
            Arrival::NameOnly
        }
        (a, b) if a == b => Arrival::Moved,
        (AppAccount::Passkey(a), AppAccount::Passkey(b)) => {
            match crate::passkey_site::differences(a, b) {
                fields if fields.is_empty() => Arrival::Moved,
                fields => Arrival::Changed(fields),
            }
        }
        (AppAccount::MicrosoftPersonal(_), AppAccount::MicrosoftPersonal(_)) => {
            Arrival::Changed(vec!["device credential (new one registered)".into()])
        }
        _ => Arrival::Changed(vec!["credential".into()]),
    }
}

/// The fields in which `b` differs from `a`, as `field old → new`.
pub fn otp_differences(a: &OtpAccount, b: &OtpAccount) -> Vec<String> {
    let mut out = Vec::new();
    if a.issuer != b.issuer {
        out.push(format!("issuer {:?} → {:?}", a.issuer, b.issuer));
    }
    if a.name != b.name {
        out.push(format!("name {:?} → {:?}", a.name, b.name));
    }
    if a.algorithm != b.algorithm {
        out.push(format!(
            "algorithm {} → {}",
            a.algorithm.name(),
            b.algorithm.name()
        ));
    }
    if a.digits != b.digits {
        out.push(format!("digits {} → {}", a.digits, b.digits));
    }
    match (a.kind, b.kind) {
        (OtpKind::Totp { period: p }, OtpKind::Totp { period: q }) if p != q => {
            out.push(format!("period {p} s → {q} s"));
        }
        (OtpKind::Hotp { counter: c }, OtpKind::Hotp { counter: d }) if c != d => {
            out.push(format!("counter {c} → {d}"));
        }
        (OtpKind::Totp { .. }, OtpKind::Hotp { .. }) => out.push("type TOTP → HOTP".into()),
        (OtpKind::Hotp { .. }, OtpKind::Totp { .. }) => out.push("type HOTP → TOTP".into()),
        _ => {}
    }
    out
}

/// Whether both phones show the same code at true time `at`, each by its own clock; `None`
/// when either has no code to show.
fn same_code(old: &Phone, a: &AppAccount, new: &Phone, b: &AppAccount, at: u64) -> Option<bool> {
    let code_a = a.otp()?.code_at(old.clock(at)).ok()?;
    let code_b = b.otp()?.code_at(new.clock(at)).ok()?;
    Some(code_a == code_b)
}
