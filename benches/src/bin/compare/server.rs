//! The contenders, and a guard that runs one of them as a pinned process.
//!
//! [`Server::start`] pins `compare`'s own thread to the server's CPU,
//! spawns the contender (which inherits that CPU mask, see
//! `spindle_benches::affinity`), pins the thread back to the load
//! generator's CPUs, and waits for the `listening on ADDR` line. The
//! [`Server`] guard kills the process when dropped, so no server outlives
//! `compare`, whether a cell finishes, fails, panics or is interrupted.
//!
//! The server's stderr, and anything it prints after the first line, go to
//! `target/compare/logs/<contender>.log`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use spindle_benches::affinity::pin_current_thread;
use spindle_benches::server_cli::parse_announce;
use spindle_benches::Mode;

/// How long a server may take to print `listening on`.
const STARTUP: Duration = Duration::from_secs(10);

/// The contenders in report order; the last is the project's own server.
pub(crate) const CONTENDERS: [&str; 9] = [
    "blocking-iterative",
    "blocking-threads",
    "busy-poll",
    "raw-mio",
    "tokio-current-thread",
    "hyper-tokio",
    "hyper-spindle",
    "spindle-runtime",
    "spindle-server",
];

/// The contenders that serve HTTP only (hyper is an HTTP stack; asked for
/// echo they exit with a message). `compare` runs no echo cell for them.
const HTTP_ONLY: [&str; 2] = ["hyper-tokio", "hyper-spindle"];

/// Whether contender `name` speaks `mode`.
pub(crate) fn speaks(name: &str, mode: Mode) -> bool {
    mode == Mode::Http || !HTTP_ONLY.contains(&name)
}

/// Which CPUs the server and the load generator get.
#[derive(Debug, Clone)]
pub(crate) struct Cpus {
    /// CPUs for the server process; empty means "do not pin".
    pub(crate) server: Vec<usize>,
    /// CPUs for `loadgen` (and `compare` itself); empty means "do not pin".
    pub(crate) load: Vec<usize>,
}

impl Cpus {
    /// Pins the calling thread to `cpus` unless pinning is off.
    pub(crate) fn pin(cpus: &[usize]) {
        if !cpus.is_empty() {
            if let Err(err) = pin_current_thread(cpus) {
                eprintln!("compare: cannot pin to CPUs {cpus:?}: {err}");
            }
        }
    }
}

/// A running contender, killed on drop.
#[derive(Debug)]
pub(crate) struct Server {
    /// The process.
    child: Child,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

impl Server {
    /// Starts `exe --mode MODE --addr 127.0.0.1:0 [extra...]` on `cpus.server`.
    pub(crate) fn start(
        exe: &Path,
        mode: Mode,
        extra: &[String],
        cpus: &Cpus,
        log: &Path,
    ) -> io::Result<Server> {
        let log_file = OpenOptions::new().create(true).append(true).open(log)?;
        let mut command = Command::new(exe);
        command
            .args(["--mode", mode.name(), "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file.try_clone()?);
        Cpus::pin(&cpus.server);
        let spawned = command.spawn();
        Cpus::pin(&cpus.load);
        let mut child = spawned?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let line = first_line_then_log(stdout, log_file);
        // From here on the guard owns the child: an early return kills it.
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        match line.recv_timeout(STARTUP) {
            Ok(line) => match parse_announce(&line) {
                Some(addr) => {
                    server.addr = addr;
                    Ok(server)
                }
                None => Err(io::Error::other(format!(
                    "{} printed {line:?} instead of `listening on ADDR`",
                    exe.display()
                ))),
            },
            Err(_) => Err(io::Error::other(format!(
                "{} did not print `listening on` within {STARTUP:?} (see {})",
                exe.display(),
                log.display()
            ))),
        }
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub(crate) fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends the first line of `stdout` over the returned channel and copies the
/// rest to `log`, on a thread, so a chatty server never blocks on a full pipe.
fn first_line_then_log(
    stdout: impl io::Read + Send + 'static,
    mut log: File,
) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(first)) = lines.next() {
            let _ = tx.send(first);
        }
        for line in lines.map_while(Result::ok) {
            let _ = writeln!(log, "{line}");
        }
    });
    rx
}

/// The path of a binary next to `compare`'s own (same target directory and
/// profile), or `None` if it does not exist.
pub(crate) fn sibling_binary(name: &str) -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join(name);
    fs::metadata(&path).ok().map(|_| path)
}
