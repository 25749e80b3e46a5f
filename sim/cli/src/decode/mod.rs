//! `hybridsim decode …`: turn wire artefacts into fields a person or a script can read.

mod advert;
pub mod args;
mod domain;
mod qr;
pub mod session;
mod url;

pub use advert::qr_secret;
pub use domain::parse_id as domain_id;
pub use qr::from_image as qr_image;

use crate::failure::Outcome;
use args::DecodeCommand;

/// Runs one decode command.
pub fn run(command: DecodeCommand) -> Outcome {
    match command {
        DecodeCommand::Qr(args) => qr::run(&args),
        DecodeCommand::Advert(args) => advert::run(&args),
        DecodeCommand::Domain(args) => domain::run(&args),
        DecodeCommand::Url(args) => url::run(&args),
        DecodeCommand::Session(args) => session::run(&args),
    }
}
