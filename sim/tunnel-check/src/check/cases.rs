//! The built-in conformance cases, one per rule of docs/protocol.md §5 (see the table in the
//! module above).

use super::burst;
use super::case::{ExtraCase, Verdict};
use super::options::DEFAULT_OVERSIZE_PROBES;
use super::probe::{check_subprotocol, pattern, Event, Probe, CEREMONY_SHAPE};
use futures_util::future::join_all;
use futures_util::SinkExt;
use hybridsim_proto::linking::ClientPayload;
use hybridsim_sockets::client::{contact_path, new_path, random_bytes, Refusal, CABLE_HEADERS};
use hybridsim_sockets::text::format_duration;
use hybridsim_sockets::text::{one_line, shorten};
use hybridsim_tunnel::{wake_path, WakeUp};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// The options the built-in cases read.
#[derive(Debug)]
pub(super) struct Settings {
    pub(super) message_limit: Option<usize>,
    pub(super) malformed_paths: Vec<String>,
}

/// Every built-in case, in the order they run.
pub(super) fn builtin(settings: &Arc<Settings>) -> Vec<ExtraCase> {
    let oversize_settings = Arc::clone(settings);
    let path_settings = Arc::clone(settings);
    vec![
        ExtraCase::new("new/upgrade", new_upgrade),
        ExtraCase::new("new/no-subprotocol", no_subprotocol),
        ExtraCase::new("connect/unknown-tunnel", unknown_tunnel),
        ExtraCase::new("new/duplicate", duplicate_new),
        ExtraCase::new("relay/both-ways", both_ways),
        ExtraCase::new("relay/boundaries", burst::boundaries),
        ExtraCase::new("relay/burst-depth (informational)", burst::burst_depth),
        ExtraCase::new("relay/buffered-in-order", buffered_in_order),
        ExtraCase::new("close/propagates", close_propagates),
        ExtraCase::new("frame/text-refused", text_refused),
        ExtraCase::new("frame/oversize-refused", move |probe| {
            oversize_refused(probe, Arc::clone(&oversize_settings))
        }),
        ExtraCase::new("path/lower-case-hex", lower_case_hex),
        ExtraCase::new("path/malformed-refused", move |probe| {
            malformed_refused(probe, Arc::clone(&path_settings))
        }),
        ExtraCase::new("contact/unknown-410", unknown_contact),
        ExtraCase::new("wake/contact-flow (hybridsim extension)", wake_contact_flow),
        ExtraCase::new("relay/ceremony-shaped", ceremony_shaped),
    ]
}

fn is_hex_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// `/cable/new` answers 101, selects `fido.cable` and sends one 6-hex-digit routing id.
async fn new_upgrade(probe: Probe) -> Result<Verdict, String> {
    let upgraded = probe
        .upgrade(&new_path(&random_bytes()), CABLE_HEADERS)
        .await
        .map_err(|r| format!("/cable/new: {r}"))?;
    let head = &upgraded.head;
    match head.header("sec-websocket-protocol").map(str::trim) {
        Some("fido.cable") => {}
        Some(other) => {
            return Ok(Verdict::fail(format!(
                "101 selecting '{}' instead of fido.cable",
                shorten(&one_line(other), 30)
            )))
        }
        None => return Ok(Verdict::fail("101 without selecting fido.cable")),
    }
    let routing = match head.header_count("x-cable-routing-id") {
        0 => return Ok(Verdict::fail("101 without X-caBLE-Routing-ID")),
        1 => head.header("x-cable-routing-id").unwrap_or_default(),
        n => return Ok(Verdict::fail(format!("X-caBLE-Routing-ID sent {n} times"))),
    };
    if !is_hex_digits(routing, 6) {
        return Ok(Verdict::fail(format!(
            "X-caBLE-Routing-ID '{}' is not 6 hex digits",
            shorten(&one_line(routing), 30)
        )));
    }
    let case = if routing.chars().any(|c| c.is_ascii_lowercase()) {
        " (lower case; Chromium sends upper)"
    } else {
        ""
    };
    Ok(Verdict::pass(format!(
        "101, fido.cable, X-caBLE-Routing-ID {routing}{case}"
    )))
}

