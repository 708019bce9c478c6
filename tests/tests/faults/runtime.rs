//! Scenarios: syscalls that fail under the runtime's own parts, the
//! blocking pool, child processes and files. Each runs a small spindle
//! program (`fault-runtime`, `tests/src/bin/fault-runtime.rs`) under
//! `strace -f --inject=SYSCALL:error=ERRNO:when=WHEN`; the program makes
//! the same call twice or more, reports what each gave, and the checks
//! here compare that with what strace's log says it injected.
//!
//! The syscalls are the ones these parts really make (`strace -f -c` on the
//! program): glibc's `pthread_create`, behind `std::thread::Builder::spawn`,
//! starts a thread with `clone3`; std's `Command::spawn` makes one `pipe2`
//! per piped stream and starts the child with glibc's `posix_spawn`, whose
//! `clone3` (`CLONE_VM | CLONE_VFORK`) is the fork; `std::fs` opens with
//! `openat`. The faults land on `clone` too, which glibc uses where the
//! kernel has no `clone3`.
//!
//! | scenario | schedule | why that schedule | promise |
//! | --- | --- | --- | --- |
//! | `clone3` refused to the pool | calls 1 and 3 of the loop thread | the program starts no thread of its own, so call 1 is the pool's first thread (none alive: the job must fail cleanly) and call 3 the thread for a job submitted while another runs (one alive: the job must wait for it and run) | an error naming `spindle::spawn_blocking`, or the job runs later; no panic; later jobs run |
//! | `pipe2` refused to a spawn | call 2 | the runtime makes no pipe of its own (its waker is an `eventfd`, its signal pipe a `socketpair`), so call 2 is the child's stdout pipe, after its stdin pipe was made: that one must be closed again | an `io::Error` naming the program; no fd leaked; the next spawn runs |
//! | `clone3` refused to a spawn | call 1 | the program's first child | the same |
//! | `openat` refused in `spindle::fs` | call 1 on the file (`-P PATH`) | `-P` traces, and so injects into, only the calls on that path: the program's own start (libraries, `/proc`) never meets the fault | an `io::Error` naming the path; the next call reads it |
//!
//! strace counts calls per thread and per syscall, and each program makes
//! its calls from one thread (the loop's; `openat` from the pool's one
//! thread), so each schedule hits exactly the calls named.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{out_dir, Row};

/// One runtime scenario.
struct Case {
    /// The scenario's name in the table (and its strace log's).
    name: &'static str,
    /// The program's scenario argument (`fs-*` get the file's path and
    /// text after it).
    program: &'static str,
    /// The syscalls strace fails (a comma-separated set).
    syscalls: &'static str,
    /// The errno they fail with.
    errno: &'static str,
    /// The errno's number, whose `os error N` the error must carry.
    errno_number: i32,
    /// strace's `when=`.
    when: &'static str,
    /// Whether the fault is limited to the calls on the scenario's file
    /// (`-P PATH`).
    on_file: bool,
    /// How many calls strace must fail.
    injected: u32,
    /// Calls the fault must fail, cleanly (the pool absorbs some).
    errors: u32,
    /// Calls that must succeed (after, or despite, the faults).
    ok: u32,
    /// Something the program's report must say (how the pool coped).
    says: &'static str,
}

