//! Scenario: clients that reset — half-way through a request, and while a
//! response is being written. Nothing may leak: the server's open file
//! count returns to where it was.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use crate::oversized::status_text;
use crate::support::{legit_request, Row, Server, Target};

/// Clients of each kind.
const CLIENTS: usize = 200;

pub(crate) fn run() -> Row {
    let mut server = Server::start(Target::SpindleServer, &[], None);
    let addr = server.addr;
    legit_request(addr).expect("the server serves before the attack");
    let baseline = server.open_fds();
    let mut requests = 0u64;
    let mut client_errors = 0u64;
    // Half a request, then RST (SO_LINGER 0 makes close send a reset).
    let half: Vec<_> = (0..CLIENTS)
        .map(|_| {
            std::thread::spawn(move || -> std::io::Result<()> {
                let mut stream = TcpStream::connect(addr)?;
                stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Half: ")?;
                std::thread::sleep(Duration::from_millis(20));
                socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
                Ok(())
            })
        })
        .collect();
    // Many pipelined requests, then RST without reading: the server is
    // writing responses when the reset arrives.
    let pipelined: Vec<_> = (0..CLIENTS)
        .map(|_| {
            std::thread::spawn(move || -> std::io::Result<()> {
                let mut stream = TcpStream::connect(addr)?;
                let burst = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2_000);
                stream.write_all(&burst)?;
                std::thread::sleep(Duration::from_millis(20));
                socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
                Ok(())
            })
        })
        .collect();
    for (i, handle) in half.into_iter().chain(pipelined).enumerate() {
        requests += if i < CLIENTS { 1 } else { 2_000 };
        if !matches!(handle.join(), Ok(Ok(()))) {
            client_errors += 1;
        }
    }
    let fds_after = server.wait_fds_at_most(baseline, Duration::from_secs(5));
    let alive = server.is_alive();
    let legit = legit_request(addr);
    let leaked = fds_after.saturating_sub(baseline);
    Row {
        scenario: "resets mid-request / mid-response",
        requests,
        errors: client_errors + leaked as u64,
        server: status_text(alive, &legit),
        figure: format!("open fds {baseline} before, {fds_after} after ({leaked} leaked)"),
        passed: leaked == 0 && client_errors == 0 && alive && legit.is_ok(),
        detail: String::new(),
    }
}
