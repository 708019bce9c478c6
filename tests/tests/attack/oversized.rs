//! Scenario: oversized requests — 1 MiB of headers, a 1 GiB declared body,
//! a 64 KiB request line.

use std::time::Duration;

use crate::support::{exchange, legit_request, Row, Server, Target};

pub(crate) fn run() -> Row {
    let mut server = Server::start(Target::SpindleServer, &["--header-timeout", "2"], None);
    let addr = server.addr;
    let mut huge_headers = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    while huge_headers.len() < 1 << 20 {
        huge_headers.extend_from_slice(
            b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
        );
    }
    huge_headers.extend_from_slice(b"\r\n");
    let mut long_line = b"GET /".to_vec();
    long_line.resize(64 * 1024, b'a');
    long_line.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\n\r\n");
    let cases: Vec<(&str, Vec<u8>, std::ops::Range<u16>)> = vec![
        ("1 MiB of headers", huge_headers, 431..432),
        (
            "1 GiB declared body",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\nsome".to_vec(),
            413..414,
        ),
        ("64 KiB request line", long_line, 400..500),
    ];
    let mut failures = Vec::new();
    for (name, bytes, expected) in &cases {
        match exchange(addr, bytes, Duration::from_secs(10)) {
            Ok(ex) if ex.status().is_some_and(|s| expected.contains(&s)) && ex.closed => {}
            Ok(ex) => failures.push(format!(
                "{name}: status {:?}, closed {}",
                ex.status(),
                ex.closed
            )),
            Err(err) => failures.push(format!("{name}: {err}")),
        }
    }
    let alive = server.is_alive();
    let legit = legit_request(addr);
    Row {
        scenario: "oversized requests",
        requests: cases.len() as u64,
        errors: failures.len() as u64,
        server: status_text(alive, &legit),
        figure: format!("peak RSS {} KiB", server.rss_kib()),
        passed: failures.is_empty() && alive && legit.is_ok(),
        detail: failures.join("; "),
    }
}

/// "up, serving" or what went wrong.
pub(crate) fn status_text(alive: bool, legit: &Result<Duration, String>) -> String {
    match (alive, legit) {
        (true, Ok(_)) => "up, serving".into(),
        (true, Err(e)) => format!("up, NOT serving: {e}"),
        (false, _) => "DOWN".into(),
    }
}
