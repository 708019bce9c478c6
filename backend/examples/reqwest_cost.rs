//! What a reqwest call costs on a spindle runtime hosting tokio, against
//! reqwest on a plain tokio current-thread runtime.
//!
//! ```text
//! cargo run --release -p spindle-backend --example reqwest_cost [GETS] [ROUNDS]
//! ```
//!
//! One upstream (a blocking keep-alive HTTP/1.1 responder on its own
//! thread, the same for both) answers `GETS` (default 1,000) sequential
//! `GET /` requests from one reqwest `Client` per round; rounds (default 5)
//! alternate between the two runtimes, and the medians are printed with
//! their ratio. Wall time on a shared machine is noisy: compare within one
//! run only.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

/// The upstream: answers every request on every connection with `ok`.
fn upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the upstream");
    let addr = listener.local_addr().expect("the upstream's address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = stream.set_nodelay(true);
                let mut writer = stream.try_clone().expect("clone the stream");
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                loop {
                    // One request: lines up to the blank one.
                    loop {
                        line.clear();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line == "\r\n" => break,
                            Ok(_) => {}
                        }
                    }
                    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                    if writer.write_all(answer).is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// `gets` sequential GETs with one client; the time per GET.
async fn gets(addr: SocketAddr, gets: u32) -> Duration {
    // The backend's builder: reqwest's rustls has no crypto provider of its
    // own, and `client_builder` installs ring's.
    let client = spindle_backend::client_builder()
        .build()
        .expect("the HTTP client");
    let url = format!("http://{addr}/");
    let start = Instant::now();
    for _ in 0..gets {
        let body = client
            .get(&url)
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body");
        assert_eq!(body, "ok");
    }
    start.elapsed() / gets
}

/// The median of `values`.
fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let arg = |n: usize, default: u32| {
        std::env::args()
            .nth(n)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let (count, rounds) = (arg(1, 1_000), arg(2, 5));
    let addr = upstream();
    let (mut tokio_times, mut hosted_times) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let tokio_rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        tokio_times.push(tokio_rt.block_on(gets(addr, count)));
        let hosted = spindle::Runtime::builder()
            .tokio(true)
            .build()
            .expect("spindle runtime");
        hosted_times.push(hosted.block_on(gets(addr, count)));
    }
    let (tokio_median, hosted_median) = (median(tokio_times), median(hosted_times));
    println!("reqwest, {count} sequential GETs, median of {rounds} interleaved rounds:");
    println!(
        "  tokio current_thread      {:>8.1} us/GET",
        tokio_median.as_secs_f64() * 1e6
    );
    println!(
        "  spindle hosting tokio     {:>8.1} us/GET",
        hosted_median.as_secs_f64() * 1e6
    );
    println!(
        "  ratio (spindle / tokio)   {:>8.2}",
        hosted_median.as_secs_f64() / tokio_median.as_secs_f64()
    );
}
