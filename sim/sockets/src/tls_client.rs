//! The client side of `wss://`: which servers a tunnel client trusts, the byte stream it runs
//! on (plain TCP or TLS over TCP), and why a connection could not be made, sorted so that a
//! caller can say "DNS", "refused", "certificate not trusted" or "wrong name" in one line.
//!
//! Real tunnel domains (docs/protocol.md §5.1) are reached over `wss://` with
//! a certificate from a public CA, so the default trust is the WebPKI root list compiled in
//! (`webpki-roots`); a private server or a test adds its own anchors from a PEM file.

use crate::tap::TappedStream;
use hybridsim_files::{ReadError, MAX_PEM_BYTES};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::io;
use std::path::Path;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, CertificateError, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// Why the trust of a `wss://` client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The anchor file could not be read, or is not a regular file of at most
    /// [`MAX_PEM_BYTES`].
    #[error(transparent)]
    Read(ReadError),
    /// The anchor file is not valid PEM.
    #[error("bad PEM in {}: {reason}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The anchor file holds no `CERTIFICATE` section.
    #[error("no certificate in {}", path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// A certificate in the anchor file could not be used as an anchor.
    #[error("cannot trust the certificate in {}: {reason}", path.display())]
    Anchor {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {reason}")]
    Config {
        /// rustls' explanation.
        reason: String,
    },
}

/// Every `CERTIFICATE` section of the PEM file at `path`.
fn load_anchors(path: &Path) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let bytes = hybridsim_files::read_bytes(path, MAX_PEM_BYTES).map_err(TrustError::Read)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TrustError::Pem {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TrustError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(certs)
}

/// The trust a `wss://` client connects with: WebPKI roots, plus any extra anchors. Cheap to
/// clone (the configuration is shared).
#[derive(Debug, Clone)]
pub struct TlsClient {
    config: Arc<ClientConfig>,
    extra_anchors: usize,
}

impl TlsClient {
    /// Trusts the WebPKI roots (Mozilla's list, as `webpki-roots` ships it) only.
    pub fn webpki() -> Result<TlsClient, TrustError> {
        TlsClient::with_roots(RootCertStore::empty(), 0)
    }

    /// Trusts the WebPKI roots and every certificate in the PEM file at `path` (a private CA,
    /// or a self-signed server certificate used as its own anchor).
    pub fn with_extra_anchors(path: &Path) -> Result<TlsClient, TrustError> {
        let certs = load_anchors(path)?;
        let mut extra = RootCertStore::empty();
        for cert in certs {
            extra.add(cert).map_err(|e| TrustError::Anchor {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        }
        let count = extra.len();
        TlsClient::with_roots(extra, count)
    }

    fn with_roots(mut roots: RootCertStore, extra_anchors: usize) -> Result<TlsClient, TrustError> {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| TrustError::Config {
                reason: e.to_string(),
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsClient {
            config: Arc::new(config),
            extra_anchors,
        })
    }

    /// How many anchors came from a PEM file on top of the WebPKI roots.
    pub fn extra_anchors(&self) -> usize {
        self.extra_anchors
    }

    /// The TLS handshake on `tcp`, with `host` as the SNI name and the name the certificate
    /// must be valid for (an IP address is checked against the certificate's IP names).
    pub(crate) async fn handshake(
        &self,
        tcp: TcpStream,
        host: &str,
    ) -> Result<TlsStream<TcpStream>, ConnectError> {
        let name = ServerName::try_from(host.to_owned()).map_err(|e| ConnectError::Tls {
            host: host.to_owned(),
            reason: format!("not a usable server name: {e}"),
        })?;
        TlsConnector::from(Arc::clone(&self.config))
            .connect(name, tcp)
            .await
            .map_err(|e| ConnectError::from_tls(host, &e))
    }
}

/// Why no connection (TCP, then TLS for `wss://`) was made to a tunnel host. Every variant
/// displays as one line naming the host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The host name did not resolve.
    #[error("DNS lookup of {host} failed: {reason}")]
    Dns {
        /// The host name.
        host: String,
        /// The resolver's error.
        reason: String,
    },
    /// Something answered, but nothing listens on the port.
    #[error("connection to {host}:{port} refused (nothing listens there)")]
    Refused {
        /// The host.
        host: String,
        /// The port.
        port: u16,
    },
    /// No route to the host or its network, or the connection attempt timed out.
    #[error("{host}:{port} is unreachable: {reason}")]
    Unreachable {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// The operating system's error.
        reason: String,
    },
    /// The certificate does not lead to a trusted root (self-signed, private CA, …).
    #[error("TLS: the certificate of {host} is not trusted ({reason})")]
    Untrusted {
        /// The host.
        host: String,
        /// rustls' explanation.
        reason: String,
    },
    /// The certificate is trusted but not valid for the host name connected to.
    #[error("TLS: the certificate of {host} is not valid for that name ({reason})")]
    NameMismatch {
        /// The host.
        host: String,
        /// rustls' explanation (with the names the certificate has, when known).
        reason: String,
    },
    /// Any other TLS failure: expired certificate, no common protocol, not a TLS server, …
    #[error("TLS handshake with {host} failed: {reason}")]
    Tls {
        /// The host.
        host: String,
        /// rustls' or the socket's explanation.
        reason: String,
    },
}

impl ConnectError {
    /// Sorts a failed TCP connect by its error kind.
    pub(crate) fn from_tcp(host: &str, port: u16, e: &io::Error) -> ConnectError {
        let reason = crate::text::one_line(&e.to_string());
        match e.kind() {
            io::ErrorKind::ConnectionRefused => ConnectError::Refused {
                host: host.to_owned(),
                port,
            },
            _ => ConnectError::Unreachable {
                host: host.to_owned(),
                port,
                reason,
            },
        }
    }

