//! `hybridsim migrate add|list`: putting `otpauth://` accounts on the phone in a state file
//! (lenient Key URI parsing, docs/migration.md §2.2) and showing the codes it displays.

use super::{at_or_now, load_or_create, phone_of, read_existing};
use super::{NewPhoneArgs, StateArgs};
use crate::failure::{Failure, Outcome};
use crate::{json, phone_state};
use clap::Args;
use hybridsim_apps::phone::Added;
use hybridsim_apps::{AppAccount, AppModel};
use hybridsim_export::listing::{account_json, account_line};
use hybridsim_otp::{parse, Mode};
use serde_json::{json, Value};

/// `hybridsim migrate add`
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The state file.
    #[command(flatten)]
    pub state: StateArgs,
    /// The account as a Key URI, e.g. 'otpauth://totp/Example:alice?secret=…&issuer=Example'
    /// (quote it; repeat for several). Parsed leniently, as real apps do: lower-case or
    /// spaced secrets, issuer in one place only, … are accepted and listed as findings.
    #[arg(long, value_name = "URI", required = true)]
    pub uri: Vec<String>,
    /// The app and, for a new file, its profile.
    #[command(flatten)]
    pub new: NewPhoneArgs,
    /// Print one JSON object ({"added": [{account, outcome, findings}]}) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `hybridsim migrate list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The state file.
    #[command(flatten)]
    pub state: StateArgs,
    /// The true time, Unix seconds, at which to show TOTP codes (default: now). The phone's
    /// own clock offset, if it has one, is applied on top.
    #[arg(long, value_name = "UNIX")]
    pub at: Option<u64>,
    /// Print one JSON object ({"app", "at", "accounts": [{index, kind, label, account,
    /// code}]}) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Adds each URI's account, all or nothing: the state is saved only when every URI parsed.
pub fn add(args: &AddArgs) -> Outcome {
    let path = &args.state.state;
    let mut parsed = Vec::new();
    for uri in &args.uri {
        let p = parse(uri, Mode::Lenient)
            .map_err(|e| Failure::bad_input(format!("--uri {}: {e}", crate::echo::shown(uri))))?;
        parsed.push(p);
    }
    let lock = phone_state::lock(path)?;
    let mut state = load_or_create(&lock, &args.new, AppModel::GoogleAuthenticator)?;
    let Some(phone) = state.phone.as_mut() else {
        return Err(Failure::bad_input("internal: no phone after creating it"));
    };
    let mut rows = Vec::new();
    for p in parsed {
        let line = account_line(&p.account);
        let value = account_json(&p.account);
        let outcome = match phone.add(AppAccount::Otp(p.account), true) {
            Added::Added => "added".to_owned(),
            Added::AlreadyPresent => "already present".to_owned(),
            Added::Replaced(old) => format!("replaced {old}"),
            Added::MergedInto(kept) => format!("merged into {kept}"),
        };
        let findings: Vec<Value> = p
            .findings
            .iter()
            .map(|f| json!({"name": f.name(), "explanation": f.to_string()}))
            .collect();
        rows.push((line, value, outcome, findings));
    }
    lock.save(&state)?;
    if args.json {
        let added: Vec<Value> = rows
            .into_iter()
            .map(|(_, account, outcome, findings)| {
                json!({"account": account, "outcome": outcome, "findings": findings})
            })
            .collect();
        json::print(&json!({ "added": added }));
        return Ok(());
    }
    for (line, _, outcome, findings) in rows {
        say!("{outcome}: {line}");
        for f in findings {
            say!(
                "  finding {}: {}",
                f.get("name").and_then(Value::as_str).unwrap_or_default(),
                f.get("explanation")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// Lists the phone's accounts with the code each shows at `--at`.
pub fn list(args: &ListArgs) -> Outcome {
    let path = &args.state.state;
    let state = read_existing(path)?;
    let phone = phone_of(&state, path)?;
    let at = at_or_now(args.at)?;
    let phone_time = phone.clock(at);
    let mut rows = Vec::new();
    for (index, account) in phone.accounts.iter().enumerate() {
        let otp = account.otp();
        let code = match otp {
            Some(otp) => Some(otp.code_at(phone_time).map_err(|e| {
                Failure::bad_input(format!(
                    "{}: account {} ({}) has no code: {e}",
                    path.display(),
                    index + 1,
                    account.label()
                ))
            })?),
            None => None,
        };
        rows.push(json!({
            "index": index + 1,
            "kind": account.kind_name(),
            "label": account.label(),
            "account": otp.map(account_json),
            "code": code,
        }));
    }
    if args.json {
        json::print(&json!({
            "app": phone.app.name(),
            "at": at,
            "phone_time": phone_time,
            "accounts": rows,
        }));
        return Ok(());
    }
    say!(
        "{} on {}, codes at {at}{}",
        phone.app.name(),
        path.display(),
        if phone_time == at {
            String::new()
        } else {
            format!(" (the phone's clock says {phone_time})")
        }
    );
    for row in &rows {
        say!(
            "{:>3}  {:<10}  {:<8}  {}",
            row.get("index").and_then(Value::as_u64).unwrap_or_default(),
            row.get("code").and_then(Value::as_str).unwrap_or("-"),
            row.get("kind").and_then(Value::as_str).unwrap_or_default(),
            row.get("label").and_then(Value::as_str).unwrap_or_default()
        );
    }
    Ok(())
}
