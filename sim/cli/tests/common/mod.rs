//! What the process tests share: a scratch folder with WebAuthn options files, the binary,
//! and a guard that stops a child process a failing test leaves behind.
#![allow(dead_code)]

use serde_json::json;
use std::path::PathBuf;
use std::process::{Child, Command};

/// The origin of the browser tab in every test.
pub const ORIGIN: &str = "https://login.example";

/// Kills a process a failing test leaves behind.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `hybridsim` binary under test.
pub fn hybridsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hybridsim"))
}

/// A fresh folder `hybridsim-{prefix}-{tag}-{pid}` holding `create.json` (a passkey
/// registration for login.example) and `get.json` (a sign-in).
pub fn scratch(prefix: &str, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hybridsim-{prefix}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("create.json"),
        json!({
            "rp": {"id": "login.example", "name": "Login"},
            "user": {"id": "dXNlci0x", "name": "kim", "displayName": "Kim"},
            "challenge": "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
            "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
            "attestation": "direct"
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("get.json"),
        json!({"challenge": "c2lnbi1pbg", "rpId": "login.example", "userVerification": "required"})
            .to_string(),
    )
    .unwrap();
    dir
}
