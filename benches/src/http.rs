//! HTTP/1.1 plaintext: request framing and the three fixed responses.
//!
//! This is the TechEmpower "plaintext" test, the usual yardstick for how
//! much a server's I/O model costs when the handler does almost nothing.
//! [`HttpSession::on_data`] takes the bytes of one read, parses every
//! complete request in them with `httparse`, and appends the answers, in
//! order, to one output buffer, so pipelined requests get their responses in
//! one write. A request cut in half by the read boundary is kept and
//! completed by the next read.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /` or `GET /plaintext` | `200 OK`, body `Hello, World!` |
//! | any other method or path | `404 Not Found`, empty body |
//! | unparsable, too large, or with a body | `400 Bad Request`, then close |
//!
//! Keep-alive is the default for HTTP/1.1; `Connection: close` (or HTTP/1.0
//! without `Connection: keep-alive`) closes after the answer.
//!
//! # Simplifications
//!
//! Requests with a body (`Content-Length` other than 0, or any
//! `Transfer-Encoding`) are answered 400: the plaintext test never sends
//! one, and skipping bodies correctly is not what is being measured. A real
//! server (`spindle-server`) reads or discards them.

use crate::date::{http_date, DATE_LEN};
use crate::session::Flow;

/// The most bytes a single request may take before it is rejected. 8 KiB is
/// the common default for request headers (nginx, hyper, Apache).
pub const MAX_REQUEST: usize = 8 * 1024;

/// The most headers a request may carry; more is a 400. 32 covers every
/// real browser and load generator.
const MAX_HEADERS: usize = 32;

/// The body of the `200 OK` answer.
pub const HELLO: &[u8] = b"Hello, World!";

/// The `200 OK` answer up to the date; the date, `\r\n\r\n` and the body follow.
const OK_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nServer: spindle\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: ";

/// The `404 Not Found` answer up to the date; the date and `\r\n\r\n` follow.
const NOT_FOUND_HEAD: &[u8] =
    b"HTTP/1.1 404 Not Found\r\nServer: spindle\r\nContent-Length: 0\r\nDate: ";

/// The `400 Bad Request` answer up to the date; the date and `\r\n\r\n` follow.
const BAD_REQUEST_HEAD: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nServer: spindle\r\nContent-Length: 0\r\nConnection: close\r\nDate: ";

/// One of the three answers this server gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `200 OK` with `Hello, World!`.
    Ok,
    /// `404 Not Found`.
    NotFound,
    /// `400 Bad Request`, after which the connection closes.
    BadRequest,
}

impl Answer {
    /// Appends this answer, with the given `Date:` value, to `out`.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle_benches::http::Answer;
    ///
    /// let mut out = Vec::new();
    /// Answer::NotFound.write(b"Fri, 27 Nov 2026 23:40:00 GMT", &mut out);
    /// assert_eq!(
    ///     out,
    ///     b"HTTP/1.1 404 Not Found\r\nServer: spindle\r\nContent-Length: 0\r\n\
    ///       Date: Fri, 27 Nov 2026 23:40:00 GMT\r\n\r\n"
    /// );
    /// ```
    pub fn write(self, date: &[u8; DATE_LEN], out: &mut Vec<u8>) {
        let head = match self {
            Answer::Ok => OK_HEAD,
            Answer::NotFound => NOT_FOUND_HEAD,
            Answer::BadRequest => BAD_REQUEST_HEAD,
        };
        out.extend_from_slice(head);
        out.extend_from_slice(date);
        out.extend_from_slice(b"\r\n\r\n");
        if self == Answer::Ok {
            out.extend_from_slice(HELLO);
        }
    }
}

/// The HTTP side of a connection: the unfinished request carried from one
/// read to the next.
///
/// # Examples
///
/// ```
/// use spindle_benches::http::HttpSession;
/// use spindle_benches::Flow;
///
/// let mut session = HttpSession::default();
/// let mut out = Vec::new();
/// // Half a request: nothing to answer yet.
/// assert_eq!(session.on_data(b"GET / HTTP/1.1\r\nHo", &mut out), Flow::Continue);
/// assert!(out.is_empty());
/// // The rest of it, and a second request that asks to close.
/// let flow = session.on_data(b"st: a\r\n\r\nGET /x HTTP/1.1\r\nConnection: close\r\n\r\n", &mut out);
/// assert_eq!(flow, Flow::Close);
/// assert!(out.starts_with(b"HTTP/1.1 200 OK\r\n"));
/// assert!(out.ends_with(b"\r\n\r\n"));
/// ```
#[derive(Debug, Default)]
pub struct HttpSession {
    /// Bytes of a request that was not complete at the end of the last read.
    /// Empty in the common case, when every read ends on a request boundary;
    /// then requests are parsed straight from the read buffer.
    partial: Vec<u8>,
}

