//! Scenario: a client sends its request and shuts down its write side; it
//! must still get the whole response.

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::oversized::status_text;
use crate::support::{legit_request, read_until_close, statuses, Row, Server, Target};

pub(crate) fn run() -> Row {
    let mut server = Server::start(Target::SpindleServer, &[], None);
    let addr = server.addr;
    let mut failures = Vec::new();
    // One request, and three pipelined ones, each followed by a FIN.
    for (name, request, expected) in [
        (
            "one request",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            1,
        ),
        (
            "three pipelined",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(3),
            3,
        ),
    ] {
        let outcome = (|| -> std::io::Result<Vec<u16>> {
            let start = Instant::now();
            let mut stream = TcpStream::connect(addr)?;
            stream.write_all(&request)?;
            stream.shutdown(Shutdown::Write)?;
            let ex = read_until_close(stream, start, Duration::from_secs(5))?;
            Ok(statuses(&ex.bytes))
        })();
        match outcome {
            Ok(codes) if codes == vec![200; expected] => {}
            other => failures.push(format!("{name}: {other:?}")),
        }
    }
    let alive = server.is_alive();
    let legit = legit_request(addr);
    Row {
        scenario: "half-close",
        requests: 4,
        errors: failures.len() as u64,
        server: status_text(alive, &legit),
        figure: "responses after the client's FIN".into(),
        passed: failures.is_empty() && alive && legit.is_ok(),
        detail: failures.join("; "),
    }
}
