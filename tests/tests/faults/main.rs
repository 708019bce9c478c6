//! The faults suite: faults that come from below the server — syscalls
//! that fail, and clients that stop reading.
//!
//! - `injected`: `spindle-server` under `strace --inject`, one failing
//!   syscall per scenario (`EINTR`, `ECONNRESET`, `EPIPE`, accept errors,
//!   `ENOMEM` from `epoll_ctl`), while clients use it. Skipped, with the
//!   reason printed, when strace is not installed (`.ci/run` installs it).
//! - `runtime`: the runtime's blocking pool, child processes and files
//!   under the same injection, as small programs (`fault-runtime`):
//!   `clone3` refused when the pool starts a thread or a child is spawned,
//!   `pipe2` refused for a child's pipes, `openat` refused in
//!   `spindle::fs`. Skipped the same way.
//! - `never_read`: 100 clients pipeline 10 MiB each and never read (HTTP,
//!   then echo): the server must stop reading them, keep its memory
//!   bounded, serve others, and close them after its timeout.
//! - `slow_reader`: a client that reads one byte a second from a large
//!   pipelined answer.
//!
//! Every server scenario checks that each answer is byte for byte right,
//! that nothing hangs, that the server stays up and serves a clean client
//! afterwards, and that its open fds return to their count before; every
//! runtime scenario, that each call gives its result or a clean error
//! naming its subject, that nothing panics or hangs or leaks an fd, and
//! that the next call works. In the runtime rows "requests ok" counts the
//! calls that succeeded and "closed by the fault" those that failed with
//! the fault's error. At the
//! end it prints a summary table (and writes it to
//! `target/faults/summary.md`) and exits non-zero if any scenario failed.
//!
//! Run it alone with `cargo test -p spindle-tests --test faults`;
//! `SPINDLE_FAULTS=word,word` runs only the scenarios whose name contains
//! one of the words (`EINTR`, `accept4`, `never`, …).

mod injected;
mod never_read;
mod runtime;
mod slow_reader;
mod support;

use support::Row;

fn main() {
    support::check_scan();
    let words: Option<Vec<String>> = std::env::var("SPINDLE_FAULTS")
        .ok()
        .map(|list| list.split(',').map(str::to_string).collect());
    let only = move |name: &str| {
        words.as_ref().map_or(true, |words| {
            words.iter().any(|w| name.contains(w.as_str()))
        })
    };
    let mut rows = injected::run_all(&only);
    rows.extend(runtime::run_all(&only));
    rows.extend(never_read::run_all(&only));
    rows.extend(slow_reader::run_all(&only));
    let table = summary(&rows);
    println!("{table}");
    let _ = std::fs::write(support::out_dir().join("summary.md"), &table);
    let failed = rows.iter().filter(|r| !r.passed).count();
    for row in rows.iter().filter(|r| !r.passed) {
        println!("{}: {}", row.scenario, row.detail);
    }
    println!("faults: {} passed, {failed} failed", rows.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

/// The Markdown summary table.
fn summary(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | injected | requests ok | closed by the fault | wrong answers | hangs | fd delta | figure | result |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {:+} | {} | {} |\n",
            r.scenario,
            r.injected,
            r.ok,
            r.closed,
            r.wrong,
            r.hangs,
            r.fd_delta,
            r.figure,
            if r.passed { "ok" } else { "FAILED" }
        ));
    }
    out
}
