//! Cross-checks against independent tools: ZBar reads our PNGs, we read qrencode's PNGs.
//!
//! `bash tests/run` installs both (Debian packages `zbar-tools` and `qrencode`). Under CI a
//! missing tool fails the test; elsewhere the test says it is skipping and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::CHROME_QR;
use hybridsim_optical::{read_image, render_png};

#[test]
fn zbarimg_reads_our_png() {
    if !tool_available("zbarimg") {
        return;
    }
    let dir = ScratchDir::new("zbarimg").unwrap();
    for module_px in [8, 2] {
        let file = dir.path().join(format!("chrome-{module_px}px.png"));
        std::fs::write(&file, render_png(CHROME_QR, module_px).unwrap()).unwrap();

        let out = Command::new("zbarimg")
            .args(["--raw", "-q"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "zbarimg failed at {module_px} px: {out:?}"
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            text.trim_end_matches('\n'),
            CHROME_QR,
            "at {module_px} px/module"
        );
    }
}

#[test]
fn we_read_qrencode_png() {
    if !tool_available("qrencode") {
        return;
    }
    let dir = ScratchDir::new("qrencode").unwrap();
    let file = dir.path().join("chrome-qrencode.png");
    let status = Command::new("qrencode")
        .arg("-o")
        .arg(&file)
        .args(["-s", "4", CHROME_QR])
        .status()
        .unwrap();
    assert!(status.success(), "qrencode failed: {status}");

    let png = std::fs::read(&file).unwrap();
    assert_eq!(read_image(&png).unwrap(), vec![CHROME_QR.to_owned()]);
}

/// True if `name` is on PATH. If not: under CI, fail; otherwise print a note and skip.
fn tool_available(name: &str) -> bool {
    if on_path(name) {
        return true;
    }
    assert!(!running_in_ci(), "{name} not installed: run bash tests/run");
    eprintln!("skipping: {name} not installed (run bash tests/run to install it)");
    false
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

/// Same reading of `CI` as insta's: set unless empty, `0` or `false`.
fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// A per-test directory under the system temp dir, removed again when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(test: &str) -> std::io::Result<Self> {
        let dir =
            std::env::temp_dir().join(format!("hybridsim-optical-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
