//! The bounds `rp serve` keeps whatever its clients send: how many connections, how long a
//! request may take, how large a body and a user name may be, how long a challenge lives
//! and how many are kept. Each one is a command-line flag of `hybridsim rp serve`: under the
//! `clap` feature [`Limits`] doubles as those flags (each field's doc is its flag's help), and
//! every bound must be at least 1.
//!
//! What each bound does to a client: a connection beyond `max_connections` is answered 503
//! and closed (plain HTTP) or closed at once (TLS), so no thread or task piles up behind it;
//! `request_deadline` covers the whole of one request, so a client trickling its head or body
//! is cut off when it runs out however often it sends a byte; a body over `max_body` is
//! answered 413 without being read; a registration beyond `max_credentials_per_user` is
//! answered 400.

use std::time::Duration;

/// Every bound of the server, with the defaults `rp serve` starts with. The two durations are
/// given on the command line in the units their flags name (milliseconds, seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Limits {
    /// Connections served at once; one more is answered 503 (closed, over TLS).
    #[cfg_attr(feature = "clap", arg(long, value_name = "N", default_value_t = 256,
        value_parser = crate::flags::count()))]
    pub max_connections: usize,
    /// Milliseconds one request may take in all, from the accepted connection (TLS
    /// handshake included) to the last byte of the answer; one request per connection.
    #[cfg_attr(feature = "clap", arg(long = "request-deadline-ms", value_name = "MS",
        default_value = "10000", value_parser = crate::flags::millis()))]
    pub request_deadline: Duration,
    /// Largest request body in bytes; a larger one is answered 413 unread.
    #[cfg_attr(feature = "clap", arg(long, value_name = "BYTES", default_value_t = 64 * 1024,
        value_parser = crate::flags::count()))]
    pub max_body: usize,
    /// Longest username and displayName in bytes; a longer one is answered 400.
    #[cfg_attr(feature = "clap", arg(long, value_name = "BYTES", default_value_t = 256,
        value_parser = crate::flags::count()))]
    pub max_name: usize,
    /// Seconds an issued challenge may be redeemed; older ones are refused and dropped.
    #[cfg_attr(feature = "clap", arg(long, value_name = "S", default_value = "300",
        value_parser = crate::flags::seconds()))]
    pub challenge_ttl: Duration,
    /// Challenges kept at once; issuing one more evicts the oldest.
    #[cfg_attr(feature = "clap", arg(long, value_name = "N", default_value_t = 10_000,
        value_parser = crate::flags::count()))]
    pub max_challenges: usize,
    /// Registered users kept; a registration for one more is answered 503.
    #[cfg_attr(feature = "clap", arg(long, value_name = "N", default_value_t = 10_000,
        value_parser = crate::flags::count()))]
    pub max_users: usize,
    /// Credentials kept per user; one more registration for the user is refused.
    #[cfg_attr(feature = "clap", arg(long, value_name = "N", default_value_t = 16,
        value_parser = crate::flags::count()))]
    pub max_credentials_per_user: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 256,
            request_deadline: Duration::from_secs(10),
            max_body: 64 * 1024,
            max_name: 256,
            challenge_ttl: Duration::from_secs(300),
            max_challenges: 10_000,
            max_users: 10_000,
            max_credentials_per_user: 16,
        }
    }
}

#[cfg(all(test, feature = "clap"))]
mod tests {
    use super::Limits;
    use clap::Parser;
    use std::time::Duration;

    /// `hybridsim rp serve`'s bounds, flattened as the binary has them.
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        limits: Limits,
    }

    #[test]
    fn no_flags_give_the_default_limits() -> Result<(), clap::Error> {
        let parsed = Wrapper::try_parse_from(["serve"])?;
        assert_eq!(parsed.limits, Limits::default());
        Ok(())
    }

    #[test]
    fn durations_are_read_in_their_flags_units() -> Result<(), clap::Error> {
        let flags = [
            "serve",
            "--request-deadline-ms",
            "1500",
            "--challenge-ttl",
            "7",
        ];
        let parsed = Wrapper::try_parse_from(flags)?;
        assert_eq!(parsed.limits.request_deadline, Duration::from_millis(1500));
        assert_eq!(parsed.limits.challenge_ttl, Duration::from_secs(7));
        Ok(())
    }

    #[test]
    fn every_bound_is_at_least_one() {
        for flag in [
            "--max-connections",
            "--request-deadline-ms",
            "--max-body",
            "--max-name",
            "--challenge-ttl",
            "--max-challenges",
            "--max-users",
            "--max-credentials-per-user",
        ] {
            let parsed = Wrapper::try_parse_from(["serve", flag, "0"]);
            assert!(parsed.is_err(), "{flag} 0 was accepted");
        }
    }
}
