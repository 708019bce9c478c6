//! spindle-tests: end-to-end tests that run the `spindle-server` binary (and
//! the server's examples) as processes and talk to them with real clients:
//! raw sockets, `curl`, signals, `prlimit`.
//!
//! # How the tests find the binaries
//!
//! Cargo's `CARGO_BIN_EXE_<name>` only exists for the integration tests of
//! the crate that owns the binary, so the server's own tests
//! (`server/tests/`) drive the *library* in-process, and this crate drives
//! the *binary*. [`binary`] and [`example`] build the server's binaries and
//! examples once per test process, with the same cargo that runs the tests
//! (`$CARGO`), the same profile and the same target directory (both read
//! from the test executable's own path, `target/<profile>/deps/…`), then
//! return `target/<profile>/spindle-server` or
//! `target/<profile>/examples/<name>`. Cargo releases its build lock before
//! it runs test executables, so the nested build does not wait on the outer
//! one; when everything is fresh it takes a fraction of a second.
//!
//! # Dependencies
//!
//! None for the helpers; the tests use `libc` (dev-dependency) only to
//! raise their own `RLIMIT_NOFILE` before opening 10,000 connections.
//! External tools: `curl` and `prlimit`, and `strace` for the faults
//! suite, which `.ci/run` installs.
//!
//! # Hygiene
//!
//! Every server process is owned by a [`ServerProcess`] guard that kills and
//! reaps it when dropped, also when the test panics. Servers listen on
//! `127.0.0.1:0`; the guard reads the real address from the `listening on
//! ADDR` line the server prints on stdout. Every wait is bounded.

pub mod malformed;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The `target/<profile>` directory the tests run from, built once.
fn profile_dir() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test executable's path");
        // target/<profile>/deps/<test>-<hash>
        let dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test executable lives in target/<profile>/deps")
            .to_path_buf();
        let target_dir = dir.parent().expect("target/<profile> has a parent");
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "spindle-server",
                "--bins",
                "--examples",
            ])
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--target-dir")
            .arg(target_dir);
        if dir.file_name().is_some_and(|name| name == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo build could not start");
        assert!(
            status.success(),
            "cargo build -p spindle-server failed: {status}"
        );
        dir
    })
}

/// The path of the `spindle-server` binary, built if needed.
///
/// # Examples
///
/// ```no_run
/// assert!(spindle_tests::binary().ends_with("spindle-server"));
/// ```
///
/// # Panics
///
/// Panics if the build fails.
pub fn binary() -> PathBuf {
    profile_dir().join("spindle-server")
}

/// The path of the server's example `name`, built if needed.
///
/// # Examples
///
/// ```no_run
/// let path = spindle_tests::example("hello_handler");
/// assert!(path.ends_with("examples/hello_handler"));
/// ```
///
/// # Panics
///
/// Panics if the build fails.
pub fn example(name: &str) -> PathBuf {
    profile_dir().join("examples").join(name)
}

