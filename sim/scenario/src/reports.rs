//! Writing a suite run's reports (JUnit, JSON, HTML) to the files a user asked for.

use crate::suite::ScenarioResult;
use crate::{html, json_report, junit};
use std::path::{Path, PathBuf};

/// Where a run's reports go; each is written only when its path is given. Under the `clap`
/// feature these are also `hybridsim run`'s report flags.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ReportPaths {
    /// Write a JUnit XML report here (one testcase per step, plus trace approval).
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub json: Option<PathBuf>,
    /// Write a self-contained HTML report to DIR/index.html (sequence diagrams of every
    /// step, each message expandable to its bytes).
    #[cfg_attr(feature = "clap", arg(long, value_name = "DIR"))]
    pub html: Option<PathBuf>,
}

/// A report that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    /// The file or folder.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

impl ReportPaths {
    /// Writes the reports asked for, creating missing parent folders; returns what was
    /// written, as (kind, path) for the user.
    pub fn write(
        &self,
        results: &[ScenarioResult],
    ) -> Result<Vec<(&'static str, PathBuf)>, WriteError> {
        let mut written = Vec::new();
        if let Some(path) = &self.junit {
            written.push(("JUnit report", write(path, &junit::render(results))?));
        }
        if let Some(path) = &self.json {
            written.push(("JSON report", write(path, &json_report::render(results))?));
        }
        if let Some(dir) = &self.html {
            let path = dir.join("index.html");
            written.push(("HTML report", write(&path, &html::render(results))?));
        }
        Ok(written)
    }
}

fn write(path: &Path, text: &str) -> Result<PathBuf, WriteError> {
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| WriteError { path, source }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(failed(parent))?;
    }
    std::fs::write(path, text).map_err(failed(path))?;
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_land_in_new_folders_and_a_blocked_path_is_named(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let paths = ReportPaths {
            junit: Some(dir.path().join("a/b/junit.xml")),
            json: None,
            html: Some(dir.path().join("html")),
        };
        let written = paths.write(&[])?;
        let kinds: Vec<&str> = written.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(kinds, ["JUnit report", "HTML report"]);
        assert!(std::fs::read_to_string(dir.path().join("a/b/junit.xml"))?.contains("<testsuites"));
        assert!(dir.path().join("html/index.html").is_file());
        std::fs::write(dir.path().join("file"), "")?;
        let blocked = ReportPaths {
            json: Some(dir.path().join("file/report.json")),
            ..ReportPaths::default()
        };
        let error = blocked
            .write(&[])
            .err()
            .ok_or("a file as a folder was accepted")?;
        assert_eq!(error.path, dir.path().join("file"));
        Ok(())
    }
}
