//! Shared pieces of the faults suite: a server under `strace` fault
//! injection, a plain server, byte-exact checks of the answers, and the
//! clients that drive the server while the faults land.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use spindle_tests::ServerProcess;

/// How long a client waits for an answer before it calls the connection
/// hung. Far above any answer time under `strace` (milliseconds), far
/// below the server's own timeouts in these scenarios.
pub(crate) const HANG: Duration = Duration::from_secs(5);

/// The head of the plaintext answer up to its `Date`, byte for byte.
const HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\nServer: spindle\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n";
/// The header a closing answer carries before its `Date`.
const CLOSE: &[u8] = b"Connection: close\r\n";
/// The shape of an IMF-fixdate (RFC 9110 §5.6.7): `A` a letter, `0` a
/// digit, anything else itself.
const DATE: &[u8] = b"Date: AAA, 00 AAA 0000 00:00:00 GMT\r\n\r\n";
/// The body.
const BODY: &[u8] = b"Hello, World!";

/// A keep-alive `GET`.
pub(crate) const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: faults\r\n\r\n";
/// A `GET` that asks the server to close after answering.
pub(crate) const GET_CLOSE: &[u8] = b"GET / HTTP/1.1\r\nHost: faults\r\nConnection: close\r\n\r\n";

/// What [`scan`] found in a stream of plaintext answers.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Complete, correct answers.
    pub(crate) complete: u64,
    /// How many of them said `Connection: close`.
    pub(crate) closing: u64,
    /// Bytes after the last complete answer; a correct beginning of one.
    pub(crate) partial: usize,
    /// Whether some byte differs from what the server must send.
    pub(crate) wrong: bool,
}

/// Checks `bytes` byte for byte against a sequence of plaintext answers
/// (any `Date`; `Connection: close` allowed), the last one possibly cut
/// short.
pub(crate) fn scan(bytes: &[u8]) -> Scan {
    let mut out = Scan::default();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let close = rest.len() > HEAD.len() && rest[HEAD.len()] == b'C';
        let parts: [&[u8]; 4] = [HEAD, if close { CLOSE } else { b"" }, DATE, BODY];
        let mut used = 0;
        for (index, part) in parts.into_iter().enumerate() {
            let have = &rest[used.min(rest.len())..];
            let n = part.len().min(have.len());
            let fits = if index == 2 {
                shaped_like_date(&have[..n])
            } else {
                have[..n] == part[..n]
            };
            if !fits {
                out.wrong = true;
                return out;
            }
            used += part.len();
        }
        if used > rest.len() {
            out.partial = rest.len();
            return out;
        }
        out.complete += 1;
        out.closing += u64::from(close);
        at += used;
    }
    out
}

/// Checks [`scan`] itself on a known answer stream; a broken checker
/// would fail every scenario for the wrong reason, or none.
pub(crate) fn check_scan() {
    let one = [HEAD, b"Date: Wed, 02 Dec 2026 16:33:21 GMT\r\n\r\n", BODY].concat();
    let closing = [
        HEAD,
        CLOSE,
        b"Date: Wed, 02 Dec 2026 16:33:21 GMT\r\n\r\n",
        BODY,
    ]
    .concat();
    let stream = [&one[..], &one, &closing, &one[..40]].concat();
    let expect = Scan {
        complete: 3,
        closing: 1,
        partial: 40,
        wrong: false,
    };
    assert_eq!(scan(&stream), expect, "the answer checker");
    let mut bad = one.clone();
    bad[70] ^= 1;
    assert!(scan(&bad).wrong, "the answer checker finds a wrong byte");
    let mut bad_date = one;
    bad_date[HEAD.len() + 11] = b'x';
    assert!(
        scan(&bad_date).wrong,
        "the answer checker finds a wrong date"
    );
}

/// Whether `have` is a beginning of [`DATE`]'s shape.
fn shaped_like_date(have: &[u8]) -> bool {
    have.iter().zip(DATE).all(|(&b, &p)| match p {
        b'A' => b.is_ascii_alphabetic(),
        b'0' => b.is_ascii_digit(),
        p => b == p,
    })
}

