//! TOTP (RFC 6238; docs/migration.md §1.2): HOTP with the counter T = floor((unix − T0) / period).
//!
//! Times are `u64` Unix seconds, so T keeps going past 2^32 (RFC 6238 §4.2 asks for that; its
//! last test time is the year 2603).

use crate::account::{Algorithm, OtpAccount, OtpKind};
use crate::hotp::{hotp, OtpError};

/// The time step number T at `unix_seconds`.
pub fn step(unix_seconds: u64, period: u32, t0: u64) -> Result<u64, OtpError> {
    if period == 0 {
        return Err(OtpError::ZeroPeriod);
    }
    let since = unix_seconds
        .checked_sub(t0)
        .ok_or(OtpError::BeforeT0 { unix_seconds, t0 })?;
    Ok(since / u64::from(period))
}

/// The TOTP code at `unix_seconds`.
pub fn totp(
    secret: &[u8],
    unix_seconds: u64,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    t0: u64,
) -> Result<String, OtpError> {
    hotp(secret, step(unix_seconds, period, t0)?, algorithm, digits)
}

impl OtpAccount {
    /// The code the app shows at `unix_seconds`: TOTP at that time (T0 = 0), HOTP at the
    /// account's counter (the time is then irrelevant).
    pub fn code_at(&self, unix_seconds: u64) -> Result<String, OtpError> {
        match self.kind {
            OtpKind::Totp { period } => totp(
                &self.secret,
                unix_seconds,
                self.algorithm,
                self.digits,
                period,
                0,
            ),
            OtpKind::Hotp { counter } => hotp(&self.secret, counter, self.algorithm, self.digits),
        }
    }

    /// The code for an explicit counter or time step, whatever the account kind.
    pub fn code_for_step(&self, step: u64) -> Result<String, OtpError> {
        hotp(&self.secret, step, self.algorithm, self.digits)
    }

    /// The counter the next code uses: the TOTP step at `unix_seconds` (T0 = 0), or the HOTP
    /// counter.
    pub fn current_step(&self, unix_seconds: u64) -> Result<u64, OtpError> {
        match self.kind {
            OtpKind::Totp { period } => step(unix_seconds, period, 0),
            OtpKind::Hotp { counter } => Ok(counter),
        }
    }

    /// Seconds until the TOTP code changes after `unix_seconds`; `None` for HOTP.
    pub fn seconds_left(&self, unix_seconds: u64) -> Result<Option<u32>, OtpError> {
        match self.kind {
            OtpKind::Totp { period: 0 } => Err(OtpError::ZeroPeriod),
            OtpKind::Totp { period } => {
                let into = unix_seconds % u64::from(period);
                Ok(Some(period - u32::try_from(into).unwrap_or(0)))
            }
            OtpKind::Hotp { .. } => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_zero_is_an_error_not_a_division() {
        assert_eq!(step(100, 0, 0), Err(OtpError::ZeroPeriod));
        assert_eq!(
            totp(b"k", 100, Algorithm::Sha1, 6, 0, 0),
            Err(OtpError::ZeroPeriod)
        );
    }

    #[test]
    fn times_before_t0_are_errors() {
        assert_eq!(
            step(99, 30, 100),
            Err(OtpError::BeforeT0 {
                unix_seconds: 99,
                t0: 100
            })
        );
        assert_eq!(step(100, 30, 100), Ok(0));
        assert_eq!(step(129, 30, 100), Ok(0));
        assert_eq!(step(130, 30, 100), Ok(1));
    }

    #[test]
    fn steps_beyond_32_bits() {
        assert_eq!(step(u64::MAX, 1, 0), Ok(u64::MAX));
        assert_eq!(step(20_000_000_000, 30, 0), Ok(0x27BC_86AA));
    }

    #[test]
    fn seconds_left_counts_down_to_the_next_step() {
        let account = OtpAccount {
            issuer: String::new(),
            name: "a".into(),
            secret: vec![1; 20],
            algorithm: Algorithm::Sha1,
            digits: 6,
            kind: OtpKind::Totp { period: 30 },
        };
        assert_eq!(account.seconds_left(60), Ok(Some(30)));
        assert_eq!(account.seconds_left(89), Ok(Some(1)));
        assert_eq!(account.current_step(89), Ok(2));
    }
}