/// Without `fido.cable`: HTTP 400.
async fn no_subprotocol(probe: Probe) -> Result<Verdict, String> {
    Ok(match probe.upgrade(&new_path(&random_bytes()), &[]).await {
        Err(Refusal::Status(head)) if head.status == 400 => Verdict::pass(head.summary()),
        Err(refusal) => Verdict::fail(format!("{refusal} (expected HTTP 400)")),
        Ok(_) => Verdict::fail("upgraded without fido.cable (expected HTTP 400)"),
    })
}

/// The server's routing id, from a `/cable/new` of a random id (kept open while needed).
async fn routing_id(
    probe: &Probe,
) -> Result<(hybridsim_sockets::client::ClientSocket, String), String> {
    probe.open_new(&random_bytes()).await
}

/// `/cable/connect` to a tunnel no one registered: refused with a 4xx.
async fn unknown_tunnel(probe: Probe) -> Result<Verdict, String> {
    let (_holder, routing) = routing_id(&probe).await?;
    let path = hybridsim_sockets::client::connect_path(&routing, &random_bytes());
    Ok(match probe.upgrade(&path, CABLE_HEADERS).await {
        Err(Refusal::Status(head)) if (400..500).contains(&head.status) => {
            Verdict::pass(head.summary())
        }
        Err(refusal) => Verdict::fail(format!("{refusal} (expected a 4xx)")),
        Ok(_) => Verdict::fail("upgraded a connect to a tunnel no one registered"),
    })
}

/// A second `/cable/new` of a pending tunnel id: whatever the server does is recorded.
async fn duplicate_new(probe: Probe) -> Result<Verdict, String> {
    let tunnel_id = random_bytes();
    let (_first, _) = probe.open_new(&tunnel_id).await?;
    Ok(
        match probe.upgrade(&new_path(&tunnel_id), CABLE_HEADERS).await {
            Err(Refusal::Status(head)) if (400..500).contains(&head.status) => {
                Verdict::pass(format!("refused: {}", head.summary()))
            }
            Err(Refusal::Closed) => Verdict::pass("refused: closed without an answer"),
            Err(refusal) => Verdict::fail(format!("{refusal} (expected a 4xx or an upgrade)")),
            Ok(_) => {
                Verdict::pass("accepted: the second /cable/new upgraded (webauthn-rs answers 409)")
            }
        },
    )
}

/// `/connect` pairs with `/new`, and messages relay both ways.
async fn both_ways(probe: Probe) -> Result<Verdict, String> {
    let mut pair = probe.pair().await?;
    let to_phone = random_bytes::<32>();
    let to_desktop = random_bytes::<32>();
    probe.send(&mut pair.desktop, &to_phone).await?;
    probe
        .expect_binary(&mut pair.phone, "phone", "32 B from the desktop", &to_phone)
        .await?;
    probe.send(&mut pair.phone, &to_desktop).await?;
    probe
        .expect_binary(
            &mut pair.desktop,
            "desktop",
            "32 B from the phone",
            &to_desktop,
        )
        .await?;
    Ok(Verdict::pass(format!(
        "paired (routing id {}); 32 B relayed each way intact",
        pair.routing_id
    )))
}

/// Messages sent on `/new` before the peer connects are delivered, in order.
async fn buffered_in_order(probe: Probe) -> Result<Verdict, String> {
    let tunnel_id = random_bytes();
    let (mut phone, routing) = probe.open_new(&tunnel_id).await?;
    let early: Vec<Vec<u8>> = [81usize, 100, 200, 48, 1000]
        .iter()
        .enumerate()
        .map(|(i, len)| pattern(i as u8 * 40, *len))
        .collect();
    for message in &early {
        probe.send(&mut phone, message).await?;
    }
    // Give the server time to read them all before the peer exists.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut desktop = probe.open_connect(&routing, &tunnel_id).await?;
    for (i, message) in early.iter().enumerate() {
        probe
            .expect_binary(
                &mut desktop,
                "desktop",
                &format!("early message {} of 5", i + 1),
                message,
            )
            .await?;
    }
    Ok(Verdict::pass(
        "5 messages sent before /connect arrived in order",
    ))
}

