//! `hybridsim migrate run`: a whole migration between the phones of two state files
//! (hybridsim-apps' `migrate` and its report; docs/migration.md §5 for what the quirks reproduce).

use super::{load_or_create, parse_quirks, phone_of, read_existing};
use super::{App, NewPhoneArgs};
use crate::failure::{Failure, OrFail, Outcome};
use crate::phone_state;
use clap::Args;
use hybridsim_apps::files;
use std::path::PathBuf;

/// `hybridsim migrate run`
#[derive(Debug, Args)]
#[command(
    after_help = "Exit 0 if every account arrived unchanged, shows the same code and \
    signs in (the report is lossless); 1 if anything was lost or changed; 2 for bad input. \
    STATE_B is written in both the 0 and 1 cases. Quirk names: `hybridsim migrate quirks`."
)]
pub struct RunArgs {
    /// The old phone's state file (read only).
    #[arg(long, value_name = "STATE_A")]
    pub from: PathBuf,
    /// The new phone's state file (created when missing; accounts are added to what it has).
    #[arg(long, value_name = "STATE_B")]
    pub to: PathBuf,
    /// How the accounts move: cloud-backup (Microsoft style), keychain-sync (iCloud
    /// Keychain style), google-transfer (QR codes), aegis-vault or 2fas (files).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(files::MECHANISMS))]
    pub mechanism: String,
    /// Password for the Aegis vault or 2FAS backup (plain file when absent).
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// The recovery account of cloud-backup, or the platform account of keychain-sync.
    #[arg(long, value_name = "ACCOUNT", default_value = "user@example.com")]
    pub account: String,
    /// Switch on a bug (repeatable); app quirks go onto the new phone for this run only.
    #[arg(long, value_name = "NAME")]
    pub quirk: Vec<String>,
    /// True Unix time of the checks (codes compared, sign-ins tried). Default: now.
    #[arg(long, value_name = "UNIX")]
    pub at: Option<u64>,
    /// Seed of the randomness the migration draws (batch ids, keys, salts).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The app on the new phone when STATE_B has none yet (default: the mechanism's app).
    #[arg(long, value_enum, value_name = "APP")]
    pub app: Option<App>,
    /// The passkey profile of a new STATE_B, as `authenticator create --profile`.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Print the report as one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the migration and saves the new phone.
pub fn run(args: &RunArgs) -> Outcome {
    if args.from == args.to {
        return Err(Failure::bad_input(
            "--from and --to must be different files",
        ));
    }
    let quirks = parse_quirks(&args.quirk)?;
    let old_state = read_existing(&args.from)?;
    let old = phone_of(&old_state, &args.from)?;
    let (mechanism, default_app) =
        files::named_mechanism(&args.mechanism, &args.account, args.password.as_deref())
            .ok_or_else(|| Failure::bad_input("--mechanism: no such mechanism"))?;
    let new_args = NewPhoneArgs {
        app: args.app,
        profile: args.profile.clone(),
    };
    let lock = phone_state::lock(&args.to)?;
    let mut new_state = load_or_create(&lock, &new_args, default_app)?;
    let at = crate::clock::at_or_now(args.at)?;
    let report = new_state.with_app(default_app, |new| {
        files::run(&old, new, &mechanism, &quirks, at, args.seed)
    });
    lock.save(&new_state)?;
    match args.json {
        true => crate::json::print(
            &report
                .to_json()
                .or_bad_input_on("cannot serialise the report")?,
        ),
        false => crate::output::lines(report.to_table().lines()),
    }
    report
        .shortfall()
        .map_or(Ok(()), |s| Err(Failure::no_match(s)))
}