/// Why strace cannot inject faults here (not installed, or not allowed to
/// trace: a container without ptrace), or `None` when it can. Checked once,
/// by tracing `true` the way the scenarios trace the server.
pub(crate) fn strace_missing() -> Option<&'static str> {
    static WHY: OnceLock<Option<&'static str>> = OnceLock::new();
    *WHY.get_or_init(|| {
        if !Command::new("strace")
            .arg("-V")
            .output()
            .is_ok_and(|out| out.status.success())
        {
            return Some("strace is not installed");
        }
        let traced = Command::new("strace")
            .args(["-f", "-qq", "--seccomp-bpf", "-o", "/dev/null"])
            .args([
                "--trace=close",
                "--inject=close:error=EINTR:when=1000",
                "--",
                "true",
            ])
            .output()
            .is_ok_and(|out| out.status.success());
        (!traced).then_some("strace cannot trace a process here (no ptrace?)")
    })
}

/// Where the suite writes its files: `target/faults/`.
pub(crate) fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/faults");
    std::fs::create_dir_all(&dir).expect("target/faults can be created");
    dir
}

/// A syscall fault: strace's `-e inject=SYSCALL:error=ERRNO:when=WHEN`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inject {
    /// The syscall, as strace names it (`recvfrom`, `accept4`, …).
    pub(crate) syscall: &'static str,
    /// The errno it returns instead of running.
    pub(crate) errno: &'static str,
    /// Which calls fail, counted per thread: `first..last+step`.
    pub(crate) when: &'static str,
}

/// The server under test: `spindle-server` itself, or `spindle-server`
/// under `strace` with one fault injected (both killed when dropped).
pub(crate) struct Server {
    /// The process we started: the server, or strace with the server as
    /// its child.
    process: ServerProcess,
    /// The server's own pid (strace's child when traced).
    pid: u32,
    /// strace's output (only the injected syscall is traced), when traced.
    log: Option<PathBuf>,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

impl Server {
    /// Starts `spindle-server --addr 127.0.0.1:0 ARGS`.
    pub(crate) fn start(args: &[&str]) -> Server {
        let mut command = Command::new(spindle_tests::binary());
        command
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn");
        let process = ServerProcess::start(command);
        Server {
            pid: process.pid(),
            addr: process.addr,
            process,
            log: None,
        }
    }

    /// Starts `spindle-server` under strace with `fault` injected into
    /// every thread (`-f`), logging the traced calls to
    /// `target/faults/NAME.strace`. `--seccomp-bpf` stops the server only
    /// at the syscall traced, so the others run at full speed.
    pub(crate) fn traced(name: &str, fault: Inject, args: &[&str]) -> Server {
        let log = out_dir().join(format!("{name}.strace"));
        let Inject {
            syscall,
            errno,
            when,
        } = fault;
        let mut command = Command::new("strace");
        command
            .args(["-f", "-qq", "--seccomp-bpf", "-o"])
            .arg(&log)
            .arg(format!("--trace={syscall}"))
            .arg(format!("--inject={syscall}:error={errno}:when={when}"))
            .arg("--")
            .arg(spindle_tests::binary())
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn");
        let process = ServerProcess::start(command);
        let pid = child_of(process.pid()).expect("strace's child, the server");
        Server {
            pid,
            addr: process.addr,
            process,
            log: Some(log),
        }
    }

    /// Whether the server is still running (a zombie counts as gone).
    pub(crate) fn is_alive(&self) -> bool {
        std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).is_ok_and(|stat| {
            let state = stat[stat.rfind(')').map_or(0, |at| at + 2)..]
                .chars()
                .next();
            !matches!(state, Some('Z' | 'X') | None)
        })
    }