/// Closing one side closes the other.
async fn close_propagates(probe: Probe) -> Result<Verdict, String> {
    let mut pair = probe.pair().await?;
    let frame = CloseFrame {
        code: CloseCode::Normal,
        reason: "done".into(),
    };
    let _ = tokio::time::timeout(probe.step_timeout(), pair.phone.close(Some(frame))).await;
    Ok(match probe.next_event(&mut pair.desktop).await {
        event @ (Event::Close(_) | Event::Ended | Event::Failed(_)) => {
            Verdict::pass(format!("phone closed 1000; desktop got {event}"))
        }
        event => Verdict::fail(format!(
            "phone closed 1000; desktop got {event} instead of a close"
        )),
    })
}

/// Reads `ws` until it closes (binary messages are noted and skipped).
async fn until_closed(
    probe: &Probe,
    ws: &mut hybridsim_sockets::client::ClientSocket,
) -> (Event, usize) {
    let mut skipped = 0;
    loop {
        match probe.next_event(ws).await {
            Event::Binary(_) | Event::Text(_) if skipped < 32 => skipped += 1,
            event => return (event, skipped),
        }
    }
}

/// A text frame closes its sender (1003 or the connection ends) and is not relayed.
async fn text_refused(probe: Probe) -> Result<Verdict, String> {
    let mut pair = probe.pair().await?;
    let sent = tokio::time::timeout(
        probe.step_timeout(),
        pair.desktop.send(Message::Text("hello".into())),
    )
    .await;
    if let Ok(Err(e)) = sent {
        return Ok(Verdict::pass(format!(
            "text frame refused: sending failed ({})",
            shorten(&one_line(&e.to_string()), 50)
        )));
    }
    let (sender, _) = until_closed(&probe, &mut pair.desktop).await;
    let peer = probe
        .next_event_within(&mut pair.phone, Duration::from_millis(500))
        .await;
    if let Event::Text(_) = peer {
        return Ok(Verdict::fail(format!(
            "the text frame was relayed: peer got {peer}"
        )));
    }
    let peer_note = match &peer {
        Event::Quiet(_) => "peer still open".to_owned(),
        other => format!("peer got {other}"),
    };
    Ok(match sender {
        Event::Close(Some((1003, _))) | Event::Ended | Event::Failed(_) => {
            Verdict::pass(format!("sender got {sender}; {peer_note}"))
        }
        Event::Close(_) => Verdict::pass(format!(
            "sender got {sender} (webauthn-rs sends 1003); {peer_note}"
        )),
        other => Verdict::fail(format!(
            "sender got {other} after a text frame; {peer_note}"
        )),
    })
}

/// What happened to one oversize probe.
enum Fate {
    Relayed,
    Refused(String),
    Neither(String),
}

async fn probe_size(probe: &Probe, len: usize) -> Result<Fate, String> {
    let mut pair = probe.pair().await?;
    let message = pattern(7, len);
    let send_error = probe.send(&mut pair.desktop, &message).await.err();
    let peer = probe.next_event(&mut pair.phone).await;
    if let Event::Binary(got) = &peer {
        return Ok(if *got == message {
            Fate::Relayed
        } else {
            Fate::Neither(format!("peer got {} B, altered", got.len()))
        });
    }
    let wait = if peer.is_closed() {
        probe.step_timeout()
    } else {
        Duration::from_millis(500)
    };
    let (sender, _) = match tokio::time::timeout(wait, until_closed(probe, &mut pair.desktop)).await
    {
        Ok(found) => found,
        Err(_) => (Event::Quiet(wait), 0),
    };
    Ok(match (sender, send_error) {
        (Event::Close(Some((code, _))), _) => Fate::Refused(format!("close {code}")),
        (event @ (Event::Close(None) | Event::Ended | Event::Failed(_)), _) => {
            Fate::Refused(event.to_string())
        }
        (_, Some(error)) => Fate::Refused(error),
        (event, None) => Fate::Neither(format!("not relayed, sender got {event}")),
    })
}

