//! The wall clock, read in one place: commands that depend on the time take it as an
//! argument (`--at`, `--now`) for reproducible runs, and read the clock only when it is left out.

use crate::failure::Failure;

/// `at` when given, else the current Unix time in seconds (a clock before 1970 is an error:
/// codes or validity checks made from it would be meaningless).
pub fn at_or_now(at: Option<u64>) -> Result<u64, Failure> {
    match at {
        Some(at) => Ok(at),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|e| Failure::environment(format!("the system clock is before 1970: {e}"))),
    }
}
