//! The HTTP/1.1 conformance cases: RFC 9112 §2–§9 and RFC 9110's rules for
//! requests, one raw request per rule, with the answer spindle gives.
//!
//! One table, two users: `server/tests/conformance.rs` asserts that
//! spindle's server answers every case exactly as the table says, and
//! `benches/tests/conformance_hyper.rs` runs the same table against the
//! `hyper-tokio` contender and prints the two side by side (see
//! `docs/benchmarks/conformance.md`). This file depends on nothing but std,
//! so both crates include it by path.
//!
//! Every request is complete or is followed by the client's half-close, so
//! a server never has to wait for more bytes to answer it. The handler on
//! both sides answers `GET /` with `200` and an unknown path with `404`;
//! bodies are sent with `GET` so that the handlers' routes (which differ on
//! other methods) do not show in the answers.
//!
//! How a case is observed ([`observe`]): send the request (and half-close
//! if the case says so), read as many responses as the case expects, then
//! send a probe, `GET / HTTP/1.1` with `Connection: close`. A connection
//! that is still open answers the probe, so the answer tells "kept open"
//! from "closed" without waiting on a timer; any response beyond those
//! expected shows up before the probe's.

#![allow(dead_code)] // each user reads a different subset

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

/// One conformance case.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// A short name, unique in the table.
    pub(crate) name: &'static str,
    /// The rule it checks: the section, the requirement level, the rule.
    pub(crate) rule: &'static str,
    /// The raw bytes the client sends.
    pub(crate) request: Vec<u8>,
    /// Whether the client shuts down its write side after the request.
    pub(crate) half_close: bool,
    /// spindle's answer.
    pub(crate) expect: Outcome,
}

/// What a server did with a case's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// The status of every response to the case's bytes, in order.
    pub(crate) statuses: Vec<u16>,
    /// Whether the server closed the connection afterwards.
    pub(crate) closes: bool,
    /// Whether a read found nothing within the patience given to
    /// [`observe`]: the server still waits for bytes the case never
    /// sends. Never expected of spindle.
    pub(crate) waits: bool,
}

impl Outcome {
    /// The outcome as a table cell, such as `400, closes` or `200 200, open`.
    pub(crate) fn cell(&self) -> String {
        let statuses = if self.statuses.is_empty() {
            "no answer".to_string()
        } else {
            let all: Vec<String> = self.statuses.iter().map(u16::to_string).collect();
            all.join(" ")
        };
        let connection = match (self.waits, self.closes) {
            (true, _) => "waits",
            (false, true) => "closes",
            (false, false) => "open",
        };
        format!("{statuses}, {connection}")
    }
}

/// The probe sent after a case's responses.
const PROBE: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// Sends `case` to the server at `addr` and reports what it did. Every read
/// waits at most `patience`; a server that answers fewer responses than
/// the case expects costs that wait, and is reported as it is.
pub(crate) fn observe(addr: SocketAddr, case: &Case, patience: Duration) -> Outcome {
    let stream = TcpStream::connect_timeout(&addr, patience).expect("connect");
    stream.set_read_timeout(Some(patience)).unwrap();
    stream.set_write_timeout(Some(patience)).unwrap();
    let _ = stream.set_nodelay(true);
    let mut reader = Reader {
        stream,
        buf: Vec::new(),
        timed_out: false,
    };
    let mut statuses = Vec::new();
    let ended = |statuses, reader: &Reader| Outcome {
        statuses,
        closes: !reader.timed_out,
        waits: reader.timed_out,
    };
    if reader.stream.write_all(&case.request).is_err() {
        return ended(statuses, &reader);
    }
    if case.half_close {
        let _ = reader.stream.shutdown(Shutdown::Write);
    }
    for _ in 0..case.expect.statuses.len() {
        match reader.response() {
            Some(status) => statuses.push(status),
            None => return ended(statuses, &reader),
        }
    }
    // A half-closed client cannot probe: the server must close on its own.
    if case.half_close {
        while let Some(status) = reader.response() {
            statuses.push(status);
        }
        return ended(statuses, &reader);
    }
    if reader.stream.write_all(PROBE).is_err() {
        return ended(statuses, &reader);
    }
    // Every response until the server closes; the last, if any, is the
    // probe's.
    let mut more = Vec::new();
    while let Some(status) = reader.response() {
        more.push(status);
    }
    if reader.timed_out {
        statuses.extend(more);
        return ended(statuses, &reader);
    }
    let closes = more.pop().is_none();
    statuses.extend(more);
    Outcome {
        statuses,
        closes,
        waits: false,
    }
}

