//! Scenario: slowloris — 1,000 connections trickle a request one byte per
//! second while a legitimate client keeps making requests.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::TcpStream;

use crate::oversized::status_text;
use crate::support::{legit_request, Row, Server, Target};

const SLOW: usize = 1_000;
const HEADER_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) fn run() -> Row {
    let mut server = Server::start(Target::SpindleServer, &["--header-timeout", "2"], None);
    let addr = server.addr;
    let cut_early = Rc::new(Cell::new(0u64));
    let cut_late = Rc::new(Cell::new(0u64));
    let never_cut = Rc::new(Cell::new(0u64));
    let legit_ok = Rc::new(Cell::new(0u64));
    let legit_failed = Rc::new(Cell::new(0u64));
    let slowest_legit = Rc::new(Cell::new(Duration::ZERO));
    let runtime = spindle::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let mut slow = Vec::new();
        for _ in 0..SLOW {
            let (early, late, never) = (cut_early.clone(), cut_late.clone(), never_cut.clone());
            slow.push(spindle::spawn(async move {
                let Ok(mut stream) = TcpStream::connect(addr).await else {
                    never.set(never.get() + 1);
                    return;
                };
                let start = Instant::now();
                let request = b"GET / HTTP/1.1\r\nHost: slowloris\r\nX-Slow: ";
                let mut buf = [0; 512];
                for i in 0.. {
                    if i < request.len() {
                        let _ = stream.write_all(&request[i..=i]).await;
                    } else {
                        let _ = stream.write_all(b"a").await;
                    }
                    // Wait a second for the next byte, unless the server
                    // closes first.
                    let read =
                        spindle::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
                    match read {
                        Err(_elapsed) => {}
                        Ok(Ok(n)) if n > 0 => {} // the 408; the close follows
                        Ok(_) => break,          // closed (EOF or reset)
                    }
                    if start.elapsed() > HEADER_TIMEOUT + Duration::from_secs(4) {
                        never.set(never.get() + 1);
                        return;
                    }
                }
                let after = start.elapsed();
                if after < HEADER_TIMEOUT {
                    early.set(early.get() + 1);
                } else if after > HEADER_TIMEOUT + Duration::from_secs(2) {
                    late.set(late.get() + 1);
                }
            }));
        }
        // The legitimate client, on its own thread with blocking sockets so
        // it measures the server, not this runtime.
        let legit = std::thread::spawn(move || {
            let mut results = Vec::new();
            let start = Instant::now();
            while start.elapsed() < HEADER_TIMEOUT + Duration::from_secs(2) {
                results.push(legit_request(addr));
                std::thread::sleep(Duration::from_millis(50));
            }
            results
        });
        for task in slow {
            let _ = task.await;
        }
        for result in legit.join().expect("the legit client does not panic") {
            match result {
                Ok(latency) => {
                    legit_ok.set(legit_ok.get() + 1);
                    slowest_legit.set(slowest_legit.get().max(latency));
                }
                Err(_) => legit_failed.set(legit_failed.get() + 1),
            }
        }
    });
    let alive = server.is_alive();
    let legit = legit_request(addr);
    let errors = cut_early.get() + cut_late.get() + never_cut.get() + legit_failed.get();
    Row {
        scenario: "slowloris (1,000 conns)",
        requests: legit_ok.get() + legit_failed.get(),
        errors,
        server: status_text(alive, &legit),
        figure: format!(
            "{} legit ok, slowest {:?}; slow conns cut: {} early, {} late, {} never",
            legit_ok.get(),
            slowest_legit.get(),
            cut_early.get(),
            cut_late.get(),
            never_cut.get()
        ),
        passed: errors == 0 && legit_ok.get() > 0 && alive && legit.is_ok(),
        detail: String::new(),
    }
}
