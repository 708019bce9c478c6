//! Scenario: floods — 10,000 pipelined requests in one write on one
//! connection, answered in order; 5,000 connections opened at once, all
//! served.

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::oversized::status_text;
use crate::support::{legit_request, read_until_close, statuses, Row, Server, Target};

const PIPELINED: usize = 10_000;
const CONNECTIONS: usize = 5_000;

pub(crate) fn run() -> Row {
    let mut server = Server::start(Target::SpindleServer, &[], Some(20_000));
    let addr = server.addr;
    let mut failures = Vec::new();

    // 10,000 pipelined requests: alternate paths so the order shows.
    let mut burst = Vec::new();
    let mut expected = Vec::new();
    for i in 0..PIPELINED {
        let (path, code) = if i % 3 == 2 {
            ("/missing", 404)
        } else {
            ("/", 200)
        };
        burst.extend_from_slice(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        expected.push(code);
    }
    burst.extend_from_slice(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expected.push(200);
    let pipelined = (|| -> std::io::Result<Vec<u16>> {
        let start = Instant::now();
        let mut stream = TcpStream::connect(addr)?;
        let reader = stream.try_clone()?;
        // Write from another thread so neither side's buffer fills up and
        // deadlocks the exchange.
        let writer = std::thread::spawn(move || stream.write_all(&burst));
        let ex = read_until_close(reader, start, Duration::from_secs(60))?;
        writer.join().expect("writer")?;
        Ok(statuses(&ex.bytes))
    })();
    match pipelined {
        Ok(codes) if codes == expected => {}
        Ok(codes) => failures.push(format!(
            "pipelined: {} responses, first mismatch at {:?}",
            codes.len(),
            codes.iter().zip(&expected).position(|(a, b)| a != b)
        )),
        Err(err) => failures.push(format!("pipelined: {err}")),
    }

    // 5,000 connections at once, from 50 threads.
    let threads: Vec<_> = (0..50)
        .map(|_| {
            std::thread::spawn(move || {
                let mut streams = Vec::new();
                let mut errors = 0;
                for _ in 0..CONNECTIONS / 50 {
                    match TcpStream::connect_timeout(&addr, Duration::from_secs(10)) {
                        Ok(s) => streams.push(s),
                        Err(_) => errors += 1,
                    }
                }
                let mut served = 0;
                for mut stream in streams {
                    let start = Instant::now();
                    let ok = stream
                        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .and_then(|()| stream.shutdown(Shutdown::Write))
                        .and_then(|()| read_until_close(stream, start, Duration::from_secs(30)))
                        .is_ok_and(|ex| statuses(&ex.bytes) == [200]);
                    if ok {
                        served += 1;
                    } else {
                        errors += 1;
                    }
                }
                (served, errors)
            })
        })
        .collect();
    let (mut served, mut errors) = (0, 0);
    for t in threads {
        let (s, e) = t.join().expect("client thread");
        served += s;
        errors += e;
    }
    if served != CONNECTIONS {
        failures.push(format!("connections: {served} served, {errors} errors"));
    }
    let alive = server.is_alive();
    let legit = legit_request(addr);
    Row {
        scenario: "floods",
        requests: (PIPELINED + 1 + CONNECTIONS) as u64,
        errors: failures.len() as u64,
        server: status_text(alive, &legit),
        figure: format!(
            "{PIPELINED} pipelined in order; {served}/{CONNECTIONS} connections served"
        ),
        passed: failures.is_empty() && alive && legit.is_ok(),
        detail: failures.join("; "),
    }
}
