//! Tunnel clients for probing any server: the target URL, a hand-written WebSocket upgrade
//! that reports exactly what the server answered, and the socket it leaves behind.
//!
//! The peer driver ([`crate::drive`]) opens its sockets with these, and so do the
//! conformance checker and load generator of `hybridsim-tunnel-check` and its extra cases. The upgrade is written by hand, not left
//! to tungstenite's client, so that a refusal keeps its status and body, a malformed path
//! goes out byte for byte as given (even `../etc/passwd`), and an idle socket costs the
//! client nothing but its file descriptor. After a `101`, [`Upgraded::into_websocket`] hands
//! the stream to tokio-tungstenite.
//!
//! `wss://` targets run the same exchange over TLS ([`crate::tls_client`]); a connection that
//! cannot be made at all is a [`Refusal::Connect`] saying whether DNS, TCP or TLS failed.

use crate::tap::{Tap, TappedStream};
use crate::text::{one_line, shorten};
use crate::tls_client::{ClientStream, ConnectError, TlsClient};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use core::fmt;
use rand_core::{OsRng, RngCore};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

/// A client WebSocket on a tunnel route.
pub type ClientSocket = WebSocketStream<ClientStream>;

/// The subprotocol every tunnel connection offers.
pub const FIDO_CABLE: &str = "fido.cable";
/// The `Sec-WebSocket-Protocol: fido.cable` request header, ready for [`Target::upgrade`].
pub const CABLE_HEADERS: &[(&str, &str)] = &[("Sec-WebSocket-Protocol", FIDO_CABLE)];

/// Largest response head read before giving up.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;
/// Largest error body kept.
const MAX_BODY: usize = 4096;
/// How long to wait for the end of an error body that has no `Content-Length`.
const BODY_WITHOUT_LENGTH: Duration = Duration::from_millis(300);
/// Longest body text quoted in a one-line summary.
const SUMMARY_BODY: usize = 60;

/// Where a tunnel server listens: parsed from `ws://HOST[:PORT]` or `wss://HOST[:PORT]`.
#[derive(Debug, Clone)]
pub struct Target {
    /// The trust for `wss://`; `None` for plain `ws://`.
    tls: Option<TlsClient>,
    authority: String,
    host: String,
    port: u16,
    /// Records a plain connection's bytes (`--pcapng`); not compared.
    tap: Option<Tap>,
}

impl PartialEq for Target {
    /// Same scheme, host and port (the trust anchors of a `wss://` target are not compared).
    fn eq(&self, other: &Target) -> bool {
        self.tls.is_some() == other.tls.is_some()
            && self.authority == other.authority
            && self.host == other.host
            && self.port == other.port
    }
}

impl Eq for Target {}

/// Why a target URL was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Neither `ws://…` nor `wss://…`.
    #[error("target {0:?} is not a ws:// or wss:// URL")]
    Scheme(String),
    /// No host, or a path after it.
    #[error("target {0:?} is not a ws://HOST[:PORT] or wss://HOST[:PORT] URL")]
    Shape(String),
    /// The port is not a number from 1 to 65535.
    #[error("target {0:?} has no valid port")]
    Port(String),
    /// The TLS client configuration could not be built.
    #[error("target {0:?}: {1}")]
    Tls(String, String),
}

