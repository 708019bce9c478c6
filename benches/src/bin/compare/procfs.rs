//! What `compare` reads about a server process from `/proc`.
//!
//! - CPU time: `utime + stime` from `/proc/PID/stat` (fields 14 and 15, see
//!   `proc_pid_stat(5)`), in clock ticks, summed over all the process's
//!   threads. Sampled when `loadgen`'s window opens and closes; the
//!   difference is the server's CPU time for the measured requests. The
//!   resolution is one tick (10 ms at the usual `CLK_TCK` of 100), so a
//!   1.5 s window at full load is measured to within about 1%.
//! - CPU time of whole CPUs: the busy ticks of the server's CPUs from
//!   `/proc/stat` (`proc_stat(5)`). Minus the server's own CPU time, this is
//!   what *other* processes took from the server's CPU during the window:
//!   on a shared machine, the noise behind a bad row.
//! - Memory: `VmHWM` (peak resident set) and `VmRSS` (current resident set)
//!   from `/proc/PID/status` (`proc_pid_status(5)`), in KiB.

use std::fs;
use std::time::Duration;

/// A process's total CPU time (user + system) so far.
///
/// Returns `None` if the process is gone or the file is not in the
/// expected format.
pub(crate) fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain spaces;
    // the fields after the last ')' start with field 3.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Field 14 (utime) is index 11 after the name, field 15 (stime) index 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let ticks = utime + stime;
    Some(Duration::from_secs_f64(
        ticks as f64 / clock_ticks_per_second(),
    ))
}

/// Time the given CPUs spent running processes (user, nice, system) or
/// stolen by the hypervisor, so far.
pub(crate) fn cpus_busy(cpus: &[usize]) -> Option<Duration> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let mut ticks = 0u64;
    for &cpu in cpus {
        let name = format!("cpu{cpu}");
        let line = stat
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name.as_str()))?;
        let fields: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        // Fields: user nice system idle iowait irq softirq steal. Count
        // what processes ran (user, nice, system) and what the hypervisor
        // took (steal). Interrupt time is left out: on loopback much of it
        // is this very benchmark's packets, not somebody else's work.
        let busy: u64 = [0, 1, 2, 7].iter().filter_map(|&i| fields.get(i)).sum();
        ticks += busy;
    }
    Some(Duration::from_secs_f64(
        ticks as f64 / clock_ticks_per_second(),
    ))
}

/// `VmHWM`: the process's peak resident set size, KiB.
pub(crate) fn peak_rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:")
}

/// `VmRSS`: the process's current resident set size, KiB.
pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS:")
}

/// Reads one `Name:   1234 kB` line of `/proc/PID/status`.
fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// `sysconf(_SC_CLK_TCK)`: the unit of `utime` and `stime`.
fn clock_ticks_per_second() -> f64 {
    // SAFETY: `sysconf` only reads a configuration value; it has no
    // preconditions and touches no memory of ours.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0 // the value on every mainstream Linux configuration
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        assert!(cpu_time(me).is_some());
        // Current first: the peak, read after, can only be as large or larger.
        let now = rss_kib(me).unwrap();
        let peak = peak_rss_kib(me).unwrap();
        assert!(peak >= now && now > 0);
        assert!(cpus_busy(&[0]).is_some());
    }
}
