//! The wake-up side channel on sockets: one WebSocket per registered contact id, on which
//! the router's wake-ups go out as `WakeUp` JSON text ([`hybridsim_tunnel::WakeUp`]) (its doc has the format).

use crate::shared::{Settings, Shared};
use crate::ws::{close_and_linger, error_response, ControlBudget, Socket};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use hybridsim_tunnel::{ContactError, SubscriptionId, WAKE_PATH_PREFIX};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::time::{sleep_until, timeout, Instant};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tracing::{debug, info};

/// Serves one wake socket: registers the contact during the handshake, forwards wake-ups
/// until the socket closes, then unregisters.
pub(crate) async fn serve_wake(
    shared: Arc<Shared>,
    socket: Socket,
    peer: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) {
    let (outbox, mut inbox) = mpsc::channel::<String>(shared.settings.wake_queue);
    let mut subscription: Option<SubscriptionId> = None;
    // The callback's signature is tungstenite's (`Callback`), large error variant included.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        let path = request.uri().path();
        let encoded = path.strip_prefix(WAKE_PATH_PREFIX).unwrap_or_default();
        let Ok(contact_id) = URL_SAFE_NO_PAD.decode(encoded) else {
            info!(%peer, path, "wake socket rejected: contact id is not unpadded base64url");
            return Err(error_response(400, "contact id is not unpadded base64url"));
        };
        match shared.register_wake(contact_id, outbox) {
            Ok(id) => {
                info!(%peer, path, subscription = %id, "wake socket registered");
                subscription = Some(id);
                Ok(response)
            }
            Err(e) => {
                info!(%peer, path, reason = %e, "wake socket rejected");
                let status = match e {
                    ContactError::Empty => 400,
                    ContactError::AlreadyRegistered => 409,
                };
                Err(error_response(status, &e.to_string()))
            }
        }
    };
    let settings = shared.settings.clone();
    let handshake =
        tokio_tungstenite::accept_hdr_async_with_config(socket, callback, Some(settings.websocket));
    let result = timeout(settings.handshake_timeout, Box::pin(handshake)).await;
    let Some(subscription) = subscription else {
        return;
    };
    let mut ws = match result {
        Ok(Ok(ws)) => ws,
        _ => {
            debug!(%peer, "wake socket handshake failed");
            return shared.unregister_wake(subscription);
        }
    };
    let goodbye = forward_wakes(&mut ws, &mut inbox, &mut shutdown, &settings).await;
    shared.unregister_wake(subscription);
    info!(%peer, subscription = %subscription, "wake socket closed");
    close_and_linger(&mut ws, goodbye, settings.close_linger).await;
}

/// Forwards wake-ups until the socket closes, the server shuts down, the phone stays
/// silent for the idle timeout, spends its control-frame budget, or stops reading (its
/// queue overflowed and the pump dropped it); returns the close frame to send, if any.
async fn forward_wakes(
    ws: &mut WebSocketStream<Socket>,
    inbox: &mut mpsc::Receiver<String>,
    shutdown: &mut watch::Receiver<bool>,
    settings: &Settings,
) -> Option<CloseFrame> {
    let mut control = ControlBudget::new(settings.max_control_frames);
    let mut idle_until = Instant::now() + settings.wake_idle_timeout;
    loop {
        tokio::select! {
            biased;
            text = inbox.recv() => match text {
                Some(text) => {
                    if ws.send(Message::Text(text.into())).await.is_err() {
                        return None;
                    }
                }
                None => return Some(CloseFrame {
                    code: CloseCode::Policy,
                    reason: "wake-ups not read".into(),
                }),
            },
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                    if let Some(frame) = control.spend() {
                        return Some(frame);
                    }
                    idle_until = Instant::now() + settings.wake_idle_timeout;
                }
                Some(Ok(_)) => idle_until = Instant::now() + settings.wake_idle_timeout,
            },
            () = sleep_until(idle_until) => return Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "idle".into(),
            }),
            _ = shutdown.changed() => return Some(CloseFrame {
                code: CloseCode::Away,
                reason: "server shutting down".into(),
            }),
        }
    }
}
