//! credProps (WebAuthn L3 §10.1.3): a client extension only. The authenticator receives no
//! input and returns no output; the client derives `credProps.rk` from what it asked for.
//!
//! CTAP guarantees a discoverable credential when makeCredential's option "rk" is true (or an
//! error). When rk was not requested the client cannot know: a phone that stores every
//! credential as discoverable (profile `always_discoverable`) makes one anyway, and WebAuthn
//! asks the client to leave `rk` out when it cannot tell.

/// The `credProps.rk` a client can report for a makeCredential sent with option "rk" =
/// `requested_rk`: `Some(true)` when requested, `None` (omit the member) otherwise.
pub fn client_rk_output(requested_rk: bool) -> Option<bool> {
    requested_rk.then_some(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rk_is_reported_only_when_requested() {
        assert_eq!(super::client_rk_output(true), Some(true));
        assert_eq!(super::client_rk_output(false), None);
    }
}
