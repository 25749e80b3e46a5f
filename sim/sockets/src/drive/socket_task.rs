//! The socket tasks of a run: one per peer WebSocket (the upgrade, then reading and
//! writing until it closes) and one for the wake socket, and the messages between them and
//! the driver.

use super::log::Side;
use super::options::Unreachable;
use crate::client::{ClientSocket, Refusal, Target, MAX_CONTROL_FRAMES};
use crate::text::one_line;
use futures_util::{SinkExt, StreamExt};
use hybridsim_peers::SocketId;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// WebSocket close code reported when a close frame carried no code.
const CLOSE_NO_STATUS: u16 = 1005;
/// WebSocket close code reported when the connection ended without a close frame.
const CLOSE_ABNORMAL: u16 = 1006;

/// What the driver sends a socket task.
#[derive(Debug)]
pub(super) enum Command {
    Send(Vec<u8>),
    Close(u16),
}

/// What socket tasks tell the driver.
#[derive(Debug)]
pub(super) enum NetEvent {
    Opened {
        side: Side,
        socket: SocketId,
        headers: Vec<(String, String)>,
    },
    Refused {
        side: Side,
        socket: SocketId,
        status: u16,
        reason: String,
        unreachable: Option<Unreachable>,
    },
    Message {
        side: Side,
        socket: SocketId,
        data: Vec<u8>,
    },
    Text {
        side: Side,
        socket: SocketId,
    },
    Closed {
        side: Side,
        socket: SocketId,
        code: u16,
    },
    Wake(String),
    WakeEnded(String),
}

/// Where one peer socket is, as the driver sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Upgrading,
    Open,
    Gone,
}

/// One peer socket as the driver tracks it.
#[derive(Debug)]
pub(super) struct SocketEntry {
    /// Where the driver's commands for the socket go.
    pub(super) commands: UnboundedSender<Command>,
    /// The request path of its upgrade.
    pub(super) path: String,
    /// Upgrading, open or gone.
    pub(super) phase: Phase,
    /// Messages the peer sent on it.
    pub(super) sent: usize,
    /// Messages it received.
    pub(super) received: usize,
}

/// The wake channel.
#[derive(Debug)]
pub(super) enum WakeState {
    /// Not a linked run (or switched off).
    Unused,
    /// Registered and listening; dropping the sender closes it.
    Open {
        _close_on_drop: UnboundedSender<Command>,
    },
    /// Refused or ended, and why.
    Failed(String),
}

/// One peer WebSocket: the upgrade, then reading and writing until it closes.
pub(super) struct SocketTask {
    pub(super) target: Target,
    pub(super) side: Side,
    pub(super) socket: SocketId,
    pub(super) path: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) upgrade_timeout: Duration,
    pub(super) close_linger: Duration,
    pub(super) events: UnboundedSender<NetEvent>,
}

impl SocketTask {
    /// Upgrades, then relays until the socket closes or the driver hangs up.
    pub(super) async fn run(self, commands: UnboundedReceiver<Command>) {
        let (side, socket) = (self.side, self.socket);
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let upgraded = match self
            .target
            .upgrade(&self.path, &headers, self.upgrade_timeout)
            .await
        {
            Ok(upgraded) => upgraded,
            Err(refusal) => {
                let (status, reason) = match &refusal {
                    Refusal::Status(head) => (head.status, head.body.trim().to_owned()),
                    other => (0, other.to_string()),
                };
                let unreachable = match refusal {
                    Refusal::Connect(error) => Some(Unreachable {
                        url: format!("{}{}", self.target, self.path),
                        error,
                    }),
                    _ => None,
                };
                let _ = self.events.send(NetEvent::Refused {
                    side,
                    socket,
                    status,
                    reason,
                    unreachable,
                });
                return;
            }
        };
        let headers = upgraded
            .head
            .headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .collect();
        let ws = upgraded.into_websocket().await;
        let _ = self.events.send(NetEvent::Opened {
            side,
            socket,
            headers,
        });
        self.relay(ws, commands).await;
    }

