//! The faults suite's runtime programs: small spindle programs that use the
//! blocking pool, child processes and files while `strace --inject` makes
//! the syscalls under them fail (`tests/tests/faults/runtime.rs` runs them).
//!
//! Usage: `fault-runtime SCENARIO [PATH TEXT]`, SCENARIO one of:
//!
//! - `blocking`: a first `spawn_blocking` job (the pool must start its
//!   first thread); then a job that holds its thread until released and a
//!   second one submitted while it runs (the pool must start another
//!   thread); then four more jobs at once.
//! - `spawn`: `Command::output` of `echo` with all three streams piped
//!   (`Command::spawn` underneath), twice.
//! - `fs-read PATH TEXT`: `spindle::fs::read(PATH)` twice; the file holds
//!   `TEXT`.
//! - `fs-open PATH TEXT`: `spindle::fs::File::open(PATH)` and
//!   `read_to_end`, twice.
//!
//! Whatever fails underneath, the runtime must answer each call with its
//! result or with a clean error that names its subject (the program, the
//! path), never panic or hang, leak no fd, and work again for the next
//! call. The program does not know what is injected: it reports what it
//! saw and the harness compares it with strace's log. It prints one line
//!
//! ```text
//! result ok=N errors=N wrong=N fd_delta=N detail=TEXT
//! ```
//!
//! on stdout: `ok` counts calls that succeeded, `errors` calls that failed
//! cleanly, `wrong` calls that misbehaved (an error that does not name its
//! subject, a wrong result, a panic), `fd_delta` the open fds at the end
//! minus at the start, and `detail` what each call gave, `; `-separated. It
//! exits 0 when nothing misbehaved, 1 (after the line) otherwise. Every
//! wait in it is bounded.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use spindle::process::{Command, Stdio};

/// Panics seen by the panic hook, in any thread: each one is a `wrong`.
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// How long a blocking job waits to be released before it gives up, so a
/// lost release cannot hang the program. Far above the milliseconds the
/// release takes.
const RELEASE: Duration = Duration::from_secs(10);

/// What the calls of one scenario gave.
#[derive(Debug, Default)]
struct Report {
    /// Calls that succeeded.
    ok: u32,
    /// Calls that failed with a clean error.
    errors: u32,
    /// Calls that misbehaved.
    wrong: u32,
    /// One entry per call, in order.
    detail: Vec<String>,
}

impl Report {
    /// Counts a success.
    fn ok(&mut self, what: impl Into<String>) {
        self.ok += 1;
        self.detail.push(what.into());
    }

    /// Counts a clean error: `message` must name `subject`, else the call
    /// misbehaved.
    fn error(&mut self, call: &str, message: String, subject: &str) {
        if message.contains(subject) {
            self.errors += 1;
            self.detail.push(format!("{call}: error: {message}"));
        } else {
            self.wrong(format!("{call}: an error not naming {subject}: {message}"));
        }
    }

    /// Counts a call that misbehaved.
    fn wrong(&mut self, what: impl Into<String>) {
        self.wrong += 1;
        self.detail.push(format!("WRONG {}", what.into()));
    }
}

