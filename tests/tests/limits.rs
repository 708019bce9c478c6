//! The binary at its resource limits: out of file descriptors (`EMFILE`
//! under `prlimit --nofile=64:64`) it pauses accepting without spinning and
//! serves again once connections close; 10,000 idle keep-alive connections
//! cost well under 1 KiB of user memory each.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use spindle_tests::{binary, ServerProcess};

/// One request on a new connection; the response.
fn hello(server: &ServerProcess) -> String {
    spindle_tests::get(server.addr, "/").unwrap()
}

#[test]
fn out_of_descriptors_the_server_backs_off_without_spinning_and_recovers() {
    let mut command = Command::new("prlimit");
    command
        .arg("--nofile=64:64")
        .arg(binary())
        .args(["--addr", "127.0.0.1:0"]);
    let server = ServerProcess::start(command);
    assert!(hello(&server).ends_with("Hello, World!"));

    // More connections than the server has descriptors for. The kernel
    // completes every handshake (the backlog is 1024); the server accepts
    // until EMFILE, then pauses.
    let clients: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = server.cpu_ticks();
    std::thread::sleep(Duration::from_secs(2));
    let used = server.cpu_ticks() - before;
    // A spinning accept loop would use ~200 ticks (2 s of CPU) here.
    assert!(
        used <= 20,
        "the server used {used} ticks in 2 s while out of descriptors"
    );
    let log = server.stderr();
    assert!(log.contains("pausing accepts"), "{log}");
    assert!(log.contains("Too many open files"), "{log}");

    // Closing the connections frees descriptors: the server serves again.
    drop(clients);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = hello(&server);
        if response.ends_with("Hello, World!") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not recover: {}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Raises this process's soft `RLIMIT_NOFILE` to its hard limit (children
/// inherit it) and returns the new soft limit.
fn raise_nofile_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the `rlimit` we
    // pass, which is a valid, initialized struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
            assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        }
    }
    limit.rlim_cur
}

#[test]
fn ten_thousand_idle_keep_alive_connections_cost_under_1_kib_each() {
    let available = raise_nofile_limit();
    let count = 10_000.min(available.saturating_sub(200) as usize);
    assert!(
        count >= 1_000,
        "RLIMIT_NOFILE hard limit {available} is too low for this test"
    );
    let mut command = Command::new(binary());
    command.args(["--addr", "127.0.0.1:0", "--max-connections", "20000"]);
    let server = ServerProcess::start(command);

    // Warm up: the thread's scratch buffer, the date cache, the allocator.
    for _ in 0..100 {
        assert!(hello(&server).ends_with("Hello, World!"));
    }
    std::thread::sleep(Duration::from_millis(100));
    let before = server.rss_kib();

    // `count` connections, one request each, then left open and idle.
    let mut clients = Vec::with_capacity(count);
    let mut buf = [0; 512];
    for chunk in 0..count.div_ceil(500) {
        let batch: Vec<TcpStream> = (0..500.min(count - chunk * 500))
            .map(|_| TcpStream::connect(server.addr).unwrap())
            .collect();
        for mut stream in batch {
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut got = Vec::new();
            while !got.ends_with(b"Hello, World!") {
                let n = stream.read(&mut buf).unwrap();
                assert!(n > 0, "closed early");
                got.extend_from_slice(&buf[..n]);
            }
            clients.push(stream);
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    let after = server.rss_kib();
    let per_connection = (after.saturating_sub(before) * 1024) as f64 / count as f64;
    println!(
        "RSS {before} KiB -> {after} KiB with {count} idle keep-alive connections: {per_connection:.0} bytes each"
    );
    assert!(
        per_connection < 1024.0,
        "{per_connection:.0} bytes per idle connection"
    );
    drop(clients);
}
