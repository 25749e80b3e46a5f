//! `hybridsim tunnel …` arguments. The forms here are scripted by CI suites: change them only
//! compatibly.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hybridsim tunnel …`
#[derive(Debug, Subcommand)]
pub enum TunnelCommand {
    /// Serve /cable/new, /cable/connect and /cable/contact over WebSocket until Ctrl-C or
    /// SIGTERM. Phones subscribe to contact wake-ups at /hybridsim/wake/{b64url contact id};
    /// GET /metrics gives Prometheus counters.
    Serve(TunnelServe),
    /// Check any tunnel server against the hybrid rules over real sockets (routes, headers,
    /// pairing, buffering, boundaries, close, limits); exit 1 if a case fails.
    Check(TunnelCheck),
    /// Load a tunnel server: pairings per second, relayed messages per second, relay latency
    /// and memory per idle pending tunnel.
    Bench(TunnelBench),
}

/// `hybridsim tunnel check`
#[derive(Debug, Args)]
pub struct TunnelCheck {
    /// The server, e.g. ws://127.0.0.1:8080 (or wss://HOST[:PORT], trusting the WebPKI roots).
    pub target: String,
    /// Also write the results as JUnit XML (one testcase per case).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// What to probe and which Origin to send.
    #[command(flatten)]
    pub options: hybridsim_tunnel_check::CheckOptions,
}

/// `hybridsim tunnel bench`
#[derive(Debug, Args)]
pub struct TunnelBench {
    /// The server, e.g. ws://127.0.0.1:8080 (or wss://HOST[:PORT], trusting the WebPKI roots).
    pub target: String,
    /// The phases' sizes and the server to measure.
    #[command(flatten)]
    pub options: hybridsim_tunnel_check::BenchOptions,
}

/// `hybridsim tunnel serve`
#[derive(Debug, Args)]
pub struct TunnelServe {
    /// Address and port to listen on (ws://, or wss:// with --tls-cert and --tls-key).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// PEM certificate chain (leaf first) to serve wss:// with.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, SEC1 or PKCS#1) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// This instance's 3-byte routing id (hex), sent in X-caBLE-Routing-ID; give each
    /// instance of a fleet its own (or use --instance-id).
    #[arg(long, value_name = "HEX6", default_value = "2A0000")]
    pub routing_id: String,
    /// Instance N of a fleet: the routing id is 2A then N as 4 hex digits (instance 1 is
    /// 2A0001, instance 0 the default 2A0000), so a balancer routes /cable/connect by it.
    #[arg(long, value_name = "N", conflicts_with = "routing_id")]
    pub instance_id: Option<u16>,
    /// Largest WebSocket message accepted, in bytes (larger: close 1009).
    #[arg(long, default_value_t = hybridsim_tunnel::config::DEFAULT_MAX_MESSAGE_SIZE)]
    pub max_message_size: usize,
    /// Messages each side may send in one tunnel (more: close 1008).
    #[arg(long, default_value_t = hybridsim_tunnel::config::DEFAULT_MAX_MESSAGES_PER_PEER)]
    pub max_messages_per_peer: u32,
    /// Seconds a tunnel may wait for its second side (then close 1008).
    #[arg(long, value_name = "SECONDS", default_value_t = hybridsim_tunnel::config::DEFAULT_PENDING_TTL.as_secs())]
    pub pending_ttl: u64,
    /// Seconds a paired tunnel may live (then close 1008).
    #[arg(long, value_name = "SECONDS", default_value_t = hybridsim_tunnel::config::DEFAULT_TUNNEL_TTL.as_secs())]
    pub tunnel_ttl: u64,
    /// Tunnels open at once (more: HTTP 503).
    #[arg(long, default_value_t = hybridsim_tunnel::config::DEFAULT_MAX_TUNNELS)]
    pub max_tunnels: usize,
    /// Connections from one IP address at once, of every kind: tunnel, wake and plain HTTP
    /// sockets and unfinished request heads (more: HTTP 429).
    #[arg(long, default_value_t = hybridsim_tunnel::config::DEFAULT_MAX_CONNECTIONS_PER_IP)]
    pub max_connections_per_ip: usize,
    /// Connections open at once from everyone, of every kind (more: HTTP 503). Keep it
    /// below `ulimit -n`. Fixed bounds besides: a wake socket that sends nothing for 300 s
    /// is closed, 8 wake-ups queued for a wake socket that does not read drop it, one contact
    /// id is woken 4 times at once and then once a second (more: 429), a client may send 64
    /// ping/pong frames per WebSocket (more: close 1008), and each WebSocket's unsent data is
    /// capped at twice --max-message-size plus 64 KiB (a peer that does not read is
    /// disconnected). Every limit must be at least 1.
    #[arg(long, default_value_t = hybridsim_tunnel_server::config::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
}
