//! How a command fails: one line for the user and the exit code that goes with it.

use hybridsim_files::ReadError;
use hybridsim_pcapng::files::FileError;
use hybridsim_scenario::capture::CaptureError;
use std::fmt;

/// Exit codes shared by every command, so scripts can branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Code {
    /// Well-formed input that does not match what was asked (e.g. a foreign advert).
    NoMatch = 1,
    /// Input that cannot be used: malformed, out of range, unreadable.
    BadInput = 2,
    /// The machine lacks something the command needs (a free port, an adapter, …).
    Environment = 3,
    /// Stopped by Ctrl-C or SIGTERM (after cleaning up, e.g. withdrawing an advert).
    Interrupted = 130,
}

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: Code,
    /// One line saying what was wrong.
    pub message: String,
}

impl Failure {
    fn new(code: Code, message: impl Into<String>) -> Failure {
        let message = message.into();
        Failure { code, message }
    }

    /// Bad input: exit 2.
    pub fn bad_input(message: impl Into<String>) -> Failure {
        Failure::new(Code::BadInput, message)
    }

    /// The environment cannot do what was asked: exit 3.
    pub fn environment(message: impl Into<String>) -> Failure {
        Failure::new(Code::Environment, message)
    }

    /// A valid input that does not match: exit 1.
    pub fn no_match(message: impl Into<String>) -> Failure {
        Failure::new(Code::NoMatch, message)
    }
}

/// What every command returns.
pub type Outcome = Result<(), Failure>;

/// A library's error as the command's failure: the method names the exit code, the error's
/// text is the line (after `what`, for the `_on` forms: the flag or file it came from).
pub trait OrFail<T> {
    /// Exit 2 (bad input), the error's text as the line.
    fn or_bad_input(self) -> Result<T, Failure>;
    /// Exit 2, `{what}: {error}`.
    fn or_bad_input_on(self, what: impl fmt::Display) -> Result<T, Failure>;
    /// Exit 3 (environment), the error's text as the line.
    fn or_environment(self) -> Result<T, Failure>;
}

impl<T, E: fmt::Display> OrFail<T> for Result<T, E> {
    fn or_bad_input(self) -> Result<T, Failure> {
        self.map_err(|e| Failure::bad_input(e.to_string()))
    }

    fn or_bad_input_on(self, what: impl fmt::Display) -> Result<T, Failure> {
        self.map_err(|e| Failure::bad_input(format!("{what}: {e}")))
    }

    fn or_environment(self) -> Result<T, Failure> {
        self.map_err(|e| Failure::environment(e.to_string()))
    }
}

impl From<hybridsim_state::StateError> for Failure {
    /// Another process holding the file past the wait is exit 1 (the input is fine, the
    /// write did not happen); everything else about a state file is exit 2.
    fn from(error: hybridsim_state::StateError) -> Failure {
        match error {
            hybridsim_state::StateError::Busy { .. } => Failure::no_match(error.to_string()),
            _ => Failure::bad_input(error.to_string()),
        }
    }
}

impl From<ReadError> for Failure {
    /// A named file that cannot be used is bad input.
    fn from(error: ReadError) -> Failure {
        Failure::bad_input(error.to_string())
    }
}

impl From<FileError> for Failure {
    /// A key log that is no file to append to is bad input; a write that fails, the machine's.
    fn from(error: FileError) -> Failure {
        match error {
            FileError::KeyLogInput(_) => Failure::bad_input(error.to_string()),
            _ => Failure::environment(error.to_string()),
        }
    }
}

impl From<CaptureError> for Failure {
    /// As for one ceremony's files; a folder that cannot be made is the machine's.
    fn from(error: CaptureError) -> Failure {
        match error {
            CaptureError::File(e) => e.into(),
            _ => Failure::environment(error.to_string()),
        }
    }
}