    /// Sorts a failed TLS handshake by the rustls error inside the I/O error.
    fn from_tls(host: &str, e: &io::Error) -> ConnectError {
        let host = host.to_owned();
        let inner = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        let reason = crate::text::one_line(&e.to_string());
        match inner {
            Some(rustls::Error::InvalidCertificate(cert)) => match cert {
                CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                    ConnectError::Untrusted { host, reason }
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    ConnectError::NameMismatch { host, reason }
                }
                _ => ConnectError::Tls { host, reason },
            },
            Some(rustls::Error::InvalidMessage(_)) => ConnectError::Tls {
                host,
                reason: format!("{reason} (is it a TLS server? try ws://)"),
            },
            _ => ConnectError::Tls { host, reason },
        }
    }

    /// The host the connection was for.
    pub fn host(&self) -> &str {
        match self {
            ConnectError::Dns { host, .. }
            | ConnectError::Refused { host, .. }
            | ConnectError::Unreachable { host, .. }
            | ConnectError::Untrusted { host, .. }
            | ConnectError::NameMismatch { host, .. }
            | ConnectError::Tls { host, .. } => host,
        }
    }

    /// Whether the failure was in TLS (certificate or handshake) rather than in reaching the
    /// host at all.
    pub fn is_tls(&self) -> bool {
        matches!(
            self,
            ConnectError::Untrusted { .. }
                | ConnectError::NameMismatch { .. }
                | ConnectError::Tls { .. }
        )
    }
}

/// The byte stream under a client connection: plain TCP (`ws://`) or TLS over TCP (`wss://`).
/// The TLS state is boxed: it is large and most probing connections are plain.
#[derive(Debug)]
pub enum ClientStream {
    /// `ws://`.
    Plain(TcpStream),
    /// `wss://`, handshake done.
    Tls(Box<TlsStream<TcpStream>>),
    /// `ws://`, every byte recorded (`--pcapng`).
    Tapped(Box<TappedStream>),
}

impl ClientStream {
    /// The TCP socket underneath (for socket options such as linger).
    pub fn tcp(&self) -> &TcpStream {
        match self {
            ClientStream::Plain(tcp) => tcp,
            ClientStream::Tls(tls) => tls.get_ref().0,
            ClientStream::Tapped(tapped) => tapped.tcp(),
        }
    }
}

impl AsyncRead for ClientStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            ClientStream::Tapped(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for ClientStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            ClientStream::Tapped(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_flush(cx),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            ClientStream::Tapped(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            ClientStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            ClientStream::Tapped(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
