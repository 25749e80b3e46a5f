//! The readers against what a wrong path can name: FIFOs and devices (refused without being
//! opened: a reader that opened them would never return or never stop), files at and over
//! the limit, files whose size lies, text that is not UTF-8, missing files.
//!
//! The FIFO and device tests assert an answer that a broken reader would never give: it
//! would wait for a writer or read zeros forever. Their names end in `without_hanging`, which
//! `.config/nextest.toml` gives a per-test timeout.

#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use std::process::Command;

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A FIFO nobody writes to: reading it after opening would block forever.
fn fifo(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("fifo");
    let status = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(status.success());
    path
}

fn assert_not_regular(result: Result<impl fmt::Debug, ReadError>, path: &Path) {
    let error = result.unwrap_err();
    assert!(matches!(error.problem, Problem::NotRegular), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "{} is not a regular file (a device, FIFO or directory): give a file",
            path.display()
        )
    );
}

#[test]
fn a_fifo_is_refused_by_every_reader_without_hanging() {
    let dir = scratch();
    let path = fifo(&dir);
    assert_not_regular(read_bytes(&path, 100), &path);
    assert_not_regular(read_text(&path, 100), &path);
    assert_not_regular(read_bytes_if_exists(&path, 100), &path);
    assert_not_regular(read_text_if_exists(&path, 100), &path);
    assert_not_regular(check(&path, 100), &path);
}

#[test]
fn dev_zero_and_a_symlink_to_it_are_refused_without_hanging() {
    let dir = scratch();
    let link = dir.path().join("z.toml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    for path in [Path::new("/dev/zero"), &link] {
        assert_not_regular(read_bytes(path, MAX_INPUT_BYTES), path);
        assert_not_regular(read_text_if_exists(path, MAX_INPUT_BYTES), path);
        assert_not_regular(check(path, MAX_INPUT_BYTES), path);
    }
}

#[test]
fn a_directory_is_refused() {
    let dir = scratch();
    assert_not_regular(read_bytes(dir.path(), 100), dir.path());
}

#[test]
fn a_file_at_the_limit_is_read_and_one_byte_over_is_refused() {
    let dir = scratch();
    let at = file(&dir, "at", &[7; 100]);
    assert_eq!(read_bytes(&at, 100).unwrap(), vec![7; 100]);
    check(&at, 100).unwrap();
    let over = file(&dir, "over", &[7; 101]);
    let error = read_bytes(&over, 100).unwrap_err();
    assert!(
        matches!(error.problem, Problem::TooLarge { limit: 100 }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "{} is larger than the input limit of 100 bytes",
            over.display()
        )
    );
    assert!(matches!(
        check(&over, 100).unwrap_err().problem,
        Problem::TooLarge { limit: 100 }
    ));
}

#[test]
fn the_input_limit_is_16_mib_exactly() {
    let dir = scratch();
    let at = dir.path().join("at.bin");
    File::create(&at).unwrap().set_len(MAX_INPUT_BYTES).unwrap();
    assert_eq!(
        read_bytes(&at, MAX_INPUT_BYTES).unwrap().len() as u64,
        MAX_INPUT_BYTES
    );
    let over = dir.path().join("over.bin");
    File::create(&over)
        .unwrap()
        .set_len(MAX_INPUT_BYTES + 1)
        .unwrap();
    let error = read_text(&over, MAX_INPUT_BYTES).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("over.bin is larger than the input limit of 16 MiB"),
        "{error}"
    );
}

/// `/proc` files say 0 bytes and hold more: the limit holds on what is read, not on what the
/// metadata says.
#[cfg(target_os = "linux")]
#[test]
fn a_file_whose_size_says_0_is_still_cut_at_the_limit() {
    let path = Path::new("/proc/self/status");
    assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
    check(path, 16).unwrap();
    let error = read_bytes(path, 16).unwrap_err();
    assert!(
        matches!(error.problem, Problem::TooLarge { limit: 16 }),
        "{error:?}"
    );
    assert!(read_text(path, 1 << 20).unwrap().contains("Pid:"));
}

#[test]
fn text_must_be_utf8() {
    let dir = scratch();
    let path = file(&dir, "latin1.txt", b"caf\xe9");
    assert_eq!(read_bytes(&path, 100).unwrap(), b"caf\xe9");
    let error = read_text(&path, 100).unwrap_err();
    assert!(matches!(error.problem, Problem::NotText(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "{}: not UTF-8 text (incomplete utf-8 byte sequence from index 3)",
            path.display()
        )
    );
    assert!(read_text_if_exists(&path, 100).is_err());
    let good = file(&dir, "good.txt", "café".as_bytes());
    assert_eq!(read_text(&good, 100).unwrap(), "café");
}

#[test]
fn a_missing_file_is_none_or_an_error_as_asked() {
    let dir = scratch();
    let path = dir.path().join("missing.json");
    assert!(read_bytes_if_exists(&path, 100).unwrap().is_none());
    assert!(read_text_if_exists(&path, 100).unwrap().is_none());
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(&path, &dangling).unwrap();
    assert!(read_bytes_if_exists(&dangling, 100).unwrap().is_none());
    for error in [
        read_bytes(&path, 100).unwrap_err(),
        read_text(&path, 100).unwrap_err(),
        check(&path, 100).unwrap_err(),
    ] {
        assert!(error.is_missing(), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "cannot read {}: No such file or directory (os error 2)",
                path.display()
            )
        );
        assert_eq!(
            error.problem.to_string(),
            "cannot read it: No such file or directory (os error 2)"
        );
    }
}

#[test]
fn long_paths_are_echoed_bounded() {
    let path = PathBuf::from(format!("/{}", "d".repeat(5000)));
    let message = read_bytes(&path, 100).unwrap_err().to_string();
    assert!(message.len() < 200, "{message}");
    assert!(message.contains("(5001 bytes)"), "{message}");
}

#[test]
fn limits_are_shown_in_the_largest_whole_unit() {
    assert_eq!(size(16 << 20), "16 MiB");
    assert_eq!(size(64 << 10), "64 KiB");
    assert_eq!(size(1000), "1000 bytes");
    assert_eq!(size(0), "0 bytes");
}

#[test]
fn a_fifo_reached_past_the_metadata_check_is_opened_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(&dir);
    // What a FIFO swapped in after the metadata check meets: the open itself.
    let file = open_nonblocking(&path).unwrap();
    assert!(!file.metadata().unwrap().is_file());
}