impl HttpSession {
    /// Answers every complete request in `input` (after any partial request
    /// kept from before), appending the answers to `out` in order.
    ///
    /// Returns [`Flow::Close`] once an answer says the connection ends (a
    /// 400, or a request asking to close); requests after that one are
    /// ignored.
    pub fn on_data(&mut self, input: &[u8], out: &mut Vec<u8>) -> Flow {
        let date = http_date();
        if self.partial.is_empty() {
            // Fast path: parse in place, copy only an unfinished tail.
            let (used, flow) = answer_all(input, &date, out);
            if flow == Flow::Continue {
                self.partial.extend_from_slice(&input[used..]);
            }
            return self.check_size(flow, &date, out);
        }
        self.partial.extend_from_slice(input);
        let (used, flow) = answer_all(&self.partial, &date, out);
        self.partial.drain(..used);
        self.check_size(flow, &date, out)
    }

    /// Rejects a kept partial request that has grown past [`MAX_REQUEST`].
    fn check_size(&mut self, flow: Flow, date: &[u8; DATE_LEN], out: &mut Vec<u8>) -> Flow {
        if flow == Flow::Continue && self.partial.len() > MAX_REQUEST {
            self.partial.clear();
            Answer::BadRequest.write(date, out);
            return Flow::Close;
        }
        flow
    }
}

/// Answers the complete requests at the start of `buf`. Returns how many
/// bytes they took and whether the connection goes on.
fn answer_all(buf: &[u8], date: &[u8; DATE_LEN], out: &mut Vec<u8>) -> (usize, Flow) {
    let mut used = 0;
    while used < buf.len() {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buf[used..]) {
            Ok(httparse::Status::Complete(len)) => {
                used += len;
                let (answer, close) = route(&request);
                answer.write(date, out);
                if close || answer == Answer::BadRequest {
                    return (used, Flow::Close);
                }
            }
            Ok(httparse::Status::Partial) => break,
            Err(_) => {
                Answer::BadRequest.write(date, out);
                return (buf.len(), Flow::Close);
            }
        }
    }
    (used, Flow::Continue)
}

/// Picks the answer for a parsed request and says whether to close after it.
fn route(request: &httparse::Request<'_, '_>) -> (Answer, bool) {
    // HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes
    // unless told to keep it (RFC 9112 §9.3).
    let mut close = request.version == Some(0);
    for header in request.headers.iter() {
        if header.name.eq_ignore_ascii_case("connection") {
            if header.value.eq_ignore_ascii_case(b"close") {
                close = true;
            } else if header.value.eq_ignore_ascii_case(b"keep-alive") {
                close = false;
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding")
            || (header.name.eq_ignore_ascii_case("content-length") && header.value != b"0")
        {
            return (Answer::BadRequest, true);
        }
    }
    let answer = match (request.method, request.path) {
        (Some("GET"), Some("/" | "/plaintext")) => Answer::Ok,
        _ => Answer::NotFound,
    };
    (answer, close)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `inputs` through one session; returns the output and last flow.
    fn run(inputs: &[&[u8]]) -> (String, Flow) {
        let mut session = HttpSession::default();
        let mut out = Vec::new();
        let mut flow = Flow::Continue;
        for input in inputs {
            flow = session.on_data(input, &mut out);
        }
        (String::from_utf8(out).unwrap(), flow)
    }

    #[test]
    fn pipelined_requests_are_answered_in_order() {
        let (out, flow) = run(&[
            b"GET / HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\nGET /plaintext HTTP/1.1\r\n\r\n",
        ]);
        assert_eq!(flow, Flow::Continue);
        let statuses: Vec<&str> = out.matches("HTTP/1.1 ").map(|_| "").collect();
        assert_eq!(statuses.len(), 3);
        let first_404 = out.find("404").unwrap();
        assert!(out.find("200 OK").unwrap() < first_404);
        assert!(out.rfind("200 OK").unwrap() > first_404);
    }

    #[test]
    fn request_split_byte_by_byte_is_answered_once() {
        let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let pieces: Vec<&[u8]> = request.chunks(1).collect();
        let (out, flow) = run(&pieces);
        assert_eq!(flow, Flow::Continue);
        assert_eq!(out.matches("200 OK").count(), 1);
    }

    #[test]
    fn garbage_gets_400_and_close() {
        let (out, flow) = run(&[b"\x00\x01 nonsense\r\n\r\n"]);
        assert_eq!(flow, Flow::Close);
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(out.contains("Connection: close\r\n"));
    }

    #[test]
    fn oversized_partial_request_gets_400() {
        let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
        big.resize(MAX_REQUEST + 10, b'a');
        let (out, flow) = run(&[&big]);
        assert_eq!(flow, Flow::Close);
        assert!(out.starts_with("HTTP/1.1 400"));
    }

    #[test]
    fn http10_closes_unless_keep_alive() {
        assert_eq!(run(&[b"GET / HTTP/1.0\r\n\r\n"]).1, Flow::Close);
        let keep = run(&[b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"]);
        assert_eq!(keep.1, Flow::Continue);
    }

    #[test]
    fn connection_close_stops_at_that_request() {
        let (out, flow) =
            run(&[b"GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n"]);
        assert_eq!(flow, Flow::Close);
        assert_eq!(out.matches("200 OK").count(), 1);
    }
}
