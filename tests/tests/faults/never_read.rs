//! Scenarios: clients that never read. 100 clients each try to send
//! 10 MiB (pipelined `GET`s, or bytes to echo) and never read a byte of
//! what comes back.
//!
//! The server must stop reading from a connection whose answers it cannot
//! write (so each client gets only a few MiB into the kernel's buffers,
//! far from 10 MiB, and the server's own memory stays bounded: goal at
//! most 64 MiB above its baseline), keep serving other clients, and close
//! the stuck connections once a write has made no progress for the idle
//! timeout (2 s here). What the clients find in their buffers afterwards
//! must be byte for byte right, followed by the close.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

use crate::support::{
    clean_echo, clean_request, read_to_close, scan, warm_up, Row, Server, GET, HANG,
};

/// Clients that never read.
const CLIENTS: usize = 100;
/// What each one tries to send.
const FLOOD: usize = 10 * 1024 * 1024;
/// The server's idle timeout (and header timeout) in these scenarios.
const TIMEOUT_SECS: u64 = 2;
/// How long a client's write may block before it gives up: the server has
/// stopped reading it.
const WRITE_STALL: Duration = Duration::from_secs(1);
/// The goal for the server's memory above its baseline.
const RSS_GOAL_KIB: u64 = 64 * 1024;
/// The flooding clients' socket buffers (`SO_RCVBUF`, `SO_SNDBUF`).
const CLIENT_BUFFER: usize = 64 * 1024;
/// Clean requests made after the flood, while the stuck connections are
/// open (more are made during the flood, one every 100 ms).
const CLEAN: u64 = 5;

/// The protocol a scenario floods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Pipelined `GET`s.
    Http,
    /// Bytes to echo back.
    Echo,
}

/// Runs both scenarios (those `only` selects).
pub(crate) fn run_all(only: &dyn Fn(&str) -> bool) -> Vec<Row> {
    [
        ("never read: HTTP, 100 clients × 10 MiB", Mode::Http),
        ("never read: echo, 100 clients × 10 MiB", Mode::Echo),
    ]
    .into_iter()
    .filter(|(name, _)| only(name))
    .map(|(name, mode)| {
        eprintln!("faults: {name} ...");
        let start = Instant::now();
        let row = run(name, mode);
        eprintln!(
            "faults: {name} {} in {:?}",
            if row.passed { "ok" } else { "FAILED" },
            start.elapsed()
        );
        row
    })
    .collect()
}

/// One flood: what each client sent, and its socket (still unread).
struct Flooded {
    /// The client's connection, never read from until the drain.
    stream: TcpStream,
    /// Bytes the kernel took from the client before it gave up.
    sent: usize,
}

