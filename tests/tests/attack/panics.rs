//! Scenario: a handler that panics. The connection that hit the panic is
//! closed, every other connection is served, and the panic is counted.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::oversized::status_text;
use crate::support::{exchange, legit_request, read_until_close, statuses, Row, Server, Target};

const PANICS: usize = 20;

pub(crate) fn run() -> Row {
    let mut server = Server::start(Target::AttackTarget, &[], None);
    let addr = server.addr;
    let mut failures = Vec::new();
    // A keep-alive connection opened before the panics, used after them.
    let mut bystander = TcpStream::connect(addr).expect("connect");
    for i in 0..PANICS {
        match exchange(
            addr,
            b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n",
            Duration::from_secs(5),
        ) {
            Ok(ex) if ex.closed && ex.status().map_or(true, |s| s >= 500) => {}
            other => failures.push(format!("panic {i}: {other:?}")),
        }
        if let Err(e) = legit_request(addr) {
            failures.push(format!("after panic {i}: {e}"));
        }
    }
    let bystander_ok = bystander
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .and_then(|()| read_until_close(bystander, Instant::now(), Duration::from_secs(5)))
        .is_ok_and(|ex| statuses(&ex.bytes) == [200]);
    if !bystander_ok {
        failures.push("the connection opened before the panics was not served".into());
    }
    let alive = server.is_alive();
    let legit = legit_request(addr);
    server.signal("TERM");
    let code = server.wait_exit(Duration::from_secs(15));
    let counted = server.stdout().lines().find_map(|l| {
        l.strip_prefix("handler panics: ")
            .and_then(|n| n.parse::<usize>().ok())
    });
    if counted != Some(PANICS) {
        failures.push(format!("panics counted: {counted:?}, expected {PANICS}"));
    }
    Row {
        scenario: "handler panics",
        requests: (PANICS * 2 + 1) as u64,
        errors: failures.len() as u64,
        server: status_text(alive, &legit),
        figure: format!("{PANICS} panics, counted {counted:?}; exit code {code:?}"),
        passed: failures.is_empty() && alive && legit.is_ok() && code == Some(0),
        detail: failures.join("; "),
    }
}
