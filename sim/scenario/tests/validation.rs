//! Values a scenario file may not give are refused at load time with the file, line and key
//! (exit 2 in `hybridsim run`), and discovery survives folder symlink loops.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hybridsim_scenario::{discover, parse};
use std::path::{Path, PathBuf};

const ENROL: &str = r#"about = "an enrolment"

[app.phone]
model = "google-authenticator"

[[step]]
kind = "enrol-totp"
app = "phone"
secret_bytes = SECRET
site = "Example"
user = "alice"
expect = { outcome = "enrolled" }
"#;

#[test]
fn a_secret_no_qr_code_can_carry_is_refused_at_its_line() {
    for secret in ["9223372036854775807", "1025", "0"] {
        let text = ENROL.replace("SECRET", secret);
        let error = parse(Path::new("big.toml"), &text).unwrap_err();
        assert_eq!(error.key, "step[0].secret_bytes", "{error}");
        assert_eq!(error.line, 9, "{error}");
        assert!(
            error.message.contains("expected 1 to 1024 bytes"),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .starts_with("big.toml:9:1: step[0].secret_bytes: "),
            "{error}"
        );
    }
    for secret in ["1", "20", "1024"] {
        parse(Path::new("ok.toml"), &ENROL.replace("SECRET", secret)).unwrap();
    }
}

const RADIO: &str = r#"about = "a radio"

[world]
radio = { loss = LOSS, duplicate = DUP }

[phone.phone]
profile = "ios16"

[[step]]
kind = "register"
expect = { outcome = "success" }
"#;

#[test]
fn radio_probabilities_are_finite_and_within_0_and_1() {
    for (loss, dup, bad) in [
        ("2.0", "0.0", "loss"),
        ("nan", "0.0", "loss"),
        ("-0.5", "0.0", "loss"),
        ("0.5", "inf", "duplicate"),
        ("0.5", "1.5", "duplicate"),
    ] {
        let text = RADIO.replace("LOSS", loss).replace("DUP", dup);
        let error = parse(Path::new("radio.toml"), &text).unwrap_err();
        assert_eq!(
            error.key,
            format!("world.radio.{bad}"),
            "{loss} {dup}: {error}"
        );
        assert_eq!(error.line, 4, "{error}");
    }
    for (loss, dup) in [("0.0", "1.0"), ("1.0", "0.0"), ("0.5", "0.25")] {
        let text = RADIO.replace("LOSS", loss).replace("DUP", dup);
        parse(Path::new("radio.toml"), &text).unwrap();
    }
}

/// A fresh scratch folder under the target directory's temp space.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("hybridsim-scenario-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn folder_symlink_loops_are_walked_once() {
    let dir = scratch("loops");
    std::fs::create_dir(dir.join("a")).unwrap();
    std::fs::write(dir.join("a/one.toml"), "about = \"x\"\n").unwrap();
    // Two loops: one back to the root, one from a to itself.
    std::os::unix::fs::symlink(&dir, dir.join("a/up")).unwrap();
    std::os::unix::fs::symlink(dir.join("a"), dir.join("a/self")).unwrap();
    let files = discover(std::slice::from_ref(&dir)).unwrap();
    let ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["a/one"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
