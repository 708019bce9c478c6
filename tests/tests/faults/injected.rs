//! Scenarios: syscalls that fail. `spindle-server` runs under
//! `strace -f --inject=SYSCALL:error=ERRNO:when=FIRST..LAST+STEP` while
//! keep-alive clients (and, for the accept path, a stream of short
//! connections) use it. The syscalls are the ones the server really makes
//! (`strace -f -c` on a run): `recvfrom` and `sendto` for every socket read
//! and write (std's `TcpStream` calls them, `MSG_NOSIGNAL` included),
//! `epoll_wait` and `epoll_ctl` in the reactor, `accept4` in the listener.
//!
//! Every fault is one of three kinds, and each kind has its promise:
//!
//! | kind | faults | promise |
//! | --- | --- | --- |
//! | retried | `EINTR` anywhere | no connection closed, nothing lost |
//! | fatal for one connection | `ECONNRESET` on read, `EPIPE` on write, `ENOMEM` registering it | that connection is closed (never left hanging), the others go on |
//! | accept errors | `EMFILE`, `ENFILE`, `ENOBUFS` (back-off), `ECONNABORTED` (skipped) | every client is served, after the pause |
//!
//! And for every fault: each answer is byte for byte right, the server is
//! still up and serves a clean client after the faults (the schedules end
//! at `LAST`, before the load does), and its open fds return to where they
//! were. strace counts calls per thread; the counts below are the worker
//! thread's, which makes every socket call. Its first two `epoll_ctl`s
//! register its waker and the listener, so the `epoll_ctl` schedule starts
//! at the third: the first connection's.

use crate::support::{
    clean_request, keep_alive_clients, short_connections, warm_up, Inject, Row, Server, Tally,
};

/// What a fault must do to the connections it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Retried inside the server: no connection closed.
    Retried,
    /// Fatal for the connection it hits: at least one closed, at most one
    /// per injected call.
    ClosesOne,
    /// An accept error that pauses accepting (a warning in the log), after
    /// which everyone is served.
    BacksOff,
    /// An accept error that concerns one client only: skipped at once, no
    /// pause, everyone served.
    Skipped,
}

/// One fault-injection scenario.
struct Case {
    /// The scenario's name in the table (and its strace log's).
    name: &'static str,
    /// What strace injects.
    fault: Inject,
    /// Whether short connections run too (for faults on the accept path).
    short: bool,
    /// The promise checked.
    expect: Expect,
}

/// Keep-alive clients running during each scenario.
const CLIENTS: usize = 8;
/// Requests each keep-alive client makes: 1,200 in all, so every schedule
/// below (at most up to call 1,000 of the worker thread) ends before the
/// load does.
const EACH: u64 = 150;
/// Short connections (one request each) in the accept-path scenarios:
/// each costs the worker two `accept4`s and two `epoll_ctl`s, 80 or more
/// in all, past the schedules' `LAST` of 60.
const SHORT: u64 = 40;

/// Builds an [`Inject`].
const fn inject(syscall: &'static str, errno: &'static str, when: &'static str) -> Inject {
    Inject {
        syscall,
        errno,
        when,
    }
}

/// Every case, in the order of the table.
const CASES: &[Case] = &[
    Case {
        name: "EINTR on recvfrom",
        fault: inject("recvfrom", "EINTR", "3..1000+3"),
        short: false,
        expect: Expect::Retried,
    },
    Case {
        name: "EINTR on sendto",
        fault: inject("sendto", "EINTR", "3..1000+3"),
        short: false,
        expect: Expect::Retried,
    },
    Case {
        name: "EINTR on epoll_wait",
        fault: inject("epoll_wait", "EINTR", "3..1000+3"),
        short: false,
        expect: Expect::Retried,
    },
    Case {
        name: "ECONNRESET on recvfrom",
        fault: inject("recvfrom", "ECONNRESET", "10..600+50"),
        short: false,
        expect: Expect::ClosesOne,
    },
    Case {
        name: "EPIPE on sendto",
        fault: inject("sendto", "EPIPE", "10..600+50"),
        short: false,
        expect: Expect::ClosesOne,
    },
    Case {
        name: "EMFILE on accept4",
        fault: inject("accept4", "EMFILE", "2..60+3"),
        short: true,
        expect: Expect::BacksOff,
    },
    Case {
        name: "ENFILE on accept4",
        fault: inject("accept4", "ENFILE", "2..60+3"),
        short: true,
        expect: Expect::BacksOff,
    },
    Case {
        name: "ENOBUFS on accept4",
        fault: inject("accept4", "ENOBUFS", "2..60+3"),
        short: true,
        expect: Expect::BacksOff,
    },
    Case {
        name: "ECONNABORTED on accept4",
        fault: inject("accept4", "ECONNABORTED", "2..60+3"),
        short: true,
        expect: Expect::Skipped,
    },
    Case {
        name: "ENOMEM on epoll_ctl (register)",
        fault: inject("epoll_ctl", "ENOMEM", "3..60+4"),
        short: true,
        expect: Expect::ClosesOne,
    },
];

