//! Both peers of one ceremony, made to meet over a real tunnel server in this process
//! (`hybridsim ceremony … --tunnel URL`): the desktop asking `command`, the phone answering
//! with `authenticator`, each seeded from the run's seed and its role, both pointed at the
//! server's endpoint. [`run_peers`](super::run_peers) then drives them.

use hybridsim_ctap::Authenticator;
use hybridsim_peers::desktop::{Desktop, DesktopConfig};
use hybridsim_peers::phone::{Phone, PhoneConfig};
use hybridsim_peers::{Millis, TunnelEndpoint};
use sha2::{Digest, Sha256};

/// A peer's 32-byte seed from the run's seed and the peer's role (`desktop`, `phone`).
pub fn peer_seed(seed: u64, role: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"hybridsim ceremony over a tunnel");
    hash.update(seed.to_le_bytes());
    hash.update(role);
    hash.finalize().into()
}

/// The desktop sending `command` with `params`, and the phone serving it with
/// `authenticator`, both using `endpoint`, seeded from `seed`.
pub fn pair(
    endpoint: &TunnelEndpoint,
    request: (u8, Vec<u8>),
    authenticator: Authenticator,
    seed: u64,
) -> (Desktop, Phone) {
    pair_logging(endpoint, request, authenticator, seed, false)
}

/// [`pair`], with both peers logging their key-log secrets when `log_secrets` is set
/// (`--keylog`, `--pcapng`).
pub fn pair_logging(
    endpoint: &TunnelEndpoint,
    (command, params): (u8, Vec<u8>),
    authenticator: Authenticator,
    seed: u64,
    log_secrets: bool,
) -> (Desktop, Phone) {
    let mut desktop = DesktopConfig::new(command, params, peer_seed(seed, b"desktop"));
    desktop.tunnel = Some(endpoint.clone());
    desktop.log_secrets = log_secrets;
    let mut phone = PhoneConfig::new(authenticator, peer_seed(seed, b"phone"));
    phone.tunnel = Some(endpoint.clone());
    phone.log_secrets = log_secrets;
    (Desktop::new(desktop, Millis::ZERO), Phone::new(phone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_by_role_and_run() {
        assert_ne!(peer_seed(1, b"desktop"), peer_seed(1, b"phone"));
        assert_ne!(peer_seed(1, b"phone"), peer_seed(2, b"phone"));
        assert_eq!(peer_seed(7, b"phone"), peer_seed(7, b"phone"));
    }

    #[test]
    fn the_seed_is_the_hash_of_label_seed_and_role() {
        let mut hash = Sha256::new();
        hash.update(b"hybridsim ceremony over a tunnel");
        hash.update(3u64.to_le_bytes());
        hash.update(b"desktop");
        let expected: [u8; 32] = hash.finalize().into();
        assert_eq!(peer_seed(3, b"desktop"), expected);
    }
}