impl Target {
    /// Parses `ws://HOST[:PORT]` or `wss://HOST[:PORT]` (a trailing `/` is allowed; the port
    /// defaults to 80 or 443; an IPv6 host goes in brackets, `ws://[::1]:8080`). A `wss://`
    /// target trusts the WebPKI roots; see [`Target::parse_with`] for more anchors.
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let tls = if has_scheme(url, "wss://") {
            Some(TlsClient::webpki().map_err(|e| TargetError::Tls(url.to_owned(), e.to_string()))?)
        } else {
            None
        };
        Target::parse_inner(url, tls)
    }

    /// [`Target::parse`], a `wss://` target trusting `tls` (ignored for `ws://`).
    pub fn parse_with(url: &str, tls: &TlsClient) -> Result<Target, TargetError> {
        let tls = has_scheme(url, "wss://").then(|| tls.clone());
        Target::parse_inner(url, tls)
    }

    fn parse_inner(url: &str, tls: Option<TlsClient>) -> Result<Target, TargetError> {
        let scheme = if tls.is_some() { "wss://" } else { "ws://" };
        let rest = Some(url)
            .filter(|url| has_scheme(url, scheme))
            .and_then(|url| url.get(scheme.len()..))
            .ok_or_else(|| TargetError::Scheme(url.to_owned()))?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(TargetError::Shape(url.to_owned()));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| TargetError::Shape(url.to_owned()))?;
            match after {
                "" => (host, None),
                p => (
                    host,
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| TargetError::Shape(url.to_owned()))?,
                    ),
                ),
            }
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(TargetError::Shape(url.to_owned()));
        }
        let port = match port {
            None if tls.is_some() => 443,
            None => 80,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| TargetError::Port(url.to_owned()))?,
        };
        Ok(Target {
            tls,
            authority: authority.to_owned(),
            host: host.to_owned(),
            port,
            tap: None,
        })
    }

    /// The target for a socket address, e.g. a server bound in-process.
    pub fn from_addr(addr: std::net::SocketAddr) -> Target {
        Target {
            tls: None,
            authority: addr.to_string(),
            host: addr.ip().to_string(),
            port: addr.port(),
            tap: None,
        }
    }

    /// The same target, its plain (`ws://`) connections recorded by `tap`.
    pub fn tapped(mut self, tap: Tap) -> Target {
        self.tap = Some(tap);
        self
    }

    /// `ws://HOST:PORT` or `wss://HOST[:PORT]`, as given.
    pub fn url(&self) -> String {
        self.to_string()
    }

    /// Whether this is a `wss://` target.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The host name or address (without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection with Nagle's algorithm off (every message goes out at once): the name
    /// resolved, then TCP to each address in turn, then (for `wss://`) the TLS handshake.
    pub async fn connect(&self) -> Result<ClientStream, ConnectError> {
        let (host, port) = (self.host.as_str(), self.port);
        let addrs: Vec<_> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| ConnectError::Dns {
                host: host.to_owned(),
                reason: one_line(&e.to_string()),
            })?
            .collect();
        let mut failure = ConnectError::Dns {
            host: host.to_owned(),
            reason: "no addresses".to_owned(),
        };
        let mut connected = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(tcp) => {
                    connected = Some(tcp);
                    break;
                }
                Err(e) => failure = ConnectError::from_tcp(host, port, &e),
            }
        }
        let tcp = connected.ok_or(failure)?;
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => Ok(match &self.tap {
                Some(tap) => ClientStream::Tapped(Box::new(TappedStream::new(tcp, tap.clone()))),
                None => ClientStream::Plain(tcp),
            }),
            Some(tls) => Ok(ClientStream::Tls(Box::new(tls.handshake(tcp, host).await?))),
        }
    }

    /// Sends a WebSocket upgrade request for `path` (written into the request line as
    /// given) with `headers` added, and reads the answer within `wait`. A `101` whose
    /// `Sec-WebSocket-Accept` is right gives an [`Upgraded`] stream; anything else is a
    /// [`Refusal`] saying what came back.
    pub async fn upgrade(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        wait: Duration,
    ) -> Result<Upgraded, Refusal> {
        let deadline = Instant::now() + wait;
        let key = generate_key();
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n",
            self.authority
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let (head, stream, leftover) = self.exchange(&request, deadline).await?;
        if head.status != 101 {
            return Err(Refusal::Status(head));
        }
        let expected = derive_accept_key(key.as_bytes());
        if head.header("sec-websocket-accept") != Some(expected.as_str()) {
            return Err(Refusal::Malformed(
                "101 without the right Sec-WebSocket-Accept".to_owned(),
            ));
        }
        Ok(Upgraded {
            head,
            stream,
            leftover,
        })
    }

    /// A plain `GET` (e.g. `/metrics`): the response head and its body (at most
    /// `max_body` bytes), within `wait`.
    pub async fn get(&self, path: &str, max_body: usize, wait: Duration) -> Result<Head, Refusal> {
        let deadline = Instant::now() + wait;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.authority
        );
        let tcp = timeout_at(deadline, self.connect())
            .await
            .map_err(|_| Refusal::TimedOut)?
            .map_err(Refusal::Connect)?;
        let (mut head, mut stream, leftover) = exchange_on(tcp, &request, deadline).await?;
        head.body = read_body(&mut stream, leftover, &head, max_body, deadline).await;
        Ok(head)
    }

    async fn exchange(
        &self,
        request: &str,
        deadline: Instant,
    ) -> Result<(Head, ClientStream, Vec<u8>), Refusal> {
        let tcp = timeout_at(deadline, self.connect())
            .await
            .map_err(|_| Refusal::TimedOut)?
            .map_err(Refusal::Connect)?;
        let (mut head, mut stream, leftover) = exchange_on(tcp, request, deadline).await?;
        if head.status == 101 {
            return Ok((head, stream, leftover));
        }
        head.body = read_body(&mut stream, leftover, &head, MAX_BODY, deadline).await;
        Ok((head, stream, Vec::new()))
    }
}

