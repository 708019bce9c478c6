//! `Request`: one parsed HTTP/1.x request, as a handler sees it.
//!
//! The connection copies each request out of the thread's shared read
//! buffer before it calls the handler (the buffer is reused by the next
//! connection that reads). To keep that copy to one allocation for all the
//! headers, they are packed into one byte string, each as
//!
//! ```text
//! name length (u32 LE) │ value length (u32 LE) │ name │ value
//! ```
//!
//! and [`Request::headers`] walks it. The lengths make the packing exact for
//! any bytes a value holds (a builder's value may contain anything). The
//! body is a separate buffer.
//!
//! The method and the target are kept apart, as text: handlers ask for them
//! on every request (routing), and a `&str` pointing into the byte string
//! would have to be re-validated as UTF-8 on every call. httparse checked
//! them once while parsing. A known method (`GET`, `POST`, ...) is a
//! `'static` string.
//!
//! The target and the packed headers live in buffers taken from the
//! thread's pool (`pool.rs`) and given back when the request is dropped, so
//! in steady state framing a request allocates nothing.

use std::borrow::Cow;
use std::fmt;

use crate::http::pool;

/// The methods of RFC 9110 §9 and PATCH: a request with one of them refers
/// to this `'static` name instead of allocating a copy of it.
const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

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
    /// The method; borrowed from [`KNOWN_METHODS`] when it is one of them.
    method: Cow<'static, str>,
    /// The target (path and query), validated as text once; a buffer from
    /// the thread's pool, returned by `Drop`.
    target: String,
    /// The version from the request line.
    version: Version,
    /// Every header, in order, packed as the module docs show; written by
    /// `from_parts` and `with_header` (through `pack_header`), read by
    /// `headers`. A buffer from the thread's pool, returned by `Drop`.
    headers: Vec<u8>,
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
        let (mut owned, headers) = pool::take();
        owned.push_str(target);
        Request {
            method: method_name(method),
            target: owned,
            version: Version::Http11,
            headers,
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
    pub fn with_header(mut self, name: &str, value: &[u8]) -> Request {
        pack_header(&mut self.headers, name.as_bytes(), value);
        self
    }

    /// Replaces the body (builder style).
    ///
    /// # Examples
    ///
    /// ```
    /// let request = spindle_server::http::Request::new("PUT", "/").with_body(vec![1, 2]);
    /// assert_eq!(request.body(), &[1, 2]);
    /// ```
    pub fn with_body(mut self, body: Vec<u8>) -> Request {
        self.body = body;
        self
    }

    /// Assembles a request from httparse's parts; used by the framing code.
    pub(crate) fn from_parts(
        method: &str,
        target: &str,
        version: Version,
        headers: &[httparse::Header<'_>],
        body: Vec<u8>,
    ) -> Request {
        // Sized first, so a buffer new to the pool grows once, exactly.
        let packed_len = headers
            .iter()
            .map(|h| PACKED_LENGTHS + h.name.len() + h.value.len())
            .sum();
        let (mut owned, mut packed) = pool::take();
        packed.reserve(packed_len);
        for header in headers {
            pack_header(&mut packed, header.name.as_bytes(), header.value);
        }
        owned.push_str(target);
        Request {
            method: method_name(method),
            target: owned,
            version,
            headers: packed,
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
        &self.method
    }

    /// The request target: the path and, if any, `?` and the query.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle_server::http::Request::new("GET", "/a?b").target(), "/a?b");
    /// ```
    pub fn target(&self) -> &str {
        &self.target
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
        // A plain byte loop: targets are short, and `split_once('?')`'s
        // general substring search costs more than the whole scan.
        match target.bytes().position(|b| b == b'?') {
            Some(at) => &target[..at],
            None => target,
        }
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
        let target = self.target();
        let at = target.bytes().position(|b| b == b'?')?;
        Some(&target[at + 1..])
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
        let mut rest = &self.headers[..];
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let (lengths, after) = rest.split_at(PACKED_LENGTHS);
            let name_len = read_length(&lengths[..4]);
            let value_len = read_length(&lengths[4..]);
            let (name, after) = after.split_at(name_len);
            let (value, after) = after.split_at(value_len);
            rest = after;
            // httparse accepts only token characters in header names, and
            // `with_header` takes a `&str`, so this never fails; "" is a
            // safe answer if it ever did.
            Some((std::str::from_utf8(name).unwrap_or(""), value))
        })
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
}

/// Bytes of the two lengths before each packed header.
const PACKED_LENGTHS: usize = 8;

/// Appends one header to a packed header list (see the module docs).
///
/// # Panics
///
/// Panics if the name or the value is 4 GiB or longer: its length would not
/// fit the packing. The framing code's head limit is far below that.
fn pack_header(packed: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    let length = |part: &[u8]| u32::try_from(part.len()).expect("a header under 4 GiB");
    packed.extend_from_slice(&length(name).to_le_bytes());
    packed.extend_from_slice(&length(value).to_le_bytes());
    packed.extend_from_slice(name);
    packed.extend_from_slice(value);
}

/// Reads a length written by [`pack_header`].
fn read_length(bytes: &[u8]) -> usize {
    let mut le = [0; 4];
    le.copy_from_slice(bytes);
    u32::from_le_bytes(le) as usize
}

/// `method` as a `'static` string when it is one of [`KNOWN_METHODS`] (no
/// allocation), else as an owned copy.
fn method_name(method: &str) -> Cow<'static, str> {
    match KNOWN_METHODS.iter().find(|known| **known == method) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(method.to_owned()),
    }
}

impl Drop for Request {
    /// Gives the target and header buffers back to the thread's pool.
    fn drop(&mut self) {
        pool::give_back(
            std::mem::take(&mut self.target),
            std::mem::take(&mut self.headers),
        );
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method())
            .field("target", &self.target())
            .field("version", &self.version)
            .field("headers", &self.headers().count())
            .field("body", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_methods_are_borrowed_and_others_kept_as_sent() {
        assert!(matches!(method_name("GET"), Cow::Borrowed("GET")));
        assert!(matches!(method_name("PATCH"), Cow::Borrowed("PATCH")));
        // Methods are case-sensitive: `get` is not `GET`.
        assert!(matches!(method_name("get"), Cow::Owned(ref m) if m == "get"));
        assert_eq!(Request::new("PROPFIND", "/").method(), "PROPFIND");
    }

    #[test]
    fn packed_headers_come_back_exactly_in_order() {
        // Values with bytes a text format would trip on: separators, CR LF,
        // surrounding spaces, non-UTF-8, nothing at all.
        let values: [&[u8]; 5] = [b"a: b\r\nc", b"  padded  ", b"\xff\x00", b"", b"plain"];
        let mut request = Request::new("GET", "/");
        for (i, value) in values.iter().enumerate() {
            request = request.with_header(&format!("X-{i}"), value);
        }
        let got: Vec<(String, Vec<u8>)> = request
            .headers()
            .map(|(name, value)| (name.to_string(), value.to_vec()))
            .collect();
        let expected: Vec<(String, Vec<u8>)> = values
            .iter()
            .enumerate()
            .map(|(i, value)| (format!("X-{i}"), value.to_vec()))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(request.header("x-1"), Some(&b"  padded  "[..]));
        assert_eq!(Request::new("GET", "/").headers().count(), 0);
    }
}
