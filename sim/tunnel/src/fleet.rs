//! Routing ids that name the fleet instance owning them.
//!
//! Behind a load balancer, `/cable/new` may land on any instance, which answers with its own
//! routing id; the phone puts that id in its advert and the desktop's
//! `/cable/connect/{routing id}/{tunnel id}` must then reach the same instance, since only it
//! holds the tunnel. The balancer can only do that if the id says which instance it is.
//!
//! The layout of a fleet routing id (3 bytes, sent as 6 upper-case hex digits):
//!
//! | byte | meaning |
//! |---|---|
//! | 0 | [`FLEET_PREFIX`], `0x2A` |
//! | 1-2 | the instance number, big-endian (0 to 65,535) |
//!
//! Instance 0 is `2A0000`, Chromium's mock server's id and the single server's default
//! ([`DEFAULT_ROUTING_ID`]): a lone server and instance 0 of a fleet answer byte for byte
//! alike. Instance 1 is `2A0001`, instance 258 `2A0102`. A balancer matches the path segment
//! against these fixed strings (`deploy/nginx/` does it with an nginx `map`); ids with another
//! first byte are not a fleet's, and [`routing_instance`] says so.
//!
//! The ids are not secret and need not be: the tunnel id (16 bytes derived from the QR
//! secret) is what keeps a stranger out of a tunnel, not the routing id.

#[cfg(doc)]
use crate::config::DEFAULT_ROUTING_ID;

/// The first byte of every fleet routing id: `0x2A`, the first byte of Chromium's `2A0000`.
pub const FLEET_PREFIX: u8 = 0x2A;

/// The routing id of fleet instance `instance`: [`FLEET_PREFIX`], then the number in two
/// big-endian bytes. `instance_routing_id(0)` is the single server's default `2A0000`.
pub fn instance_routing_id(instance: u16) -> [u8; 3] {
    let [high, low] = instance.to_be_bytes();
    [FLEET_PREFIX, high, low]
}

/// The instance a fleet routing id names, or `None` when its first byte is not
/// [`FLEET_PREFIX`] (an id given by hand with `--routing-id`, or another fleet's).
pub fn routing_instance(routing_id: [u8; 3]) -> Option<u16> {
    match routing_id {
        [FLEET_PREFIX, high, low] => Some(u16::from_be_bytes([high, low])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_ROUTING_ID;
    use crate::Hex;

    #[test]
    fn instance_zero_is_the_single_servers_default() {
        assert_eq!(instance_routing_id(0), DEFAULT_ROUTING_ID);
        assert_eq!(routing_instance(DEFAULT_ROUTING_ID), Some(0));
    }

    #[test]
    fn the_instance_number_is_big_endian_after_the_prefix() {
        assert_eq!(Hex(&instance_routing_id(1)).to_string(), "2A0001");
        assert_eq!(Hex(&instance_routing_id(258)).to_string(), "2A0102");
        assert_eq!(Hex(&instance_routing_id(u16::MAX)).to_string(), "2AFFFF");
    }

    #[test]
    fn every_instance_round_trips_and_other_prefixes_are_not_a_fleets() {
        for instance in 0..=u16::MAX {
            assert_eq!(
                routing_instance(instance_routing_id(instance)),
                Some(instance)
            );
        }
        assert_eq!(routing_instance([0x0A, 0x0B, 0x0C]), None);
        assert_eq!(routing_instance([0x2B, 0x00, 0x01]), None);
    }
}
