//! Scenario: a client that reads one byte a second from a large answer.
//!
//! It pipelines 100,000 `GET`s (13 MB of answers, far more than the
//! kernel's buffers hold, so the server's write waits on it) and reads one
//! byte a second for a few seconds. Meanwhile a clean client must be
//! served as usual: one slow reader holds its own connection, not the
//! thread. Then it reads the rest at full speed: every one of the 100,000
//! answers must be there, in order and byte for byte right, after a write
//! that waited seconds in the middle.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

use crate::support::{
    clean_request, read_to_close, scan, warm_up, Row, Server, GET, GET_CLOSE, HANG,
};

/// Requests the slow client pipelines (the last one asks to close).
const REQUESTS: usize = 100_000;
/// Bytes it reads slowly, one a second.
const SLOW_BYTES: usize = 4;

/// Runs the scenario (if `only` selects it).
pub(crate) fn run_all(only: &dyn Fn(&str) -> bool) -> Vec<Row> {
    let name = "slow reader: 1 byte/s from 13 MB of answers";
    if !only(name) {
        return Vec::new();
    }
    eprintln!("faults: {name} ...");
    let start = Instant::now();
    let row = run(name);
    eprintln!(
        "faults: {name} {} in {:?}",
        if row.passed { "ok" } else { "FAILED" },
        start.elapsed()
    );
    vec![row]
}

/// Runs the scenario.
fn run(name: &str) -> Row {
    let server = Server::start(&[]);
    let addr = server.addr;
    let mut failures = Vec::new();
    if let Err(e) = warm_up(|| clean_request(addr)) {
        failures.push(format!("never served before: {e}"));
    }
    let baseline = server.settled_fds();

    // The slow client: a small receive buffer, the requests written from
    // a thread of their own (the server stops reading them when it cannot
    // write, so the write blocks until the end).
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
    socket
        .set_recv_buffer_size(4 * 1024)
        .expect("SO_RCVBUF can be set");
    socket
        .connect_timeout(&addr.into(), HANG)
        .expect("the slow client connects");
    let mut stream = TcpStream::from(socket);
    let mut writer = stream.try_clone().expect("a second handle");
    let requests = [GET.repeat(REQUESTS - 1), GET_CLOSE.to_vec()].concat();
    let written = std::thread::spawn(move || writer.write_all(&requests).is_ok());

    // One byte a second, while a clean client asks every 100 ms.
    let slow_done = Arc::new(AtomicBool::new(false));
    let clean = {
        let slow_done = slow_done.clone();
        std::thread::spawn(move || {
            let mut results = Vec::new();
            while !slow_done.load(Ordering::SeqCst) {
                results.push(clean_request(addr));
                std::thread::sleep(Duration::from_millis(100));
            }
            results
        })
    };
    let mut slow = Vec::new();
    for _ in 0..SLOW_BYTES {
        std::thread::sleep(Duration::from_secs(1));
        let (byte, _) = read_exact_within(&mut stream, 1);
        slow.extend_from_slice(&byte);
    }
    slow_done.store(true, Ordering::SeqCst);
    let mut ok = 0;
    for result in clean.join().expect("the clean client does not panic") {
        match result {
            Ok(()) => ok += 1,
            Err(e) => failures.push(format!("a clean client during the slow read: {e}")),
        }
    }
    let slow_scan = scan(&slow);
    if slow.len() < SLOW_BYTES || slow_scan.wrong {
        failures.push(format!("the slow bytes: {slow:?}"));
    }

    // The rest at full speed.
    let (rest, closed) = read_to_close(&mut stream, Duration::from_secs(30));
    let all = [slow, rest].concat();
    let answers = scan(&all);
    if !written.join().expect("the writer does not panic") {
        failures.push("the server did not read every request".into());
    }
    if answers.wrong || answers.complete != REQUESTS as u64 || answers.closing != 1 || !closed {
        failures.push(format!(
            "after the slow read: {answers:?} of {REQUESTS} answers (closed: {closed})"
        ));
    }
    ok += answers.complete;
    drop(stream);
    let fds = server.wait_fds_at_most(baseline, Duration::from_secs(5));
    if fds != baseline {
        failures.push(format!("open fds {baseline} before, {fds} after"));
    }
    if let Err(e) = clean_request(addr) {
        failures.push(format!("a clean client afterwards: {e}"));
    }
    if !server.is_alive() {
        failures.push("the server died".into());
    }
    Row {
        scenario: name.to_string(),
        injected: "a client that reads 1 byte/s".into(),
        ok,
        closed: 0,
        wrong: u64::from(answers.wrong),
        hangs: u64::from(!closed),
        fd_delta: fds as i64 - baseline as i64,
        figure: format!(
            "{SLOW_BYTES} s at 1 byte/s, then all {} answers byte-exact; clean clients served meanwhile",
            answers.complete
        ),
        passed: failures.is_empty(),
        detail: failures.join("; "),
    }
}

/// Reads exactly `n` bytes, or what came within [`HANG`]; `true` if all
/// came.
fn read_exact_within(stream: &mut TcpStream, n: usize) -> (Vec<u8>, bool) {
    use std::io::Read;
    let mut got = vec![0; n];
    let _ = stream.set_read_timeout(Some(HANG));
    match stream.read_exact(&mut got) {
        Ok(()) => (got, true),
        Err(_) => (Vec::new(), false),
    }
}
