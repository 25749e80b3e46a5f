//! Runs the tunnel server bench ([`hybridsim_tunnel_check::bench`]) from the command line, until
//! `hybridsim tunnel bench` takes over:
//!
//! ```sh
//! ulimit -n 65536   # 20,000 idle tunnels in-process need ~40,000 descriptors
//! cargo run --release -p hybridsim-tunnel-check --example tunnel_bench -- \
//!     [ws://HOST:PORT] [--pairs N] [--rate R] [--seconds S] [--idle K] [--server-pid PID] \
//!     [--connecting N] [--child-server [--server-threads N]]
//! ```
//!
//! Without a target it starts our server in this process on 127.0.0.1 (port chosen by the
//! system) with its tunnel and per-address limits raised above the bench's counts, and
//! measures it with its own pid (memory and CPU then include the bench's share). With
//! `--child-server` it runs that server in a child process instead (this program again,
//! as `--serve-only`) and measures the child alone; the child stops when the bench ends.
//! `--server-threads N` sets the child's tokio worker threads (default 2; the bench itself
//! always uses 2).

use hybridsim_tunnel_check::{bench, BenchOptions};
use hybridsim_tunnel_server::{bind, ServeConfig};
use std::process::ExitCode;
use std::time::Duration;

fn usage() -> ExitCode {
    eprintln!(
        "usage: tunnel_bench [ws://HOST:PORT] [--pairs N] [--rate R] [--seconds S] [--idle K] [--server-pid PID] [--connecting N] [--child-server [--server-threads N]]"
    );
    ExitCode::from(2)
}

/// Our server with its tunnel and connection limits raised above the bench's counts.
async fn start_server(
    options: &BenchOptions,
) -> Result<(hybridsim_tunnel_server::Server, String), hybridsim_tunnel_server::NetError> {
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let mut config = ServeConfig::new(listen);
    let relay_pairs = (options.seconds.as_secs_f64() * f64::from(options.rate)) as usize / 32 + 1;
    let most = options.idle.max(options.pairs).saturating_add(relay_pairs);
    config.tunnel.max_tunnels = most.saturating_mul(2).max(1024);
    config.tunnel.max_connections_per_ip = most.saturating_mul(4).max(1024);
    config.max_connections = config.tunnel.max_connections_per_ip;
    let server = bind(config).await?;
    let url = format!("ws://{}", server.local_addr());
    Ok((server, url))
}

fn main() -> ExitCode {
    // `--server-threads N` (the child server's runtime) is read here, before the runtime
    // exists; every other flag in `run`.
    let args: Vec<String> = std::env::args().collect();
    let serve_only = args.iter().any(|a| a == "--serve-only");
    let server_threads = args
        .iter()
        .position(|a| a == "--server-threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(2)
        .max(1);
    let threads = if serve_only { server_threads } else { 2 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let mut options = BenchOptions::default();
    let mut target: Option<String> = None;
    let mut child_server = false;
    let mut serve_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(());
        let parsed: Result<(), ()> = match arg.as_str() {
            "--pairs" => value()
                .and_then(|v| v.parse().map_err(drop))
                .map(|n| options.pairs = n),
            "--rate" => value()
                .and_then(|v| v.parse().map_err(drop))
                .map(|n| options.rate = n),
            "--seconds" => value()
                .and_then(|v| v.parse::<f64>().map_err(drop))
                .and_then(|s| Duration::try_from_secs_f64(s).map_err(drop))
                .map(|d| options.seconds = d),
            "--idle" => value()
                .and_then(|v| v.parse().map_err(drop))
                .map(|n| options.idle = n),
            "--server-pid" => value()
                .and_then(|v| v.parse().map_err(drop))
                .map(|p| options.server_pid = Some(p)),
            "--connecting" => value()
                .and_then(|v| v.parse().map_err(drop))
                .map(|n| options.connecting = n),
            "--child-server" => {
                child_server = true;
                Ok(())
            }
            "--serve-only" => {
                serve_only = true;
                Ok(())
            }
            "--server-threads" => value()
                .and_then(|v| v.parse::<usize>().map_err(drop))
                .map(drop),
            t if t.starts_with("ws://") && target.is_none() => {
                target = Some(t.to_owned());
                Ok(())
            }
            _ => Err(()),
        };
        if parsed.is_err() {
            return usage();
        }
    }
    if serve_only {
        return serve_until_stdin_closes(&options).await;
    }
    println!(
        "command: {}",
        std::env::args().collect::<Vec<_>>().join(" ")
    );
    let mut in_process = None;
    let mut child = None;
    let target = match target {
        Some(target) => target,
        None if child_server => match spawn_child_server() {
            Ok((process, url)) => {
                options.server_pid = Some(process.id());
                child = Some(process);
                url
            }
            Err(e) => {
                eprintln!("cannot start the server process: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => {
            let (server, url) = match start_server(&options).await {
                Ok(started) => started,
                Err(e) => {
                    eprintln!("cannot start the server: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            let task = tokio::spawn(server.run(async {
                let _ = rx.await;
            }));
            in_process = Some((tx, task));
            options.server_pid = Some(std::process::id());
            url
        }
    };
    let report = bench(&target, options).await;
    println!("{report}");
    if let Some((tx, task)) = in_process {
        let _ = tx.send(());
        if let Ok(served) = task.await {
            println!("{served}");
        }
    }
    if let Some(mut process) = child {
        // Closing its stdin stops it; kill it if it has not gone within 10 s.
        drop(process.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match process.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => {
                    let _ = process.kill();
                    let _ = process.wait();
                    break;
                }
            }
        }
        if let Some(stdout) = process.stdout.take() {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                println!("server: {line}");
            }
        }
    }
    ExitCode::SUCCESS
}

/// Starts this program again as `--serve-only` with the same counts; returns it and the
/// URL it printed.
fn spawn_child_server() -> std::io::Result<(std::process::Child, String)> {
    use std::io::BufRead;
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--child-server")
        .collect();
    args.push("--serve-only".to_owned());
    let mut process = std::process::Command::new(std::env::current_exe()?)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    if let Some(stdout) = process.stdout.as_mut() {
        std::io::BufReader::new(stdout).read_line(&mut line)?;
    }
    match line.trim().strip_prefix("listening ") {
        Some(url) => Ok((process, url.to_owned())),
        None => {
            let _ = process.kill();
            let _ = process.wait();
            Err(std::io::Error::other(format!("server said {line:?}")))
        }
    }
}

/// `--serve-only`: serves, prints `listening ws://…`, and stops when stdin closes.
async fn serve_until_stdin_closes(options: &BenchOptions) -> ExitCode {
    let (server, url) = match start_server(options).await {
        Ok(started) => started,
        Err(e) => {
            eprintln!("cannot start the server: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening {url}");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        let _ = tx.send(());
    });
    let served = server
        .run(async {
            let _ = rx.await;
        })
        .await;
    println!("{served}");
    ExitCode::SUCCESS
}
