//! Just enough blocking HTTP/1.1 for `rp serve` and `rp check`: one JSON request and one
//! JSON response per connection (`Connection: close`), bodies bounded by `Content-Length`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Largest request or response head accepted.
const MAX_HEAD: usize = 16 * 1024;
/// Largest body accepted (a WebAuthn response with an attestation chain fits easily).
pub const MAX_BODY: usize = 1 << 20;

/// A message read off a connection: the request line parts (or the status) and the body.
#[derive(Debug)]
pub struct Message {
    /// Request method (empty for a response).
    pub method: String,
    /// Request path (empty for a response).
    pub path: String,
    /// Response status (0 for a request).
    pub status: u16,
    /// Headers, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Message {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a request (`response` false) or a response head and body from `stream`.
pub fn read(stream: &mut TcpStream, response: bool) -> Result<Message, String> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("connection closed before a complete head".to_owned());
        }
        buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let parsed = if response {
            let mut r = httparse::Response::new(&mut headers);
            match r.parse(&buffer) {
                Ok(httparse::Status::Complete(len)) => {
                    let code = r.code.unwrap_or(0);
                    Ok(Some((
                        len,
                        String::new(),
                        String::new(),
                        code,
                        owned(r.headers),
                    )))
                }
                Ok(httparse::Status::Partial) => Ok(None),
                Err(e) => Err(e),
            }
        } else {
            let mut r = httparse::Request::new(&mut headers);
            match r.parse(&buffer) {
                Ok(httparse::Status::Complete(len)) => {
                    let method = r.method.unwrap_or_default().to_owned();
                    let path = r.path.unwrap_or_default().to_owned();
                    Ok(Some((len, method, path, 0, owned(r.headers))))
                }
                Ok(httparse::Status::Partial) => Ok(None),
                Err(e) => Err(e),
            }
        };
        match parsed {
            Ok(Some((len, method, path, status, headers))) => {
                let mut message = Message {
                    method,
                    path,
                    status,
                    headers,
                    body: buffer.get(len..).unwrap_or_default().to_vec(),
                };
                read_body(stream, &mut message, response)?;
                return Ok(message);
            }
            Ok(None) if buffer.len() <= MAX_HEAD => {}
            Ok(None) => return Err(format!("head longer than {MAX_HEAD} bytes")),
            Err(e) => return Err(format!("not HTTP/1.1: {e}")),
        }
    }
}

fn owned(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            (
                h.name.to_owned(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect()
}

fn read_body(stream: &mut TcpStream, message: &mut Message, response: bool) -> Result<(), String> {
    let length = match message.header("content-length") {
        Some(v) => Some(
            v.trim()
                .parse::<usize>()
                .map_err(|_| format!("Content-Length {v:?} is not a number"))?,
        ),
        None => None,
    };
    if length.is_some_and(|l| l > MAX_BODY) {
        return Err(format!("body longer than {MAX_BODY} bytes"));
    }
    let mut chunk = [0u8; 4096];
    match length {
        Some(want) => {
            while message.body.len() < want {
                let n = stream.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
                if n == 0 {
                    return Err("connection closed in the middle of the body".to_owned());
                }
                message
                    .body
                    .extend_from_slice(chunk.get(..n).unwrap_or_default());
            }
            message.body.truncate(want);
        }
        // A response without a length runs to the close; a request without one has no body.
        None if response => loop {
            let n = stream.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                break;
            }
            if message.body.len() + n > MAX_BODY {
                return Err(format!("body longer than {MAX_BODY} bytes"));
            }
            message
                .body
                .extend_from_slice(chunk.get(..n).unwrap_or_default());
        },
        None => message.body.clear(),
    }
    Ok(())
}

/// Writes a JSON response and closes.
pub fn respond(stream: &mut TcpStream, status: u16, json: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        json.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(json.as_bytes()))
        .and_then(|()| stream.flush());
}

/// POSTs `json` to `path` on `authority` (HOST:PORT) with the given cookies; the status,
/// the `Set-Cookie` values and the body.
pub fn post(
    authority: &str,
    path: &str,
    json: &str,
    cookies: &[String],
    wait: Duration,
) -> Result<(u16, Vec<String>, String), String> {
    let mut stream =
        TcpStream::connect(authority).map_err(|e| format!("connect {authority}: {e}"))?;
    let _ = stream.set_read_timeout(Some(wait));
    let _ = stream.set_write_timeout(Some(wait));
    let cookie = if cookies.is_empty() {
        String::new()
    } else {
        format!("Cookie: {}\r\n", cookies.join("; "))
    };
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{cookie}Connection: close\r\n\r\n{json}",
        json.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let message = read(&mut stream, true)?;
    let set_cookies = message
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.split(';').next().map(|c| c.trim().to_owned()))
        .collect();
    Ok((
        message.status,
        set_cookies,
        String::from_utf8_lossy(&message.body).into_owned(),
    ))
}
