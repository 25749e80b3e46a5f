//! Messages sent back to back: the `relay/boundaries` case, which stays within what hybrid
//! traffic does, and the informational `relay/burst-depth`, which finds how deep a burst the
//! server takes.
//!
//! The two are apart on purpose. A server may bound what it holds for a peer that has not
//! read yet (webauthn-rs' backend queues 6 messages per direction and closes a sender that
//! overflows the queue), and a burst deeper than that passes or fails by how the server's
//! tasks happen to interleave with the sender's writes. Hybrid peers never send more than
//! two messages before they wait for an answer, so a conformance case has no business
//! going further; the depth is worth knowing, though, so it is measured on its own, with
//! the whole burst in one write so that the server reads it at once and the result does not
//! depend on timing.

use super::case::Verdict;

use super::probe::{pattern, Event, Probe};

/// Messages `relay/boundaries` sends back to back. The most one side of a hybrid
/// transaction sends before it waits for the other is two (the phone's handshake reply and
/// post-handshake message; its CTAP reply and linking update, docs/protocol.md §8); three
/// leaves a margin and stays within the smallest queue known (webauthn-rs: 6).
pub const HYBRID_BURST: usize = 3;

/// Messages `relay/burst-depth` sends in one write: the per-peer message cap of webauthn-rs'
/// server and ours, so no server refuses the burst for its length alone.
pub const DEPTH_PROBE: usize = 16;

/// 1, 81 and 1000 bytes arrive as sent, each way; [`HYBRID_BURST`] messages sent back to
/// back (sizes of real traffic) arrive as sent.
pub(super) async fn boundaries(probe: Probe) -> Result<Verdict, String> {
    let mut pair = probe.pair().await?;
    for len in [1usize, 81, 1000] {
        let down = pattern(1, len);
        let up = pattern(2, len);
        probe.send(&mut pair.desktop, &down).await?;
        probe.send(&mut pair.phone, &up).await?;
        let what = format!("{len} B from the desktop");
        probe
            .expect_binary(&mut pair.phone, "phone", &what, &down)
            .await?;
        let what = format!("{len} B from the phone");
        probe
            .expect_binary(&mut pair.desktop, "desktop", &what, &up)
            .await?;
    }
    let burst: Vec<Vec<u8>> = [81usize, 272, 1008]
        .iter()
        .enumerate()
        .map(|(i, len)| pattern(i as u8 * 60, *len))
        .collect();
    for message in &burst {
        probe.send(&mut pair.phone, message).await?;
    }
    for (i, message) in burst.iter().enumerate() {
        let what = format!(
            "back-to-back message {} of {HYBRID_BURST} ({} B)",
            i + 1,
            message.len()
        );
        probe
            .expect_binary(&mut pair.desktop, "desktop", &what, message)
            .await?;
    }
    Ok(Verdict::pass(format!(
        "1, 81, 1000 B each way as sent; {HYBRID_BURST} back-to-back messages arrived as {HYBRID_BURST}"
    )))
}

/// [`DEPTH_PROBE`] messages from the phone in one write, read by the desktop only once all
/// are sent: how many arrive before the server gives up. Informational (it never fails a
/// server for its depth), except that a message arriving altered or out of place fails.
pub(super) async fn burst_depth(probe: Probe) -> Result<Verdict, String> {
    let mut pair = probe.pair().await?;
    let burst: Vec<Vec<u8>> = (0..DEPTH_PROBE)
        .map(|i| pattern(i as u8 * 16, 48 + i))
        .collect();
    probe.send_burst(&mut pair.phone, &burst).await?;
    for (i, message) in burst.iter().enumerate() {
        match probe.next_event(&mut pair.desktop).await {
            Event::Binary(got) if got == *message => {}
            Event::Binary(got) => {
                return Ok(Verdict::fail(format!(
                    "desktop: waiting for burst message {} of {DEPTH_PROBE} ({} B): got {} B that are not it",
                    i + 1,
                    message.len(),
                    got.len()
                )))
            }
            event => {
                let sender = match event {
                    Event::Quiet(_) => "still open".to_owned(),
                    _ => probe.next_event(&mut pair.phone).await.to_string(),
                };
                return Ok(Verdict::info(format!(
                    "{DEPTH_PROBE} messages in one write: {i} relayed in order, then the desktop got {event} waiting for message {} (the sender: {sender})",
                    i + 1
                )));
            }
        }
    }
    Ok(Verdict::info(format!(
        "{DEPTH_PROBE} messages in one write: all {DEPTH_PROBE} relayed in order"
    )))
}
