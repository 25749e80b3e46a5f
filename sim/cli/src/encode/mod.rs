//! `hybridsim encode …`: build hybrid messages from their fields.

mod advert;
mod qr;

use crate::args::EncodeCommand;
use crate::failure::Outcome;

/// Runs one encode command.
pub fn run(command: EncodeCommand) -> Outcome {
    match command {
        EncodeCommand::Qr(args) => qr::run(&args),
        EncodeCommand::Advert(args) => advert::run(&args),
    }
}
