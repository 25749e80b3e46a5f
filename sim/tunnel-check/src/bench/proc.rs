//! What Linux's `/proc` says about a process: resident memory, CPU time, the open-files
//! limit. Everything is optional: on another system, or for a process that is gone, the
//! figures are simply missing.

use std::time::Duration;

/// Linux reports CPU times in `/proc/*/stat` in USER_HZ ticks, 100 per second on every
/// mainstream architecture.
const USER_HZ: f64 = 100.0;

/// The `VmRSS` line of `/proc/{pid}/status`, in KiB.
pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_field_kib(&status, "VmRSS:")
}

fn status_field_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// User plus system CPU time of every thread of `pid` so far (`/proc/{pid}/stat`).
pub(crate) fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat_cpu_time(&stat)
}

fn stat_cpu_time(stat: &str) -> Option<Duration> {
    // The command name (field 2) is in parentheses and may hold spaces; fields after it
    // start with field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    let after = stat.get(stat.rfind(')')?.checked_add(1)?..)?;
    let mut fields = after.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_secs_f64(
        utime.saturating_add(stime) as f64 / USER_HZ,
    ))
}

/// This process's soft limit on open files (`/proc/self/limits`).
pub(crate) fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    limits_soft_open_files(&limits)
}

fn limits_soft_open_files(limits: &str) -> Option<u64> {
    limits
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// File descriptors this process has open now.
pub(crate) fn open_files() -> Option<u64> {
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_formats() {
        let status = "Name:\thybridsim\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 1 kB\n";
        assert_eq!(status_field_kib(status, "VmRSS:"), Some(12345));
        let stat = "4242 (tokio (runtime) x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 3 0";
        assert_eq!(stat_cpu_time(stat), Some(Duration::from_secs(3)));
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            20000                40000                files     \n";
        assert_eq!(limits_soft_open_files(limits), Some(20000));
    }

    #[test]
    fn reads_this_process() {
        if std::path::Path::new("/proc/self/status").exists() {
            let pid = std::process::id();
            assert!(rss_kib(pid).unwrap() > 0);
            assert!(cpu_time(pid).is_some());
            assert!(open_files_limit().unwrap() > 0);
            assert!(open_files().unwrap() > 0);
        }
    }
}
