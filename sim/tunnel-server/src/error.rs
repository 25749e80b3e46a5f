//! Errors that stop the server from starting. Once running, it only logs: a bad client never
//! stops the server.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// Another socket already listens on the address.
    #[error("address {addr} is already in use")]
    AddressInUse {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The address is not one of this machine's.
    #[error("address {addr} is not available on this machine")]
    AddressNotAvailable {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Listening there needs privileges (e.g. a port below 1024).
    #[error("not permitted to listen on {addr}")]
    PermissionDenied {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Any other failure to bind or listen.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
    /// The bound socket's address could not be read.
    #[error("cannot read the listening socket's address: {0}")]
    LocalAddr(io::Error),
    /// The operating system gave no random seed for tunnel ids.
    #[error("no randomness from the operating system: {0}")]
    Randomness(String),
    /// A TLS certificate or key file named in [`TlsFiles`](crate::config::TlsFiles) could not
    /// be read, or is not a regular file of at most [`hybridsim_files::MAX_PEM_BYTES`].
    #[error(transparent)]
    TlsRead(hybridsim_files::ReadError),
    /// A TLS certificate or key file is not valid PEM.
    #[error("bad PEM in {}: {reason}", path.display())]
    TlsPem {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The certificate file holds no `CERTIFICATE` section.
    #[error("no certificate in {}", path.display())]
    TlsNoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// The key file holds no private key (PKCS#8, SEC1 or PKCS#1 PEM section).
    #[error("no private key in {}", path.display())]
    TlsNoPrivateKey {
        /// The file.
        path: PathBuf,
    },
    /// The private key is not the key of the certificate chain's first (leaf) certificate.
    #[error("key {} does not match certificate {}", key.display(), cert.display())]
    TlsKeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// A limit of 0, which would leave a server that cannot relay (every message too big,
    /// every tunnel expired at once, every connection refused).
    #[error("{limit} must be at least 1 (0 leaves a server that cannot relay)")]
    ZeroLimit {
        /// The limit's name in [`ServeConfig`](crate::ServeConfig).
        limit: &'static str,
    },
    /// rustls refused the certificate or key for another reason (e.g. an unsupported key type).
    #[error("TLS configuration: {reason}")]
    TlsConfig {
        /// rustls' explanation, with the files.
        reason: String,
    },
}

impl NetError {
    /// Whether the configuration is at fault (TLS files, a zero limit), rather than the
    /// machine (a taken or forbidden address, no socket).
    pub fn is_configuration(&self) -> bool {
        matches!(
            self,
            NetError::TlsRead { .. }
                | NetError::TlsPem { .. }
                | NetError::TlsNoCertificate { .. }
                | NetError::TlsNoPrivateKey { .. }
                | NetError::TlsKeyMismatch { .. }
                | NetError::TlsConfig { .. }
                | NetError::ZeroLimit { .. }
        )
    }

    /// Classifies a bind error by its kind.
    pub(crate) fn bind(addr: SocketAddr, source: io::Error) -> NetError {
        match source.kind() {
            io::ErrorKind::AddrInUse => NetError::AddressInUse { addr },
            io::ErrorKind::AddrNotAvailable => NetError::AddressNotAvailable { addr },
            io::ErrorKind::PermissionDenied => NetError::PermissionDenied { addr },
            _ => NetError::Bind { addr, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_errors_are_told_from_the_machine_s() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        assert!(NetError::ZeroLimit {
            limit: "max_tunnels"
        }
        .is_configuration());
        let mismatch = NetError::TlsKeyMismatch {
            cert: "c.pem".into(),
            key: "k.pem".into(),
        };
        assert!(mismatch.is_configuration());
        assert!(!NetError::AddressInUse { addr }.is_configuration());
        let refused = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(!NetError::bind(addr, refused).is_configuration());
    }
}
