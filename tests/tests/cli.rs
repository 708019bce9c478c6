//! The binary's command line: the listening line with the real port,
//! `--help`, and one-line errors with exit code 2 for bad options and an
//! address in use.

use std::process::Command;

use spindle_tests::{binary, ServerProcess};

#[test]
fn port_zero_is_replaced_by_the_real_port_in_both_lines() {
    let mut command = Command::new(binary());
    command.args(["--addr", "127.0.0.1:0"]);
    let server = ServerProcess::start(command);
    assert_ne!(server.addr.port(), 0);
    let expected = format!(
        "spindle-server listening on {} (http, 1 thread)",
        server.addr
    );
    spindle_tests_wait(|| server.stderr().contains(&expected));
}

#[test]
fn help_lists_every_option() {
    let output = Command::new(binary()).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for option in [
        "--mode",
        "--addr",
        "--threads",
        "--max-connections",
        "--idle-timeout",
        "--header-timeout",
        "--shutdown-timeout",
        "--explain",
    ] {
        assert!(help.contains(option), "--help lacks {option}:\n{help}");
    }
}

#[test]
fn bad_options_fail_with_one_line_and_exit_code_2() {
    for args in [
        &["--threads", "0"][..],
        &["--mode", "gopher"],
        &["--addr", "not-an-address"],
        &["--idle-timeout", "-1"],
        &["--no-such-flag"],
    ] {
        let output = Command::new(binary()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("spindle-server: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn an_address_in_use_fails_with_exit_code_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = Command::new(binary())
        .args(["--addr", &addr])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&addr) && stderr.contains("in use"),
        "{stderr}"
    );
}

/// Waits up to 5 s for `condition`.
fn spindle_tests_wait(mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !condition() {
        assert!(std::time::Instant::now() < deadline, "timed out");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn explain_flag_narrates_the_loop_in_the_log() {
    let mut command = Command::new(binary());
    command.args(["--addr", "127.0.0.1:0", "--explain"]);
    let server = ServerProcess::start(command);
    let response = spindle_tests::get(server.addr, "/").unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    // The accept, the read and the answer show as loop events and polls.
    spindle_tests_wait(|| {
        let log = server.stderr();
        log.contains("spindle::explain")
            && log.contains("-> wake task")
            && log.contains("poll task")
    });
}