/// Runs one scenario.
fn run(name: &str, mode: Mode) -> Row {
    let timeout = TIMEOUT_SECS.to_string();
    let mode_arg = match mode {
        Mode::Http => "http",
        Mode::Echo => "echo",
    };
    let server = Server::start(&[
        "--mode",
        mode_arg,
        "--idle-timeout",
        &timeout,
        "--header-timeout",
        &timeout,
    ]);
    let addr = server.addr;
    let clean = move || match mode {
        Mode::Http => clean_request(addr),
        Mode::Echo => clean_echo(addr),
    };
    let mut failures = Vec::new();
    if let Err(e) = warm_up(clean) {
        failures.push(format!("never served before the flood: {e}"));
    }
    let baseline_fds = server.settled_fds();
    let baseline_rss = server.rss_kib();

    // The flood, one thread per client; the main thread samples the
    // server's memory meanwhile.
    let payload: Arc<Vec<u8>> = Arc::new(match mode {
        Mode::Http => GET.repeat(FLOOD / GET.len()),
        Mode::Echo => (0..FLOOD).map(|i| (i % 251) as u8).collect(),
    });
    let running = Arc::new(AtomicUsize::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (payload, running) = (payload.clone(), running.clone());
            std::thread::spawn(move || {
                let flooded = flood(addr, &payload);
                running.fetch_sub(1, Ordering::SeqCst);
                flooded
            })
        })
        .collect();
    // A clean client keeps asking while the flood runs.
    let during = {
        let running = running.clone();
        std::thread::spawn(move || {
            let mut results = Vec::new();
            while running.load(Ordering::SeqCst) > 0 {
                results.push(clean());
                std::thread::sleep(Duration::from_millis(100));
            }
            results
        })
    };
    let mut peak_rss = baseline_rss;
    let flood_start = Instant::now();
    while running.load(Ordering::SeqCst) > 0 && flood_start.elapsed() < Duration::from_secs(60) {
        peak_rss = peak_rss.max(server.rss_kib());
        std::thread::sleep(Duration::from_millis(20));
    }
    let flooded: Vec<Flooded> = clients
        .into_iter()
        .filter_map(|c| c.join().expect("a flooding client does not panic"))
        .collect();
    let flood_secs = flood_start.elapsed();
    peak_rss = peak_rss.max(server.rss_kib());
    let held = server.open_fds().saturating_sub(baseline_fds);

    // Others were served during the flood, and still are while the stuck
    // connections are open.
    let mut ok = 0;
    for result in during.join().expect("the clean client does not panic") {
        match result {
            Ok(()) => ok += 1,
            Err(e) => failures.push(format!("a clean client during the flood: {e}")),
        }
    }
    for _ in 0..CLEAN {
        match clean() {
            Ok(()) => ok += 1,
            Err(e) => failures.push(format!("a clean client after the flood: {e}")),
        }
    }

    // The server closes the stuck connections after its timeout.
    let limit = Duration::from_secs(2 * TIMEOUT_SECS + 5);
    let wait = Instant::now();
    let fds = server.wait_fds_at_most(baseline_fds, limit);
    let closed_after = wait.elapsed();

    // What each client finds in its buffers: right bytes, then the close.
    let mut closed = 0;
    let mut hangs = 0;
    let mut wrong = 0;
    let mut received = 0;
    let drains: Vec<_> = flooded
        .into_iter()
        .map(|mut f| {
            let payload = payload.clone();
            std::thread::spawn(move || {
                let (got, was_closed) = read_to_close(&mut f.stream, HANG);
                let right = match mode {
                    Mode::Http => !scan(&got).wrong,
                    Mode::Echo => got.len() <= f.sent && got[..] == payload[..got.len()],
                };
                (got.len(), was_closed, right, f.sent)
            })
        })
        .collect();
    let mut sent_total = 0;
    let count = drains.len();
    for drain in drains {
        let (len, was_closed, right, sent) = drain.join().expect("a drain does not panic");
        received += len;
        sent_total += sent;
        closed += u64::from(was_closed);
        hangs += u64::from(!was_closed);
        wrong += u64::from(!right);
    }
    if count < CLIENTS {
        failures.push(format!("{} of {CLIENTS} clients could connect", count));
    }
    let rss_above = peak_rss.saturating_sub(baseline_rss);
    if rss_above > RSS_GOAL_KIB {
        failures.push(format!(
            "RSS {rss_above} KiB above baseline (goal {RSS_GOAL_KIB})"
        ));
    }
    if sent_total >= CLIENTS * FLOOD {
        failures.push("the server read everything: it never stopped reading".into());
    }
    if wrong > 0 || hangs > 0 {
        failures.push(format!(
            "{wrong} clients got wrong bytes, {hangs} never closed"
        ));
    }
    if fds > baseline_fds {
        failures.push(format!(
            "open fds {baseline_fds} before, {fds} {limit:?} after the flood"
        ));
    }
    if let Err(e) = clean() {
        failures.push(format!("a clean client afterwards: {e}"));
    }
    if !server.is_alive() {
        failures.push("the server died".into());
    }
    let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
    Row {
        scenario: name.to_string(),
        injected: "clients that never read".into(),
        ok,
        closed,
        wrong,
        hangs,
        fd_delta: fds as i64 - baseline_fds as i64,
        figure: format!(
            "RSS +{:.1} MiB at peak (goal ≤ 64); each client got {:.2} MiB of 10 in, \
             {:.2} MiB back; {:.1} s flood; {} (idle timeout {TIMEOUT_SECS} s)",
            rss_above as f64 / 1024.0,
            mib(sent_total / count.max(1)),
            mib(received / count.max(1)),
            flood_secs.as_secs_f64(),
            if fds <= baseline_fds && held == 0 {
                "all closed by the write timeout during the flood".to_string()
            } else if fds <= baseline_fds {
                format!(
                    "{held} stuck conns open after it, all closed {:.1} s later",
                    closed_after.as_secs_f64()
                )
            } else {
                format!(
                    "{} still open {:.1} s later",
                    fds - baseline_fds,
                    closed_after.as_secs_f64()
                )
            },
        ),
        passed: failures.is_empty(),
        detail: failures.join("; "),
    }
}

/// Connects and writes `payload` until it is all sent or a write blocks
/// for [`WRITE_STALL`] (the server stopped reading) or fails (the server
/// closed).
fn flood(addr: SocketAddr, payload: &[u8]) -> Option<Flooded> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).ok()?;
    // Small buffers (the kernel doubles them) keep what the kernel holds
    // for each client, and so the scenario's length, small; the server's
    // own buffers are its defaults.
    socket.set_recv_buffer_size(CLIENT_BUFFER).ok()?;
    socket.set_send_buffer_size(CLIENT_BUFFER).ok()?;
    socket.connect_timeout(&addr.into(), HANG).ok()?;
    let mut stream = TcpStream::from(socket);
    stream.set_write_timeout(Some(WRITE_STALL)).ok()?;
    let mut sent = 0;
    while sent < payload.len() {
        let end = (sent + 64 * 1024).min(payload.len());
        match stream.write(&payload[sent..end]) {
            Ok(0) | Err(_) => break,
            Ok(n) => sent += n,
        }
    }
    Some(Flooded { stream, sent })
}