/// A message over the limit is refused; which sizes are is recorded.
async fn oversize_refused(probe: Probe, settings: Arc<Settings>) -> Result<Verdict, String> {
    let probes: Vec<(usize, Option<bool>)> = match settings.message_limit {
        Some(limit) => vec![(limit, Some(false)), (limit.saturating_add(1), Some(true))],
        None => DEFAULT_OVERSIZE_PROBES
            .iter()
            .map(|len| (*len, None))
            .collect(),
    };
    let mut notes = Vec::new();
    let mut ok = true;
    let mut refused_largest = false;
    for (i, (len, must_refuse)) in probes.iter().enumerate() {
        let fate = probe_size(&probe, *len).await?;
        let refused = matches!(fate, Fate::Refused(_));
        if i + 1 == probes.len() {
            refused_largest = refused;
        }
        notes.push(match &fate {
            Fate::Relayed => format!("{len} B relayed"),
            Fate::Refused(how) => format!("{len} B refused ({how})"),
            Fate::Neither(what) => format!("{len} B {what}"),
        });
        match (must_refuse, &fate) {
            (_, Fate::Neither(_)) => ok = false,
            (Some(true), Fate::Relayed) | (Some(false), Fate::Refused(_)) => ok = false,
            _ => {}
        }
    }
    let observed = notes.join("; ");
    Ok(if ok && refused_largest {
        Verdict::pass(observed)
    } else {
        Verdict::fail(observed)
    })
}

/// Lower-case hex ids pair and relay.
async fn lower_case_hex(probe: Probe) -> Result<Verdict, String> {
    let tunnel_id: [u8; 16] = random_bytes();
    let lower = hex::encode(tunnel_id);
    let (mut phone, routing) = probe.open_new_at(&format!("/cable/new/{lower}")).await?;
    let routing = routing.to_ascii_lowercase();
    let mut desktop = probe
        .open_connect_at(&format!("/cable/connect/{routing}/{lower}"))
        .await?;
    let message = pattern(9, 81);
    probe.send(&mut desktop, &message).await?;
    probe
        .expect_binary(&mut phone, "phone", "81 B from the desktop", &message)
        .await?;
    Ok(Verdict::pass(
        "/cable/new and /cable/connect in lower-case hex paired and relayed",
    ))
}

