//! `hybridsim migrate add|list`: putting `otpauth://` accounts on the phone in a state file
//! (lenient Key URI parsing, docs/migration.md §2.2) and showing the codes it displays.

use super::{at_or_now, load_or_create, phone_of, read_existing};
use super::{NewPhoneArgs, StateArgs};
use crate::failure::{Failure, Outcome};
use crate::{json, phone_state};
use clap::Args;
use hybridsim_apps::{shown, AppModel};
use hybridsim_export::listing::{account_json, account_line, findings_json};
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
    let rows = shown::add_all(phone, parsed);
    lock.save(&state)?;
    if args.json {
        let added: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "account": account_json(&r.account),
                    "outcome": r.outcome,
                    "findings": findings_json(&r.findings),
                })
            })
            .collect();
        json::print(&json!({ "added": added }));
        return Ok(());
    }
    for row in rows {
        say!("{}: {}", row.outcome, account_line(&row.account));
        for f in &row.findings {
            say!("  finding {}: {f}", f.name());
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
    let rows: Vec<Value> = shown::codes_at(phone, phone_time)
        .map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))?
        .into_iter()
        .map(|row| {
            json!({
                "index": row.index,
                "kind": row.kind,
                "label": row.label,
                "account": row.account.as_ref().map(account_json),
                "code": row.code,
            })
        })
        .collect();
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
