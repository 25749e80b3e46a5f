//! JSON state files the user keeps between commands (an authenticator's credentials, an
//! RP's registered credential).
//!
//! They hold things the user cannot get back, so: a missing file starts empty, an unreadable
//! or corrupt file is refused with the reason and left exactly as it was, and writes go to a
//! temporary file in the same directory that is renamed over the old one, so a crash leaves
//! either the old or the new state, never half of one.

use crate::failure::Failure;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Reads the state at `path`, or `None` when there is no file yet.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::bad_input(format!(
                "cannot read state file {}: {e}",
                path.display()
            )))
        }
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Failure::bad_input(format!(
            "state file {} is not valid ({e}); it was left untouched: fix it or move it away",
            path.display()
        ))
    })
}

/// Writes `state` to `path` atomically (temporary file, flush, rename).
pub fn save<T: Serialize>(path: &Path, state: &T) -> Result<(), Failure> {
    let fail = |what: &str, e: std::io::Error| {
        Failure::bad_input(format!("cannot {what} state file {}: {e}", path.display()))
    };
    let mut text = serde_json::to_string_pretty(state)
        .map_err(|e| Failure::bad_input(format!("cannot serialise state: {e}")))?;
    text.push('\n');
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let mut file = std::fs::File::create(&temporary).map_err(|e| fail("write", e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| fail("write", e))?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        fail("replace", e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("hybridsim-state-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_file_is_none_and_saved_state_reads_back() {
        let dir = temp_dir("roundtrip");
        let path = dir.join("state.json");
        assert_eq!(load::<BTreeMap<String, u32>>(&path).unwrap(), None);
        let state = BTreeMap::from([("a".to_owned(), 1u32)]);
        save(&path, &state).unwrap();
        assert_eq!(load::<BTreeMap<String, u32>>(&path).unwrap(), Some(state));
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn corrupt_file_is_refused_and_left_untouched() {
        let dir = temp_dir("corrupt");
        let path = dir.join("state.json");
        std::fs::write(&path, "{ not json").unwrap();
        let err = load::<BTreeMap<String, u32>>(&path).unwrap_err();
        assert!(err.message.contains("left untouched"), "{}", err.message);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
