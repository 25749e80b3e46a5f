//! The HTTP client of `rp check`: hyper-util's pooled client (keep-alive, chunked and
//! length-delimited bodies) over rustls through hyper-rustls, redirects followed by
//! tower-http's policy (at most 10, credentials dropped across origins, 307/308 re-send the
//! body), answers bounded in size and time, and the RP's cookies sent back so session-based
//! RPs work.

use crate::tls::{client_config, TlsError};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use tower::ServiceExt;
use tower_http::follow_redirect::policy::{self, CloneBodyFn, PolicyExt};
use tower_http::follow_redirect::FollowRedirect;

/// Largest answer body read (a set of options is a few kilobytes).
pub const MAX_ANSWER: usize = 1 << 20;
/// Redirects followed for one request.
const MAX_REDIRECTS: usize = 10;

type Body = Full<Bytes>;
type Policy = policy::And<policy::Standard, CloneBodyFn<fn(&Body) -> Option<Body>>>;
type Inner = FollowRedirect<Client<HttpsConnector<HttpConnector>, Body>, Policy>;

/// Why a client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The base URL is not `http://` or `https://` with a host.
    #[error("{url}: give http(s)://HOST[:PORT][/PREFIX]")]
    Url {
        /// The URL as given.
        url: String,
    },
    /// `--ca` could not be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// Why one request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// No connection (DNS, refused, TLS: certificate not trusted, wrong name): the RP is
    /// unreachable, and no later request will fare better.
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// The innermost reasons, joined.
        reason: String,
    },
    /// Connected, but no complete answer within the time allowed.
    #[error("{url}: no answer within {seconds} s")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The time allowed.
        seconds: u64,
    },
    /// Connected, but the exchange failed or the answer is not JSON.
    #[error("{url}: {reason}")]
    Answer {
        /// The URL requested.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// A client for one RP's base URL.
#[derive(Debug)]
pub struct RpClient {
    inner: Inner,
    base: String,
    cookies: Vec<String>,
    wait: Duration,
}

fn clone_body(body: &Body) -> Option<Body> {
    Some(body.clone())
}

impl RpClient {
    /// A client for `base_url` (`http(s)://HOST[:PORT][/PREFIX]`), trusting the WebPKI roots
    /// and `ca`, allowing `wait` for each request (connection included).
    pub fn new(base_url: &str, ca: Option<&Path>, wait: Duration) -> Result<RpClient, SetupError> {
        let base = base_url.trim_end_matches('/').to_owned();
        let uri: Uri = base.parse().map_err(|_| SetupError::Url {
            url: base_url.to_owned(),
        })?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        if !scheme_ok || uri.host().is_none_or(str::is_empty) || uri.query().is_some() {
            return Err(SetupError::Url {
                url: base_url.to_owned(),
            });
        }
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(wait));
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(client_config(ca)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(https);
        let policy = policy::Limited::new(MAX_REDIRECTS)
            .and::<_, Body, hyper_util::client::legacy::Error>(policy::FilterCredentials::new())
            .and::<_, Body, hyper_util::client::legacy::Error>(policy::clone_body_fn(
                clone_body as fn(&Body) -> Option<Body>,
            ));
        Ok(RpClient {
            inner: FollowRedirect::with_policy(client, policy),
            base,
            cookies: Vec::new(),
            wait,
        })
    }

    /// POSTs `body` as JSON to `path` under the base URL; the final answer's status and JSON.
    pub async fn post(&mut self, path: &str, body: &Value) -> Result<(u16, Value), PostError> {
        let url = format!("{}{path}", self.base);
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(&url)
            .header(CONTENT_TYPE, "application/json");
        if !self.cookies.is_empty() {
            request = request.header(COOKIE, self.cookies.join("; "));
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| PostError::Answer {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        let exchange = async {
            let answer = self.inner.clone().oneshot(request).await.map_err(|e| {
                let reason = reasons(&e);
                if e.is_connect() {
                    PostError::Unreachable {
                        url: url.clone(),
                        reason,
                    }
                } else {
                    PostError::Answer {
                        url: url.clone(),
                        reason,
                    }
                }
            })?;
            let (head, body) = answer.into_parts();
            let bytes = Limited::new(body, MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| PostError::Answer {
                    url: url.clone(),
                    reason: format!("answer body: {e}"),
                })?
                .to_bytes();
            Ok::<_, PostError>((head, bytes))
        };
        let (head, bytes) = tokio::time::timeout(self.wait, exchange)
            .await
            .map_err(|_| PostError::Timeout {
                url: url.clone(),
                seconds: self.wait.as_secs(),
            })??;
        self.keep_cookies(&head.headers);
        let status = head.status.as_u16();
        let value = serde_json::from_slice(&bytes).map_err(|e| PostError::Answer {
            url: url.clone(),
            reason: format!(
                "HTTP {status}, body is not JSON ({e}): {:.200}",
                String::from_utf8_lossy(&bytes)
            ),
        })?;
        Ok((status, value))
    }

    fn keep_cookies(&mut self, headers: &http::HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let Some(cookie) = value
                .to_str()
                .ok()
                .and_then(|v| v.split(';').next())
                .map(str::trim)
                .filter(|c| c.contains('='))
            else {
                continue;
            };
            let name = cookie.split('=').next().unwrap_or_default();
            self.cookies
                .retain(|c| c.split('=').next().unwrap_or_default() != name);
            self.cookies.push(cookie.to_owned());
        }
    }
}

/// An error and its sources on one line, without repeats (hyper's outer errors say little:
/// "client error (Connect)"; the reason is inside).
fn reasons(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}
