//! The state file writer: locks keep concurrent updates, writes are atomic and private,
//! planted symlinks are not followed, read-only files are refused, symlinked paths stay links.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hybridsim_state::{file, write_atomic, write_new, Locked, StateError, MAX_STATE_BYTES};
use std::collections::BTreeMap;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::time::Duration;

type Counter = BTreeMap<String, u32>;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn missing_file_is_none_and_saved_state_reads_back_without_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let lock = Locked::acquire(&path).unwrap();
    assert_eq!(lock.load::<Counter>().unwrap(), None);
    let state = Counter::from([("a".to_owned(), 1)]);
    lock.save(&state).unwrap();
    assert_eq!(lock.load::<Counter>().unwrap(), Some(state));
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["state.json", "state.json.lock"],
        "no temporary file left"
    );
}

#[test]
fn corrupt_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{ not json").unwrap();
    let err = file::read::<Counter>(&path).unwrap_err();
    assert!(matches!(err, StateError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
}

#[test]
fn non_regular_and_oversized_files_are_refused() {
    let err = file::read::<Counter>(Path::new("/dev/zero")).unwrap_err();
    assert!(matches!(err, StateError::NotRegular { .. }), "{err}");
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        file::read::<Counter>(dir.path()),
        Err(StateError::NotRegular { .. })
    ));
    let big = dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(MAX_STATE_BYTES + 1)
        .unwrap();
    let err = file::read::<Counter>(&big).unwrap_err();
    assert!(matches!(err, StateError::TooLarge { .. }), "{err}");
}

/// Before, the temporary file was `.NAME.tmp.PID`, opened with create+truncate: a symlink
/// planted at that name made the writer overwrite the link's target with the state.
#[test]
fn a_symlink_planted_at_the_old_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let planted = dir
        .path()
        .join(format!(".state.json.tmp.{}", std::process::id()));
    symlink(&victim, &planted).unwrap();
    write_atomic(&path, b"{\"secret\": 1}\n").unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&planted)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"secret\": 1}\n");
}

#[test]
fn written_files_are_private_even_when_the_old_one_was_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    write_atomic(&path, b"{}\n").unwrap();
    assert_eq!(mode(&path), 0o600);
    let fresh = dir.path().join("fresh.json");
    write_atomic(&fresh, b"{}\n").unwrap();
    assert_eq!(mode(&fresh), 0o600);
    let new = dir.path().join("new.json");
    write_new(&new, b"{}\n").unwrap();
    assert_eq!(mode(&new), 0o600);
    let _lock = Locked::acquire(&path).unwrap();
    assert_eq!(mode(&dir.path().join("state.json.lock")), 0o600);
}

#[test]
fn a_read_only_state_file_is_refused_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{\"old\": 1}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    let err = write_atomic(&path, b"{\"new\": 2}\n").unwrap_err();
    assert!(matches!(err, StateError::ReadOnly { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"old\": 1}");
    assert_eq!(mode(&path), 0o400);
}

#[test]
fn a_symlinked_state_path_is_written_through_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    let target = dir.path().join("real").join("phone.json");
    std::fs::write(&target, "{}").unwrap();
    let link = dir.path().join("phone.json");
    symlink("real/phone.json", &link).unwrap();
    let lock = Locked::acquire(&link).unwrap();
    lock.save(&Counter::from([("a".to_owned(), 7)])).unwrap();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        file::read::<Counter>(&target).unwrap(),
        Some(Counter::from([("a".to_owned(), 7)]))
    );
    // The lock sits beside the real file, so every path to it shares one lock.
    assert!(dir.path().join("real").join("phone.json.lock").exists());
}

#[test]
fn write_new_refuses_an_existing_file_or_a_dangling_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cred.json");
    std::fs::write(&path, "old").unwrap();
    assert!(matches!(
        write_new(&path, b"new"),
        Err(StateError::Exists { .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    let dangling = dir.path().join("dangling.json");
    symlink(dir.path().join("nowhere"), &dangling).unwrap();
    assert!(matches!(
        write_new(&dangling, b"new"),
        Err(StateError::Exists { .. })
    ));
    assert!(!dir.path().join("nowhere").exists());
}

#[test]
fn a_held_lock_makes_another_writer_give_up_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let held = Locked::acquire(&path).unwrap();
    let err = Locked::acquire_within(&path, Duration::ZERO).unwrap_err();
    assert!(matches!(err, StateError::Busy { .. }), "{err}");
    assert!(err.to_string().contains("nothing was written"), "{err}");
    drop(held);
    Locked::acquire_within(&path, Duration::ZERO).unwrap();
}

#[test]
fn concurrent_load_modify_save_keeps_every_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let workers: Vec<_> = (0..20)
        .map(|n| {
            let path = path.clone();
            std::thread::spawn(move || {
                let lock = Locked::acquire(&path).unwrap();
                let mut state: Counter = lock.load().unwrap().unwrap_or_default();
                state.insert(format!("worker {n}"), n);
                lock.save(&state).unwrap();
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(file::read::<Counter>(&path).unwrap().unwrap().len(), 20);
}