/// Runs every case; an empty list (with the reason printed) when strace
/// is not installed or cannot trace.
pub(crate) fn run_all(only: &dyn Fn(&str) -> bool) -> Vec<Row> {
    if let Some(why) = crate::support::strace_missing() {
        println!("SKIPPED: syscall fault injection ({why})");
        return Vec::new();
    }
    CASES
        .iter()
        .filter(|case| only(case.name))
        .map(|case| {
            eprintln!("faults: {} ...", case.name);
            let start = std::time::Instant::now();
            let row = run(case);
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

/// Runs one case and checks its promise.
fn run(case: &Case) -> Row {
    let file_name = case.name.split(' ').take(3).collect::<Vec<_>>().join("-");
    let server = Server::traced(&file_name, case.fault, &[]);
    let addr = server.addr;
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    // The first request waits for the worker to be up (and may meet the
    // first scheduled fault); then the fds are counted.
    match warm_up(|| clean_request(addr)) {
        Ok(closed) => tally.closed += closed,
        Err(e) => failures.push(format!("never served before the load: {e}")),
    }
    let baseline = server.settled_fds();
    let short = case
        .short
        .then(|| std::thread::spawn(move || short_connections(addr, SHORT)));
    tally.add(keep_alive_clients(addr, CLIENTS, EACH));
    if let Some(short) = short {
        tally.add(short.join().expect("the short client does not panic"));
    }
    let clean = clean_request(addr);
    let fds = server.wait_fds_at_most(baseline, std::time::Duration::from_secs(5));
    let alive = server.is_alive();
    let injected = server.injected();
    let pauses = server.stderr().matches("pausing accepts").count();
    let expected = EACH * CLIENTS as u64 + if case.short { SHORT } else { 0 };

    if tally.ok < expected {
        failures.push(format!("{} of {expected} requests answered", tally.ok));
    }
    if tally.wrong > 0 || tally.hangs > 0 {
        failures.push(format!(
            "{} wrong answers, {} hangs",
            tally.wrong, tally.hangs
        ));
    }
    if injected == 0 {
        failures.push("strace injected nothing: the schedule missed".into());
    }
    match case.expect {
        Expect::Retried | Expect::BacksOff | Expect::Skipped if tally.closed > 0 => {
            failures.push(format!(
                "{} connections closed by a fault that must not close any",
                tally.closed
            ))
        }
        Expect::ClosesOne if tally.closed == 0 || tally.closed > injected as u64 => failures.push(
            format!("{} connections closed by {injected} faults", tally.closed),
        ),
        _ => {}
    }
    match case.expect {
        Expect::BacksOff if pauses == 0 => failures.push("no back-off warning".into()),
        Expect::Skipped if pauses > 0 => {
            failures.push(format!("{pauses} back-offs for a one-client error"))
        }
        _ => {}
    }
    if let Err(e) = &clean {
        failures.push(format!("a clean client after the faults: {e}"));
    }
    if !alive {
        failures.push("the server died".into());
    }
    if fds != baseline {
        failures.push(format!("open fds {baseline} before, {fds} after"));
    }
    let Inject {
        syscall,
        errno,
        when,
    } = case.fault;
    Row {
        scenario: case.name.to_string(),
        injected: format!("`{syscall}` `{errno}` ×{injected} (when={when})"),
        ok: tally.ok,
        closed: tally.closed,
        wrong: tally.wrong,
        hangs: tally.hangs,
        fd_delta: fds as i64 - baseline as i64,
        figure: match case.expect {
            Expect::Retried => "retried, no connection closed".into(),
            Expect::ClosesOne if pauses > 0 => format!(
                "{} of {injected} faults closed a connection; accept paused {pauses} times",
                tally.closed
            ),
            Expect::ClosesOne => {
                format!("{} of {injected} faults closed a connection", tally.closed)
            }
            Expect::BacksOff | Expect::Skipped => format!("accept paused {pauses} times"),
        },
        passed: failures.is_empty(),
        detail: failures.join("; "),
    }
}
