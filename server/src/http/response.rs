//! `Response`: what a handler returns, and how it becomes bytes.
//!
//! A handler sets the status, its own headers and the body; the connection
//! adds the headers that depend on the connection, so every response has
//! the same shape and no handler can get framing wrong:
//!
//! ```text
//! HTTP/1.1 200 OK\r\n
//! Server: spindle\r\n               always
//! Content-Type: text/plain\r\n      the handler's headers, in order
//! Content-Length: 13\r\n            from the body (not for 1xx, 204, 304)
//! Connection: close\r\n             only when the connection closes after this
//! Date: <IMF-fixdate>\r\n           the thread's cached date
//! \r\n
//! Hello, World!                     not for HEAD
//! ```
//!
//! An HTTP/1.0 client that asked for `Connection: keep-alive` gets
//! `Connection: keep-alive` in the same place: a 1.0 client assumes the
//! connection closes unless the server says otherwise.

use std::borrow::Cow;
use std::fmt;

/// One header as a handler gives it: name and value, `'static` strings
/// borrowed (no allocation) or owned.
type Header = (Cow<'static, str>, Cow<'static, str>);

/// An HTTP response: status, headers and body.
///
/// # Examples
///
/// ```
/// use spindle_server::http::Response;
///
/// let response = Response::new(200)
///     .with_header("Content-Type", "text/plain")
///     .with_body("Hello, World!");
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.body(), b"Hello, World!");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code, such as 200.
    status: u16,
    /// The handler's first header, if any. Most responses carry exactly one
    /// (a `Content-Type`), so it is kept inline: such a response, with
    /// `'static` strings and body, is built without a heap allocation.
    first_header: Option<Header>,
    /// The handler's other headers, after `first_header`, in order; empty
    /// (no allocation) for one header or none.
    more_headers: Vec<Header>,
    /// The body; a `'static` byte string costs no allocation.
    body: Cow<'static, [u8]>,
}

/// Which `Connection` header a response gets; decided by the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectionHeader {
    /// None: HTTP/1.1 keep-alive, the default.
    Omit,
    /// `Connection: close`: the connection closes after this response.
    Close,
    /// `Connection: keep-alive`: an HTTP/1.0 client's connection stays open.
    KeepAlive,
}

impl Response {
    /// A response with `status`, no headers and an empty body.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = spindle_server::http::Response::new(404);
    /// assert!(response.body().is_empty());
    /// ```
    pub fn new(status: u16) -> Response {
        Response {
            status,
            first_header: None,
            more_headers: Vec::new(),
            body: Cow::Borrowed(&[]),
        }
    }

    /// Adds a header (builder style). Do not add `Content-Length`,
    /// `Connection`, `Date` or `Server`: the connection writes those.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = spindle_server::http::Response::new(405).with_header("Allow", "GET, HEAD");
    /// assert_eq!(response.headers().next(), Some(("Allow", "GET, HEAD")));
    /// ```
    pub fn with_header(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Response {
        let header = (name.into(), value.into());
        if self.first_header.is_none() {
            self.first_header = Some(header);
        } else {
            self.more_headers.push(header);
        }
        self
    }

    /// Sets the body (builder style).
    ///
    /// # Examples
    ///
    /// ```
    /// let response = spindle_server::http::Response::new(200).with_body(format!("{}", 42));
    /// assert_eq!(response.body(), b"42");
    /// ```
    pub fn with_body(mut self, body: impl Into<Body>) -> Response {
        self.body = body.into().0;
        self
    }

    /// The status code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle_server::http::Response::new(204).status(), 204);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The handler's headers, in order, as (name, value).
    ///
    /// # Examples
    ///
    /// ```
    /// let response = spindle_server::http::Response::new(200);
    /// assert_eq!(response.headers().count(), 0);
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.first_header
            .iter()
            .chain(&self.more_headers)
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
    }

