//! Shared pieces of the attack suite: starting the server as a process,
//! reading its CPU, memory and open files from `/proc`, and small clients.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use spindle_tests::ServerProcess;

/// Which server binary a scenario attacks.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// The `spindle-server` binary itself.
    SpindleServer,
    /// `attack-target`: the same library with `/sleep` and `/panic` routes.
    AttackTarget,
}

/// A server process under attack (killed when dropped).
pub(crate) struct Server {
    /// The process guard from the `spindle-tests` library.
    process: ServerProcess,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

impl Server {
    /// Starts `target` on `127.0.0.1:0` with `args`, under
    /// `prlimit --nofile=N` when `nofile` is given.
    pub(crate) fn start(target: Target, args: &[&str], nofile: Option<u64>) -> Server {
        let path = match target {
            Target::SpindleServer => spindle_tests::binary(),
            Target::AttackTarget => PathBuf::from(env!("CARGO_BIN_EXE_attack-target")),
        };
        let mut command = match nofile {
            Some(limit) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--nofile={limit}:{limit}"))
                    .arg("--")
                    .arg(&path);
                c
            }
            None => Command::new(&path),
        };
        command
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn");
        let process = ServerProcess::start(command);
        let addr = process.addr;
        Server { process, addr }
    }

    /// Whether the process is still running.
    pub(crate) fn is_alive(&mut self) -> bool {
        self.process.is_running()
    }

    /// CPU time the server used so far.
    pub(crate) fn cpu_time(&self) -> Duration {
        self.process.cpu_time()
    }

    /// Resident memory in KiB.
    pub(crate) fn rss_kib(&self) -> u64 {
        self.process.rss_kib()
    }

    /// Open file descriptors.
    pub(crate) fn open_fds(&self) -> usize {
        self.process.open_fds()
    }

    /// Waits until the open fd count drops to `at_most`, for up to `limit`.
    pub(crate) fn wait_fds_at_most(&self, at_most: usize, limit: Duration) -> usize {
        let start = Instant::now();
        loop {
            let fds = self.open_fds();
            if fds <= at_most || start.elapsed() > limit {
                return fds;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.process.stderr()
    }

    /// The server's stdout after its `listening` line.
    pub(crate) fn stdout(&self) -> String {
        self.process.stdout()
    }

    /// Sends a signal by name (`TERM`, `INT`).
    pub(crate) fn signal(&self, name: &str) {
        self.process.signal(name);
    }

    /// Waits for the process to exit; panics after `limit`.
    pub(crate) fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        self.process.wait_exit(limit).code()
    }
}

/// Raises this process's open-file soft limit to its hard limit.
pub(crate) fn raise_nofile() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        limit.rlim_cur as u64
    }
}

/// What happened to one raw exchange.
#[derive(Debug)]
pub(crate) struct Exchange {
    /// Every byte the server sent before closing (or the timeout).
    pub(crate) bytes: Vec<u8>,
    /// Whether the server closed the connection (EOF or reset).
    pub(crate) closed: bool,
    /// How long until the close (or the timeout).
    pub(crate) elapsed: Duration,
}

impl Exchange {
    /// The status code of the first response, if any.
    pub(crate) fn status(&self) -> Option<u16> {
        status_of(&self.bytes)
    }
}

/// The status code at the start of `bytes`.
pub(crate) fn status_of(bytes: &[u8]) -> Option<u16> {
    let line = bytes.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    parts.next().filter(|v| v.starts_with("HTTP/1."))?;
    parts.next()?.parse().ok()
}

/// Connects, writes `request` (without closing the write side), and reads
/// until the server closes or `limit` passes.
pub(crate) fn exchange(addr: SocketAddr, request: &[u8], limit: Duration) -> io::Result<Exchange> {
    let start = Instant::now();
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_nodelay(true)?;
    // The server may close before reading everything (e.g. 431): a failed
    // write is part of the outcome, not an error of the test.
    let _ = stream.write_all(request);
    read_until_close(stream, start, limit)
}

/// Reads until EOF, a reset, or `limit` after `start`.
pub(crate) fn read_until_close(
    mut stream: TcpStream,
    start: Instant,
    limit: Duration,
) -> io::Result<Exchange> {
    let mut bytes = Vec::new();
    let mut buf = [0; 16 * 1024];
    loop {
        let left = limit.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Ok(Exchange {
                bytes,
                closed: false,
                elapsed: start.elapsed(),
            });
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut buf) {
            Ok(0) => {
                return Ok(Exchange {
                    bytes,
                    closed: true,
                    elapsed: start.elapsed(),
                })
            }
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(Exchange {
                    bytes,
                    closed: false,
                    elapsed: start.elapsed(),
                })
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
                ) =>
            {
                return Ok(Exchange {
                    bytes,
                    closed: true,
                    elapsed: start.elapsed(),
                })
            }
            Err(e) => return Err(e),
        }
    }
}

/// One legitimate request on a fresh connection; `Ok` only for a complete
/// `200 OK` with the `Hello, World!` body.
pub(crate) fn legit_request(addr: SocketAddr) -> Result<Duration, String> {
    let start = Instant::now();
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: spindle\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let _ = stream.shutdown(Shutdown::Write);
    let ex = read_until_close(stream, start, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    if ex.status() == Some(200) && ex.bytes.ends_with(b"Hello, World!") {
        Ok(start.elapsed())
    } else {
        Err(format!(
            "bad answer: {:?}",
            String::from_utf8_lossy(&ex.bytes)
        ))
    }
}

/// Counts complete HTTP responses in `bytes` (status lines), in order.
pub(crate) fn statuses(bytes: &[u8]) -> Vec<u16> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(pos) = find(rest, b"HTTP/1.1 ") {
        if let Some(code) = status_of(&rest[pos..]) {
            out.push(code);
        }
        rest = &rest[pos + 9..];
    }
    out
}

/// The first position of `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One row of the summary table.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) scenario: &'static str,
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) server: String,
    pub(crate) figure: String,
    pub(crate) passed: bool,
    pub(crate) detail: String,
}
