//! The HTTP face of the conformance API: axum routes for the four endpoints, a bounded body
//! read, and the API's own JSON for every refusal (404, 405, 413), so a client always gets
//! `{"status": "failed", "errorMessage": …}`.

use crate::api::{Answer, Api};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use http_body_util::{BodyExt, Limited};
use hyper::body::Body as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// What every request handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) api: Api,
    pub(crate) max_body: usize,
    /// The server's start: challenge ages are measured from it on the monotonic clock.
    pub(crate) started: Instant,
}

/// The routes: POST on the four endpoints; 405 for another method on them; 404 elsewhere
/// (405 for a method other than POST, as the API serves POST only).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/attestation/options", post(endpoint))
        .route("/attestation/result", post(endpoint))
        .route("/assertion/options", post(endpoint))
        .route("/assertion/result", post(endpoint))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(elsewhere)
        .with_state(shared)
}

async fn endpoint(State(shared): State<Arc<Shared>>, uri: Uri, body: Body) -> Response {
    // A declared length over the bound is refused before a byte of the body is read.
    if body.size_hint().lower() > shared.max_body as u64 {
        return too_large(shared.max_body);
    }
    let bytes = match Limited::new(body, shared.max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(shared.max_body),
        Err(e) => return answer(Answer::failed(400, &format!("body: {e}"))),
    };
    let now = shared.started.elapsed();
    let unix_now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    answer(shared.api.post(uri.path(), &bytes, now, unix_now))
}

async fn method_not_allowed(method: Method) -> Response {
    answer(Answer::failed(
        405,
        &format!("{method}: only POST is served"),
    ))
}

async fn elsewhere(method: Method, uri: Uri) -> Response {
    if method != Method::POST {
        return method_not_allowed(method).await;
    }
    answer(Answer::failed(404, &format!("no endpoint {}", uri.path())))
}

fn too_large(max: usize) -> Response {
    answer(Answer::failed(
        413,
        &format!("body longer than {max} bytes"),
    ))
}

fn answer(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        answer.body.to_string(),
    )
        .into_response()
}