impl fmt::Display for Target {
    /// `ws://HOST:PORT` or `wss://HOST[:PORT]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls.is_some() { "wss" } else { "ws" };
        write!(f, "{scheme}://{}", self.authority)
    }
}

/// Whether `url` starts with `scheme` (ASCII case-insensitive).
fn has_scheme(url: &str, scheme: &str) -> bool {
    url.get(..scheme.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
}

/// Writes `request` and reads a response head. Returns the head, the stream and the bytes
/// read past the head.
async fn exchange_on(
    mut tcp: ClientStream,
    request: &str,
    deadline: Instant,
) -> Result<(Head, ClientStream, Vec<u8>), Refusal> {
    // A write error is not final: the server may refuse and hang up before reading the
    // whole request, and its answer can still be waiting in our receive buffer.
    if timeout_at(deadline, tcp.write_all(request.as_bytes()))
        .await
        .is_err()
    {
        return Err(Refusal::TimedOut);
    }
    let mut buffer = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let n = match timeout_at(deadline, tcp.read(&mut chunk)).await {
            Err(_) => return Err(Refusal::TimedOut),
            Ok(Err(e)) if buffer.is_empty() => {
                return Err(match e.kind() {
                    // TLS reports a hang-up without close_notify as an unexpected end.
                    io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof => Refusal::Closed,
                    _ => Refusal::Io(e),
                });
            }
            Ok(Err(e)) => return Err(Refusal::Malformed(format!("read failed mid-head: {e}"))),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            return Err(if buffer.is_empty() {
                Refusal::Closed
            } else {
                Refusal::Malformed("connection closed in the middle of the response".to_owned())
            });
        }
        buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&buffer) {
            Ok(httparse::Status::Complete(len)) => {
                let head = Head {
                    status: response.code.unwrap_or_default(),
                    reason: response.reason.unwrap_or_default().to_owned(),
                    headers: response
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_owned(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                    body: String::new(),
                };
                let leftover = buffer.get(len..).unwrap_or_default().to_vec();
                return Ok((head, tcp, leftover));
            }
            Ok(httparse::Status::Partial) if buffer.len() <= MAX_RESPONSE_HEAD => {}
            Ok(httparse::Status::Partial) => {
                return Err(Refusal::Malformed(format!(
                    "response head longer than {MAX_RESPONSE_HEAD} bytes"
                )))
            }
            Err(e) => return Err(Refusal::Malformed(format!("not an HTTP response: {e}"))),
        }
    }
}

/// Reads an error body: `Content-Length` bytes (at most `max`), or until the server hangs
/// up (briefly) when there is no length.
async fn read_body(
    stream: &mut ClientStream,
    mut body: Vec<u8>,
    head: &Head,
    max: usize,
    deadline: Instant,
) -> String {
    let length = head
        .header("content-length")
        .and_then(|v| v.trim().parse::<usize>().ok());
    let want = length.unwrap_or(max).min(max);
    let deadline = match length {
        Some(_) => deadline,
        None => deadline.min(Instant::now() + BODY_WITHOUT_LENGTH),
    };
    let mut chunk = [0u8; 1024];
    while body.len() < want {
        match timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => body.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            _ => break,
        }
    }
    body.truncate(want);
    String::from_utf8_lossy(&body).into_owned()
}

/// A response head (and, for an error, its body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// Every header, in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body of an error answer (lossy UTF-8, at most 4 KiB); empty after a `101`.
    pub body: String,
}