/// A client connection and the bytes read from it but not yet used.
struct Reader {
    /// The connection.
    stream: TcpStream,
    /// Bytes received past the last response read.
    buf: Vec<u8>,
    /// Set when a read gave up after the patience given to [`observe`].
    timed_out: bool,
}

impl Reader {
    /// Reads more bytes into `buf`; `false` at EOF, on a reset or a timeout.
    fn fill(&mut self) -> bool {
        let mut chunk = [0; 4096];
        match self.stream.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(err) => {
                self.timed_out = matches!(
                    err.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                );
                false
            }
        }
    }

    /// Reads one response (head, then its `Content-Length` or chunked
    /// body) and returns its status; `None` if the connection ends first.
    fn response(&mut self) -> Option<u16> {
        let head_end = loop {
            if let Some(at) = find(&self.buf, b"\r\n\r\n") {
                break at + 4;
            }
            if !self.fill() {
                return None;
            }
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        self.buf.drain(..head_end);
        let status: u16 = head.get(9..12)?.parse().ok()?;
        let field = |name: &str| {
            head.lines().skip(1).find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_ascii_lowercase())
            })
        };
        if status < 200 {
            // An interim response: the real one follows.
            return self.response();
        }
        if field("transfer-encoding").is_some_and(|te| te.ends_with("chunked")) {
            while find(&self.buf, b"0\r\n\r\n").is_none() {
                if !self.fill() {
                    return None;
                }
            }
            let end = find(&self.buf, b"0\r\n\r\n").unwrap_or(0) + 5;
            self.buf.drain(..end);
        } else {
            let length: usize = field("content-length").map_or(0, |n| n.parse().unwrap_or(0));
            while self.buf.len() < length {
                if !self.fill() {
                    return None;
                }
            }
            self.buf.drain(..length);
        }
        Some(status)
    }
}

/// The position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A case whose request is `head` (request line and header lines, without
/// the empty line that ends them), the empty line, then `body`.
fn case(
    name: &'static str,
    rule: &'static str,
    head: &str,
    body: &[u8],
    statuses: &[u16],
    closes: bool,
) -> Case {
    let mut request = head.as_bytes().to_vec();
    request.extend_from_slice(b"\r\n\r\n");
    request.extend_from_slice(body);
    raw(name, rule, &request, statuses, closes)
}

/// A case whose request is exactly `request`.
fn raw(
    name: &'static str,
    rule: &'static str,
    request: &[u8],
    statuses: &[u16],
    closes: bool,
) -> Case {
    Case {
        name,
        rule,
        request: request.to_vec(),
        half_close: false,
        expect: Outcome {
            statuses: statuses.to_vec(),
            closes,
            waits: false,
        },
    }
}

/// `GET / HTTP/1.1` with `Host` and the given header lines (each ending in
/// CRLF), then the body.
fn get_with(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut request = format!("GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n").into_bytes();
    request.extend_from_slice(body);
    request
}

/// A chunked `GET /` whose body is `chunks` exactly as sent.
fn chunked(chunks: &[u8]) -> Vec<u8> {
    get_with("Transfer-Encoding: chunked\r\n", chunks)
}

