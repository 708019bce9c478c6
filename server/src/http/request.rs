//! `Request`: one parsed HTTP/1.x request, as a handler sees it.
//!
//! The connection copies each request out of the thread's shared read
//! buffer before it calls the handler (the buffer is reused by the next
//! connection that reads). To keep that copy to two allocations, the
//! request keeps its head (request line and headers) as one byte string and
//! remembers where the method, the target and each header lie in it, the
//! way httparse's borrowed `Request` does; the body is a second buffer.

use std::fmt;
use std::ops::Range;

/// The HTTP version of a request.
///
/// # Examples
///
/// ```
/// use spindle_server::http::{Request, Version};
///
/// assert_eq!(Request::new("GET", "/").version(), Version::Http11);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// HTTP/1.0: connections close after each response unless the client
    /// asks for `Connection: keep-alive`.
    Http10,
    /// HTTP/1.1: connections stay open unless a side says `Connection: close`.
    Http11,
}

/// An HTTP request: method, target, version, headers and body.
///
/// # Examples
///
/// ```
/// use spindle_server::http::Request;
///
/// let request = Request::new("POST", "/upload?name=a.txt")
///     .with_header("Content-Type", b"text/plain")
///     .with_body(b"hello".to_vec());
/// assert_eq!(request.method(), "POST");
/// assert_eq!(request.path(), "/upload");
/// assert_eq!(request.query(), Some("name=a.txt"));
/// assert_eq!(request.header("content-type"), Some(&b"text/plain"[..]));
/// assert_eq!(request.body(), b"hello");
/// ```
#[derive(Clone)]
pub struct Request {
    /// The request line and headers, as received (for `new`: as built).
    head: Box<[u8]>,
    /// Where the method lies in `head`.
    method: Range<usize>,
    /// Where the target (path and query) lies in `head`.
    target: Range<usize>,
    /// The version from the request line.
    version: Version,
    /// Where each header's name and value lie in `head`, in order.
    headers: Vec<(Range<usize>, Range<usize>)>,
    /// The body, de-chunked; empty when there is none.
    body: Vec<u8>,
}

impl Request {
    /// Builds an HTTP/1.1 request with no headers and no body: for tests and
    /// for calling a handler directly.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = spindle_server::http::Request::new("GET", "/plaintext");
    /// assert_eq!(request.target(), "/plaintext");
    /// ```
    pub fn new(method: &str, target: &str) -> Request {
        let head = format!("{method} {target} HTTP/1.1\r\n");
        let method_end = method.len();
        let target_start = method_end + 1;
        Request {
            head: head.into_bytes().into_boxed_slice(),
            method: 0..method_end,
            target: target_start..target_start + target.len(),
            version: Version::Http11,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (builder style).
    ///
    /// # Examples
    ///
    /// ```
    /// let request = spindle_server::http::Request::new("GET", "/").with_header("Host", b"example");
    /// assert_eq!(request.header("host"), Some(&b"example"[..]));
    /// ```
    pub fn with_header(self, name: &str, value: &[u8]) -> Request {
        let mut head = self.head.into_vec();
        let name_start = head.len();
        head.extend_from_slice(name.as_bytes());
        let name_range = name_start..head.len();
        head.extend_from_slice(b": ");
        let value_start = head.len();
        head.extend_from_slice(value);
        let value_range = value_start..head.len();
        head.extend_from_slice(b"\r\n");
        let mut headers = self.headers;
        headers.push((name_range, value_range));
        Request {
            head: head.into_boxed_slice(),
            headers,
            ..self
        }
    }

    /// Replaces the body (builder style).
    ///
    /// # Examples
    ///
    /// ```
    /// let request = spindle_server::http::Request::new("PUT", "/").with_body(vec![1, 2]);
    /// assert_eq!(request.body(), &[1, 2]);
    /// ```
    pub fn with_body(self, body: Vec<u8>) -> Request {
        Request { body, ..self }
    }

    /// Assembles a request from a parsed head; used by the framing code.
    pub(crate) fn from_parts(
        head: Box<[u8]>,
        method: Range<usize>,
        target: Range<usize>,
        version: Version,
        headers: Vec<(Range<usize>, Range<usize>)>,
        body: Vec<u8>,
    ) -> Request {
        Request {
            head,
            method,
            target,
            version,
            headers,
            body,
        }
    }

    /// The method, as sent (methods are case-sensitive: `GET`, not `get`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle_server::http::Request::new("HEAD", "/").method(), "HEAD");
    /// ```
    pub fn method(&self) -> &str {
        self.text(&self.method)
    }

    /// The request target: the path and, if any, `?` and the query.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle_server::http::Request::new("GET", "/a?b").target(), "/a?b");
    /// ```
    pub fn target(&self) -> &str {
        self.text(&self.target)
    }

    /// The path: the target up to any `?`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle_server::http::Request::new("GET", "/sleep?ms=5").path(), "/sleep");
    /// ```
    pub fn path(&self) -> &str {
        let target = self.target();
        target.split_once('?').map_or(target, |(path, _)| path)
    }

    /// The query: the target after the first `?`, if there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle_server::http::Request;
    ///
    /// assert_eq!(Request::new("GET", "/sleep?ms=5").query(), Some("ms=5"));
    /// assert_eq!(Request::new("GET", "/").query(), None);
    /// ```
    pub fn query(&self) -> Option<&str> {
        self.target().split_once('?').map(|(_, query)| query)
    }

    /// The HTTP version.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle_server::http::{Request, Version};
    ///
    /// assert_eq!(Request::new("GET", "/").version(), Version::Http11);
    /// ```
    pub fn version(&self) -> Version {
        self.version
    }

    /// The value of the first header named `name` (case-insensitive).
    ///
    /// # Examples
    ///
    /// ```
    /// let request = spindle_server::http::Request::new("GET", "/").with_header("X-Id", b"7");
    /// assert_eq!(request.header("x-id"), Some(&b"7"[..]));
    /// assert_eq!(request.header("x-other"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// Every header, in the order received, as (name, value).
    ///
    /// # Examples
    ///
    /// ```
    /// let request = spindle_server::http::Request::new("GET", "/")
    ///     .with_header("A", b"1")
    ///     .with_header("B", b"2");
    /// let names: Vec<&str> = request.headers().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["A", "B"]);
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        self.headers
            .iter()
            .map(|(name, value)| (self.text(name), &self.head[value.clone()]))
    }

    /// The body, with any chunked encoding removed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle_server::http::Request::new("GET", "/").body().is_empty());
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// A part of the head that httparse (or `new`) checked is text.
    fn text(&self, range: &Range<usize>) -> &str {
        // httparse accepts only visible ASCII in methods, targets and header
        // names, so this never fails; "" is a safe answer if it ever did.
        std::str::from_utf8(&self.head[range.clone()]).unwrap_or("")
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method())
            .field("target", &self.target())
            .field("version", &self.version)
            .field("headers", &self.headers.len())
            .field("body", &self.body.len())
            .finish()
    }
}
