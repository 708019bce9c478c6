//! One client connection of `loadgen`: its state and its response framing.
//!
//! ```text
//!            connect()                writable, no SO_ERROR      send()
//!   Down ───────────────► Connecting ─────────────────────► Idle ──────► Busy
//!    ▲                        │                               ▲            │
//!    │  error or deadline     │                               └─ response ─┘
//!    └────────────────────────┴───── (from any state) ◄───── error or deadline
//! ```
//!
//! A connection has at most one request, or one pipelined batch of
//! requests, in flight: `Busy` from the first byte written until the whole
//! answer has been read. An answer is complete when its framing says so:
//! for HTTP, as many responses as the batch held requests, each the headers
//! parsed by `httparse` plus `Content-Length` bytes of body; for echo, as
//! many bytes as were sent, which must be the same bytes.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Interest, Registry, Token};
use spindle_benches::Mode;

/// The one HTTP request `loadgen` sends, the TechEmpower plaintext request
/// without its browser-like headers.
pub(crate) const HTTP_REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: loadgen\r\n\r\n";

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// No socket; waiting to (re)connect.
    Down,
    /// Non-blocking connect in progress.
    Connecting,
    /// Connected, no request in flight.
    Idle,
    /// A request is being sent or its response awaited.
    Busy,
}

/// Why a connection was torn down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Refused, reset, closed early, or an unexpected answer.
    Error,
    /// The connect or request passed its deadline.
    Timeout,
}

/// What reading a connection produced.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ReadOutcome {
    /// Nothing complete yet.
    Pending,
    /// The response to the request in flight is complete.
    Complete,
    /// The connection is broken or the answer was wrong.
    Failed,
}

/// One client connection.
#[derive(Debug)]
pub(crate) struct Conn {
    /// The socket while connecting or connected; `None` when `Down`.
    stream: Option<TcpStream>,
    /// See [`State`]. Read and written by the worker through the methods.
    pub(crate) state: State,
    /// When the connect or request in flight times out.
    pub(crate) deadline: Instant,
    /// When the request in flight was meant to be sent: latency counts from
    /// here (the send time in closed loop, the schedule in open loop).
    pub(crate) intended: Instant,
    /// When a `Down` connection may reconnect (a back-off after errors, so a
    /// refused port does not make `loadgen` spin).
    pub(crate) retry_at: Instant,
    /// Bytes of the request already written.
    sent: usize,
    /// Bytes of the response received so far.
    inbuf: Vec<u8>,
    /// Whether this connection slot has ever had a complete response.
    pub(crate) answered: bool,
}

impl Conn {
    /// A connection slot, not yet connected.
    pub(crate) fn new(now: Instant) -> Conn {
        Conn {
            stream: None,
            state: State::Down,
            deadline: now,
            intended: now,
            retry_at: now,
            sent: 0,
            inbuf: Vec::new(),
            answered: false,
        }
    }

