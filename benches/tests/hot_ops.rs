//! `hot-ops`, the instruction guard's workload: every operation runs and
//! checks itself, the client drives the contenders it is pointed at, and bad
//! arguments end with a message and a non-zero exit.

mod support;

use std::process::Command;

use support::Server;

const HOT_OPS: &str = env!("CARGO_BIN_EXE_hot-ops");

/// Runs `hot-ops ARGS` and returns (success, stderr).
fn hot_ops(args: &[&str]) -> (bool, String) {
    let out = Command::new(HOT_OPS)
        .args(args)
        .output()
        .expect("run hot-ops");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_local_operation_runs_to_its_count() {
    for op in ["spawn-join", "ping-pong", "timer", "budget-yield"] {
        let (ok, err) = hot_ops(&[op, "500"]);
        assert!(ok, "hot-ops {op} 500 failed: {err}");
    }
}

#[test]
fn the_client_drives_the_http_and_echo_contenders() {
    for (exe, mode) in [
        (env!("CARGO_BIN_EXE_spindle-runtime"), "http"),
        (env!("CARGO_BIN_EXE_spindle-runtime"), "echo"),
        (env!("CARGO_BIN_EXE_tokio-current-thread"), "http"),
    ] {
        let server = Server::start(exe, mode);
        let addr = server.addr.to_string();
        let (ok, err) = hot_ops(&["client", mode, &addr, "200"]);
        assert!(ok, "hot-ops client {mode} against {exe} failed: {err}");
    }
}

#[test]
fn the_http_client_rejects_an_answer_that_is_not_200() {
    // The echo contender sends the request back: not an HTTP answer.
    let server = Server::start(env!("CARGO_BIN_EXE_spindle-runtime"), "echo");
    let (ok, err) = hot_ops(&["client", "http", &server.addr.to_string(), "3"]);
    assert!(!ok);
    assert!(err.contains("expected a 200 answer"), "{err}");
}

#[test]
fn bad_arguments_exit_non_zero_with_a_message() {
    let (ok, err) = hot_ops(&[]);
    assert!(!ok);
    assert!(err.contains("usage: hot-ops"), "{err}");
    let (ok, err) = hot_ops(&["spawn-join", "many"]);
    assert!(!ok);
    assert!(err.contains("is not a whole number"), "{err}");
    let (ok, err) = hot_ops(&["client", "gopher", "127.0.0.1:1", "1"]);
    assert!(!ok);
    assert!(err.contains("unknown client mode"), "{err}");
}