fn main() -> ExitCode {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let before = open_fds();
    let mut report = Report::default();
    let run = spindle::block_on(async {
        match args[..] {
            ["blocking"] => blocking(&mut report).await,
            ["spawn"] => spawn(&mut report).await,
            ["fs-read", path, text] => fs_read(&mut report, path, text).await,
            ["fs-open", path, text] => fs_open(&mut report, path, text).await,
            _ => {
                return Err(format!(
                    "usage: fault-runtime SCENARIO [PATH TEXT], not {args:?}"
                ))
            }
        }
        Ok(())
    });
    if let Err(usage) = run {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let panics = PANICS.load(Ordering::SeqCst);
    if panics > 0 {
        report.wrong(format!("{panics} panics"));
    }
    let fd_delta = settled_fds(before) as i64 - before as i64;
    println!(
        "result ok={} errors={} wrong={} fd_delta={fd_delta} detail={}",
        report.ok,
        report.errors,
        report.wrong,
        report.detail.join("; ")
    );
    if report.wrong > 0 || fd_delta != 0 {
        eprintln!("fault-runtime: the runtime misbehaved (fd delta {fd_delta:+})");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The `blocking` scenario.
async fn blocking(report: &mut Report) {
    // 1. The pool has no thread yet: this job needs the first one.
    match spindle::spawn_blocking(|| 6 * 7).await {
        Ok(42) => report.ok("first job: ran"),
        Ok(other) => report.wrong(format!("first job: returned {other}")),
        Err(err) => report.error("first job", err.to_string(), "spindle::spawn_blocking"),
    }
    // 2. A job that holds its thread, and one submitted while it runs: the
    // second needs a thread of its own, or waits for the busy one. It
    // records whether the busy job had finished when it ran.
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let done = Arc::new(AtomicBool::new(false));
    let busy = spindle::spawn_blocking({
        let done = done.clone();
        move || {
            let released = release_rx.recv_timeout(RELEASE).is_ok();
            done.store(true, Ordering::SeqCst);
            released
        }
    });
    let queued = spindle::spawn_blocking({
        let done = done.clone();
        move || done.load(Ordering::SeqCst)
    });
    // The busy job's end, and so the queued one's start when it waits for
    // that thread, comes only after this send. The pause lets a job that
    // got a thread of its own run first (it then says "ran at once").
    spindle::time::sleep(Duration::from_millis(100)).await;
    let _ = release_tx.send(());
    match busy.await {
        Ok(true) => report.ok("busy job: ran"),
        Ok(false) => report.wrong(format!("busy job: never released within {RELEASE:?}")),
        Err(err) => report.error("busy job", err.to_string(), "spindle::spawn_blocking"),
    }
    match queued.await {
        Ok(true) => report.ok("second job: ran after the busy one, on its thread"),
        Ok(false) => report.ok("second job: ran at once"),
        Err(err) => report.error("second job", err.to_string(), "spindle::spawn_blocking"),
    }
    // 3. Later jobs run.
    let later: Vec<_> = (0..4u32)
        .map(|i| spindle::spawn_blocking(move || i * 2))
        .collect();
    let mut ran = 0;
    for (i, job) in (0..4u32).zip(later) {
        match job.await {
            Ok(value) if value == i * 2 => ran += 1,
            Ok(value) => report.wrong(format!("later job {i}: returned {value}")),
            Err(err) => report.error("later job", err.to_string(), "spindle::spawn_blocking"),
        }
    }
    report.ok += ran;
    report.detail.push(format!("{ran} of 4 later jobs ran"));
}

/// The `spawn` scenario.
async fn spawn(report: &mut Report) {
    for call in ["first spawn", "second spawn"] {
        // stdin piped too: three pipes, so a fault can land between them.
        let output = Command::new("echo")
            .arg("ping")
            .stdin(Stdio::piped())
            .output()
            .await;
        match output {
            Ok(out) if out.status.success() && out.stdout == b"ping\n" => {
                report.ok(format!("{call}: ran"))
            }
            Ok(out) => report.wrong(format!("{call}: {out:?}")),
            Err(err) => report.error(call, err.to_string(), "`echo`"),
        }
    }
}

/// The `fs-read` scenario.
async fn fs_read(report: &mut Report, path: &str, text: &str) {
    for call in ["first fs::read", "second fs::read"] {
        match spindle::fs::read(path).await {
            Ok(bytes) if bytes == text.as_bytes() => report.ok(format!("{call}: read")),
            Ok(bytes) => report.wrong(format!("{call}: read {} wrong bytes", bytes.len())),
            Err(err) => report.error(call, err.to_string(), path),
        }
    }
}

/// The `fs-open` scenario.
async fn fs_open(report: &mut Report, path: &str, text: &str) {
    for call in ["first File::open", "second File::open"] {
        let mut file = match spindle::fs::File::open(path).await {
            Ok(file) => file,
            Err(err) => {
                report.error(call, err.to_string(), path);
                continue;
            }
        };
        let mut bytes = Vec::new();
        match file.read_to_end(&mut bytes).await {
            Ok(_) if bytes == text.as_bytes() => report.ok(format!("{call}: opened and read")),
            Ok(_) => report.wrong(format!("{call}: read {} wrong bytes", bytes.len())),
            Err(err) => report.wrong(format!("{call}: a read after the open failed: {err}")),
        }
    }
}

/// The open fd count once it is back to `before`, or after 2 s. A pool
/// thread that has just sent its job's result still holds, for a moment,
/// the awaiting task's waker, and with it the runtime's `eventfd` and
/// epoll fd: they close when that thread lets go of the job.
fn settled_fds(before: usize) -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        let now = open_fds();
        if now == before || std::time::Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// How many fds this process has open (`/proc/self/fd`, its own listing
/// fd included, so the count is the same at every call).
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count())
}
