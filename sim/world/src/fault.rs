//! Fault rules: every radio, camera and network message passes the installed rules in order;
//! the first verdict that is not [`Verdict::Pass`] decides (turmoil-net's rule shape).
//! Connection rules ([`ConnectRule`]) see the WebSocket upgrades instead: the request before
//! the tunnel server judges it, and the response headers before the actor reads them.
//!
//! The named faults a test author picks from are in [`crate::faults`]; they are built from
//! these rules and from peer configuration.

use hybridsim_peers::PeerEvent;
use hybridsim_proto::time::Millis;
use hybridsim_tunnel::ConnectionRequest;

/// Which medium a message travels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    /// A BLE advert from a phone to a desktop (`index`: the advert's generation).
    Radio,
    /// A WebSocket message from an actor to the tunnel server (`to` is "tunnel"; `index`:
    /// how many messages the sender sent before).
    Network,
    /// A WebSocket message from the tunnel server to an actor, as relayed (`from` is
    /// "tunnel"; `index`: how many messages the tunnel relayed to that actor before).
    Relay,
    /// The text of a QR code on its way from a desktop's screen to a phone's camera
    /// (`index`: how many codes that camera read before).
    Camera,
}

/// A message about to be delivered, as a rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight<'a> {
    /// The medium.
    pub medium: Medium,
    /// Sender's name.
    pub from: &'a str,
    /// Receiver's name.
    pub to: &'a str,
    /// A per-medium count of earlier messages (see [`Medium`]).
    pub index: u64,
    /// The bytes.
    pub data: &'a [u8],
    /// The current virtual time.
    pub now: Millis,
}

/// What a rule does with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Let the next rule decide (or deliver normally).
    Pass,
    /// Lose it.
    Drop,
    /// Deliver it this many milliseconds late.
    Delay(u64),
    /// Deliver these bytes instead.
    Replace(Vec<u8>),
    /// Deliver it twice.
    Duplicate,
    /// Deliver these messages, in this order, instead (a split message, an extra message
    /// slipped in before or after it).
    Many(Vec<Vec<u8>>),
    /// Deliver it as a text WebSocket frame (network and relay only; elsewhere the same
    /// as [`Verdict::Pass`]). On the way to the tunnel server the server closes the sender
    /// with 1003; on the way to an actor the actor sees `TextMessage`.
    Text,
    /// Hold it back and deliver it right after the next message relayed to the same
    /// receiver: a reordering (relay only; elsewhere the same as [`Verdict::Pass`]). A held
    /// message whose receiver gets nothing more is lost.
    Hold,
}

/// A fault rule.
pub trait Rule {
    /// The rule's name, for traces.
    fn name(&self) -> &str;
    /// The verdict on one message.
    fn on_message(&mut self, message: &InFlight<'_>) -> Verdict;
    /// Sees every note an actor emits, secret ones included (a rule that forges messages
    /// learns keys here, as an attacker holding them would). Default: ignores them.
    fn observe(&mut self, actor: &str, event: &PeerEvent) {
        let _ = (actor, event);
    }
}

/// A rule from a name and a closure, for tests and scenario files.
pub struct FnRule<F> {
    name: String,
    f: F,
}

impl<F: FnMut(&InFlight<'_>) -> Verdict> FnRule<F> {
    /// Wraps `f` as a rule called `name`.
    pub fn new(name: &str, f: F) -> FnRule<F> {
        FnRule {
            name: name.to_owned(),
            f,
        }
    }
}

impl<F: FnMut(&InFlight<'_>) -> Verdict> Rule for FnRule<F> {
    fn name(&self) -> &str {
        &self.name
    }

    fn on_message(&mut self, message: &InFlight<'_>) -> Verdict {
        (self.f)(message)
    }
}

/// A rule on WebSocket upgrades. Every installed rule sees every upgrade, in order.
pub trait ConnectRule {
    /// The rule's name, for traces.
    fn name(&self) -> &str;
    /// May rewrite the upgrade request of `actor`'s `index`-th connection attempt in the
    /// world (counted over all actors, from 0) before the tunnel server judges it. Returns
    /// whether it changed anything.
    fn on_request(&mut self, actor: &str, index: u64, request: &mut ConnectionRequest) -> bool {
        let _ = (actor, index, request);
        false
    }
    /// May rewrite the headers of an accepted upgrade (lower-case names) before `actor`
    /// reads them. Returns whether it changed anything.
    fn on_accept(&mut self, actor: &str, index: u64, headers: &mut Vec<(String, String)>) -> bool {
        let _ = (actor, index, headers);
        false
    }
}
