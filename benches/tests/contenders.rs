//! Every contender server speaks exactly the same protocol: each test runs
//! against all six, on `127.0.0.1:0`, and compares raw bytes.

mod support;

use std::net::Shutdown;

use support::{mask_dates, read_exactly, read_to_close, send, Server, BAD_REQUEST, NOT_FOUND, OK};

/// The contender binaries of this crate.
const CONTENDERS: [(&str, &str); 6] = [
    (
        "blocking-iterative",
        env!("CARGO_BIN_EXE_blocking-iterative"),
    ),
    ("blocking-threads", env!("CARGO_BIN_EXE_blocking-threads")),
    ("busy-poll", env!("CARGO_BIN_EXE_busy-poll")),
    ("raw-mio", env!("CARGO_BIN_EXE_raw-mio")),
    (
        "tokio-current-thread",
        env!("CARGO_BIN_EXE_tokio-current-thread"),
    ),
    ("spindle-runtime", env!("CARGO_BIN_EXE_spindle-runtime")),
];

/// Length of the `200 OK` response on the wire (the date is 29 bytes).
const OK_LEN: usize = OK.len() - "<date>".len() + 29;

/// Length of the `404` response on the wire.
const NOT_FOUND_LEN: usize = NOT_FOUND.len() - "<date>".len() + 29;

#[test]
fn get_root_returns_hello_world() {
    for (name, exe) in CONTENDERS {
        let server = Server::start(exe, "http");
        let mut client = server.connect();
        send(&mut client, b"GET / HTTP/1.1\r\nHost: test\r\n\r\n");
        let got = read_exactly(&mut client, OK_LEN);
        assert_eq!(mask_dates(&got), OK, "{name}");
    }
}

#[test]
fn three_pipelined_gets_are_answered_in_order() {
    for (name, exe) in CONTENDERS {
        let server = Server::start(exe, "http");
        let mut client = server.connect();
        send(
            &mut client,
            b"GET / HTTP/1.1\r\n\r\nGET /missing HTTP/1.1\r\n\r\nGET /plaintext HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        let got = read_to_close(&mut client);
        assert_eq!(mask_dates(&got), format!("{OK}{NOT_FOUND}{OK}"), "{name}");
    }
}

#[test]
fn unknown_path_is_404_and_keeps_the_connection() {
    for (name, exe) in CONTENDERS {
        let server = Server::start(exe, "http");
        let mut client = server.connect();
        send(&mut client, b"GET /nope HTTP/1.1\r\n\r\n");
        let got = read_exactly(&mut client, NOT_FOUND_LEN);
        assert_eq!(mask_dates(&got), NOT_FOUND, "{name}");
        send(&mut client, b"GET / HTTP/1.1\r\n\r\n");
        let got = read_exactly(&mut client, OK_LEN);
        assert_eq!(mask_dates(&got), OK, "{name}: after a 404");
    }
}

#[test]
fn malformed_request_is_400_then_close() {
    for (name, exe) in CONTENDERS {
        let server = Server::start(exe, "http");
        let mut client = server.connect();
        send(&mut client, b"BLAH\0 / HTTP/9\r\n\r\n");
        let got = read_to_close(&mut client);
        assert_eq!(mask_dates(&got), BAD_REQUEST, "{name}");
    }
}

#[test]
fn echo_round_trip_then_close_after_fin() {
    for (name, exe) in CONTENDERS {
        let server = Server::start(exe, "echo");
        let mut client = server.connect();
        send(&mut client, b"hello");
        assert_eq!(read_exactly(&mut client, 5), b"hello", "{name}");
        // A larger message, then our FIN: everything comes back, then theirs.
        let big: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
        send(&mut client, &big);
        client.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_to_close(&mut client), big, "{name}: after FIN");
    }
}
