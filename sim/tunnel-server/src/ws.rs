//! What every server-side WebSocket shares: the byte stream it runs on, the HTTP error
//! answer of a refused upgrade, and the closing handshake with its linger.

use crate::http::Prefixed;
use crate::tls::Stream;
use futures_util::SinkExt;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::handshake::server::ErrorResponse;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::WebSocketStream;

/// The byte stream a WebSocket runs on: the TCP (or TLS) stream with the request head
/// replayed.
pub(crate) type Socket = Prefixed<Stream>;

/// An HTTP error answer with a short text body.
pub(crate) fn error_response(status: u16, body: &str) -> ErrorResponse {
    let body = format!("{body}\n");
    let mut response = ErrorResponse::new(None);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert("content-length", HeaderValue::from(body.len()));
    headers.insert("connection", HeaderValue::from_static("close"));
    *response.body_mut() = Some(body);
    response
}

/// Sends `goodbye` (or just flushes tungstenite's reply to the peer's close), shuts down
/// the write side, and reads until the peer hangs up or `linger` passes. Reading what is
/// still in flight (e.g. the rest of an oversize message) avoids a TCP reset that would
/// destroy the close frame before the peer reads it.
pub(crate) async fn close_and_linger(
    ws: &mut WebSocketStream<Socket>,
    goodbye: Option<CloseFrame>,
    linger: Duration,
) {
    let _ = timeout(linger, async {
        match goodbye {
            Some(frame) => {
                let _ = ws.close(Some(frame)).await;
            }
            None => {
                let _ = ws.flush().await;
            }
        }
        let stream = ws.get_mut();
        let _ = stream.shutdown().await;
        // On the heap, and only now: an array here would sit in every connection task's
        // future, idle or not, for the connection's whole life.
        let mut scratch = vec![0u8; 4096];
        while let Ok(n) = stream.read(&mut scratch).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// The control frames (ping, pong) a client may still send on one WebSocket. tungstenite
/// answers every ping by itself; a peer that floods them would otherwise cost the server a
/// pong each, read or not.
#[derive(Debug)]
pub(crate) struct ControlBudget {
    left: u32,
}

impl ControlBudget {
    /// `limit` frames for the connection's whole life.
    pub(crate) fn new(limit: u32) -> ControlBudget {
        ControlBudget { left: limit }
    }

    /// Spends one; when none was left, the close frame to send (1008).
    pub(crate) fn spend(&mut self) -> Option<CloseFrame> {
        match self.left.checked_sub(1) {
            Some(left) => {
                self.left = left;
                None
            }
            None => Some(CloseFrame {
                code: CloseCode::Policy,
                reason: "too many control frames".into(),
            }),
        }
    }
}
