//! The values of the flags `Limits` and `CheckOptions` define under the `clap` feature
//! (`hybridsim rp serve`, `hybridsim rp check`): whole numbers, and durations in the unit
//! their flag names.

use clap::builder::{RangedU64ValueParser, TypedValueParser};
use std::time::Duration;

/// A count or a size, at least 1 (0 is refused with clap's range message).
pub(crate) fn count() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..)
}

/// A duration given in milliseconds, at least 1.
pub(crate) fn millis() -> impl TypedValueParser<Value = Duration> {
    clap::value_parser!(u64)
        .range(1..)
        .map(Duration::from_millis)
}

/// A duration given in seconds, at least 1.
pub(crate) fn seconds() -> impl TypedValueParser<Value = Duration> {
    clap::value_parser!(u64).range(1..).map(Duration::from_secs)
}

/// A duration given in seconds where 0 is taken as 1 (`rp check --timeout` has always
/// accepted 0; a request needs some time).
pub(crate) fn seconds_at_least_one() -> impl TypedValueParser<Value = Duration> {
    clap::value_parser!(u64).map(|s| Duration::from_secs(s.max(1)))
}
