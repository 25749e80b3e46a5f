//! `hybridsim encode …`: build hybrid messages from their fields.

mod advert;
pub mod args;
mod qr;

use crate::failure::Outcome;
use args::EncodeCommand;

/// Runs one encode command.
pub fn run(command: EncodeCommand) -> Outcome {
    match command {
        EncodeCommand::Qr(args) => qr::run(&args),
        EncodeCommand::Advert(args) => advert::run(&args),
    }
}
