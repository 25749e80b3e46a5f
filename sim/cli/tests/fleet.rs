//! A fleet of `hybridsim tunnel serve` instances behind nginx, started by `deploy/local-fleet`
//! as an operator starts it: `tunnel check` and 200 full ceremonies pass through the
//! balancer and reach every instance; an instance stopped (SIGTERM) or killed (SIGKILL)
//! mid-run ends its own tunnels only, with close 1001 or a dropped connection, while the
//! others keep relaying and new tunnels go to the living instances; SIGTERM stops the fleet.
//!
//! Needs nginx (Debian's `nginx-light`; `bash tests/run` installs it) and python3. Without
//! nginx the tests are skipped, except in CI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_ctap::MakeCredentialResponse;
use hybridsim_peers::{Desktop, DesktopConfig, Millis, Phone, PhoneConfig};
use hybridsim_sockets::client::{connect_path, random_bytes, Target, CABLE_HEADERS};
use hybridsim_sockets::drive::{run_peers, tunnel_endpoint, DriveOptions};
use hybridsim_tunnel_check::ceremony::{
    ceremony_authenticator, ceremony_relying_party, CEREMONY_ORIGIN,
};
use hybridsim_tunnel_check::check::{Event, Pair, Probe};
use hybridsim_webauthn::b64::Base64Url;
use hybridsim_webauthn::client::{self, Caller};
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::RegistrationRequest;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Bound of every wait on the fleet's processes (start, stop) and on one socket step.
const BOUND: Duration = Duration::from_secs(30);
const STEP: Duration = Duration::from_secs(10);
const INSTANCES: usize = 3;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Whether nginx is here; a skip notice otherwise (a failure in CI).
fn have_nginx() -> bool {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .any(|p| std::path::Path::new(p).exists())
        || Command::new("nginx").arg("-v").output().is_ok();
    if !found {
        assert!(
            !in_ci(),
            "nginx is not installed: bash tests/run installs it"
        );
        eprintln!("skipped: nginx is not installed (bash tests/run installs it)");
    }
    found
}

fn local_fleet() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/local-fleet")
}

/// A free loopback port (the listener is closed again before nginx binds it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One instance as `local-fleet` announced it.
#[derive(Debug, Clone)]
struct Instance {
    routing: String,
    pid: u32,
}

/// A running `deploy/local-fleet`; stopped with SIGTERM (then killed) when dropped, its
/// stderr (instances' and nginx's logs) shown if the test failed.
struct Fleet {
    child: Child,
    url: String,
    instances: Vec<Instance>,
    log: Arc<Mutex<String>>,
}

impl Fleet {
    /// `local-fleet --instances N` on a free port, with `extra` arguments.
    fn start(instances: usize, extra: &[&str]) -> Fleet {
        let port = free_port();
        let mut child = Command::new("python3")
            .arg(local_fleet())
            .args(extra)
            .args(["--instances", &instances.to_string()])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--hybridsim", env!("CARGO_BIN_EXE_hybridsim")])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (stderr, sink) = (child.stderr.take().unwrap(), Arc::clone(&log));
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap_or_else(|e| e.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let (lines, announced) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut fleet = Fleet {
            child,
            url: String::new(),
            instances: Vec::new(),
            log,
        };
        loop {
            let line = announced
                .recv_timeout(BOUND)
                .unwrap_or_else(|e| panic!("local-fleet said no `ready` line ({e})"));
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["instance", _, _, "routing", routing, "pid", pid] => {
                    fleet.instances.push(Instance {
                        routing: (*routing).to_owned(),
                        pid: pid.parse().unwrap(),
                    })
                }
                ["ready", url] => {
                    fleet.url = (*url).to_owned();
                    break;
                }
                _ => panic!("unexpected line from local-fleet: {line:?}"),
            }
        }
        assert_eq!(fleet.url, format!("ws://127.0.0.1:{port}"));
        let routings: Vec<&str> = fleet.instances.iter().map(|i| &*i.routing).collect();
        let expected: Vec<String> = (0..instances).map(|n| format!("2A{n:04X}")).collect();
        assert_eq!(routings, expected);
        fleet
    }

    fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Instance `n`'s counter `name` from its /metrics, read through nginx.
    fn counter(&self, n: usize, name: &str) -> u64 {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port())).unwrap();
        stream.set_read_timeout(Some(STEP)).unwrap();
        let request =
            format!("GET /fleet/{n}/metrics HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut page = String::new();
        stream.read_to_string(&mut page).unwrap();
        let line = format!("hybridsim_tunnel_{name}_total ");
        page.lines()
            .find_map(|l| l.strip_prefix(&line))
            .unwrap_or_else(|| panic!("no {name} in instance {n}'s metrics: {page}"))
            .parse()
            .unwrap()
    }

    fn signal(&self, n: usize, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.instances[n].pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// SIGTERM, then the exit status within the bound.
    fn stop(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + BOUND;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::park_timeout(Duration::from_millis(20));
        }
        panic!("local-fleet did not stop within {BOUND:?} of SIGTERM");
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.stop();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!("local-fleet's stderr:\n{log}");
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

/// One QR registration through the balancer, verified by the relying party.
async fn ceremony(url: String) -> Result<(), String> {
    let endpoint = tunnel_endpoint(&url).map_err(|e| e.to_string())?;
    let rp = ceremony_relying_party()?;
    let user = UserEntity {
        id: Base64Url(random_bytes::<16>().to_vec()),
        name: "fleet@login.example".into(),
        display_name: "Fleet".into(),
    };
    let (creation, state) =
        rp.start_registration(user, random_bytes(), &RegistrationRequest::default());
    let pending =
        client::create(&creation, &Caller::new(CEREMONY_ORIGIN)).map_err(|e| e.to_string())?;
    let mut desktop = DesktopConfig::new(0x01, pending.request.encode(), random_bytes());
    desktop.tunnel = Some(endpoint.clone());
    let mut phone = PhoneConfig::new(ceremony_authenticator(random_bytes())?, random_bytes());
    phone.tunnel = Some(endpoint);
    let options = DriveOptions {
        timeout: BOUND,
        ..DriveOptions::default()
    };
    let desktop = Desktop::new(desktop, Millis::ZERO);
    let outcome = run_peers(&url, desktop, Phone::new(phone), options).await;
    outcome.ok()?;
    let body = match outcome.ctap_response.as_deref() {
        Some([0, body @ ..]) => body,
        other => return Err(format!("makeCredential answered {other:?}")),
    };
    let response = MakeCredentialResponse::decode(body).map_err(|e| e.to_string())?;
    let json = client::registration_response(&pending, &response, &["hybrid".to_owned()])
        .map_err(|e| e.to_string())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rp.finish_registration(&state, &json, now)
        .map(drop)
        .map_err(|e| format!("relying party refused the registration: {e}"))
}

/// `count` ceremonies, `parallel` at a time; every failure, numbered.
async fn ceremonies(url: &str, count: usize, parallel: usize) -> Vec<String> {
    let slots = Arc::new(tokio::sync::Semaphore::new(parallel));
    let mut runs = tokio::task::JoinSet::new();
    for n in 0..count {
        let (slots, url) = (Arc::clone(&slots), url.to_owned());
        runs.spawn(async move {
            let _slot = slots.acquire_owned().await.map_err(|e| e.to_string())?;
            ceremony(url)
                .await
                .map_err(|e| format!("ceremony {n}: {e}"))
        });
    }
    let mut failures = Vec::new();
    while let Some(run) = runs.join_next().await {
        if let Err(e) = run.unwrap() {
            failures.push(e);
        }
    }
    failures
}

#[test]
fn tunnel_check_and_200_ceremonies_pass_through_the_balancer_to_every_instance() {
    if !have_nginx() {
        return;
    }
    let fleet = Fleet::start(INSTANCES, &[]);
    let checked = Command::new(env!("CARGO_BIN_EXE_hybridsim"))
        .args(["tunnel", "check", &fleet.url])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{table}");
    // A repeated /cable/new id hashes to the instance holding the first one, so the fleet
    // refuses it as one server does.
    assert!(table.contains("HTTP 409"), "{table}");

    let paired_before: Vec<u64> = (0..INSTANCES)
        .map(|n| fleet.counter(n, "tunnels_paired"))
        .collect();
    let failures = runtime().block_on(ceremonies(&fleet.url, 200, 16));
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    let paired: Vec<u64> = (0..INSTANCES)
        .map(|n| fleet.counter(n, "tunnels_paired") - paired_before[n])
        .collect();
    assert_eq!(paired.iter().sum::<u64>(), 200, "{paired:?}");
    assert!(paired.iter().all(|&p| p >= 20), "uneven spread: {paired:?}");
}

/// Held tunnels, at least two on every instance, by routing id.
async fn hold_tunnels(probe: &Probe) -> BTreeMap<String, Vec<Pair>> {
    let mut held: BTreeMap<String, Vec<Pair>> = BTreeMap::new();
    for _ in 0..200 {
        if held.len() == INSTANCES && held.values().all(|pairs| pairs.len() >= 2) {
            return held;
        }
        let pair = probe.pair().await.unwrap();
        held.entry(pair.routing_id.clone()).or_default().push(pair);
    }
    panic!(
        "200 tunnels did not cover every instance twice: {:?}",
        held.keys()
    );
}

/// A message each way arrives intact: the tunnel is untouched.
async fn relays(probe: &Probe, pair: &mut Pair) {
    let (there, back) = (random_bytes::<24>(), random_bytes::<40>());
    probe.send(&mut pair.desktop, &there).await.unwrap();
    assert_eq!(
        probe.next_event(&mut pair.phone).await,
        Event::Binary(there.to_vec())
    );
    probe.send(&mut pair.phone, &back).await.unwrap();
    assert_eq!(
        probe.next_event(&mut pair.desktop).await,
        Event::Binary(back.to_vec())
    );
}

/// `count` new tunnels all pair on one of `living` and relay.
async fn new_tunnels_go_to(probe: &Probe, living: &[&str], count: usize) {
    for _ in 0..count {
        let mut pair = probe.pair().await.unwrap();
        assert!(
            living.contains(&&*pair.routing_id),
            "{} is down",
            pair.routing_id
        );
        relays(probe, &mut pair).await;
    }
}

/// The status line and body nginx answers a /cable/connect to `routing`.
async fn connect_refusal(probe: &Probe, routing: &str) -> String {
    match probe
        .upgrade(&connect_path(routing, &random_bytes()), CABLE_HEADERS)
        .await
    {
        Ok(_) => panic!("/cable/connect/{routing} upgraded"),
        Err(refusal) => refusal.to_string(),
    }
}

#[test]
fn a_stopped_or_killed_instance_ends_only_its_own_tunnels() {
    if !have_nginx() {
        return;
    }
    let mut fleet = Fleet::start(INSTANCES, &[]);
    let routing: Vec<String> = fleet.instances.iter().map(|i| i.routing.clone()).collect();
    let probe = Probe::new(Target::parse(&fleet.url).unwrap(), STEP);
    let rt = runtime();
    let mut held = rt.block_on(hold_tunnels(&probe));

    // Instance 1 is stopped: each of its tunnels' sockets gets close 1001 (going away).
    fleet.signal(1, "-TERM");
    rt.block_on(async {
        for pair in held.remove(&routing[1]).unwrap() {
            let Pair {
                mut phone,
                mut desktop,
                ..
            } = pair;
            for ws in [&mut phone, &mut desktop] {
                match probe.next_event(ws).await {
                    Event::Close(Some((1001, _))) => {}
                    other => panic!("a tunnel on the stopped instance got {other}"),
                }
            }
        }
        for pair in held.values_mut().flatten() {
            relays(&probe, pair).await;
        }
        new_tunnels_go_to(&probe, &[&routing[0], &routing[2]], 12).await;
    });
    let after_stop = rt.block_on(ceremonies(&fleet.url, 30, 8));
    assert!(after_stop.is_empty(), "{after_stop:#?}");

    // Instance 2 is killed outright: nginx drops its tunnels' client connections (no
    // close frame can come from a dead process: 1006 in the WebSocket API).
    fleet.signal(2, "-KILL");
    rt.block_on(async {
        for pair in held.remove(&routing[2]).unwrap() {
            let Pair {
                mut phone,
                mut desktop,
                ..
            } = pair;
            for ws in [&mut phone, &mut desktop] {
                match probe.next_event(ws).await {
                    Event::Ended | Event::Failed(_) => {}
                    other => panic!("a tunnel on the killed instance got {other}"),
                }
            }
        }
        for pair in held.values_mut().flatten() {
            relays(&probe, pair).await;
        }
        new_tunnels_go_to(&probe, &[&routing[0]], 8).await;
        // A desktop following an advert to a dead instance is told so; an id no instance
        // owns is not this fleet's.
        let down = connect_refusal(&probe, &routing[2]).await;
        assert!(
            down.contains("502") && down.contains("not reachable"),
            "{down}"
        );
        let unknown = connect_refusal(&probe, "2A0009").await;
        assert!(
            unknown.contains("404") && unknown.contains("no instance"),
            "{unknown}"
        );
    });
    let after_kill = rt.block_on(ceremonies(&fleet.url, 10, 5));
    assert!(after_kill.is_empty(), "{after_kill:#?}");

    // SIGTERM stops the rest: exit 0, and nothing listens on the port any more.
    let port = fleet.port();
    assert_eq!(fleet.stop(), Some(0));
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    let survivor = fleet.instances[0].pid;
    assert!(
        !PathBuf::from(format!("/proc/{survivor}")).exists(),
        "instance 0 still runs"
    );
}

#[test]
fn the_balancer_caps_connections_per_client_with_429() {
    if !have_nginx() {
        return;
    }
    let fleet = Fleet::start(1, &["--per-client", "3"]);
    let probe = Probe::new(Target::parse(&fleet.url).unwrap(), STEP);
    runtime().block_on(async {
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(probe.open_new(&random_bytes()).await.unwrap());
        }
        let refused = probe.open_new(&random_bytes()).await.unwrap_err();
        assert!(refused.contains("429"), "{refused}");
        // A closed socket frees its place: nginx counts the request down before it closes
        // the client's connection, so once this side sees the end there is room again.
        let (mut ws, _) = held.pop().unwrap();
        ws.close(None).await.unwrap();
        let mut end = probe.next_event(&mut ws).await;
        if matches!(end, Event::Close(_)) {
            end = probe.next_event(&mut ws).await;
        }
        assert!(matches!(end, Event::Ended | Event::Failed(_)), "{end}");
        probe.open_new(&random_bytes()).await.unwrap();
    });
}

#[test]
fn local_fleet_refuses_bad_usage_and_a_taken_port() {
    if !have_nginx() {
        return;
    }
    let run = |args: &[&str]| {
        Command::new("python3")
            .arg(local_fleet())
            .args(args)
            .args(["--hybridsim", env!("CARGO_BIN_EXE_hybridsim")])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let zero = run(&["--instances", "0", "--listen", "127.0.0.1:1"]);
    assert_eq!(zero.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&zero.stderr);
    assert!(stderr.contains("--instances must be 1 to"), "{stderr}");

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = taken.local_addr().unwrap().to_string();
    let busy = run(&["--instances", "1", "--listen", &listen]);
    let stderr = String::from_utf8_lossy(&busy.stderr);
    assert_eq!(busy.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("Address already in use"), "{stderr}");
    assert!(
        busy.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&busy.stdout)
    );
}

#[test]
fn instance_id_names_the_routing_id_and_excludes_routing_id() {
    let serve = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hybridsim"))
            .args(["tunnel", "serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .output()
            .unwrap()
    };
    for args in [
        &["--instance-id", "1", "--routing-id", "2A0001"][..],
        &["--instance-id", "65536"][..],
        &["--instance-id", "-1"][..],
    ] {
        let out = serve(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