    /// How many fds the server has open (`/proc/PID/fd`).
    pub(crate) fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid)).map_or(0, |dir| dir.count())
    }

    /// The open fd count once it has not changed for 200 ms (at most 3 s):
    /// a connection that just ended may still be closing.
    pub(crate) fn settled_fds(&self) -> usize {
        let start = Instant::now();
        let mut last = self.open_fds();
        let mut since = Instant::now();
        while since.elapsed() < Duration::from_millis(200)
            && start.elapsed() < Duration::from_secs(3)
        {
            std::thread::sleep(Duration::from_millis(20));
            let now = self.open_fds();
            if now != last {
                last = now;
                since = Instant::now();
            }
        }
        last
    }

    /// Waits until at most `at_most` fds are open, for up to `limit`;
    /// returns the last count.
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

    /// Resident memory in KiB (`VmRSS` in `/proc/PID/status`).
    pub(crate) fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
                line.split_whitespace().nth(1)?.parse().ok()
            })
            .unwrap_or(0)
    }

    /// How many calls strace failed on purpose so far (its `(INJECTED)`
    /// lines); 0 for a server that is not traced.
    pub(crate) fn injected(&self) -> usize {
        self.log
            .as_ref()
            .and_then(|log| std::fs::read_to_string(log).ok())
            .map_or(0, |text| text.matches("(INJECTED)").count())
    }

    /// What the server (and strace) wrote on stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.process.stderr()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.log.is_some() {
            // Kill the server first and let strace see it go: strace then
            // reaps it and exits, and no zombie is left to init.
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(2);
            while self.process.is_running() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        // The guard kills and reaps the process it started.
    }
}

/// The pid of `parent`'s only child (strace's tracee), from
/// `/proc/PID/task/PID/children`, else by scanning `/proc`.
fn child_of(parent: u32) -> Option<u32> {
    let listed = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok());
    listed.or_else(|| {
        std::fs::read_dir("/proc").ok()?.find_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let ppid: u32 = stat[stat.rfind(')')? + 2..]
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (ppid == parent).then_some(pid)
        })
    })
}

/// What clients saw, added up over all of them.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    /// Requests answered completely and byte for byte correctly.
    pub(crate) ok: u64,
    /// Connections the server closed (EOF or reset) before answering.
    pub(crate) closed: u64,
    /// Answers with a wrong byte.
    pub(crate) wrong: u64,
    /// Waits for an answer that ran past [`HANG`], and connects that
    /// failed.
    pub(crate) hangs: u64,
}

impl Tally {
    /// Adds `other` to this tally.
    pub(crate) fn add(&mut self, other: Tally) {
        self.ok += other.ok;
        self.closed += other.closed;
        self.wrong += other.wrong;
        self.hangs += other.hangs;
    }
}

/// How one request on a connection ended.
enum Outcome {
    /// Answered correctly; the connection stays open unless `closing`.
    Ok,
    /// The server closed the connection before the whole answer came.
    Closed,
    /// A wrong byte.
    Wrong,
    /// No answer within [`HANG`].
    Hang,
}

/// Sends `request` on `stream` and reads exactly one answer.
fn one_request(stream: &mut TcpStream, request: &[u8]) -> Outcome {
    if stream.write_all(request).is_err() {
        return Outcome::Closed;
    }
    let mut got = Vec::with_capacity(256);
    let mut buf = [0; 512];
    let deadline = Instant::now() + HANG;
    loop {
        let scan = scan(&got);
        if scan.wrong || scan.complete > 1 {
            return Outcome::Wrong;
        }
        if scan.complete == 1 {
            return Outcome::Ok;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Outcome::Hang;
        }
        match stream.read(&mut buf) {
            Ok(0) => return Outcome::Closed,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Outcome::Hang
            }
            Err(_) => return Outcome::Closed,
        }
    }
}

