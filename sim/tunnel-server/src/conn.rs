//! One accepted TCP connection: read the request head, then serve it as a tunnel WebSocket,
//! a wake socket, or a plain HTTP request (`/metrics`).

use crate::http::{self, HeadError, Prefixed};
use crate::metrics;
use crate::shared::{Relayed, Shared, ToConn};
use crate::tls::{self, Stream};
use crate::wake;
use crate::ws::{close_and_linger, error_response, ControlBudget, Socket};
use futures_util::{SinkExt, StreamExt};
use hybridsim_tunnel::{ConnectionId, ConnectionRequest, Decision, Incoming, WAKE_PATH_PREFIX};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderMap, HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tracing::{debug, info, warn};

/// Serves one TCP connection to the end.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    tcp: TcpStream,
    peer: SocketAddr,
    shutdown: watch::Receiver<bool>,
) {
    let _ = tcp.set_nodelay(true);
    let mut tcp = match &shared.settings.tls {
        None => Stream::Plain(tcp),
        Some(config) => {
            // Boxed: the handshake state only lives until the TLS session is up.
            let handshake = Box::pin(tls::accept(Arc::clone(config), tcp));
            match timeout(shared.settings.handshake_timeout, handshake).await {
                Ok(Ok(stream)) => Stream::Tls(Box::new(stream)),
                Ok(Err(e)) => return debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => return debug!(%peer, "TLS handshake timed out"),
            }
        }
    };
    let head = timeout(shared.settings.handshake_timeout, http::read_head(&mut tcp)).await;
    let (head, bytes) = match head {
        Ok(Ok(read)) => read,
        Ok(Err(HeadError::Malformed(why))) => {
            debug!(%peer, %why, "malformed request");
            let body = format!("malformed request: {why}\n");
            let _ = http::respond(&mut tcp, 400, &[], "text/plain; charset=utf-8", &body).await;
            return;
        }
        Ok(Err(HeadError::Io(e))) => return debug!(%peer, error = %e, "no request"),
        Err(_) => return debug!(%peer, "no request head in time"),
    };
    // Every connection task is as large as the largest state of this future, for the
    // connection's whole life; the rarer branches are boxed so they do not set that size
    // for the many tunnel connections (reports/BENCHMARKS.md has the measurement).
    if !head.upgrade {
        return Box::pin(plain_http(&shared, tcp, &head)).await;
    }
    let socket = Prefixed::new(bytes, tcp);
    if head.path.starts_with(WAKE_PATH_PREFIX) {
        Box::pin(wake::serve_wake(shared, socket, peer, shutdown)).await;
    } else {
        // Shutdown reaches tunnel connections through the router (close 1001 in the inbox).
        serve_tunnel(shared, socket, peer).await;
    }
}

/// A request without `Upgrade: websocket`: `/metrics`, or an error.
async fn plain_http(shared: &Shared, mut tcp: Stream, head: &http::Head) {
    let path = head.path.split('?').next().unwrap_or_default();
    let text = "text/plain; charset=utf-8";
    let (status, headers, content_type, body): (u16, &[(&str, &str)], &str, String) =
        match (head.method.as_str(), path) {
            ("GET", "/metrics") => (
                200,
                &[],
                metrics::CONTENT_TYPE,
                metrics::render(&shared.metrics(), &shared.relay_times),
            ),
            (_, "/metrics") => (405, &[("Allow", "GET")], text, "use GET\n".to_owned()),
            (_, p) if p.starts_with("/cable/") || p.starts_with(WAKE_PATH_PREFIX) => (
                426,
                &[("Upgrade", "websocket")],
                text,
                "this route needs a WebSocket upgrade\n".to_owned(),
            ),
            _ => (404, &[], text, "not found\n".to_owned()),
        };
    debug!(method = %head.method, path, status, "plain HTTP request");
    let _ = http::respond(&mut tcp, status, headers, content_type, &body).await;
}

/// A tunnel WebSocket: the router decides during the handshake, then messages flow until
/// either side closes.
async fn serve_tunnel(shared: Arc<Shared>, socket: Socket, peer: SocketAddr) {
    let conn = shared.connection_id();
    let (outbox, inbox) = mpsc::unbounded_channel();
    let decider = Arc::clone(&shared);
    // The callback's signature is tungstenite's (`Callback`), large error variant included.
    #[allow(clippy::result_large_err)]
    let callback = move |request: &Request, mut response: Response| {
        let request = connection_request(conn, peer.ip(), request);
        let path = request.path.clone();
        if decider.wake_throttled(&path) {
            info!(%conn, %peer, path, status = 429, "contact refused: woken too recently");
            return Err(error_response(
                429,
                "this contact id was woken too recently; retry later",
            ));
        }
        match decider.decide(request, outbox) {
            Decision::Accept(accept) => {
                let headers = response.headers_mut();
                headers.insert(
                    "sec-websocket-protocol",
                    HeaderValue::from_static(accept.subprotocol),
                );
                for (name, value) in &accept.headers {
                    match (
                        HeaderName::from_bytes(name.as_bytes()),
                        HeaderValue::from_str(value),
                    ) {
                        (Ok(name), Ok(value)) => {
                            headers.insert(name, value);
                        }
                        _ => warn!(%conn, name, value, "response header not representable"),
                    }
                }
                info!(%conn, %peer, path, joined = %accept.joined, "connection accepted");
                Ok(response)
            }
            Decision::Reject(reject) => {
                info!(%conn, %peer, path, status = reject.status(), reason = %reject, "connection rejected");
                Err(error_response(reject.status(), &reject.to_string()))
            }
        }
    };
    let settings = shared.settings.clone();
    let handshake =
        tokio_tungstenite::accept_hdr_async_with_config(socket, callback, Some(settings.websocket));
    // Boxed: tungstenite's handshake state is over 1.5 KiB and only lives until the upgrade.
    let ws = match timeout(settings.handshake_timeout, Box::pin(handshake)).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(WsError::Http(_))) => return, // rejected; already logged
        Ok(Err(e)) => {
            debug!(%conn, %peer, error = %e, "handshake failed");
            return shared.closed(conn);
        }
        Err(_) => {
            debug!(%conn, %peer, "handshake timed out");
            return shared.closed(conn);
        }
    };
    relay(&shared, conn, ws, inbox).await;
}

