//! The HTTP/1.1 conformance table (`server/tests/support/rfc9112.rs`, the
//! one `spindle-server`'s own conformance test asserts) run against
//! spindle's server and the `hyper-tokio` contender side by side.
//!
//! It asserts that spindle still gives every answer the table expects and
//! prints a table of both servers' answers, the cases where they differ
//! marked. With `CONFORMANCE_REPORT=PATH` it also writes that table as
//! Markdown to PATH (`docs/benchmarks/conformance.md` is written so).
//! Nothing is asserted about hyper: its answers are a comparison.

#[path = "../../server/tests/support/rfc9112.rs"]
mod rfc9112;
mod support;

use std::fmt::Write as _;
use std::time::Duration;

use rfc9112::{cases, observe};
use spindle_server::{Config, Server};
use support::Server as Contender;

/// The opening of the written report.
const INTRO: &str = "# HTTP/1.1 conformance: spindle-server and hyper-tokio\n\n\
Written by `CONFORMANCE_REPORT=$PWD/docs/benchmarks/conformance.md cargo test -p spindle-benches \
--test conformance_hyper`. Each case is one raw request from the table in \
`server/tests/support/rfc9112.rs` (the one `cargo test -p spindle-server --test conformance` \
asserts); each cell is the statuses answered and whether the server then closed the connection \
(`open`: it answered a probe sent after them). Both servers run the plaintext handler: `GET /` \
is `200`. hyper answers before it has read a body its service does not read, and then closes \
rather than read the rest: that is why its chunked cases read `200, closes`, whatever the chunks \
hold. hyper's head limit is larger than spindle's 8 KiB.\n\n";

/// How long a read waits for hyper before the case is reported as
/// "waits": hyper answers every case it answers in microseconds.
const PATIENCE: Duration = Duration::from_secs(2);

#[test]
fn the_conformance_table_against_hyper() {
    let server = Server::bind(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let spindle_addr = server.local_addr();
    let handle = server.handle();
    let thread = std::thread::spawn(move || server.serve_http(spindle_server::http::hello_world));
    let hyper = Contender::start(env!("CARGO_BIN_EXE_hyper-tokio"), "http");

    let cases = cases();
    let mut table =
        String::from("| case | rule | spindle | hyper-tokio |\n| --- | --- | --- | --- |\n");
    let mut wrong = Vec::new();
    let mut differ = Vec::new();
    for case in &cases {
        let ours = observe(spindle_addr, case, Duration::from_secs(5));
        let theirs = observe(hyper.addr, case, PATIENCE);
        if ours != case.expect {
            wrong.push(case.name);
        }
        let mark = if ours == theirs {
            ""
        } else {
            differ.push(case.name);
            " **≠**"
        };
        let _ = writeln!(
            table,
            "| `{}` | {} | {} | {}{mark} |",
            case.name,
            case.rule.replace('|', "\\|"),
            ours.cell(),
            theirs.cell()
        );
    }
    handle.stop_now();
    let _ = thread.join();
    let summary = format!(
        "{} cases; spindle and hyper-tokio answer {} the same and {} differently: {}\n",
        cases.len(),
        cases.len() - differ.len(),
        differ.len(),
        differ.join(", ")
    );
    println!("{table}\n{summary}");
    if let Ok(path) = std::env::var("CONFORMANCE_REPORT") {
        std::fs::write(&path, format!("{INTRO}{table}\n{summary}")).unwrap();
    }
    assert!(
        wrong.is_empty(),
        "spindle differs from the table: {wrong:?}"
    );
}
