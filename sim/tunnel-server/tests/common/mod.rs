//! What the tunnel server's socket tests share: an overall time bound and a server on an
//! ephemeral loopback port that a test starts with its own settings and stops cleanly.
#![allow(dead_code, clippy::unwrap_used)]

use hybridsim_tunnel_server::{bind, ServeConfig, ServeReport};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// How long one step of a test (a connect, a read) may take.
pub const STEP: Duration = Duration::from_secs(5);

/// Runs a test body under an overall timeout.
pub async fn bounded<T>(body: impl Future<Output = T>) -> T {
    timeout(Duration::from_secs(30), body)
        .await
        .expect("test took too long")
}

/// A server running in a task, with the way to stop it.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<ServeReport>,
}

impl Running {
    /// Asks the server to stop and returns its report.
    pub async fn stop(self) -> ServeReport {
        let _ = self.stop.send(());
        timeout(STEP * 2, self.task).await.unwrap().unwrap()
    }
}

/// A server on 127.0.0.1:0 with a fixed seed and short lingers, then `configure`d.
pub async fn start(configure: impl FnOnce(&mut ServeConfig)) -> Running {
    let mut config = ServeConfig::new("127.0.0.1:0".parse().unwrap());
    config.rng_seed = Some([9; 32]);
    config.close_linger = Duration::from_millis(500);
    config.shutdown_grace = Duration::from_secs(2);
    configure(&mut config);
    let server = bind(config).await.unwrap();
    let addr = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    Running { addr, stop, task }
}