/// Every malformed path is refused.
async fn malformed_refused(probe: Probe, settings: Arc<Settings>) -> Result<Verdict, String> {
    if settings.malformed_paths.is_empty() {
        return Ok(Verdict::skip("no malformed paths given"));
    }
    let answers = join_all(settings.malformed_paths.iter().map(|path| {
        let probe = probe.clone();
        async move { (path, probe.upgrade(path, CABLE_HEADERS).await) }
    }))
    .await;
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (path, answer) in &answers {
        match answer {
            Err(Refusal::Status(head)) => {
                *tally.entry(format!("HTTP {}", head.status)).or_default() += 1
            }
            Err(Refusal::Closed) => *tally.entry("closed".to_owned()).or_default() += 1,
            Err(Refusal::Malformed(_)) => *tally.entry("bad answer".to_owned()).or_default() += 1,
            Err(refusal @ (Refusal::TimedOut | Refusal::Io(_) | Refusal::Connect(_))) => {
                wrong.push(format!("'{}' {refusal}", shorten(path, 40)))
            }
            Ok(_) => wrong.push(format!("'{}' accepted", shorten(path, 40))),
        }
    }
    let refused: usize = tally.values().sum();
    let tally = tally
        .iter()
        .map(|(what, n)| format!("{what} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let summary = if tally.is_empty() {
        format!("{refused}/{} refused", answers.len())
    } else {
        format!("{refused}/{} refused ({tally})", answers.len())
    };
    Ok(if wrong.is_empty() {
        Verdict::pass(summary)
    } else {
        let examples: Vec<&str> = wrong.iter().take(3).map(String::as_str).collect();
        let more = if wrong.len() > examples.len() {
            ", …"
        } else {
            ""
        };
        Verdict::fail(format!(
            "{} of {} not refused: {}{more}; {summary}",
            wrong.len(),
            answers.len(),
            examples.join(", ")
        ))
    })
}

fn client_payload() -> String {
    ClientPayload {
        link_id: random_bytes(),
        client_nonce: random_bytes(),
        request_type: "ga".to_owned(),
    }
    .to_header_value()
}

/// `/cable/contact` for an unknown contact id: HTTP 410. A 404 is a server without the
/// route (webauthn-rs' backend serves only `/new` and `/connect`): a skip that says so.
async fn unknown_contact(probe: Probe) -> Result<Verdict, String> {
    let payload = client_payload();
    let headers = [
        ("Sec-WebSocket-Protocol", "fido.cable"),
        ("X-caBLE-Client-Payload", payload.as_str()),
    ];
    let contact: [u8; 32] = random_bytes();
    Ok(
        match probe.upgrade(&contact_path(&contact), &headers).await {
            Err(Refusal::Status(head)) if head.status == 410 => Verdict::pass(head.summary()),
            Err(Refusal::Status(head)) if head.status == 404 => Verdict::skip(format!(
                "{}: the server has no /cable/contact route, so linked phones cannot be reached through it",
                head.summary()
            )),
            Err(refusal) => Verdict::fail(format!("{refusal} (expected HTTP 410)")),
            Ok(_) => Verdict::fail("upgraded a contact no phone registered (expected HTTP 410)"),
        },
    )
}

/// The hybridsim wake socket and the contact flow end to end, `00` signal included.
async fn wake_contact_flow(probe: Probe) -> Result<Verdict, String> {
    let contact: [u8; 24] = random_bytes();
    let mut wake_socket = match probe.upgrade(&wake_path(&contact), &[]).await {
        Ok(upgraded) => upgraded.into_websocket().await,
        Err(Refusal::Status(head)) if (400..500).contains(&head.status) => {
            return Ok(Verdict::skip(format!(
                "no /hybridsim/wake on this server ({})",
                head.summary()
            )))
        }
        Err(refusal) => return Err(format!("wake socket: {refusal}")),
    };
    let payload = client_payload();
    let headers = [
        ("Sec-WebSocket-Protocol", "fido.cable"),
        ("X-caBLE-Client-Payload", payload.as_str()),
        ("X-caBLE-Signal-Connection", "true"),
    ];
    let upgraded = probe
        .upgrade(&contact_path(&contact), &headers)
        .await
        .map_err(|r| format!("/cable/contact: {r}"))?;
    check_subprotocol("/cable/contact", &upgraded)?;
    let signalled = upgraded.head.header("x-cable-signal-connection").is_some();
    let mut desktop = upgraded.into_websocket().await;
    let wake = match probe.next_event(&mut wake_socket).await {
        Event::Text(text) => WakeUp::from_json(&text).map_err(|e| format!("wake-up: {e}"))?,
        other => return Err(format!("wake socket: waiting for a wake-up: got {other}")),
    };
    if hex::encode_upper(&wake.client_payload) != payload.to_ascii_uppercase() {
        return Err("wake-up carries another client payload".to_owned());
    }
    // Noise message 1 goes out before the phone is there.
    let first = pattern(0x11, 81);
    probe.send(&mut desktop, &first).await?;
    let mut phone = probe.open_connect_at(&wake.connect_path()).await?;
    if signalled {
        probe
            .expect_binary(&mut desktop, "desktop", "connect signal", &[0x00])
            .await?;
    }
    probe
        .expect_binary(&mut phone, "phone", "81 B sent before it joined", &first)
        .await?;
    let reply = pattern(0x22, 81);
    probe.send(&mut phone, &reply).await?;
    probe
        .expect_binary(&mut desktop, "desktop", "81 B reply", &reply)
        .await?;
    Ok(if signalled {
        Verdict::pass(
            "wake-up received; desktop got 00 when the phone joined; 81 B relayed each way",
        )
    } else {
        Verdict::fail(
            "wake-up received and relayed, but X-caBLE-Signal-Connection was not echoed (no 00 signal)",
        )
    })
}

/// The byte pattern of a QR ceremony, relayed intact.
async fn ceremony_shaped(probe: Probe) -> Result<Verdict, String> {
    let started = std::time::Instant::now();
    let mut pair = probe.pair().await?;
    probe.ceremony_shaped_relay(&mut pair).await?;
    let bytes: usize = CEREMONY_SHAPE.iter().map(|(_, n)| n).sum();
    Ok(Verdict::pass(format!(
        "{} messages ({bytes} B) relayed intact in lock step in {}",
        CEREMONY_SHAPE.len(),
        format_duration(started.elapsed())
    )))
}
