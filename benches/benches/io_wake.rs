//! I/O wake: the cost of a socket readiness event reaching a task.
//!
//! A loopback TCP connection pair; a spawned task echoes every byte it
//! reads; the benchmark writes one byte and waits for it to come back, over
//! and over. Each round trip is two writes, two reads and two trips through
//! the reactor: `epoll_wait` reports the socket readable, the runtime finds
//! the registration by token, wakes the task parked on it, and polls it.
//! The time is per round trip (`iter_custom` times only the loop, not the
//! connection set-up). Compared on spindle, tokio current_thread and
//! async-executor's `LocalExecutor` with async-io's `Async<TcpStream>`.

mod support;

use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::time::{Duration, Instant};

use criterion::Criterion;

/// Where every listener binds: loopback, any free port.
const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// A connected loopback pair of std sockets, `TCP_NODELAY` on both.
fn std_pair() -> (StdStream, StdStream) {
    let listener = StdListener::bind(LOOPBACK).expect("bind");
    let client = StdStream::connect(listener.local_addr().expect("addr")).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    client.set_nodelay(true).expect("nodelay");
    server.set_nodelay(true).expect("nodelay");
    (client, server)
}

/// The three runtimes side by side.
fn io_wake(c: &mut Criterion) {
    let mut group = c.benchmark_group("io_wake_1_byte_round_trip");

    let rt = support::spindle();
    group.bench_function("spindle", |b| {
        use spindle::io::{AsyncReadExt, AsyncWriteExt};
        b.iter_custom(|iters| {
            rt.block_on(async {
                let (client, server) = std_pair();
                let mut client = spindle::net::TcpStream::from_std(client).expect("register");
                let mut server = spindle::net::TcpStream::from_std(server).expect("register");
                let echo = spindle::spawn(async move {
                    let mut byte = [0u8; 1];
                    while server.read(&mut byte).await.unwrap_or(0) == 1 {
                        server.write_all(&byte).await.expect("echo");
                    }
                });
                let elapsed = round_trips_spindle(&mut client, iters).await;
                drop(client);
                echo.await.expect("echo task");
                elapsed
            })
        })
    });

    let rt = support::tokio();
    group.bench_function("tokio", |b| {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        b.iter_custom(|iters| {
            rt.block_on(async {
                let (client, server) = std_pair();
                client.set_nonblocking(true).expect("nonblocking");
                server.set_nonblocking(true).expect("nonblocking");
                let mut client = tokio::net::TcpStream::from_std(client).expect("register");
                let mut server = tokio::net::TcpStream::from_std(server).expect("register");
                let echo = tokio::spawn(async move {
                    let mut byte = [0u8; 1];
                    while server.read(&mut byte).await.unwrap_or(0) == 1 {
                        server.write_all(&byte).await.expect("echo");
                    }
                });
                let start = Instant::now();
                let mut byte = [7u8; 1];
                for _ in 0..iters {
                    client.write_all(&byte).await.expect("write");
                    client.read_exact(&mut byte).await.expect("read");
                }
                let elapsed = start.elapsed();
                drop(client);
                echo.await.expect("echo task");
                elapsed
            })
        })
    });

    let ex = async_executor::LocalExecutor::new();
    group.bench_function("async-executor", |b| {
        use futures_lite::{AsyncReadExt, AsyncWriteExt};
        b.iter_custom(|iters| {
            async_io::block_on(ex.run(async {
                let (client, server) = std_pair();
                let mut client = async_io::Async::new(client).expect("register");
                let mut server = async_io::Async::new(server).expect("register");
                let echo = ex.spawn(async move {
                    let mut byte = [0u8; 1];
                    while server.read(&mut byte).await.unwrap_or(0) == 1 {
                        server.write_all(&byte).await.expect("echo");
                    }
                });
                let start = Instant::now();
                let mut byte = [7u8; 1];
                for _ in 0..iters {
                    client.write_all(&byte).await.expect("write");
                    client.read_exact(&mut byte).await.expect("read");
                }
                let elapsed = start.elapsed();
                drop(client);
                echo.await;
                elapsed
            }))
        })
    });
    group.finish();
}

/// `iters` one-byte round trips on spindle, timed.
async fn round_trips_spindle(client: &mut spindle::net::TcpStream, iters: u64) -> Duration {
    use spindle::io::{AsyncReadExt, AsyncWriteExt};
    let start = Instant::now();
    let mut byte = [7u8; 1];
    for _ in 0..iters {
        client.write_all(&byte).await.expect("write");
        client.read_exact(&mut byte).await.expect("read");
    }
    start.elapsed()
}

/// Runs this file's benchmarks (what `criterion_group!` and
/// `criterion_main!` would generate, written out so it can be documented).
fn main() {
    let mut criterion = support::criterion();
    io_wake(&mut criterion);
    criterion.final_summary();
}