/// The request as the router sees it.
fn connection_request(conn: ConnectionId, ip: IpAddr, request: &Request) -> ConnectionRequest {
    let headers = request.headers();
    ConnectionRequest {
        conn,
        peer_ip: ip.to_canonical(),
        path: request.uri().path().to_owned(),
        subprotocols: headers
            .get_all("sec-websocket-protocol")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        client_payload: first_header(headers, "x-cable-client-payload"),
        signal_connection: first_header(headers, "x-cable-signal-connection"),
    }
}

fn first_header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Pumps one paired-or-pending tunnel connection: frames in go to the router, the router's
/// outputs for this connection go out, until a close either way.
async fn relay(
    shared: &Shared,
    conn: ConnectionId,
    mut ws: WebSocketStream<Socket>,
    mut inbox: mpsc::UnboundedReceiver<ToConn>,
) {
    let linger = shared.settings.close_linger;
    let mut control = ControlBudget::new(shared.settings.max_control_frames);
    let goodbye = loop {
        tokio::select! {
            // The router's orders first: after an oversize message it has queued the 1009
            // close, and tungstenite must not be read again.
            biased;
            order = inbox.recv() => match order {
                Some(ToConn::Message(relayed)) => {
                    let Relayed { bytes, read_at } = *relayed;
                    if let Err(e) = ws.send(Message::Binary(bytes.into())).await {
                        debug!(%conn, error = %e, "send failed");
                        shared.closed(conn);
                        break None;
                    }
                    if let Some(read_at) = read_at {
                        shared.relay_times.record(read_at);
                    }
                }
                Some(ToConn::Close { code, reason }) => {
                    // The router has already forgotten this connection.
                    break Some(CloseFrame { code: CloseCode::from(code), reason: String::from(reason).into() });
                }
                // The router dropped the channel without a close: cannot happen while the
                // connection is known; treat as a peer close.
                None => break Some(CloseFrame { code: CloseCode::Normal, reason: "".into() }),
            },
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    shared.message(conn, Incoming::Binary(bytes.into()), Instant::now());
                }
                Some(Ok(Message::Text(_))) | Some(Err(WsError::Utf8(_))) => {
                    shared.message(conn, Incoming::Text, Instant::now());
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                    if let Some(frame) = control.spend() {
                        debug!(%conn, "too many control frames");
                        shared.closed(conn);
                        break Some(frame);
                    }
                }
                Some(Ok(Message::Frame(_))) => {}
                Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, .. }))) => {
                    shared.message(conn, Incoming::TooBig { len: size }, Instant::now());
                }
                Some(Ok(Message::Close(frame))) => {
                    debug!(%conn, ?frame, "peer closed");
                    shared.closed(conn);
                    break None;
                }
                None => {
                    shared.closed(conn);
                    break None;
                }
                Some(Err(e)) => {
                    debug!(%conn, error = %e, "connection failed");
                    shared.closed(conn);
                    break None;
                }
            },
        }
    };
    info!(%conn, "connection closed");
    close_and_linger(&mut ws, goodbye, linger).await;
}

#[cfg(test)]
mod tests {
    use crate::shared::{Settings, Shared};

    /// Every open connection holds one task of this future's size, so it must stay small:
    /// 5.8 KiB before stack buffers and rare branches were moved out (1.7 KiB after, in a
    /// debug build). The bound is loose, to survive compiler changes.
    #[tokio::test]
    async fn a_connection_task_stays_small() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (tcp, peer) = listener.accept().await.unwrap();
        let router = hybridsim_tunnel::Router::new(hybridsim_tunnel::Config::default(), [0; 32]);
        let settings = Settings {
            handshake_timeout: std::time::Duration::from_secs(1),
            close_linger: std::time::Duration::from_secs(1),
            websocket: Default::default(),
            tls: None,
            wake_idle_timeout: std::time::Duration::from_secs(1),
            wake_queue: 1,
            wake_interval: std::time::Duration::from_secs(1),
            wake_burst: 1,
            max_control_frames: 1,
        };
        let shared = std::sync::Arc::new(Shared::new(router, settings));
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let task = super::handle(shared, tcp, peer, stopped);
        let size = std::mem::size_of_val(&task);
        assert!(size < 3 * 1024, "connection future is {size} bytes");
    }
}
