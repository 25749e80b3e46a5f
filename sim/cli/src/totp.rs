//! `hybridsim totp …`: codes from an `otpauth://` URI and a report of how strictly it parses
//! (hybridsim-otp; docs/migration.md §2).

use crate::failure::{Failure, OrFail, Outcome};
use crate::json;
use clap::{Args, Subcommand};
use hybridsim_export::strictness;
use hybridsim_otp::inspect::{self, CodeError, Strictness, Verdict};

/// `hybridsim totp …`
#[derive(Debug, Subcommand)]
pub enum TotpCommand {
    /// Print the code an authenticator app shows for an otpauth:// URI (TOTP at a given time,
    /// HOTP at the URI's counter).
    Code(CodeArgs),
    /// Parse an otpauth:// URI strictly and leniently and list every deviation from the strict
    /// form. Exit 0 if the strict parse accepts it, 1 if only the lenient one does, 2 if
    /// neither.
    Check(CheckArgs),
}

/// `hybridsim totp code`
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// The Key URI, e.g. 'otpauth://totp/Example:alice?secret=…&issuer=Example' (quote it).
    #[arg(long, value_name = "URI")]
    pub uri: String,
    /// The time in Unix seconds; needed for TOTP (the tool never reads the clock), ignored
    /// for HOTP.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub at: Option<u64>,
    /// Refuse (exit 2, naming the finding) what only forgiving apps accept (lower-case or
    /// spaced secrets, a secret under 128 bits, issuer only in one place, …). By default
    /// the URI is read as real apps (Aegis, GA Android) read it and every finding is printed
    /// (on stderr, or in the JSON).
    #[arg(long)]
    pub strict: bool,
    /// Accepted for compatibility and does nothing: reading as real apps do is the default
    /// now (see --strict).
    #[arg(long, conflicts_with = "strict")]
    pub lenient: bool,
    /// Print one JSON object (code, step, account parameters, findings) instead of the code.
    #[arg(long)]
    pub json: bool,
}

/// `hybridsim totp check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The Key URI to check (quote it).
    #[arg(long, value_name = "URI")]
    pub uri: String,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Runs one `totp` command.
pub fn run(command: TotpCommand) -> Outcome {
    match command {
        TotpCommand::Code(args) => code(&args),
        TotpCommand::Check(args) => check(&args),
    }
}

fn code(args: &CodeArgs) -> Outcome {
    let shown = inspect::code(&args.uri, args.strict, args.at).map_err(|e| match e {
        CodeError::NeedsTime => Failure::bad_input("--at UNIX_SECONDS is needed for a TOTP URI"),
        e => Failure::bad_input(format!("--uri: {e}")),
    })?;
    let findings = &shown.parsed.findings;
    if args.json {
        json::print(&strictness::code_json(&shown));
    } else {
        say!("{}", shown.code);
        // On stderr, so that stdout stays the code alone for scripts.
        for finding in findings {
            eprintln!("hybridsim: finding {}: {finding}", finding.name());
        }
    }
    Ok(())
}

fn check(args: &CheckArgs) -> Outcome {
    let both = Strictness::of(&args.uri);
    let verdict = both.verdict();
    let lenient = &both.lenient;
    match args.json {
        true => json::print(&strictness::to_json(&both)),
        false => crate::output::lines(strictness::to_lines(&both)),
    }
    match verdict {
        Verdict::Strict => Ok(()),
        Verdict::LenientOnly => Err(Failure::no_match(
            "only the lenient parse accepts this URI; strict readers (pyotp, totp-rs) refuse it",
        )),
        // Refused means the lenient parse failed too: its error is the line.
        Verdict::Refused => lenient.as_ref().map(drop).or_bad_input_on("--uri"),
    }
}
