//! Counting a server's system calls with `perf stat`.
//!
//! `perf stat -e raw_syscalls:sys_enter -p PID -- sleep D` counts every
//! system call entry of the process (all its threads) for D seconds, using
//! the kernel's tracepoint: each call costs the server a counter increment,
//! nothing more. That is why it is used and `strace -c` is not: strace
//! stops the server twice per system call (ptrace) and slows it down many
//! times over, which would measure strace.
//!
//! perf needs permission (`perf_event_paranoid` ≤ 1 or root) and tracefs.
//! [`available`] tries it once; where it fails every figure is "n/a".
//!
//! The count starts when `compare` sees the window open and lasts the
//! window's length, so it covers almost the same span as the request count
//! (perf's start-up shifts it by a few milliseconds).

use std::process::{Child, Command, Stdio};

/// The tracepoint counted: every system call entry.
const EVENT: &str = "raw_syscalls:sys_enter";

/// Whether `perf stat` can count [`EVENT`] here.
pub(crate) fn available() -> bool {
    Command::new("perf")
        .args(["stat", "-x", ",", "-e", EVENT, "--", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map(|out| {
            out.status.success() && parse_count(&String::from_utf8_lossy(&out.stderr)).is_some()
        })
        .unwrap_or(false)
}

/// Starts counting `pid`'s system calls for `seconds`.
pub(crate) fn start(pid: u32, seconds: f64) -> Option<Child> {
    Command::new("perf")
        .args(["stat", "-x", ",", "-e", EVENT, "-p", &pid.to_string(), "--"])
        .args(["sleep", &format!("{seconds:.3}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()
}

/// Waits for a [`start`]ed count and returns it.
pub(crate) fn finish(child: Child) -> Option<u64> {
    let out = child.wait_with_output().ok()?;
    parse_count(&String::from_utf8_lossy(&out.stderr))
}

/// Parses perf's CSV output (`-x ,`): `COUNT,UNIT,EVENT,...`.
fn parse_count(csv: &str) -> Option<u64> {
    csv.lines()
        .find(|line| line.contains(EVENT))?
        .split(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_perf_csv() {
        let csv = "1671399,,raw_syscalls:sys_enter,1671399,100.00,,\n";
        assert_eq!(parse_count(csv), Some(1_671_399));
        assert_eq!(
            parse_count("<not counted>,,raw_syscalls:sys_enter,0,0,,"),
            None
        );
    }
}
