//! A synthesised tunnel from both hops of every message ([`Hop`]): what each side sent to
//! the server and what the server delivered to each side, so a fault that changed a message
//! in transit (truncated, duplicated, reordered, dropped) shows in the capture. A delivered
//! message that is not one of those sent says so in its comment.

use crate::capture::Event;
use crate::session::{DESKTOP, PHONE, SERVER};
use crate::tcp::{Direction, Endpoints};
use hybridsim_session::decrypt::DecryptedSession;
use hybridsim_session::messages::{Side, WireMessage};

/// One message on one of the two connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// Whose connection: the desktop's or the phone's.
    pub side: Side,
    /// Sent by `side` to the server (else delivered by the server to `side`).
    pub to_server: bool,
    /// The bytes on that connection.
    pub bytes: Vec<u8>,
}

/// `events` (a synthesised session) with its messages replaced by `hops`, the closes kept
/// last; the comments are the decoded messages' (`decoded` follows `messages`).
pub(crate) fn replace_messages(
    events: Vec<Event>,
    hops: &[Hop],
    messages: &[WireMessage],
    decoded: &DecryptedSession,
) -> Vec<Event> {
    let (mut out, closes): (Vec<Event>, Vec<Event>) = events
        .into_iter()
        .filter(|e| !matches!(e, Event::Message { .. }))
        .partition(|e| !matches!(e, Event::Close { .. }));
    let mut at = out.iter().map(Event::at_ns).max().unwrap_or(0);
    let comment = |i: usize| decoded.messages.get(i).map(|m| m.comment());
    let (mut from_desktop, mut from_phone) = (0, 0);
    for hop in hops {
        at += 1_000_000;
        let index = if hop.to_server {
            let k = match hop.side {
                Side::Desktop => &mut from_desktop,
                Side::Phone => &mut from_phone,
            };
            *k += 1;
            nth_from(messages, hop.side, *k - 1)
        } else {
            messages.iter().position(|m| m.bytes == hop.bytes)
        };
        let text = match index {
            Some(i) => comment(i),
            None if hop.to_server => None,
            None => Some("hybrid: delivered bytes that no side sent (changed in transit)".into()),
        };
        let client = if hop.side == Side::Desktop {
            DESKTOP
        } else {
            PHONE
        };
        out.push(Event::Message {
            at_ns: at,
            endpoints: Endpoints {
                client,
                server: SERVER,
            },
            direction: if hop.to_server {
                Direction::ClientToServer
            } else {
                Direction::ServerToClient
            },
            payload: hop.bytes.clone(),
            comment: text,
        });
    }
    for mut close in closes {
        at += 1_000_000;
        if let Event::Close { at_ns, .. } = &mut close {
            *at_ns = at;
        }
        out.push(close);
    }
    out
}

/// The index in `messages` of the `k`-th (0-based) message from `from`.
fn nth_from(messages: &[WireMessage], from: Side, k: usize) -> Option<usize> {
    messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.from == from)
        .nth(k)
        .map(|(i, _)| i)
}
