//! `loadgen --pipeline N` counts responses, not batches, and only whole
//! batches: against a tiny in-test server that answers an exact number of
//! requests and then goes silent, the count in the report is that number
//! rounded down to a multiple of N, and the server saw the requests
//! arrive N at a time.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use spindle_benches::report::LoadReport;

/// The response the tiny server gives, a valid one for `loadgen`.
const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";

/// Starts a server on `127.0.0.1:0` that serves one connection: it answers
/// the first `limit` requests it reads, one `OK` each, then reads on
/// without answering until the client closes. The channel gets the number
/// of requests it received, and the size of every batch (requests per
/// read that ended on a request boundary), when the connection ends.
fn counting_server(limit: usize) -> (SocketAddr, mpsc::Receiver<(usize, Vec<usize>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut pending = Vec::new(); // bytes after the last complete request
        let (mut received, mut answered) = (0, 0);
        let mut batch = 0;
        let mut batches = Vec::new();
        loop {
            let n = match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            pending.extend_from_slice(&buf[..n]);
            let mut out = Vec::new();
            while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                pending.drain(..end + 4);
                received += 1;
                batch += 1;
                if answered < limit {
                    answered += 1;
                    out.extend_from_slice(OK);
                }
            }
            if pending.is_empty() && batch > 0 {
                batches.push(batch);
                batch = 0;
            }
            if !out.is_empty() && stream.write_all(&out).is_err() {
                break;
            }
        }
        let _ = tx.send((received, batches));
    });
    (addr, rx)
}

/// Runs `loadgen` over one connection with `--pipeline depth` against
/// `addr` for half a second; returns its report.
fn pipelined_loadgen(addr: SocketAddr, depth: usize) -> LoadReport {
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(["--addr", &addr.to_string(), "--mode", "http"])
        .args(["--connections", "1", "--pipeline", &depth.to_string()])
        .args(["--warmup", "0", "--duration", "0.5", "--timeout", "30"])
        .output()
        .expect("run loadgen");
    assert!(output.status.success(), "loadgen failed: {output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("bad JSON {stdout:?}: {e}"))
}

#[test]
fn every_response_of_complete_batches_is_counted() {
    let (addr, seen) = counting_server(80);
    let report = pipelined_loadgen(addr, 16);
    assert_eq!(report.requests, 80, "{report:?}");
    assert_eq!(report.errors, 0, "{report:?}");
    assert_eq!(report.timeouts, 0, "{report:?}");
    let (received, batches) = seen.recv_timeout(Duration::from_secs(10)).unwrap();
    // Five answered batches, then a sixth that was sent and never answered.
    assert_eq!(received, 96);
    assert!(batches.iter().all(|b| b % 16 == 0), "{batches:?}");
}

#[test]
fn a_batch_answered_only_in_part_is_not_counted() {
    let (addr, seen) = counting_server(90);
    let report = pipelined_loadgen(addr, 16);
    // 90 answers: five whole batches (80) and 10 of the sixth, which never
    // completes.
    assert_eq!(report.requests, 80, "{report:?}");
    assert_eq!(report.errors, 0, "{report:?}");
    let (received, _) = seen.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(received, 96);
}

#[test]
fn without_pipelining_each_response_is_one_request() {
    let (addr, seen) = counting_server(7);
    let report = pipelined_loadgen(addr, 1);
    assert_eq!(report.requests, 7, "{report:?}");
    let (received, batches) = seen.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(received, 8);
    assert!(batches.iter().all(|&b| b == 1), "{batches:?}");
}
