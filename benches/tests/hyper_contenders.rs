//! The two hyper contenders (`hyper-tokio`, `hyper-spindle`) answer with
//! the other contenders' bytes where hyper lets them, and with exactly the
//! same bytes as each other everywhere; both refuse echo mode.

mod support;

use std::process::{Command, Stdio};

use support::{mask_dates, read_exactly, read_to_close, send, Server, NOT_FOUND, OK};

/// The hyper contender binaries.
const HYPER: [(&str, &str); 2] = [
    ("hyper-tokio", env!("CARGO_BIN_EXE_hyper-tokio")),
    ("hyper-spindle", env!("CARGO_BIN_EXE_hyper-spindle")),
];

/// Length of the `200 OK` response on the wire (the date is 29 bytes).
const OK_LEN: usize = OK.len() - "<date>".len() + 29;

/// Length of the `404` response on the wire.
const NOT_FOUND_LEN: usize = NOT_FOUND.len() - "<date>".len() + 29;

/// The `200 OK` answer to a request that asked to close: hyper adds the
/// `Connection: close` line itself.
const OK_CLOSE: &str = "HTTP/1.1 200 OK\r\nServer: spindle\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\nDate: <date>\r\n\r\nHello, World!";

/// hyper's own answer to a request it cannot parse.
const HYPER_BAD_REQUEST: &str =
    "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\nDate: <date>\r\n\r\n";

#[test]
fn get_root_returns_the_same_bytes_as_the_other_contenders() {
    for (name, exe) in HYPER {
        let server = Server::start(exe, "http");
        let mut client = server.connect();
        send(&mut client, b"GET / HTTP/1.1\r\nHost: test\r\n\r\n");
        assert_eq!(mask_dates(&read_exactly(&mut client, OK_LEN)), OK, "{name}");
        // Keep-alive: the same connection answers again.
        send(
            &mut client,
            b"GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n",
        );
        assert_eq!(
            mask_dates(&read_exactly(&mut client, OK_LEN)),
            OK,
            "{name}: second"
        );
    }
}

#[test]
fn unknown_path_is_the_same_404_and_keeps_the_connection() {
    for (name, exe) in HYPER {
        let server = Server::start(exe, "http");
        let mut client = server.connect();
        send(&mut client, b"GET /nope HTTP/1.1\r\n\r\n");
        let got = read_exactly(&mut client, NOT_FOUND_LEN);
        assert_eq!(mask_dates(&got), NOT_FOUND, "{name}");
        send(&mut client, b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        let got = read_exactly(&mut client, NOT_FOUND_LEN);
        assert_eq!(mask_dates(&got), NOT_FOUND, "{name}: POST");
    }
}

#[test]
fn pipelined_gets_are_answered_in_order_then_close() {
    for (name, exe) in HYPER {
        let server = Server::start(exe, "http");
        let mut client = server.connect();
        send(
            &mut client,
            b"GET / HTTP/1.1\r\n\r\nGET /missing HTTP/1.1\r\n\r\nGET /plaintext HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        let got = read_to_close(&mut client);
        assert_eq!(
            mask_dates(&got),
            format!("{OK}{NOT_FOUND}{OK_CLOSE}"),
            "{name}"
        );
    }
}

#[test]
fn malformed_request_is_hypers_400_then_close() {
    for (name, exe) in HYPER {
        let server = Server::start(exe, "http");
        let mut client = server.connect();
        send(&mut client, b"BLAH\0 / HTTP/9\r\n\r\n");
        let got = read_to_close(&mut client);
        assert_eq!(mask_dates(&got), HYPER_BAD_REQUEST, "{name}");
    }
}

#[test]
fn echo_mode_is_refused_with_a_message() {
    for (name, exe) in HYPER {
        let output = Command::new(exe)
            .args(["--mode", "echo", "--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .output()
            .expect("run the contender");
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("http only"), "{name}: {stderr}");
    }
}