    /// Starts a non-blocking connect and registers the socket as `token`.
    pub(crate) fn connect(
        &mut self,
        addr: SocketAddr,
        registry: &Registry,
        token: Token,
        deadline: Instant,
    ) -> io::Result<()> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        registry.register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)?;
        self.stream = Some(stream);
        self.state = State::Connecting;
        self.deadline = deadline;
        self.inbuf.clear();
        Ok(())
    }

    /// After a writable event while connecting: `Ok(true)` once connected,
    /// `Ok(false)` if still in progress (a spurious event).
    pub(crate) fn finish_connect(&mut self) -> io::Result<bool> {
        let Some(stream) = &self.stream else {
            return Ok(false);
        };
        if let Some(err) = stream.take_error()? {
            return Err(err);
        }
        // connect(2): the socket is connected once it has a peer.
        match stream.peer_addr() {
            Ok(_) => {
                self.state = State::Idle;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Starts a request meant for `intended`; writes as much as fits.
    pub(crate) fn start_request(
        &mut self,
        request: &[u8],
        intended: Instant,
        deadline: Instant,
    ) -> io::Result<()> {
        self.state = State::Busy;
        self.intended = intended;
        self.deadline = deadline;
        self.sent = 0;
        self.write_more(request)
    }

    /// Writes more of the request in flight, if any is left.
    pub(crate) fn write_more(&mut self, request: &[u8]) -> io::Result<()> {
        let Some(stream) = &mut self.stream else {
            return Ok(());
        };
        while self.state == State::Busy && self.sent < request.len() {
            match stream.write(&request[self.sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads what has arrived (until a short read proves the socket drained,
    /// or, when the event said `read_closed`, until EOF) and says whether
    /// the answer to `request` (a batch of `batch` HTTP requests) is
    /// complete.
    pub(crate) fn read(
        &mut self,
        mode: Mode,
        request: &[u8],
        batch: usize,
        read_closed: bool,
        scratch: &mut [u8],
    ) -> ReadOutcome {
        let Some(stream) = &mut self.stream else {
            return ReadOutcome::Pending;
        };
        loop {
            match stream.read(scratch) {
                Ok(0) => return ReadOutcome::Failed, // the server closed on us
                Ok(n) => {
                    self.inbuf.extend_from_slice(&scratch[..n]);
                    if n < scratch.len() && !read_closed {
                        break; // short read: drained for now
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return ReadOutcome::Failed,
            }
        }
        if self.state != State::Busy {
            // Bytes nobody asked for.
            return if self.inbuf.is_empty() {
                ReadOutcome::Pending
            } else {
                ReadOutcome::Failed
            };
        }
        match answer_len(mode, request, batch, &self.inbuf) {
            Framing::Incomplete => ReadOutcome::Pending,
            Framing::Complete(len) if len == self.inbuf.len() => {
                self.inbuf.clear();
                self.state = State::Idle;
                ReadOutcome::Complete
            }
            // Extra bytes after the response, or a wrong response.
            Framing::Complete(_) | Framing::Invalid => ReadOutcome::Failed,
        }
    }

    /// Drops the socket with `SO_LINGER` 0 (a reset, so neither side keeps
    /// the port in `TIME_WAIT`) and marks the slot `Down`.
    pub(crate) fn close(&mut self, retry_at: Instant) {
        if let Some(stream) = self.stream.take() {
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        }
        self.state = State::Down;
        self.retry_at = retry_at;
        self.inbuf.clear();
    }
}

/// What the bytes received so far amount to.
#[derive(Debug, PartialEq, Eq)]
enum Framing {
    /// Not a whole response yet.
    Incomplete,
    /// A whole, correct response of this many bytes.
    Complete(usize),
    /// Not the response we expected.
    Invalid,
}

/// Frames the answer to `request` at the start of `buf`: for HTTP,
/// `batch` responses one after the other; for echo, the request's bytes.
fn answer_len(mode: Mode, request: &[u8], batch: usize, buf: &[u8]) -> Framing {
    if mode == Mode::Echo {
        return response_len(mode, request, buf);
    }
    let mut used = 0;
    for _ in 0..batch.max(1) {
        match response_len(mode, request, &buf[used..]) {
            Framing::Complete(len) => used += len,
            other => return other,
        }
    }
    Framing::Complete(used)
}

/// Frames one response to `request` at the start of `buf`.
fn response_len(mode: Mode, request: &[u8], buf: &[u8]) -> Framing {
    match mode {
        Mode::Echo if buf.len() < request.len() => Framing::Incomplete,
        Mode::Echo if buf[..request.len()] == *request => Framing::Complete(request.len()),
        Mode::Echo => Framing::Invalid,
        Mode::Http => {
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(buf) {
                Ok(httparse::Status::Complete(head)) if response.code == Some(200) => {
                    let body: Option<usize> = response
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok());
                    match body {
                        Some(body) if buf.len() >= head + body => Framing::Complete(head + body),
                        Some(_) => Framing::Incomplete,
                        None => Framing::Invalid,
                    }
                }
                Ok(httparse::Status::Complete(_)) | Err(_) => Framing::Invalid,
                Ok(httparse::Status::Partial) => Framing::Incomplete,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";

    #[test]
    fn http_response_is_framed_by_content_length() {
        assert_eq!(
            response_len(Mode::Http, HTTP_REQUEST, OK),
            Framing::Complete(OK.len())
        );
        assert_eq!(
            response_len(Mode::Http, HTTP_REQUEST, &OK[..OK.len() - 1]),
            Framing::Incomplete
        );
        assert_eq!(
            response_len(Mode::Http, HTTP_REQUEST, &OK[..10]),
            Framing::Incomplete
        );
        let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(
            response_len(Mode::Http, HTTP_REQUEST, not_found),
            Framing::Invalid
        );
    }

    #[test]
    fn pipelined_answer_needs_every_response_of_the_batch() {
        let three = OK.repeat(3);
        let batch = HTTP_REQUEST.repeat(3);
        assert_eq!(
            answer_len(Mode::Http, &batch, 3, &three),
            Framing::Complete(three.len())
        );
        // Two and a half responses: not complete yet.
        let cut = 2 * OK.len() + OK.len() / 2;
        assert_eq!(
            answer_len(Mode::Http, &batch, 3, &three[..cut]),
            Framing::Incomplete
        );
        // Four responses to a batch of three: the fourth is left over, so
        // the read sees more bytes than the answer and fails.
        let four = OK.repeat(4);
        assert_eq!(
            answer_len(Mode::Http, &batch, 3, &four),
            Framing::Complete(three.len())
        );
    }

    #[test]
    fn echo_response_must_match() {
        assert_eq!(response_len(Mode::Echo, b"abc", b"ab"), Framing::Incomplete);
        assert_eq!(
            response_len(Mode::Echo, b"abc", b"abc"),
            Framing::Complete(3)
        );
        assert_eq!(response_len(Mode::Echo, b"abc", b"abd"), Framing::Invalid);
    }
}