/// Sends `GET path` with `Connection: close` on a new connection to
/// `addr` and returns everything the server sends until it closes (reads
/// time out after 10 s).
///
/// # Examples
///
/// ```no_run
/// # let mut command = std::process::Command::new(spindle_tests::binary());
/// # command.args(["--addr", "127.0.0.1:0"]);
/// # let server = spindle_tests::ServerProcess::start(command);
/// let response = spindle_tests::get(server.addr, "/plaintext").unwrap();
/// assert!(response.ends_with("Hello, World!"));
/// ```
///
/// # Errors
///
/// Fails if the connection cannot be made or breaks, or a read times out.
pub fn get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// A running server process, killed and reaped when dropped.
///
/// # Examples
///
/// ```no_run
/// use std::process::Command;
///
/// let mut command = Command::new(spindle_tests::binary());
/// command.args(["--addr", "127.0.0.1:0"]);
/// let server = spindle_tests::ServerProcess::start(command);
/// println!("serving on {}", server.addr);
/// ```
#[derive(Debug)]
pub struct ServerProcess {
    /// The process.
    child: Child,
    /// The address from its `listening on ADDR` line.
    pub addr: SocketAddr,
    /// Everything it wrote on stderr so far, appended by a reader thread.
    stderr: Arc<Mutex<String>>,
    /// Lines it wrote on stdout after the `listening` line.
    stdout: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Starts `command` with piped output and waits (at most 20 s) for its
    /// `listening on ADDR` line on stdout.
    ///
    /// # Examples
    ///
    /// See [`ServerProcess`].
    ///
    /// # Panics
    ///
    /// Panics if the process cannot start or does not say where it listens.
    pub fn start(mut command: Command) -> ServerProcess {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server process could not start");
        let stderr = Arc::new(Mutex::new(String::new()));
        let stdout = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("piped stderr");
        let err_log = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = err_pipe.read(&mut buf) {
                err_log
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let out_pipe = child.stdout.take().expect("piped stdout");
        let out_log = stdout.clone();
        let (addr_tx, addr_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out_pipe).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = addr_tx.send(addr.trim().to_string());
                } else {
                    out_log.lock().unwrap().push_str(&(line + "\n"));
                }
            }
        });
        let mut server = ServerProcess {
            child,
            addr: "0.0.0.0:0".parse().unwrap(),
            stderr,
            stdout,
        };
        match addr_rx.recv_timeout(Duration::from_secs(20)) {
            Ok(addr) => server.addr = addr.parse().expect("a socket address"),
            Err(_) => panic!(
                "the server never said where it listens; stderr: {}",
                server.stderr()
            ),
        }
        server
    }

    /// The process id.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let server = spindle_tests::ServerProcess::start(command);
    /// println!("{}", server.pid());
    /// ```
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal by name (`TERM`, `INT`) with kill(1).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let server = spindle_tests::ServerProcess::start(command);
    /// server.signal("TERM");
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if kill(1) fails.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill(1) could not start");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits at most `limit` for the process to exit.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let mut server = spindle_tests::ServerProcess::start(command);
    /// server.signal("TERM");
    /// assert!(server.wait_exit(std::time::Duration::from_secs(5)).success());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if it is still running after `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("waitpid") {
                // Let the reader threads catch the last lines.
                std::thread::sleep(Duration::from_millis(50));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {limit:?}; stderr: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// What the process wrote on stderr so far.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let server = spindle_tests::ServerProcess::start(command);
    /// assert!(server.stderr().contains("listening on"));
    /// ```
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// What the process wrote on stdout after its `listening` line.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let server = spindle_tests::ServerProcess::start(command);
    /// println!("{}", server.stdout());
    /// ```
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// CPU time (user + system) the process has used, from
    /// `/proc/PID/stat`, in clock ticks (usually 1/100 s).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let server = spindle_tests::ServerProcess::start(command);
    /// println!("{} ticks", server.cpu_ticks());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `/proc` cannot be read (not Linux).
    pub fn cpu_ticks(&self) -> u64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).expect("/proc/PID/stat");
        // Fields after the `(comm)`; utime and stime are fields 14 and 15.
        let after = &stat[stat.rfind(')').expect("(comm)") + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }

    /// Resident memory of the process in KiB, from `/proc/PID/status`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let server = spindle_tests::ServerProcess::start(command);
    /// println!("{} KiB", server.rss_kib());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `/proc` cannot be read (not Linux).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/PID/status");
        let line = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .expect("VmRSS");
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

impl ServerProcess {
    /// Whether the process is still running.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let mut server = spindle_tests::ServerProcess::start(command);
    /// assert!(server.is_running());
    /// ```
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// CPU time (user + system) the process has used.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let server = spindle_tests::ServerProcess::start(command);
    /// println!("{:?}", server.cpu_time());
    /// ```
    ///
    /// # Panics
    ///
    /// As [`cpu_ticks`](Self::cpu_ticks).
    pub fn cpu_time(&self) -> Duration {
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Duration::from_micros(self.cpu_ticks() * 1_000_000 / per_second)
    }

    /// How many file descriptors the process has open, from
    /// `/proc/PID/fd` (a leaked connection shows as one more).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let mut command = std::process::Command::new(spindle_tests::binary());
    /// # command.args(["--addr", "127.0.0.1:0"]);
    /// # let server = spindle_tests::ServerProcess::start(command);
    /// println!("{} open fds", server.open_fds());
    /// ```
    pub fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|dir| dir.count())
            .unwrap_or(0)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