impl Head {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// How many times header `name` appears.
    pub fn header_count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    /// One line: `HTTP 404 'unknown tunnel 68…'` (the body's first line, shortened).
    pub fn summary(&self) -> String {
        let line = one_line(self.body.lines().next().unwrap_or_default().trim());
        if line.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            format!("HTTP {} '{}'", self.status, shorten(&line, SUMMARY_BODY))
        }
    }
}

/// A `101`: the stream, ready to become a WebSocket.
#[derive(Debug)]
pub struct Upgraded {
    /// The `101` response head.
    pub head: Head,
    /// The stream (TCP, or TLS over TCP), positioned after the head.
    pub stream: ClientStream,
    /// Bytes the server sent right after the head (already WebSocket frames).
    pub leftover: Vec<u8>,
}

impl Upgraded {
    /// The stream as a client WebSocket (messages and frames up to 4 MiB, so an oversize
    /// message relayed by a lax server is seen rather than refused by the client).
    pub async fn into_websocket(self) -> ClientSocket {
        WebSocketStream::from_partially_read(
            self.stream,
            self.leftover,
            Role::Client,
            Some(client_config()),
        )
        .await
    }
}

/// The largest message or frame a client reads.
const CLIENT_MAX_MESSAGE: usize = 4 << 20;

/// The client side's WebSocket settings: small read buffer (tunnel messages are small),
/// generous size limits, and a bounded write buffer: a server that sends pings and never
/// reads the pongs fills it (twice the message limit plus 64 KiB) and the socket fails,
/// instead of growing the client's memory.
pub fn client_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(CLIENT_MAX_MESSAGE * 2 + 64 * 1024)
        .max_message_size(Some(CLIENT_MAX_MESSAGE))
        .max_frame_size(Some(CLIENT_MAX_MESSAGE))
}

/// Control frames (ping, pong) a client takes from a server on one socket before it
/// closes the socket with 1008: a server flooding pings costs the client a pong each.
pub const MAX_CONTROL_FRAMES: u32 = 64;

/// What came back instead of a usable `101`.
#[derive(Debug)]
pub enum Refusal {
    /// An HTTP answer other than `101`.
    Status(Head),
    /// The server hung up without answering.
    Closed,
    /// No complete answer in time.
    TimedOut,
    /// No connection: DNS, TCP or TLS failed.
    Connect(ConnectError),
    /// The socket failed after connecting.
    Io(io::Error),
    /// An answer that is not valid HTTP, or a `101` that is not a valid upgrade.
    Malformed(String),
}

impl Refusal {
    /// The HTTP status, if there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Refusal::Status(head) => Some(head.status),
            _ => None,
        }
    }
}

impl fmt::Display for Refusal {
    /// One line, e.g. `HTTP 404 'unknown tunnel …'` or `closed without an answer`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Status(head) => f.write_str(&head.summary()),
            Refusal::Closed => f.write_str("closed without an answer"),
            Refusal::TimedOut => f.write_str("no answer in time"),
            Refusal::Connect(e) => write!(f, "{e}"),
            Refusal::Io(e) => write!(f, "socket error: {}", one_line(&e.to_string())),
            Refusal::Malformed(why) => write!(f, "bad answer: {}", one_line(why)),
        }
    }
}

/// `N` random bytes from the OS; if the OS gives none, a time-and-counter mix (ids only
/// need to be unlikely to collide between runs, not secret).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut out = [0u8; N];
    if OsRng.try_fill_bytes(&mut out).is_ok() {
        return out;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let mut state = nanos ^ COUNTER.fetch_add(1, Ordering::Relaxed).rotate_left(32);
    for byte in &mut out {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        *byte = (z ^ (z >> 31)) as u8;
    }
    out
}

/// `/cable/new/{HEX}`.
pub fn new_path(tunnel_id: &[u8; 16]) -> String {
    format!("/cable/new/{}", hex::encode_upper(tunnel_id))
}

/// `/cable/connect/{routing}/{HEX}` (`routing` as the server sent it).
pub fn connect_path(routing_id: &str, tunnel_id: &[u8; 16]) -> String {
    format!(
        "/cable/connect/{routing_id}/{}",
        hex::encode_upper(tunnel_id)
    )
}

/// `/cable/contact/{base64url contact id}`.
pub fn contact_path(contact_id: &[u8]) -> String {
    format!("/cable/contact/{}", URL_SAFE_NO_PAD.encode(contact_id))
}

#[cfg(test)]
mod tests;
