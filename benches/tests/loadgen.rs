//! `loadgen` runs against a real contender for about a second and prints
//! one JSON object that parses as a `LoadReport` with sane numbers; against
//! a closed port it reports errors instead of hanging; open loop spreads its
//! requests over every connection.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use spindle_benches::report::LoadReport;
use support::Server;

/// Runs `loadgen` with `args` and parses its stdout.
fn loadgen(args: &[&str]) -> LoadReport {
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(args)
        .output()
        .expect("run loadgen");
    assert!(output.status.success(), "loadgen failed: {output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("bad JSON {stdout:?}: {e}"))
}

#[test]
fn closed_loop_against_raw_mio_reports_requests_and_percentiles() {
    let server = Server::start(env!("CARGO_BIN_EXE_raw-mio"), "http");
    let addr = server.addr.to_string();
    let report = loadgen(&[
        "--addr",
        &addr,
        "--mode",
        "http",
        "--connections",
        "4",
        "--duration",
        "1",
        "--warmup",
        "0.2",
    ]);
    assert!(report.requests > 0, "{report:?}");
    assert_eq!(report.errors, 0, "{report:?}");
    assert_eq!(report.connected, 4, "{report:?}");
    assert!(report.req_per_sec > 0.0);
    assert!(report.p50_us <= report.p90_us && report.p90_us <= report.p99_us);
    assert!(report.p99_us <= report.p999_us);
}

#[test]
fn echo_open_loop_against_tokio_counts_scheduled_requests() {
    let server = Server::start(env!("CARGO_BIN_EXE_tokio-current-thread"), "echo");
    let addr = server.addr.to_string();
    let report = loadgen(&[
        "--addr",
        &addr,
        "--mode",
        "echo",
        "--connections",
        "4",
        "--duration",
        "1",
        "--warmup",
        "0.2",
        "--rate",
        "500",
        "--payload",
        "100",
    ]);
    assert!(report.open_loop);
    // 500 per second for one second, give or take the window's edges.
    assert!((400..=600).contains(&report.requests), "{report:?}");
}

#[test]
fn open_loop_spreads_requests_over_every_connection() {
    // At a rate one connection could carry alone, a loadgen that handed
    // each request to the connection freed last would use only that one;
    // every connection must have been answered.
    let server = Server::start(env!("CARGO_BIN_EXE_raw-mio"), "http");
    let addr = server.addr.to_string();
    let report = loadgen(&[
        "--addr",
        &addr,
        "--mode",
        "http",
        "--connections",
        "8",
        "--duration",
        "1",
        "--warmup",
        "0.2",
        "--rate",
        "200",
    ]);
    assert!(report.open_loop);
    assert_eq!(report.errors, 0, "{report:?}");
    assert_eq!(report.connected, 8, "{report:?}");
}

#[test]
fn closed_port_gives_errors_not_a_hang() {
    // Bind and drop a listener to find a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let report = loadgen(&[
        "--addr",
        &addr,
        "--connections",
        "2",
        "--duration",
        "0.3",
        "--warmup",
        "0",
    ]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report.requests, 0);
    assert!(report.errors > 0, "{report:?}");
}