/// Every case, in the order of the RFCs' sections.
pub(crate) fn cases() -> Vec<Case> {
    const OK: &[u16] = &[200];
    const BAD: &[u16] = &[400];
    let mut long_target = b"GET /".to_vec();
    long_target.extend(std::iter::repeat(b'a').take(9000));
    long_target.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut big_header = get_with("X-Big: ", b"").to_vec();
    big_header.truncate(big_header.len() - 2);
    big_header.extend(std::iter::repeat(b'a').take(9000));
    big_header.extend_from_slice(b"\r\n\r\n");
    let mut many_headers = String::new();
    for i in 0..100 {
        many_headers += &format!("X-{i}: 1\r\n");
    }
    let mut half_closed_head = raw(
        "eof-in-head",
        "9112 §8 MAY: an incomplete request gets no answer; the server closes",
        b"GET / HTTP/1.1\r\nHost",
        &[],
        true,
    );
    half_closed_head.half_close = true;
    let mut half_closed_body = raw(
        "eof-in-body",
        "9112 §8 MAY: a body shorter than its Content-Length is incomplete; the server closes",
        &get_with("Content-Length: 10\r\n", b"abc"),
        &[],
        true,
    );
    half_closed_body.half_close = true;

    vec![
        // §2: message format.
        case(
            "get",
            "9112 §3: a request in origin form",
            "GET / HTTP/1.1\r\nHost: x",
            b"",
            OK,
            false,
        ),
        raw(
            "leading-crlf",
            "9112 §2.2 SHOULD: ignore an empty line before the request line",
            b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
            OK,
            false,
        ),
        raw(
            "bare-lf-line-ends",
            "9112 §2.2 MAY: a bare LF ends a line (spindle refuses it)",
            b"GET / HTTP/1.1\nHost: x\n\n",
            BAD,
            true,
        ),
        raw(
            "bare-lf-in-headers",
            "9112 §2.2 MAY: a bare LF ends a line (spindle refuses it)",
            b"GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
            BAD,
            true,
        ),
        raw(
            "bare-cr-in-value",
            "9112 §2.2 MUST: a bare CR is invalid (or replaced by SP)",
            b"GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n",
            BAD,
            true,
        ),
        raw(
            "bare-cr-line-end",
            "9112 §2.2 MUST: a bare CR is invalid",
            b"GET / HTTP/1.1\rHost: x\r\n\r\n",
            BAD,
            true,
        ),
        raw(
            "space-before-first-header",
            "9112 §2.2 MUST: whitespace before the first field line: reject (or ignore the line)",
            b"GET / HTTP/1.1\r\n Host: x\r\n\r\n",
            BAD,
            true,
        ),
        case(
            "version-lowercase",
            "9112 §2.3: the version is case-sensitive",
            "GET / http/1.1\r\nHost: x",
            b"",
            BAD,
            true,
        ),
        case(
            "version-2",
            "9110 §15.6.6: a major version the server does not support gets 505",
            "GET / HTTP/2.0\r\nHost: x",
            b"",
            &[505],
            true,
        ),
        case(
            "version-missing",
            "9112 §3: a request line has three parts (no HTTP/0.9)",
            "GET /",
            b"",
            BAD,
            true,
        ),
        // §3: request line.
        case(
            "double-space",
            "9112 §3 SHOULD: an invalid request line gets 400, not a guess",
            "GET  / HTTP/1.1\r\nHost: x",
            b"",
            BAD,
            true,
        ),
        case(
            "space-in-target",
            "9112 §3.2 SHOULD NOT autocorrect whitespace in the target",
            "GET /a b HTTP/1.1\r\nHost: x",
            b"",
            BAD,
            true,
        ),
        case(
            "tab-separator",
            "9112 §3: the request line is split by single SP",
            "GET\t/ HTTP/1.1\r\nHost: x",
            b"",
            BAD,
            true,
        ),
        raw(
            "target-too-long",
            "9112 §3 MUST: a target longer than the server parses gets 414",
            &long_target,
            &[414],
            true,
        ),
        case(
            "no-host",
            "9112 §3.2 MUST: an HTTP/1.1 request without Host gets 400",
            "GET / HTTP/1.1",
            b"",
            BAD,
            true,
        ),
        case(
            "two-hosts",
            "9112 §3.2 MUST: more than one Host gets 400",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b",
            b"",
            BAD,
            true,
        ),
        case(
            "two-hosts-same",
            "9112 §3.2 MUST: more than one Host gets 400, even equal",
            "GET / HTTP/1.1\r\nHost: a\r\nhost: a",
            b"",
            BAD,
            true,
        ),
        case(
            "host-with-space",
            "9112 §3.2 MUST: a Host with an invalid value gets 400",
            "GET / HTTP/1.1\r\nHost: a b",
            b"",
            BAD,
            true,
        ),
        case(
            "host-with-userinfo",
            "9112 §3.2 MUST: a Host with an invalid value gets 400 (no userinfo)",
            "GET / HTTP/1.1\r\nHost: u@a",
            b"",
            BAD,
            true,
        ),
        case(
            "host-with-path",
            "9112 §3.2 MUST: a Host with an invalid value gets 400",
            "GET / HTTP/1.1\r\nHost: a/b",
            b"",
            BAD,
            true,
        ),
        case(
            "host-empty",
            "9112 §3.2: an empty Host is valid (no authority)",
            "GET / HTTP/1.1\r\nHost:",
            b"",
            OK,
            false,
        ),
        case(
            "host-with-port",
            "9110 §7.2: Host is uri-host [ \":\" port ]",
            "GET / HTTP/1.1\r\nHost: a:8080",
            b"",
            OK,
            false,
        ),
        case(
            "host-ipv6",
            "9110 §7.2: Host may be an IP literal",
            "GET / HTTP/1.1\r\nHost: [::1]:80",
            b"",
            OK,
            false,
        ),
        case(
            "http10-without-host",
            "9112 §3.2: an HTTP/1.0 client may leave Host out",
            "GET / HTTP/1.0",
            b"",
            OK,
            true,
        ),
        case(
            "absolute-form",
            "9112 §3.2.2 MUST: a server accepts the absolute form",
            "GET http://x/ HTTP/1.1\r\nHost: x",
            b"",
            OK,
            false,
        ),
        case(
            "absolute-form-without-host",
            "9112 §3.2 MUST: Host is required in the absolute form too",
            "GET http://x/ HTTP/1.1",
            b"",
            BAD,
            true,
        ),
        // §5: field syntax.
        case(
            "space-before-colon",
            "9112 §5.1 MUST: whitespace between name and colon gets 400",
            "GET / HTTP/1.1\r\nHost : x",
            b"",
            BAD,
            true,
        ),
        case(
            "tab-before-colon",
            "9112 §5.1 MUST: whitespace between name and colon gets 400",
            "GET / HTTP/1.1\r\nHost: x\r\nX\t: y",
            b"",
            BAD,
            true,
        ),
        case(
            "obs-fold",
            "9112 §5.2 MUST: obs-fold is rejected (or replaced by SP)",
            "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b",
            b"",
            BAD,
            true,
        ),
        case(
            "no-colon",
            "9112 §5: a field line is name \":\" value",
            "GET / HTTP/1.1\r\nHost: x\r\nNo colon",
            b"",
            BAD,
            true,
        ),
        case(
            "empty-name",
            "9110 §5.1: a field name is a token (one or more characters)",
            "GET / HTTP/1.1\r\nHost: x\r\n: x",
            b"",
            BAD,
            true,
        ),
        case(
            "name-not-a-token",
            "9110 §5.1: a field name is a token",
            "GET / HTTP/1.1\r\nHost: x\r\nX(y): z",
            b"",
            BAD,
            true,
        ),
        raw(
            "nul-in-value",
            "9110 §5.5 MUST: NUL in a value is rejected (or replaced by SP)",
            b"GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n",
            BAD,
            true,
        ),
        raw(
            "header-too-large",
            "9110 §15.5.20: a head over the server's limit gets 431",
            &big_header,
            &[431],
            true,
        ),
        raw(
            "too-many-headers",
            "9110 §15.5.20: more fields than the server's limit gets 431",
            &get_with(&many_headers, b""),
            &[431],
            true,
        ),
        // §6: message body.
        raw(
            "length-body-then-next",
            "9112 §6.3: Content-Length delimits the body; the next request follows",
            &[
                get_with("Content-Length: 5\r\n", b"hello"),
                get_with("", b""),
            ]
            .concat(),
            &[200, 200],
            false,
        ),
        raw(
            "length-zero",
            "9112 §6.3: Content-Length 0 is an empty body",
            &get_with("Content-Length: 0\r\n", b""),
            OK,
            false,
        ),
        raw(
            "length-twice-same",
            "9110 §8.6 MAY: equal Content-Length lines are one length",
            &get_with("Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"),
            OK,
            false,
        ),
        raw(
            "length-list-same",
            "9110 §8.6 MAY: a list of equal lengths may be rejected (spindle does)",
            &get_with("Content-Length: 5, 5\r\n", b"hello"),
            BAD,
            true,
        ),
        raw(
            "length-conflict",
            "9112 §6.3 MUST: differing lengths are invalid framing: 400, close",
            &get_with("Content-Length: 5\r\nContent-Length: 6\r\n", b"hello!"),
            BAD,
            true,
        ),
        raw(
            "length-negative",
            "9112 §6.3 MUST: an invalid Content-Length gets 400 and a close",
            &get_with("Content-Length: -1\r\n", b""),
            BAD,
            true,
        ),
        raw(
            "length-plus",
            "9110 §8.6: Content-Length is 1*DIGIT",
            &get_with("Content-Length: +5\r\n", b"hello"),
            BAD,
            true,
        ),
        raw(
            "length-hex",
            "9110 §8.6: Content-Length is 1*DIGIT",
            &get_with("Content-Length: 0x5\r\n", b"hello"),
            BAD,
            true,
        ),
        raw(
            "length-inner-space",
            "9110 §8.6: Content-Length is 1*DIGIT",
            &get_with("Content-Length: 1 0\r\n", b"helloworld"),
            BAD,
            true,
        ),
        raw(
            "length-empty",
            "9110 §8.6: Content-Length is 1*DIGIT",
            &get_with("Content-Length: \r\n", b""),
            BAD,
            true,
        ),
        raw(
            "length-overflow",
            "9110 §8.6 MUST: a length too large to parse is invalid",
            &get_with("Content-Length: 99999999999999999999999\r\n", b""),
            BAD,
            true,
        ),
        raw(
            "length-too-large",
            "9110 §15.5.14: a body over the server's limit gets 413",
            &get_with("Content-Length: 99999999999\r\n", b""),
            &[413],
            true,
        ),
        raw(
            "length-and-chunked",
            "9112 §6.1 MUST close after a request with both (spindle rejects it)",
            &get_with(
                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                b"0\r\n\r\n",
            ),
            BAD,
            true,
        ),
        raw(
            "chunked-and-length",
            "9112 §6.1 MUST close after a request with both (spindle rejects it)",
            &get_with(
                "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                b"0\r\n\r\n",
            ),
            BAD,
            true,
        ),
        raw(
            "chunked",
            "9112 §7.1: the chunked coding",
            &chunked(b"5\r\nhello\r\n0\r\n\r\n"),
            OK,
            false,
        ),
        raw(
            "chunked-case",
            "9112 §7: transfer coding names are case-insensitive",
            &get_with("Transfer-Encoding: Chunked\r\n", b"5\r\nhello\r\n0\r\n\r\n"),
            OK,
            false,
        ),
        raw(
            "chunked-twice-list",
            "9112 §6.1 MUST NOT apply chunked twice: 400",
            &get_with("Transfer-Encoding: chunked, chunked\r\n", b"0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunked-twice-lines",
            "9112 §6.1 MUST NOT apply chunked twice: 400",
            &get_with(
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                b"0\r\n\r\n",
            ),
            BAD,
            true,
        ),
        raw(
            "chunked-not-last",
            "9112 §6.3 MUST: chunked not final in a request: 400, close",
            &get_with("Transfer-Encoding: chunked, gzip\r\n", b"0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "coding-without-chunked",
            "9112 §6.3 MUST: chunked not final in a request: 400, close",
            &get_with("Transfer-Encoding: gzip\r\n", b"0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "unknown-coding-then-chunked",
            "9112 §6.1 SHOULD: a coding the server does not understand gets 501",
            &get_with("Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n"),
            &[501],
            true,
        ),
        raw(
            "coding-empty",
            "9112 §6.3 MUST: a Transfer-Encoding without chunked final: 400",
            &get_with("Transfer-Encoding: \r\n", b""),
            BAD,
            true,
        ),
        raw(
            "coding-quoted",
            "9112 §6.3 MUST: \"chunked\" in quotes is not chunked: 400",
            &get_with("Transfer-Encoding: \"chunked\"\r\n", b"0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "coding-vertical-tab",
            "9110 §5.5: a control character in a value is invalid",
            &get_with("Transfer-Encoding:\x0bchunked\r\n", b"0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "coding-obs-fold",
            "9112 §5.2 MUST: obs-fold is rejected",
            &get_with("Transfer-Encoding:\r\n chunked\r\n", b"0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunked-in-http10",
            "9112 §6.1 MUST: Transfer-Encoding in HTTP/1.0 is faulty framing: close",
            b"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            BAD,
            true,
        ),
        // §7: chunked coding.
        raw(
            "chunk-extension",
            "9112 §7.1.1 MUST ignore unrecognized chunk extensions",
            &chunked(b"5;a=b\r\nhello\r\n0\r\n\r\n"),
            OK,
            false,
        ),
        raw(
            "chunk-extension-quoted",
            "9112 §7.1.1: a quoted extension value",
            &chunked(b"5;a=\"b c\"\r\nhello\r\n0\r\n\r\n"),
            OK,
            false,
        ),
        raw(
            "chunk-trailer",
            "9112 §7.1.2: trailer fields after the last chunk",
            &chunked(b"5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
            OK,
            false,
        ),
        raw(
            "chunk-size-leading-zeros",
            "9112 §7.1: chunk-size is 1*HEXDIG",
            &chunked(b"0005\r\nhello\r\n0\r\n\r\n"),
            OK,
            false,
        ),
        raw(
            "chunk-size-invalid",
            "9112 §7.1: chunk-size is 1*HEXDIG",
            &chunked(b"zz\r\nhello\r\n0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunk-size-negative",
            "9112 §7.1: chunk-size is 1*HEXDIG",
            &chunked(b"-5\r\nhello\r\n0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunk-size-0x",
            "9112 §7.1: chunk-size is 1*HEXDIG",
            &chunked(b"0x5\r\nhello\r\n0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunk-size-leading-space",
            "9112 §7.1: chunk-size is 1*HEXDIG, no whitespace first",
            &chunked(b" 5\r\nhello\r\n0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunk-size-overflow",
            "9112 §7.1 MUST anticipate overflow of chunk-size: invalid",
            &chunked(b"10000000000000005\r\nhello\r\n0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunk-size-bare-lf",
            "9112 §7.1: a chunk line ends in CRLF (a bare LF smuggles)",
            &chunked(b"5\nhello\r\n0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunk-data-bare-lf",
            "9112 §7.1: chunk data is followed by CRLF",
            &chunked(b"5\r\nhello\n0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunk-data-too-long",
            "9112 §7.1: chunk data is exactly chunk-size bytes",
            &chunked(b"3\r\nhello\r\n0\r\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "last-chunk-bare-lf",
            "9112 §7.1: the last chunk's line ends in CRLF",
            &chunked(b"5\r\nhello\r\n0\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "trailer-bare-lf",
            "9112 §7.1.2: trailer lines end in CRLF",
            &chunked(b"5\r\nhello\r\n0\r\nX-T: 1\n\r\n"),
            BAD,
            true,
        ),
        raw(
            "chunked-too-large",
            "9110 §15.5.14: a body over the server's limit gets 413",
            &chunked(b"ffffff\r\n"),
            &[413],
            true,
        ),
        // §8: incomplete messages.
        half_closed_head,
        half_closed_body,
        // §9: connection management.
        case(
            "connection-close",
            "9112 §9.6 MUST close after answering Connection: close",
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close",
            b"",
            OK,
            true,
        ),
        case(
            "connection-close-case",
            "9110 §7.6.1: connection options are case-insensitive",
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: CLOSE",
            b"",
            OK,
            true,
        ),
        case(
            "connection-list-close",
            "9110 §7.6.1: close in a list of options",
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close",
            b"",
            OK,
            true,
        ),
        case(
            "http10-closes",
            "9112 §9.3: HTTP/1.0 closes unless keep-alive is asked",
            "GET / HTTP/1.0\r\nHost: x",
            b"",
            OK,
            true,
        ),
        case(
            "http10-keep-alive",
            "9112 §9.3: HTTP/1.0 with Connection: keep-alive stays open",
            "GET / HTTP/1.0\r\nHost: x\r\nConnection: keep-alive",
            b"",
            OK,
            false,
        ),
        raw(
            "pipelined",
            "9112 §9.3.2 MUST answer pipelined requests in order",
            &[
                get_with("", b""),
                b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
                get_with("", b""),
            ]
            .concat(),
            &[200, 404, 200],
            false,
        ),
        raw(
            "pipelined-after-close",
            "9112 §9.6 MUST NOT process requests after Connection: close",
            &[get_with("Connection: close\r\n", b""), get_with("", b"")].concat(),
            OK,
            true,
        ),
        raw(
            "pipelined-before-bad",
            "9112 §9.3.2: requests before a bad one are answered first",
            &[get_with("", b""), b"BAD\r\n\r\n".to_vec()].concat(),
            &[200, 400],
            true,
        ),
    ]
}