/// Runs `clients` keep-alive clients at once, each making `each` requests
/// one after another on one connection; a connection the server closes is
/// replaced by a new one. Bounded: each client stops after 60 s.
pub(crate) fn keep_alive_clients(addr: SocketAddr, clients: usize, each: u64) -> Tally {
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            std::thread::spawn(move || {
                let mut tally = Tally::default();
                let mut stream: Option<TcpStream> = None;
                let start = Instant::now();
                while tally.ok < each && start.elapsed() < Duration::from_secs(60) {
                    let conn = match &mut stream {
                        Some(conn) => conn,
                        None => match TcpStream::connect_timeout(&addr, HANG) {
                            Ok(conn) => stream.insert(conn),
                            Err(_) => {
                                tally.hangs += 1;
                                break;
                            }
                        },
                    };
                    match one_request(conn, GET) {
                        Outcome::Ok => tally.ok += 1,
                        Outcome::Closed => {
                            tally.closed += 1;
                            stream = None;
                        }
                        // Either ends this client: the scenario failed.
                        Outcome::Wrong => {
                            tally.wrong += 1;
                            break;
                        }
                        Outcome::Hang => {
                            tally.hangs += 1;
                            break;
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for thread in threads {
        total.add(thread.join().expect("a client thread does not panic"));
    }
    total
}

/// Makes `count` connections one after another, each with one request
/// that asks the server to close, and reads each to its end; a connection
/// closed without an answer is retried on a new one (at most 5 times).
pub(crate) fn short_connections(addr: SocketAddr, count: u64) -> Tally {
    let mut tally = Tally::default();
    for _ in 0..count {
        for _attempt in 0..5 {
            match short_connection(addr) {
                Outcome::Ok => {
                    tally.ok += 1;
                    break;
                }
                Outcome::Closed => tally.closed += 1,
                Outcome::Wrong => {
                    tally.wrong += 1;
                    break;
                }
                Outcome::Hang => {
                    tally.hangs += 1;
                    break;
                }
            }
        }
    }
    tally
}

/// One request with `Connection: close` on a new connection, read until
/// the server closes.
fn short_connection(addr: SocketAddr) -> Outcome {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, HANG) else {
        return Outcome::Hang;
    };
    if stream.write_all(GET_CLOSE).is_err() {
        return Outcome::Closed;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let (got, closed) = read_to_close(&mut stream, HANG);
    let scan = scan(&got);
    match (scan, closed) {
        (scan, _) if scan.wrong || scan.complete > 1 => Outcome::Wrong,
        (Scan { complete: 1, .. }, true) => Outcome::Ok,
        (Scan { complete: 0, .. }, true) => Outcome::Closed,
        _ => Outcome::Hang,
    }
}

/// Reads until EOF or a reset (`true`) or until `limit` passes (`false`).
pub(crate) fn read_to_close(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let mut got = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return (got, false);
        }
        match stream.read(&mut buf) {
            Ok(0) => return (got, true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return (got, false)
            }
            Err(_) => return (got, true),
        }
    }
}

/// One clean request on a new connection: `Ok` only for one complete,
/// correct answer followed by the server's close.
pub(crate) fn clean_request(addr: SocketAddr) -> Result<(), String> {
    match short_connection(addr) {
        Outcome::Ok => Ok(()),
        Outcome::Closed => Err("closed without an answer".into()),
        Outcome::Wrong => Err("a wrong answer".into()),
        Outcome::Hang => Err(format!("no answer within {HANG:?}")),
    }
}

/// One clean echo exchange on a new connection: `ping`, half-close, and
/// exactly `ping` back before the server's close.
pub(crate) fn clean_echo(addr: SocketAddr) -> Result<(), String> {
    let mut stream = TcpStream::connect_timeout(&addr, HANG).map_err(|e| e.to_string())?;
    stream.write_all(b"ping").map_err(|e| e.to_string())?;
    let _ = stream.shutdown(Shutdown::Write);
    match read_to_close(&mut stream, HANG) {
        (got, true) if got == b"ping" => Ok(()),
        (got, closed) => Err(format!("echo answered {got:?} (closed: {closed})")),
    }
}

/// One row of the summary table.
#[derive(Debug)]
pub(crate) struct Row {
    /// What was done to the server.
    pub(crate) scenario: String,
    /// What was injected, and how many times it landed.
    pub(crate) injected: String,
    /// Requests answered byte for byte correctly.
    pub(crate) ok: u64,
    /// Connections the fault closed (the server closed them, cleanly).
    pub(crate) closed: u64,
    /// Answers with a wrong byte.
    pub(crate) wrong: u64,
    /// Clients left waiting past their limit.
    pub(crate) hangs: u64,
    /// Open fds after the scenario minus before it.
    pub(crate) fd_delta: i64,
    /// The scenario's own figure (RSS, back-off, …).
    pub(crate) figure: String,
    /// Whether every check held.
    pub(crate) passed: bool,
    /// What failed, when something did.
    pub(crate) detail: String,
}

/// Retries `clean` (the first request may meet a scheduled fault) until
/// it succeeds, at most 10 times; returns how many attempts failed.
pub(crate) fn warm_up(mut clean: impl FnMut() -> Result<(), String>) -> Result<u64, String> {
    let mut failed = 0;
    loop {
        match clean() {
            Ok(()) => return Ok(failed),
            Err(e) if failed >= 10 => return Err(e),
            Err(_) => failed += 1,
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
