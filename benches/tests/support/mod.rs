//! Helpers shared by this crate's integration tests: start a contender on
//! port 0, talk to it with raw bytes, always with a deadline.

#![allow(dead_code)] // each test file uses a different subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use spindle_benches::server_cli::parse_announce;

/// How long any single read, write or startup may take before the test fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(5);

/// A running contender process, killed when dropped (also when a test panics).
pub(crate) struct Server {
    /// The child process.
    child: Child,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

impl Server {
    /// Starts `exe --mode <mode> --addr 127.0.0.1:0` and waits for its
    /// `listening on` line.
    pub(crate) fn start(exe: &str, mode: &str) -> Server {
        let mut child = Command::new(exe)
            .args(["--mode", mode, "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {exe}: {e}"));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(DEADLINE) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("{exe} did not say `listening on` within {DEADLINE:?}");
            }
        };
        let mut server = Server {
            child,
            addr: "0.0.0.0:0".parse().unwrap(),
        };
        server.addr = parse_announce(&line).unwrap_or_else(|| panic!("bad first line {line:?}"));
        server
    }

    /// Connects a client with read and write timeouts of [`DEADLINE`].
    pub(crate) fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect_timeout(&self.addr, DEADLINE).expect("connect");
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        stream.set_write_timeout(Some(DEADLINE)).unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads until the peer closes (or the read deadline fails the test).
pub(crate) fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    if let Err(err) = stream.read_to_end(&mut all) {
        panic!("read until close: {err} after {} bytes", all.len());
    }
    all
}

/// Reads exactly `len` bytes.
pub(crate) fn read_exactly(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0; len];
    stream.read_exact(&mut buf).expect("read_exact");
    buf
}

/// Writes all of `bytes` in one `write_all`.
pub(crate) fn send(stream: &mut TcpStream, bytes: &[u8]) {
    stream.write_all(bytes).expect("write");
}

/// Replaces the 29-byte date after every `Date: ` with `<date>`, checking
/// each one parses as an IMF-fixdate.
pub(crate) fn mask_dates(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).expect("utf-8 response");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Date: ") {
        let (before, after) = rest.split_at(at + "Date: ".len());
        out.push_str(before);
        let date = &after[..29];
        httpdate::parse_http_date(date).unwrap_or_else(|e| panic!("bad date {date:?}: {e}"));
        out.push_str("<date>");
        rest = &after[29..];
    }
    out.push_str(rest);
    out
}

/// The exact `200 OK` response, with the date masked.
pub(crate) const OK: &str = "HTTP/1.1 200 OK\r\nServer: spindle\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: <date>\r\n\r\nHello, World!";

/// The exact `404 Not Found` response, with the date masked.
pub(crate) const NOT_FOUND: &str =
    "HTTP/1.1 404 Not Found\r\nServer: spindle\r\nContent-Length: 0\r\nDate: <date>\r\n\r\n";

/// The exact `400 Bad Request` response, with the date masked.
pub(crate) const BAD_REQUEST: &str = "HTTP/1.1 400 Bad Request\r\nServer: spindle\r\nContent-Length: 0\r\nConnection: close\r\nDate: <date>\r\n\r\n";