/// Every case, in the order of the table.
const CASES: &[Case] = &[
    Case {
        name: "EAGAIN on clone3 (blocking pool thread)",
        program: "blocking",
        syscalls: "clone,clone3",
        errno: "EAGAIN",
        errno_number: 11,
        when: "1..3+2",
        on_file: false,
        // The first job fails (no thread alive); the second waits for the
        // busy one's thread: it, the busy job and four later jobs run.
        injected: 2,
        errors: 1,
        ok: 6,
        says: "second job: ran after the busy one",
    },
    Case {
        name: "EMFILE on pipe2 (process spawn)",
        program: "spawn",
        syscalls: "pipe2",
        errno: "EMFILE",
        errno_number: 24,
        when: "2",
        on_file: false,
        injected: 1,
        errors: 1,
        ok: 1,
        says: "second spawn: ran",
    },
    Case {
        name: "EAGAIN on clone3 (process spawn)",
        program: "spawn",
        syscalls: "clone,clone3",
        errno: "EAGAIN",
        errno_number: 11,
        when: "1",
        on_file: false,
        injected: 1,
        errors: 1,
        ok: 1,
        says: "second spawn: ran",
    },
    Case {
        name: "EACCES on openat (fs::read)",
        program: "fs-read",
        syscalls: "openat",
        errno: "EACCES",
        errno_number: 13,
        when: "1",
        on_file: true,
        injected: 1,
        errors: 1,
        ok: 1,
        says: "second fs::read: read",
    },
    Case {
        name: "EMFILE on openat (File::open)",
        program: "fs-open",
        syscalls: "openat",
        errno: "EMFILE",
        errno_number: 24,
        when: "1",
        on_file: true,
        injected: 1,
        errors: 1,
        ok: 1,
        says: "second File::open: opened and read",
    },
];

/// What the `fs-*` programs read.
const TEXT: &str = "spindle fault injection";

/// How long one program may take under strace before it counts as hung:
/// far above its run time (well under a second), bounded.
const LIMIT: Duration = Duration::from_secs(30);

/// Runs every case; an empty list (with the reason printed) when strace
/// is not installed or cannot trace.
pub(crate) fn run_all(only: &dyn Fn(&str) -> bool) -> Vec<Row> {
    let cases: Vec<&Case> = CASES.iter().filter(|case| only(case.name)).collect();
    if cases.is_empty() {
        return Vec::new();
    }
    if let Some(why) = crate::support::strace_missing() {
        println!("SKIPPED: runtime fault injection ({why})");
        return Vec::new();
    }
    let file = out_dir().join("runtime-fs.txt");
    std::fs::write(&file, TEXT).expect("the scenario's file can be written");
    let file = file.canonicalize().expect("the scenario's file exists");
    cases
        .into_iter()
        .map(|case| {
            eprintln!("faults: {} ...", case.name);
            let start = Instant::now();
            let row = run(case, &file);
            eprintln!(
                "faults: {} {} in {:?}",
                case.name,
                if row.passed { "ok" } else { "FAILED" },
                start.elapsed()
            );
            row
        })
        .collect()
}

/// What the program printed on its `result` line.
#[derive(Debug, Default)]
struct Outcome {
    /// Calls that succeeded.
    ok: u64,
    /// Calls that failed cleanly.
    errors: u64,
    /// Calls that misbehaved.
    wrong: u64,
    /// Open fds at its end minus at its start.
    fd_delta: i64,
    /// What each call gave.
    detail: String,
}

/// Parses `result ok=N errors=N wrong=N fd_delta=N detail=TEXT`.
fn parse(stdout: &str) -> Option<Outcome> {
    let line = stdout.lines().find_map(|l| l.strip_prefix("result "))?;
    let (counts, detail) = line.split_once(" detail=")?;
    let mut out = Outcome {
        detail: detail.to_string(),
        ..Outcome::default()
    };
    for pair in counts.split(' ') {
        let (key, value) = pair.split_once('=')?;
        match key {
            "ok" => out.ok = value.parse().ok()?,
            "errors" => out.errors = value.parse().ok()?,
            "wrong" => out.wrong = value.parse().ok()?,
            "fd_delta" => out.fd_delta = value.parse().ok()?,
            _ => return None,
        }
    }
    Some(out)
}

