//! `hybridsim`: command-line entry point.
//!
//! This file only parses arguments, runs the command and turns its outcome into an exit
//! code. Exit codes: 0 success, 1 a well-formed input that does not match (e.g. an advert
//! for another QR secret), 2 bad input or usage, 3 the environment lacks something needed.

// Argument docs are `--help` text, printed as written: URLs, `[:PORT]`, `<id>` are literal.
#![allow(
    rustdoc::broken_intra_doc_links,
    rustdoc::bare_urls,
    rustdoc::invalid_html_tags
)]

/// `println!` for results: one line on stdout, without panicking on a closed pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

mod args;
mod authenticator;
mod ble;
mod browser;
mod builtin;
mod capture_args;
mod ceremony;
mod clock;
mod decode;
mod desktop;
mod encode;
mod explore;
mod failure;
mod hex_arg;
mod input;
mod json;
mod matrix;
mod migrate;
mod output;
mod phone;
mod phone_state;
mod real_ble;
mod real_tunnel;
mod rp;
mod rp_check;
mod rp_serve;
mod run;
mod standalone;
mod totp;
mod tunnel;

use clap::Parser;
use rp::args::RpCommand;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Decode(cmd) => decode::run(cmd),
        args::Command::Encode(cmd) => encode::run(cmd),
        args::Command::Tunnel(cmd) => tunnel::run(cmd),
        args::Command::Authenticator(cmd) => authenticator::run(cmd),
        args::Command::Rp(RpCommand::Verify(cmd)) => rp::run(cmd),
        args::Command::Rp(RpCommand::Serve(args)) => rp_serve::serve(&args),
        args::Command::Rp(RpCommand::Check(args)) => rp_check::check(&args),
        args::Command::Ceremony(cmd) => ceremony::run(cmd),
        args::Command::Totp(cmd) => totp::run(cmd),
        args::Command::Desktop(cmd) => desktop::run(cmd),
        args::Command::Phone(args) => phone::run(args),
        args::Command::Migrate(cmd) => migrate::run(cmd),
        args::Command::Ble(cmd) => ble::run(cmd),
        args::Command::Run(cmd) => run::run(cmd),
        args::Command::Matrix(cmd) => matrix::run(cmd),
        args::Command::Explore(args) => explore::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!(
                "hybridsim: {}",
                hybridsim_proto::echo::line(&failure.message)
            );
            ExitCode::from(failure.code as u8)
        }
    }
}
