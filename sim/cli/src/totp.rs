//! `hybridsim totp …`: codes from an `otpauth://` URI and a report of how strictly it parses
//! (hybridsim-otp; docs/migration.md §2).

use crate::failure::{Failure, Outcome};
use crate::json;
use clap::{Args, Subcommand};
use hybridsim_otp::{parse, Finding, Mode, OtpAccount, OtpKind, ParsedUri, UriError};
use serde_json::{json, Value};

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

fn findings_json(findings: &[Finding]) -> Value {
    findings
        .iter()
        .map(|f| json!({"name": f.name(), "explanation": f.to_string()}))
        .collect()
}

fn account_json(account: &OtpAccount) -> Value {
    let (key, number) = match account.kind {
        OtpKind::Totp { period } => ("period", u64::from(period)),
        OtpKind::Hotp { counter } => ("counter", counter),
    };
    let mut value = serde_json::Map::new();
    value.insert("issuer".into(), json!(account.issuer));
    value.insert("name".into(), json!(account.name));
    value.insert("algorithm".into(), json!(account.algorithm.name()));
    value.insert("digits".into(), json!(account.digits));
    value.insert("secret_bits".into(), json!(account.secret.len() * 8));
    value.insert(key.into(), json!(number));
    Value::Object(value)
}

fn code(args: &CodeArgs) -> Outcome {
    // Strict fails exactly when the lenient reading has findings, and names them all.
    let mode = if args.strict {
        Mode::Strict
    } else {
        Mode::Lenient
    };
    let parsed = parse(&args.uri, mode).map_err(|e| Failure::bad_input(format!("--uri: {e}")))?;
    let account = &parsed.account;
    let at = match (account.kind, args.at) {
        (OtpKind::Totp { .. }, None) => {
            return Err(Failure::bad_input(
                "--at UNIX_SECONDS is needed for a TOTP URI",
            ))
        }
        (_, at) => at.unwrap_or(0),
    };
    let code = account
        .code_at(at)
        .map_err(|e| Failure::bad_input(format!("--uri: {e}")))?;
    if args.json {
        let step = account
            .current_step(at)
            .map_err(|e| Failure::bad_input(format!("--uri: {e}")))?;
        let at = matches!(account.kind, OtpKind::Totp { .. }).then_some(at);
        json::print(&json!({
            "code": code,
            "step": step,
            "at": at,
            "account": account_json(account),
            "findings": findings_json(&parsed.findings),
        }));
    } else {
        say!("{code}");
        // On stderr, so that stdout stays the code alone for scripts.
        for finding in &parsed.findings {
            eprintln!("hybridsim: finding {}: {finding}", finding.name());
        }
    }
    Ok(())
}

fn check(args: &CheckArgs) -> Outcome {
    let strict = parse(&args.uri, Mode::Strict);
    let lenient = parse(&args.uri, Mode::Lenient);
    let strict_error = match &strict {
        Err(UriError::NotStrict { .. }) => Some("refused: see the findings".to_owned()),
        Err(e) => Some(e.to_string()),
        Ok(_) => None,
    };
    let verdict = match (&strict, &lenient) {
        (Ok(_), _) => "strict",
        (Err(_), Ok(_)) => "lenient-only",
        (Err(_), Err(_)) => "refused",
    };
    if args.json {
        json::print(&json!({
            "verdict": verdict,
            "strict": {"accepted": strict.is_ok(), "error": strict_error},
            "lenient": {
                "accepted": lenient.is_ok(),
                "error": lenient.as_ref().err().map(ToString::to_string),
                "findings": lenient.as_ref().map(|p| findings_json(&p.findings)).unwrap_or(json!([])),
            },
            "account": lenient.as_ref().ok().map(|p| account_json(&p.account)),
            "label_issuer": lenient.as_ref().ok().and_then(|p| p.label_issuer.clone()),
            "param_issuer": lenient.as_ref().ok().and_then(|p| p.param_issuer.clone()),
        }));
    } else {
        print_check(strict_error.as_deref(), &lenient);
    }
    match verdict {
        "strict" => Ok(()),
        "lenient-only" => Err(Failure::no_match(
            "only the lenient parse accepts this URI; strict readers (pyotp, totp-rs) refuse it",
        )),
        _ => Err(Failure::bad_input(format!(
            "--uri: {}",
            lenient.err().map(|e| e.to_string()).unwrap_or_default()
        ))),
    }
}

fn print_check(strict_error: Option<&str>, lenient: &Result<ParsedUri, UriError>) {
    match strict_error {
        None => say!("strict: accepted"),
        Some(e) => say!("strict: {e}"),
    }
    match lenient {
        Ok(parsed) => {
            say!("lenient: accepted, {} finding(s)", parsed.findings.len());
            for f in &parsed.findings {
                say!("  {}: {f}", f.name());
            }
            let a = &parsed.account;
            let kind = match a.kind {
                OtpKind::Totp { period } => format!("TOTP period {period}"),
                OtpKind::Hotp { counter } => format!("HOTP counter {counter}"),
            };
            say!(
                "account: issuer {:?}, name {:?}, {}, {} digits, {kind}, {}-bit secret",
                a.issuer,
                a.name,
                a.algorithm.name(),
                a.digits,
                a.secret.len() * 8
            );
        }
        Err(e) => say!("lenient: {e}"),
    }
}
