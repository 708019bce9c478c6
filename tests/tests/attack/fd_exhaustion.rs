//! Scenario: the server runs out of file descriptors — started under
//! `prlimit --nofile=256`, it gets 1,000 connections. It must stay up, not
//! spin in `accept` (its CPU time stays small), and serve again once the
//! connections close.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::oversized::status_text;
use crate::support::{legit_request, Row, Server, Target};

const ATTEMPTS: usize = 1_000;

pub(crate) fn run() -> Row {
    let mut server = Server::start(Target::SpindleServer, &[], Some(256));
    let addr = server.addr;
    legit_request(addr).expect("serves before the attack");
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..ATTEMPTS {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => held.push(stream),
            Err(_) => refused += 1, // the backlog is full too: fine
        }
    }
    // Out of fds, with connections waiting: measure CPU over two seconds.
    let cpu_before = server.cpu_time();
    std::thread::sleep(Duration::from_secs(2));
    let cpu = server.cpu_time() - cpu_before;
    let alive_during = server.is_alive();
    drop(held);
    // Back-off is at most a second; give it a few to drain the backlog.
    let start = Instant::now();
    let mut legit = legit_request(addr);
    while legit.is_err() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
        legit = legit_request(addr);
    }
    let alive = server.is_alive();
    let warned = server.stderr().contains("accept");
    let spin = cpu > Duration::from_millis(300);
    Row {
        scenario: "fd exhaustion (nofile=256)",
        requests: ATTEMPTS as u64,
        errors: u64::from(spin) + u64::from(!alive_during),
        server: status_text(alive, &legit),
        figure: format!(
            "CPU {cpu:?} over 2 s while out of fds; {refused} connects refused; warned: {warned}; served again after {:?}",
            start.elapsed()
        ),
        passed: !spin && alive_during && alive && legit.is_ok(),
        detail: String::new(),
    }
}
