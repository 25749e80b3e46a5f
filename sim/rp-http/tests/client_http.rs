//! `rp check`'s client against an RP that answers the way real servers do and the old
//! hand-written client could not follow: every answer in chunked transfer coding, every
//! endpoint behind a 308 redirect, and one keep-alive connection for many requests. The RP
//! behind it is this crate's own conformance API, called in-process; the HTTP around it is
//! written out by hand here so that the wire format is exactly what the test says.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hybridsim_rp_http::{check, Api, CheckOptions, Limits, RpIdentity};
use hybridsim_world::ceremony::PhoneState;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn phone() -> PhoneState {
    let profile =
        std::fs::read_to_string(fixtures().join("profiles/microsoft-authenticator-ios.toml"))
            .unwrap();
    PhoneState::from_profile(
        &profile,
        |name| std::fs::read_to_string(fixtures().join("attestation").join(name)).ok(),
        [7; 32],
    )
    .unwrap()
}

#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    requests: AtomicUsize,
    redirects: AtomicUsize,
}

/// Reads one request (head and Content-Length body); `None` at the end of the connection.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, body))
}

/// Serves one keep-alive connection: `/v1/X` is a 308 to `/v2/X`; `/v2/X` is the API's
/// answer to `/X`, sent in 16-byte chunks.
fn connection(stream: TcpStream, api: &Api, counts: &Counts) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while let Some((path, body)) = read_request(&mut reader) {
        counts.requests.fetch_add(1, Ordering::SeqCst);
        if let Some(rest) = path.strip_prefix("/v1/") {
            counts.redirects.fetch_add(1, Ordering::SeqCst);
            write!(
                writer,
                "HTTP/1.1 308 Permanent Redirect\r\nLocation: /v2/{rest}\r\nContent-Length: 0\r\n\r\n"
            )
            .unwrap();
            continue;
        }
        let endpoint = path.strip_prefix("/v2").unwrap_or(&path);
        let unix_now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let answer = api.post(endpoint, &body, Duration::ZERO, unix_now.as_secs());
        let text = answer.body.to_string();
        let mut out = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            answer.status
        )
        .into_bytes();
        for chunk in text.as_bytes().chunks(16) {
            out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
        writer.write_all(&out).unwrap();
    }
}

fn fake_rp() -> (String, Arc<Counts>) {
    let identity = RpIdentity {
        key_restrictions: Default::default(),
        rp_id: "login.example".into(),
        origins: vec!["https://login.example".into()],
        trusted_roots: Vec::new(),
    };
    let api = Arc::new(Api::new(identity, &Limits::default(), [1; 32]));
    let counts = Arc::new(Counts::default());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let shared = Arc::clone(&counts);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            shared.connections.fetch_add(1, Ordering::SeqCst);
            let (api, counts) = (Arc::clone(&api), Arc::clone(&shared));
            std::thread::spawn(move || connection(stream, &api, &counts));
        }
    });
    (url, counts)
}

#[tokio::test]
async fn check_follows_redirects_reads_chunked_answers_and_keeps_the_connection() {
    let (url, counts) = fake_rp();
    let options = CheckOptions {
        origin: None,
        username: "chunky".into(),
        seed: 3,
        timeout: Duration::from_secs(10),
        ca: None,
    };
    let report = check(&url, phone(), &options).await.unwrap();
    let names: Vec<_> = report.checks.iter().map(|c| (c.name, &c.result)).collect();
    assert_eq!(report.checks.len(), 8, "{names:#?}");
    assert_eq!(report.failed(), 0, "{names:#?}");
    let requests = counts.requests.load(Ordering::SeqCst);
    let redirects = counts.redirects.load(Ordering::SeqCst);
    let connections = counts.connections.load(Ordering::SeqCst);
    // Every API call went through a redirect first, with its body re-sent.
    assert_eq!(
        redirects * 2,
        requests,
        "{redirects} redirects, {requests} requests"
    );
    // Two creation options, three registration results, two request options, three
    // assertion results.
    assert_eq!(redirects, 10);
    // Keep-alive: the pool reuses one connection instead of one per request.
    assert!(
        connections * 4 <= requests,
        "{connections} connections for {requests} requests"
    );
}

#[tokio::test]
async fn an_unreachable_rp_is_an_error_not_a_failed_check() {
    // A port just closed: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = CheckOptions {
        origin: None,
        username: "nobody".into(),
        seed: 0,
        timeout: Duration::from_secs(5),
        ca: None,
    };
    let error = check(&format!("http://127.0.0.1:{port}"), phone(), &options)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(error, hybridsim_rp_http::CheckError::Unreachable(_)),
        "{text}"
    );
    assert!(
        text.contains("cannot reach") && !text.contains('\n'),
        "{text}"
    );
}
