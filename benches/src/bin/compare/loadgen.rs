//! Running `loadgen` as a child process and watching its window.
//!
//! `loadgen` prints `loadgen: window start` and `loadgen: window end` on
//! stderr as its measured window opens and closes; [`run`] calls back at
//! each, so the caller can sample the server (CPU time, RSS, a `perf` count)
//! over exactly the window whose requests `loadgen` counts. Then it parses
//! the JSON line from stdout.
//!
//! It never waits forever: past a deadline (the run's planned length plus
//! [`GRACE`]) or on Ctrl-C it kills `loadgen` and returns an error.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use spindle_benches::report::LoadReport;

/// Extra time `loadgen` gets beyond its planned run before it is killed.
const GRACE: Duration = Duration::from_secs(30);

/// Set by the Ctrl-C handler; every wait in `compare` checks it.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// A moment in `loadgen`'s run that the caller wants to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// The measured window just opened.
    WindowStart,
    /// The measured window just closed.
    WindowEnd,
}

/// Runs `exe args...`, calling `on_marker` at each window marker, and
/// returns its report. `planned` is how long the run should take.
pub(crate) fn run(
    exe: &Path,
    args: &[String],
    planned: Duration,
    on_marker: &mut dyn FnMut(Marker),
) -> Result<LoadReport, String> {
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start loadgen: {e}"))?;

    // stderr: markers to us, anything else echoed for the reader.
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, markers) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let marker = match line.trim() {
                "loadgen: window start" => Marker::WindowStart,
                "loadgen: window end" => Marker::WindowEnd,
                _ => {
                    eprintln!("  {line}");
                    continue;
                }
            };
            if tx.send(marker).is_err() {
                break;
            }
        }
    });
    // stdout: the JSON line, read whole on its own thread.
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let json = thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });

    let deadline = Instant::now() + planned + GRACE;
    loop {
        if INTERRUPTED.load(Ordering::Relaxed) {
            let _ = child.kill();
            let _ = child.wait();
            return Err("interrupted".into());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("loadgen ran past {:?}; killed", planned + GRACE));
        }
        match markers.recv_timeout(Duration::from_millis(50)) {
            Ok(marker) => on_marker(marker),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break, // stderr closed: it exited
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for loadgen: {e}"))?;
    let text = json.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("loadgen exited with {status}"));
    }
    serde_json::from_str(text.trim()).map_err(|e| format!("bad loadgen output {text:?}: {e}"))
}
