//! Fairness against the server binary: one client floods its connection
//! (echo: a stream of bytes; HTTP: back-to-back pipelined requests) while a
//! second client does small round trips. The probe must be served during
//! the flood, byte-exact, and the server's shutdown log must show that the
//! flooded connection was made to yield by the budget. (How long the probe
//! waited is a benchmark figure, `compare`'s `fairness` scenario, not a
//! test threshold.)

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use spindle_tests::{binary, ServerProcess};

/// Round trips the probe makes, one every 2 ms.
const PROBES: usize = 50;

/// A flooding client: one thread writes `chunk` as fast as the server
/// takes it, another reads and throws away whatever comes back. Both stop
/// when `stop` is set, and after 30 s at most.
struct Flood {
    /// Set to stop both threads.
    stop: Arc<AtomicBool>,
    /// Bytes the reader got back so far.
    received: Arc<AtomicU64>,
    /// The writer and reader threads.
    threads: Vec<JoinHandle<()>>,
}

impl Flood {
    fn start(addr: SocketAddr, chunk: Vec<u8>) -> Flood {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let received = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut writer = stream.try_clone().unwrap();
        writer
            .set_write_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let stopped = stop.clone();
        let write = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
                match writer.write_all(&chunk) {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(err) if err.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => break,
                }
            }
            let _ = writer.shutdown(Shutdown::Write);
        });
        let mut reader = stream;
        reader
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let (stopped, count) = (stop.clone(), received.clone());
        let read = std::thread::spawn(move || {
            let mut buf = vec![0; 256 * 1024];
            while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        count.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    Err(err)
                        if matches!(
                            err.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
        });
        Flood {
            stop,
            received,
            threads: vec![write, read],
        }
    }

    /// Waits until the server has echoed or answered at least `bytes`.
    fn wait_until_flowing(&self, bytes: u64) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.received.load(Ordering::Relaxed) < bytes {
            assert!(Instant::now() < deadline, "the flood never got going");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads {
            thread.join().unwrap();
        }
    }
}

/// Starts the server binary with one thread, so both clients share a loop.
fn server(mode: &str, budget: &str) -> ServerProcess {
    let mut command = Command::new(binary());
    command
        .args(["--addr", "127.0.0.1:0", "--threads", "1", "--mode", mode])
        .args(["--budget", budget])
        .env("RUST_LOG", "info");
    ServerProcess::start(command)
}

/// Stops the server and returns the budget yields from its shutdown log.
fn budget_yields_at_shutdown(mut server: ServerProcess) -> u64 {
    server.signal("TERM");
    let status = server.wait_exit(Duration::from_secs(15));
    let log = server.stderr();
    assert!(status.success(), "{status}\n{log}");
    let line = log
        .lines()
        .find(|l| l.contains("thread 0 runtime: "))
        .unwrap_or_else(|| panic!("no runtime line in the log:\n{log}"));
    line.split("polls, ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no budget yield count in: {line}"))
}

#[test]
fn echo_probe_is_served_while_another_connection_floods() {
    // A budget of three units: `readable`, `try_read` and `try_write` are
    // one echo turn, so every turn that moves data ends its poll, and the
    // yield count does not hang on whether a test client on a small
    // machine can outpace the server (with the default of 128 it often
    // cannot, and the server never has to yield).
    let server = server("echo", "3");
    let flood = Flood::start(server.addr, vec![b'f'; 64 * 1024]);
    flood.wait_until_flowing(1 << 20);

    let mut probe = TcpStream::connect(server.addr).unwrap();
    probe.set_nodelay(true).unwrap();
    probe
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let before = flood.received();
    for i in 0..PROBES {
        let message = format!("probe {i:04}\n");
        probe.write_all(message.as_bytes()).unwrap();
        let mut back = vec![0; message.len()];
        probe.read_exact(&mut back).unwrap();
        assert_eq!(back, message.as_bytes(), "round trip {i}");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        flood.received() > before,
        "the flood kept flowing during the probes"
    );
    flood.stop();
    drop(probe);
    let yields = budget_yields_at_shutdown(server);
    assert!(yields >= 1, "the flooded connection yielded: {yields}");
}

#[test]
fn http_probe_is_served_while_another_connection_pipelines_without_pause() {
    // A small budget: one HTTP read answers hundreds of pipelined requests,
    // so with the default of 128 the server drains the flood faster than a
    // test client on a small machine can refill it, and never has to yield.
    // Four units make every poll that finds a second full read yield.
    let server = server("http", "4");
    let request = b"GET /plaintext HTTP/1.1\r\nHost: flood\r\n\r\n";
    let flood = Flood::start(server.addr, request.repeat(256));
    flood.wait_until_flowing(1 << 20);

    let mut probe = TcpStream::connect(server.addr).unwrap();
    probe.set_nodelay(true).unwrap();
    probe
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let before = flood.received();
    for i in 0..PROBES {
        probe
            .write_all(b"GET /plaintext HTTP/1.1\r\nHost: probe\r\n\r\n")
            .unwrap();
        let response = read_response(&mut probe);
        assert!(
            response.starts_with("HTTP/1.1 200 OK\r\n"),
            "{i}: {response}"
        );
        assert!(
            response.ends_with("\r\n\r\nHello, World!"),
            "{i}: {response}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        flood.received() > before,
        "the flood kept flowing during the probes"
    );
    flood.stop();
    drop(probe);
    let yields = budget_yields_at_shutdown(server);
    assert!(yields >= 1, "the flooded connection yielded: {yields}");
}

/// Reads one response with a `Content-Length` body.
fn read_response(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut byte = [0; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).unwrap();
        bytes.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&bytes).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Content-Length in {head}"));
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    head + &String::from_utf8_lossy(&body)
}
