//! Scenario: soak — mixed load at 1,000 connections for a while; RSS at the
//! end must be within 2% of RSS after warm-up (no leak), with zero errors.
//!
//! The load is keep-alive requests (most connections), pipelined bursts of
//! ten, and connection churn (a new connection per request), with one in
//! five requests to a missing path. It runs for `SPINDLE_SOAK_SECS` seconds
//! (default 15; the full soak is `SPINDLE_SOAK_SECS=60 cargo test -p
//! spindle-tests --test attack`).

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::TcpStream;

use crate::oversized::status_text;
use crate::support::{find, legit_request, statuses, Row, Server, Target};

const CONNECTIONS: usize = 1_000;

/// Soak length in seconds.
pub(crate) fn duration() -> Duration {
    let secs = std::env::var("SPINDLE_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    Duration::from_secs(secs)
}

/// Counters shared by the load tasks.
#[derive(Default)]
struct Tally {
    requests: Cell<u64>,
    errors: Cell<u64>,
}

pub(crate) fn run() -> Row {
    let mut server = Server::start(Target::SpindleServer, &[], Some(20_000));
    let addr = server.addr;
    let total = duration();
    let warmup = total / 4;
    let tally = Rc::new(Tally::default());
    let rss_after_warmup = Rc::new(Cell::new(0u64));
    let runtime = spindle::Runtime::new().expect("a runtime");
    let deadline = Instant::now() + total;
    let server_ref = &server;
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..CONNECTIONS {
            let tally = tally.clone();
            let kind = i % 10;
            tasks.push(spindle::spawn(async move {
                let result = match kind {
                    0 | 1 => pipelined(addr, deadline, &tally).await,
                    2 => churn(addr, deadline, &tally).await,
                    _ => keep_alive(addr, deadline, &tally, i).await,
                };
                if result.is_err() {
                    tally.errors.set(tally.errors.get() + 1);
                }
            }));
        }
        spindle::time::sleep(warmup).await;
        rss_after_warmup.set(server_ref.rss_kib());
        for task in tasks {
            let _ = task.await;
        }
    });
    let rss_end = server.rss_kib();
    let rss_warm = rss_after_warmup.get();
    let growth = (rss_end as f64 - rss_warm as f64) / rss_warm.max(1) as f64 * 100.0;
    let alive = server.is_alive();
    let legit = legit_request(addr);
    Row {
        scenario: "soak (1,000 conns, mixed)",
        requests: tally.requests.get(),
        errors: tally.errors.get(),
        server: status_text(alive, &legit),
        figure: format!(
            "{:?}: RSS {rss_warm} KiB after warm-up, {rss_end} KiB at end ({growth:+.2}%)",
            total
        ),
        passed: tally.errors.get() == 0 && growth <= 2.0 && alive && legit.is_ok(),
        detail: String::new(),
    }
}

/// Sends `request` and reads until `expected` responses arrived.
async fn round_trip(
    stream: &mut TcpStream,
    request: &[u8],
    expected: &[u16],
) -> std::io::Result<()> {
    stream.write_all(request).await?;
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        got.extend_from_slice(&buf[..n]);
        let codes = statuses(&got);
        // Complete when every response and the last body are in.
        if codes.len() == expected.len() && ends_complete(&got) {
            return if codes == expected {
                Ok(())
            } else {
                Err(std::io::Error::other(format!("{codes:?}")))
            };
        }
    }
}

/// Whether the last response in `bytes` is complete (its body, if any, is
/// in): 200s end with the body, 404s with the blank line.
fn ends_complete(bytes: &[u8]) -> bool {
    bytes.ends_with(b"Hello, World!")
        || (bytes.ends_with(b"\r\n\r\n") && find(bytes, b"404").is_some())
}

async fn keep_alive(
    addr: SocketAddr,
    deadline: Instant,
    tally: &Tally,
    i: usize,
) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut n = i;
    while Instant::now() < deadline {
        n += 1;
        let (request, code): (&[u8], u16) = if n % 5 == 0 {
            (b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", 404)
        } else {
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200)
        };
        round_trip(&mut stream, request, &[code]).await?;
        tally.requests.set(tally.requests.get() + 1);
        spindle::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

async fn pipelined(addr: SocketAddr, deadline: Instant, tally: &Tally) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    let burst = b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n".repeat(10);
    while Instant::now() < deadline {
        round_trip(&mut stream, &burst, &[200; 10]).await?;
        tally.requests.set(tally.requests.get() + 10);
        spindle::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

async fn churn(addr: SocketAddr, deadline: Instant, tally: &Tally) -> std::io::Result<()> {
    while Instant::now() < deadline {
        let mut stream = TcpStream::connect(addr).await?;
        round_trip(
            &mut stream,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            &[200],
        )
        .await?;
        tally.requests.set(tally.requests.get() + 1);
        spindle::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}
