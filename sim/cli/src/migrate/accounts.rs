//! `hybridsim migrate add|list`: putting `otpauth://` accounts on the phone in a state file
//! (lenient Key URI parsing, docs/migration.md §2.2) and showing the codes it displays.

use super::{load_or_create, phone_of, read_existing};
use super::{NewPhoneArgs, StateArgs};
use crate::failure::{Failure, OrFail, Outcome};
use crate::{json, phone_state};
use clap::Args;
use hybridsim_apps::{shown, shown_listing, AppModel};
use hybridsim_otp::{parse, Mode};

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
        let p = parse(uri, Mode::Lenient).map_err(|e| {
            Failure::bad_input(format!("--uri {}: {e}", hybridsim_proto::echo::shown(uri)))
        })?;
        parsed.push(p);
    }
    let lock = phone_state::lock(path)?;
    let mut state = load_or_create(&lock, &args.new, AppModel::GoogleAuthenticator)?;
    let rows = state.with_app(AppModel::GoogleAuthenticator, |phone| {
        shown::add_all(phone, parsed)
    });
    lock.save(&state)?;
    match args.json {
        true => json::print(&shown_listing::added_json(&rows)),
        false => crate::output::lines(shown_listing::added_lines(&rows)),
    }
    Ok(())
}

/// Lists the phone's accounts with the code each shows at `--at`.
pub fn list(args: &ListArgs) -> Outcome {
    let path = &args.state.state;
    let state = read_existing(path)?;
    let phone = phone_of(&state, path)?;
    let at = crate::clock::at_or_now(args.at)?;
    let phone_time = phone.clock(at);
    let rows = shown::codes_at(&phone, phone_time).or_bad_input_on(path.display())?;
    let app = phone.app.name();
    let place = path.display().to_string();
    match args.json {
        true => json::print(&shown_listing::codes_json(app, at, phone_time, &rows)),
        false => crate::output::lines(shown_listing::codes_lines(
            app, &place, at, phone_time, &rows,
        )),
    }
    Ok(())
}
