//! Fault rules: every radio and network message passes the installed rules in order; the
//! first verdict that is not [`Verdict::Pass`] decides (turmoil-net's rule shape).

use hybridsim_proto::time::Millis;

/// Which medium a message travels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    /// A BLE advert from a phone to a desktop.
    Radio,
    /// A WebSocket message between an actor and the tunnel server.
    Network,
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
    /// How many messages this sender has sent on this medium before this one.
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
}

/// A fault rule.
pub trait Rule {
    /// The rule's name, for traces.
    fn name(&self) -> &str;
    /// The verdict on one message.
    fn on_message(&mut self, message: &InFlight<'_>) -> Verdict;
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