/// Runs one case and checks its promise.
fn run(case: &Case, file: &Path) -> Row {
    let log = out_dir().join(format!("runtime-{}-{}.strace", case.program, case.errno));
    let mut command = Command::new("strace");
    command.args(["-f", "-qq", "--seccomp-bpf", "-o"]).arg(&log);
    if case.on_file {
        command.arg("-P").arg(file);
    }
    command
        .arg(format!("--trace={}", case.syscalls))
        .arg(format!(
            "--inject={}:error={}:when={}",
            case.syscalls, case.errno, case.when
        ))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_fault-runtime"))
        .arg(case.program);
    if case.on_file {
        command.arg(file).arg(TEXT);
    }
    let (status, stdout, stderr) = run_bounded(command);
    let injected =
        std::fs::read_to_string(&log).map_or(0, |text| text.matches("(INJECTED)").count() as u32);

    let mut failures = Vec::new();
    let hung = status.is_none();
    if hung {
        failures.push(format!("still running after {LIMIT:?}"));
    }
    let outcome = parse(&stdout).unwrap_or_else(|| {
        failures.push(format!("no result line; stderr: {}", stderr.trim()));
        Outcome::default()
    });
    if let Some(Some(code)) = status.map(|s| s.code()) {
        if code != 0 {
            failures.push(format!("exit code {code}; stderr: {}", last_lines(&stderr)));
        }
    } else if !hung {
        failures.push(format!(
            "killed by a signal; stderr: {}",
            last_lines(&stderr)
        ));
    }
    if injected != case.injected {
        failures.push(format!(
            "strace injected {injected} faults, the schedule expects {}",
            case.injected
        ));
    }
    if outcome.errors != u64::from(case.errors) || outcome.ok != u64::from(case.ok) {
        failures.push(format!(
            "{} calls failed and {} succeeded, expected {} and {}",
            outcome.errors, outcome.ok, case.errors, case.ok
        ));
    }
    let cause = format!("os error {}", case.errno_number);
    if outcome.errors > 0 && !outcome.detail.contains(&cause) {
        failures.push(format!("no error carries `{cause}`"));
    }
    if !outcome.detail.contains(case.says) {
        failures.push(format!("the report does not say `{}`", case.says));
    }
    if outcome.wrong > 0 {
        failures.push(format!("{} calls misbehaved", outcome.wrong));
    }
    if outcome.fd_delta != 0 {
        failures.push(format!("fd delta {:+}", outcome.fd_delta));
    }
    if stderr.contains("panicked") {
        failures.push(format!("a panic: {}", last_lines(&stderr)));
    }
    if !failures.is_empty() {
        failures.push(format!("report: {}", outcome.detail));
    }
    // The figure: the errors the program got, and how the pool coped; the
    // file's directory shown as the repository's `target/faults`.
    let dir = file
        .parent()
        .map_or(String::new(), |d| d.display().to_string());
    let figure = outcome
        .detail
        .split("; ")
        .filter(|entry| entry.contains("error:") || entry.contains("after the busy one"))
        .map(|entry| entry.replace(&dir, "target/faults"))
        .collect::<Vec<_>>()
        .join("; ");
    Row {
        scenario: case.name.to_string(),
        injected: format!(
            "`{}` `{}` ×{injected} (when={}{})",
            case.syscalls.replace(',', "`/`"),
            case.errno,
            case.when,
            if case.on_file { ", -P file" } else { "" }
        ),
        ok: outcome.ok,
        closed: outcome.errors,
        wrong: outcome.wrong,
        hangs: u64::from(hung),
        fd_delta: outcome.fd_delta,
        figure,
        passed: failures.is_empty(),
        detail: failures.join("; "),
    }
}

/// Runs `command` (strace and the program under it) in its own process
/// group, for at most [`LIMIT`]; kills the group if it runs past it.
/// Returns the exit status (`None` when killed for the time) and what it
/// printed.
fn run_bounded(mut command: Command) -> (Option<std::process::ExitStatus>, String, String) {
    use std::os::unix::process::CommandExt;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("strace can be started");
    let mut pipes = (child.stdout.take(), child.stderr.take());
    let readers = [pipes.0.take().map(reader), pipes.1.take().map(reader)];
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waitpid on strace") {
            break Some(status);
        }
        if Instant::now() > deadline {
            // Killing the group kills the traced program too.
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let [out, err] = readers.map(|r| r.map(|r| r.join().unwrap_or_default()).unwrap_or_default());
    (status, out, err)
}

/// Reads `pipe` to its end on a thread of its own.
fn reader(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// The last three lines of `text`, for a failure's detail.
fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}