    /// Relays until the socket closes or the driver says to close it.
    async fn relay(self, ws: ClientSocket, mut commands: UnboundedReceiver<Command>) {
        let (side, socket) = (self.side, self.socket);
        let (mut sink, mut stream) = ws.split();
        let mut control = 0u32;
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Send(data)) => {
                        // A failed send shows up as the stream ending; nothing to do here.
                        let _ = sink.send(Message::Binary(data.into())).await;
                    }
                    Some(Command::Close(code)) => {
                        let frame = CloseFrame { code: CloseCode::from(code), reason: "".into() };
                        let _ = sink.send(Message::Close(Some(frame))).await;
                        drain(&mut stream, self.close_linger).await;
                        return;
                    }
                    None => {
                        let frame = CloseFrame { code: CloseCode::Away, reason: "".into() };
                        let _ = sink.send(Message::Close(Some(frame))).await;
                        drain(&mut stream, self.close_linger).await;
                        return;
                    }
                },
                incoming = stream.next() => {
                    let event = match incoming {
                        Some(Ok(Message::Binary(data))) => NetEvent::Message { side, socket, data: data.to_vec() },
                        Some(Ok(Message::Text(_))) => NetEvent::Text { side, socket },
                        Some(Ok(Message::Close(frame))) => {
                            let code = frame.map_or(CLOSE_NO_STATUS, |f| u16::from(f.code));
                            let _ = self.events.send(NetEvent::Closed { side, socket, code });
                            // Reading on lets tungstenite send its close reply.
                            drain(&mut stream, self.close_linger).await;
                            return;
                        }
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                            control = control.saturating_add(1);
                            if control <= MAX_CONTROL_FRAMES {
                                continue;
                            }
                            let frame = CloseFrame { code: CloseCode::Policy, reason: "too many control frames".into() };
                            let _ = sink.send(Message::Close(Some(frame))).await;
                            let code = u16::from(CloseCode::Policy);
                            let _ = self.events.send(NetEvent::Closed { side, socket, code });
                            drain(&mut stream, self.close_linger).await;
                            return;
                        }
                        Some(Ok(Message::Frame(_))) => continue,
                        Some(Err(_)) | None => {
                            let _ = self.events.send(NetEvent::Closed { side, socket, code: CLOSE_ABNORMAL });
                            return;
                        }
                    };
                    let _ = self.events.send(event);
                }
            }
        }
    }
}

/// Reads and discards until the connection ends or `linger` passes.
async fn drain(stream: &mut futures_util::stream::SplitStream<ClientSocket>, linger: Duration) {
    let _ = timeout(linger, async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
}

/// The wake socket: forwards text messages until it ends or the driver drops its sender.
pub(super) async fn wake_task(
    ws: ClientSocket,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<NetEvent>,
    linger: Duration,
) {
    let (mut sink, mut stream) = ws.split();
    let mut control = 0u32;
    loop {
        tokio::select! {
            command = commands.recv() => {
                if command.is_none() {
                    let frame = CloseFrame { code: CloseCode::Normal, reason: "".into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    drain(&mut stream, linger).await;
                    return;
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let _ = events.send(NetEvent::Wake(text.as_str().to_owned()));
                }
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.map_or(CLOSE_NO_STATUS, |f| u16::from(f.code));
                    let _ = events.send(NetEvent::WakeEnded(format!("closed by the server: {code}")));
                    drain(&mut stream, linger).await;
                    return;
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                    control = control.saturating_add(1);
                    if control > MAX_CONTROL_FRAMES {
                        let frame = CloseFrame { code: CloseCode::Policy, reason: "too many control frames".into() };
                        let _ = sink.send(Message::Close(Some(frame))).await;
                        let _ = events.send(NetEvent::WakeEnded("closed: the server sent too many control frames".to_owned()));
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    let _ = events.send(NetEvent::WakeEnded(format!("failed: {}", one_line(&e.to_string()))));
                    return;
                }
                None => {
                    let _ = events.send(NetEvent::WakeEnded("ended".to_owned()));
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;
    use tokio::sync::mpsc::unbounded_channel;

    /// A server that floods a peer socket with pings gets close 1008 once the budget is
    /// spent, and the driver hears the socket closed, instead of the client answering
    /// pongs for ever.
    #[tokio::test]
    async fn a_ping_flood_from_the_server_closes_the_socket_with_1008() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            for _ in 0..=MAX_CONTROL_FRAMES {
                if ws.send(Message::Ping(vec![1; 8].into())).await.is_err() {
                    break;
                }
            }
            while let Some(Ok(message)) = ws.next().await {
                if let Message::Close(frame) = message {
                    return frame.map(|f| u16::from(f.code));
                }
            }
            None
        });
        let (events, mut heard) = unbounded_channel();
        let (_commands, receiver) = unbounded_channel();
        let task = SocketTask {
            target: Target::from_addr(addr),
            side: Side::Phone,
            socket: SocketId(1),
            path: "/cable/new/00".to_owned(),
            headers: Vec::new(),
            upgrade_timeout: Duration::from_secs(5),
            close_linger: Duration::from_millis(200),
            events,
        };
        tokio::spawn(task.run(receiver));
        let closed = timeout(Duration::from_secs(10), async {
            while let Some(event) = heard.recv().await {
                if let NetEvent::Closed { code, .. } = event {
                    return Some(code);
                }
            }
            None
        })
        .await
        .unwrap();
        assert_eq!(closed, Some(1008));
        let sent = timeout(Duration::from_secs(10), server)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sent, Some(1008));
    }
}
