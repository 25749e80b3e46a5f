//! Recording a plain `ws://` connection's bytes for `--pcapng`: a [`Tap`] keeps every read
//! and write of the TCP stream it wraps (the HTTP upgrade and every WebSocket frame, as the
//! socket carried them), with the time and the two addresses, so a capture holds the real
//! bytes instead of a synthesised tunnel. `wss://` connections are not tapped: their bytes
//! are TLS records a capture could not open.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Most bytes a tap keeps per connection: a server that floods the socket for the whole
/// run cannot grow the recording past this (the rest is counted, not kept).
pub const MAX_TAP_BYTES: usize = 16 << 20;

/// One read or write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapChunk {
    /// Nanoseconds since the tap's start.
    pub at_ns: u64,
    /// Written by us (else read).
    pub outgoing: bool,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// What a tap recorded: the connection's addresses and its chunks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TapRecord {
    /// Our address.
    pub local: Option<SocketAddr>,
    /// The server's.
    pub peer: Option<SocketAddr>,
    /// Every read and write, in order, up to [`MAX_TAP_BYTES`].
    pub chunks: Vec<TapChunk>,
    /// Bytes kept in `chunks`.
    pub kept: usize,
    /// Bytes read or written after the limit, not kept.
    pub dropped: usize,
}

/// A recorder shared by the socket task (which writes) and the driver (which reads it at
/// the end of the run).
#[derive(Debug, Clone)]
pub struct Tap {
    start: Instant,
    record: Arc<Mutex<TapRecord>>,
}

impl Tap {
    /// A tap whose times count from `start`.
    pub fn new(start: Instant) -> Tap {
        Tap {
            start,
            record: Arc::new(Mutex::new(TapRecord::default())),
        }
    }

    /// What it recorded so far.
    pub fn record(&self) -> TapRecord {
        self.record.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn addresses(&self, tcp: &TcpStream) {
        if let Ok(mut record) = self.record.lock() {
            record.local = tcp.local_addr().ok();
            record.peer = tcp.peer_addr().ok();
        }
    }

    /// Keeps one read or write (not past [`MAX_TAP_BYTES`]).
    pub fn keep(&self, outgoing: bool, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let at_ns = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        if let Ok(mut record) = self.record.lock() {
            if record.kept + bytes.len() > MAX_TAP_BYTES {
                record.dropped += bytes.len();
                return;
            }
            record.kept += bytes.len();
            record.chunks.push(TapChunk {
                at_ns,
                outgoing,
                bytes: bytes.to_vec(),
            });
        }
    }
}

/// A TCP stream whose reads and writes a [`Tap`] keeps.
#[derive(Debug)]
pub struct TappedStream {
    tcp: TcpStream,
    tap: Tap,
}

impl TappedStream {
    /// `tcp`, recorded by `tap` from now on.
    pub fn new(tcp: TcpStream, tap: Tap) -> TappedStream {
        tap.addresses(&tcp);
        TappedStream { tcp, tap }
    }

    /// The TCP socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }
}

impl AsyncRead for TappedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.tcp).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            this.tap
                .keep(false, buf.filled().get(before..).unwrap_or_default());
        }
        polled
    }
}

impl AsyncWrite for TappedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.tcp).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            this.tap.keep(true, buf.get(..n).unwrap_or_default());
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tap_stops_keeping_at_its_limit_and_counts_the_rest() {
        let tap = Tap::new(Instant::now());
        tap.keep(true, b"GET / HTTP/1.1\r\n\r\n");
        let big = vec![0u8; MAX_TAP_BYTES];
        tap.keep(false, &big);
        tap.keep(true, b"");
        let record = tap.record();
        assert_eq!(record.chunks.len(), 1);
        assert_eq!(record.kept, 18);
        assert_eq!(record.dropped, MAX_TAP_BYTES);
    }
}
