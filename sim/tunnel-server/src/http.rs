//! Just enough HTTP/1.1 to tell a WebSocket upgrade from a plain GET, and to answer the plain
//! ones (`/metrics`, errors). The upgrade itself is tungstenite's.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Largest request head read before giving up (tungstenite's own limit is similar).
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// Headers parsed at most.
const MAX_HEADERS: usize = 64;

/// The parts of a request head the driver looks at before choosing a handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) method: String,
    pub(crate) path: String,
    /// `Upgrade: websocket` was present.
    pub(crate) upgrade: bool,
}

/// Why a request head could not be read.
#[derive(Debug)]
pub(crate) enum HeadError {
    /// The socket failed or closed early.
    Io(io::Error),
    /// Not HTTP/1.x, or more than [`MAX_HEAD`] bytes without an end.
    Malformed(String),
}

/// Reads from `stream` until a complete request head is buffered. Returns the head and every
/// byte read (the head and anything after it), to be replayed to the WebSocket handshake.
pub(crate) async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> Result<(Head, Vec<u8>), HeadError> {
    // Read straight into the buffer: a chunk array here would make every connection
    // task's future that much larger for the connection's whole life.
    let mut buffer = Vec::with_capacity(1024);
    loop {
        buffer.reserve(1024);
        let n = stream.read_buf(&mut buffer).await.map_err(HeadError::Io)?;
        if n == 0 {
            let e = io::Error::new(io::ErrorKind::UnexpectedEof, "closed before a request");
            return Err(HeadError::Io(e));
        }
        if let Some(head) = parse_head(&buffer)? {
            return Ok((head, buffer));
        }
        if buffer.len() > MAX_HEAD {
            return Err(HeadError::Malformed(format!(
                "request head longer than {MAX_HEAD} bytes"
            )));
        }
    }
}

/// `Ok(None)` while the head is incomplete.
pub(crate) fn parse_head(bytes: &[u8]) -> Result<Option<Head>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(bytes) {
        Ok(httparse::Status::Partial) => Ok(None),
        Ok(httparse::Status::Complete(_)) => {
            let path = request.path.unwrap_or_default();
            if !path.starts_with('/') {
                // Not origin-form (`cable/new/…`, `../…`, `*`): tungstenite would drop the
                // connection without an answer; say why instead.
                return Err(HeadError::Malformed(format!(
                    "request target {:?} does not start with '/'",
                    path.chars().take(64).collect::<String>()
                )));
            }
            let upgrade = request.headers.iter().any(|h| {
                h.name.eq_ignore_ascii_case("upgrade")
                    && std::str::from_utf8(h.value).is_ok_and(|v| {
                        v.split(',')
                            .any(|t| t.trim().eq_ignore_ascii_case("websocket"))
                    })
            });
            Ok(Some(Head {
                method: request.method.unwrap_or_default().to_owned(),
                path: path.to_owned(),
                upgrade,
            }))
        }
        Err(e) => Err(HeadError::Malformed(e.to_string())),
    }
}

/// Writes a complete `Connection: close` response with a body.
pub(crate) async fn respond<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: u16,
    extra_headers: &[(&str, &str)],
    content_type: &str,
    body: &str,
) -> io::Result<()> {
    let mut response = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason_phrase(status),
        body.len()
    );
    for (name, value) in extra_headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(body);
    stream.write_all(response.as_bytes()).await?;
    stream.flush().await?;
    stream.shutdown().await
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        426 => "Upgrade Required",
        _ => "",
    }
}

/// A stream that first replays bytes already read from `inner`, then reads `inner`; writes go
/// straight to `inner`. Lets the driver look at a request head and still hand the whole
/// request to tungstenite.
#[derive(Debug)]
pub(crate) struct Prefixed<S> {
    prefix: Vec<u8>,
    offset: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    pub(crate) fn new(prefix: Vec<u8>, inner: S) -> Prefixed<S> {
        Prefixed {
            prefix,
            offset: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(rest) = this.prefix.get(this.offset..).filter(|r| !r.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(rest.get(..n).unwrap_or_default());
            this.offset = this.offset.saturating_add(n);
            if this.offset >= this.prefix.len() {
                this.prefix = Vec::new();
                this.offset = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_upgrade_and_plain_heads() {
        let ws = b"GET /cable/new/00 HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n";
        let head = parse_head(ws).unwrap().unwrap();
        assert_eq!(
            (head.method.as_str(), head.path.as_str(), head.upgrade),
            ("GET", "/cable/new/00", true)
        );
        let plain = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
        assert!(!parse_head(plain).unwrap().unwrap().upgrade);
        assert!(parse_head(b"GET /metrics HTTP/1.1\r\nHost")
            .unwrap()
            .is_none());
        assert!(parse_head(b"\x16\x03\x01 not http\r\n\r\n").is_err());
        assert!(matches!(
            parse_head(b"GET ../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
            Err(HeadError::Malformed(why)) if why == "request target \"../etc/passwd\" does not start with '/'"
        ));
    }

    #[tokio::test]
    async fn prefixed_replays_then_reads_inner() {
        let inner: &[u8] = b" world";
        let mut s = Prefixed::new(b"hello".to_vec(), inner);
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert_eq!(out, "hello world");
    }
}