    /// The body.
    ///
    /// # Examples
    ///
    /// ```
    /// let response = spindle_server::http::Response::new(200).with_body(vec![1u8, 2]);
    /// assert_eq!(response.body(), &[1, 2]);
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Appends the response's bytes to `out` (see the module docs for the
    /// layout). `head_only` leaves the body out (a `HEAD` request).
    pub(crate) fn encode(
        &self,
        out: &mut Vec<u8>,
        head_only: bool,
        connection: ConnectionHeader,
        date: &[u8],
    ) {
        // RFC 9110 §8.6: no Content-Length in 1xx and 204; a 304 would give
        // the length of a body it does not carry.
        let bodiless = self.status < 200 || self.status == 204 || self.status == 304;
        let with_body = !head_only && !bodiless;
        // One reservation up front: `out` is the thread's reused buffer, so
        // this rarely allocates, and the pushes below find room.
        out.reserve(HEAD_RESERVE + if with_body { self.body.len() } else { 0 });

        write_status_line(out, self.status);
        for (name, value) in self.headers() {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if !bodiless {
            // itoa, not `write!`: the formatting machinery costs more than
            // the rest of the head together.
            out.extend_from_slice(b"Content-Length: ");
            out.extend_from_slice(itoa::Buffer::new().format(self.body.len()).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        match connection {
            ConnectionHeader::Omit => {}
            ConnectionHeader::Close => out.extend_from_slice(b"Connection: close\r\n"),
            ConnectionHeader::KeepAlive => out.extend_from_slice(b"Connection: keep-alive\r\n"),
        }
        out.extend_from_slice(b"Date: ");
        out.extend_from_slice(date);
        out.extend_from_slice(b"\r\n\r\n");
        if with_body {
            out.extend_from_slice(&self.body);
        }
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers().collect::<Vec<_>>())
            .field("body", &self.body.len())
            .finish()
    }
}

/// A response body: anything that converts into bytes, borrowed for
/// `'static` data (no allocation) or owned.
///
/// # Examples
///
/// ```
/// use spindle_server::http::{Body, Response};
///
/// let body: Body = "static text".into();
/// let response = Response::new(200).with_body(body);
/// assert_eq!(response.body(), b"static text");
/// ```
#[derive(Debug, Clone)]
pub struct Body(
    /// The bytes.
    Cow<'static, [u8]>,
);

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Body {
        Body(Cow::Borrowed(bytes))
    }
}

impl<const N: usize> From<&'static [u8; N]> for Body {
    fn from(bytes: &'static [u8; N]) -> Body {
        Body(Cow::Borrowed(bytes))
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Body {
        Body(Cow::Borrowed(text.as_bytes()))
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body(Cow::Owned(bytes))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body(Cow::Owned(text.into_bytes()))
    }
}

/// Bytes reserved for a response's head: the fixed lines (status, `Server`,
/// `Content-Length`, `Connection`, `Date`) come to under 128; the rest is
/// room for a handler's few headers.
const HEAD_RESERVE: usize = 256;

/// The `Server` line, which follows the status line in every response.
const SERVER: &[u8] = b"Server: spindle\r\n";

/// Appends the status line, such as `HTTP/1.1 200 OK\r\n`, and the
/// `Server` line after it.
///
/// The statuses this server sends itself, and the handlers' most common
/// ones, are whole static lines, each with the `Server` line joined on so
/// that the copy is one; any other is assembled from its digits (itoa) and
/// [`reason`].
fn write_status_line(out: &mut Vec<u8>, status: u16) {
    let lines: &[u8] = match status {
        200 => b"HTTP/1.1 200 OK\r\nServer: spindle\r\n",
        204 => b"HTTP/1.1 204 No Content\r\nServer: spindle\r\n",
        400 => b"HTTP/1.1 400 Bad Request\r\nServer: spindle\r\n",
        404 => b"HTTP/1.1 404 Not Found\r\nServer: spindle\r\n",
        405 => b"HTTP/1.1 405 Method Not Allowed\r\nServer: spindle\r\n",
        408 => b"HTTP/1.1 408 Request Timeout\r\nServer: spindle\r\n",
        413 => b"HTTP/1.1 413 Content Too Large\r\nServer: spindle\r\n",
        431 => b"HTTP/1.1 431 Request Header Fields Too Large\r\nServer: spindle\r\n",
        500 => b"HTTP/1.1 500 Internal Server Error\r\nServer: spindle\r\n",
        _ => {
            out.extend_from_slice(b"HTTP/1.1 ");
            out.extend_from_slice(itoa::Buffer::new().format(status).as_bytes());
            out.push(b' ');
            out.extend_from_slice(reason(status).as_bytes());
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(SERVER);
            return;
        }
    };
    out.extend_from_slice(lines);
}

/// The reason phrase for a status code (RFC 9110 §15).
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &[u8] = b"Sun, 06 Nov 1994 08:49:37 GMT";

    fn encode(response: &Response, head_only: bool, connection: ConnectionHeader) -> String {
        let mut out = Vec::new();
        response.encode(&mut out, head_only, connection, DATE);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hello_world_bytes() {
        let response = Response::new(200)
            .with_header("Content-Type", "text/plain")
            .with_body("Hello, World!");
        assert_eq!(
            encode(&response, false, ConnectionHeader::Omit),
            "HTTP/1.1 200 OK\r\nServer: spindle\r\nContent-Type: text/plain\r\n\
             Content-Length: 13\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\nHello, World!"
        );
    }

    #[test]
    fn connection_close_goes_before_date_and_head_drops_the_body() {
        let response = Response::new(200).with_body("x");
        assert_eq!(
            encode(&response, true, ConnectionHeader::Close),
            "HTTP/1.1 200 OK\r\nServer: spindle\r\nContent-Length: 1\r\n\
             Connection: close\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"
        );
    }

    #[test]
    fn static_status_lines_match_the_assembled_ones() {
        // Every static line must read exactly as the general path writes it.
        for status in (100..600).chain([0, 999, u16::MAX]) {
            let mut fast = Vec::new();
            write_status_line(&mut fast, status);
            let general = format!(
                "HTTP/1.1 {status} {}\r\nServer: spindle\r\n",
                reason(status)
            );
            assert_eq!(String::from_utf8(fast).unwrap(), general);
        }
    }

    #[test]
    fn content_length_digits() {
        for len in [0, 9, 10, 99, 100, 12345, 1 << 20] {
            let response = Response::new(200).with_body(vec![b'a'; len]);
            let bytes = encode(&response, true, ConnectionHeader::Omit);
            assert!(
                bytes.contains(&format!("\r\nContent-Length: {len}\r\n")),
                "{len}"
            );
        }
    }

    #[test]
    fn headers_keep_their_order_past_the_inline_first() {
        let response = Response::new(200)
            .with_header("A", "1")
            .with_header("B", String::from("2"))
            .with_header("C", "3");
        let names: Vec<_> = response.headers().collect();
        assert_eq!(names, [("A", "1"), ("B", "2"), ("C", "3")]);
        assert!(encode(&response, false, ConnectionHeader::Omit)
            .contains("Server: spindle\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 0\r\n"));
    }

    #[test]
    fn no_content_has_no_length() {
        assert_eq!(
            encode(&Response::new(204), false, ConnectionHeader::Omit),
            "HTTP/1.1 204 No Content\r\nServer: spindle\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"
        );
    }
}
