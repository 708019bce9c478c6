//! Scenario: shutdown under load — SIGTERM while 200 connections are in
//! the middle of a request. Every accepted request gets its complete
//! response, with `Connection: close`, and the server exits 0 within the
//! shutdown timeout.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{find, read_until_close, statuses, Row, Server, Target};

const CLIENTS: usize = 200;
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn run() -> Row {
    let mut server = Server::start(
        Target::AttackTarget,
        &[
            "--shutdown-timeout",
            &SHUTDOWN_TIMEOUT.as_secs().to_string(),
        ],
        None,
    );
    let addr = server.addr;
    // Each client sends a request the handler takes 500 ms to answer.
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
                let mut stream = TcpStream::connect(addr)?;
                let start = Instant::now();
                stream.write_all(b"GET /sleep?ms=500 HTTP/1.1\r\nHost: x\r\n\r\n")?;
                Ok(read_until_close(stream, start, Duration::from_secs(20))?.bytes)
            })
        })
        .collect();
    // Let every request reach the handler, then ask the server to stop.
    std::thread::sleep(Duration::from_millis(250));
    let signalled = Instant::now();
    server.signal("TERM");
    let mut complete = 0;
    let mut errors = 0;
    for client in clients {
        match client.join() {
            Ok(Ok(bytes))
                if statuses(&bytes) == [200]
                    && find(&bytes, b"Connection: close").is_some()
                    && bytes.ends_with(b"slept 500 ms\n") =>
            {
                complete += 1
            }
            _ => errors += 1,
        }
    }
    let code = server.wait_exit(SHUTDOWN_TIMEOUT + Duration::from_secs(5));
    let took = signalled.elapsed();
    Row {
        scenario: "SIGTERM under load (200 conns)",
        requests: CLIENTS as u64,
        errors,
        server: format!("exited {code:?} {took:.2?} after SIGTERM"),
        figure: format!("{complete}/{CLIENTS} complete responses with Connection: close"),
        passed: complete == CLIENTS && code == Some(0) && took < SHUTDOWN_TIMEOUT,
        detail: String::new(),
    }
}
