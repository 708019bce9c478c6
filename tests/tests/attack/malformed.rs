//! Scenario: the malformed-request corpus, sent concurrently.

use std::time::Duration;

use spindle_tests::malformed::malformed_requests;

use crate::support::{exchange, legit_request, Row, Server, Target};

/// The header timeout the server runs with: a case the server waits on
/// (an incomplete request) ends with a 408 after this long.
const HEADER_TIMEOUT_SECS: u64 = 1;

pub(crate) fn run() -> Row {
    let mut server = Server::start(
        Target::SpindleServer,
        &["--header-timeout", &HEADER_TIMEOUT_SECS.to_string()],
        None,
    );
    let addr = server.addr;
    let cases = malformed_requests();
    let limit = Duration::from_secs(HEADER_TIMEOUT_SECS + 4);
    let mut failures = Vec::new();
    // 32 cases at a time, each on its own thread.
    for batch in cases.chunks(32) {
        let handles: Vec<_> = batch
            .iter()
            .cloned()
            .map(|case| std::thread::spawn(move || (exchange(addr, &case.bytes, limit), case)))
            .collect();
        for handle in handles {
            let (outcome, case) = handle.join().expect("a client thread does not panic");
            let verdict = match outcome {
                Err(err) => Err(format!("client error {err}")),
                Ok(ex) => match ex.status() {
                    Some(code) if (400..500).contains(&code) => Ok(()),
                    Some(code) if ex.closed && code >= 500 => Ok(()),
                    Some(code) => Err(format!("answered {code}")),
                    None if ex.closed => Ok(()),
                    None => Err(format!("no answer and no close after {:?}", ex.elapsed)),
                },
            };
            if let Err(why) = verdict {
                failures.push(format!("{}: {why}", case.name));
            }
        }
    }
    let alive = server.is_alive();
    let legit = legit_request(addr);
    Row {
        scenario: "malformed requests",
        requests: cases.len() as u64,
        errors: failures.len() as u64,
        server: if alive && legit.is_ok() {
            "up, serving".into()
        } else {
            format!("DOWN or not serving: {legit:?}")
        },
        figure: format!(
            "{} cases, each 4xx or closed within {}s",
            cases.len(),
            HEADER_TIMEOUT_SECS + 4
        ),
        passed: failures.is_empty() && alive && legit.is_ok() && cases.len() >= 200,
        detail: failures.join("; "),
    }
}
