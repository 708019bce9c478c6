//! `Request`: one parsed HTTP/1.x request, as a handler sees it.
//!
//! A request owns the bytes its head arrived in: the connection's read
//! lands in a buffer (`buffer.rs`) from which the framing code splits each
//! whole request off as a [`Bytes`], without a copy. The target and every
//! header are index ranges into those bytes, found once by the parser;
//! nothing of the head is copied or looked at again unless the handler
//! asks. A `Content-Length` body follows the head in the same bytes; a
//! chunked body, de-chunked as it arrives, is a `Vec` of its own.
//!
//! ```text
//!   head: Bytes  GET /plaintext HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\nbody
//!                    └──target──┘           └n┘ └v┘ └─n──┘ └v┘       └body┘
//! ```
//!
//! The header ranges live in a `Vec` taken from the thread's pool
//! (`pool.rs`) and given back when the request is dropped, so in steady
//! state framing a request allocates nothing. A known method (`GET`,
//! `POST`, ...) is a `'static` string.
//!
//! Text is validated once by httparse; the accessors turn the ranges back
//! into `&str` with a UTF-8 check (a few instructions on a short ASCII
//! target) rather than `unsafe`, which the server crate forbids.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use bytes::Bytes;

use crate::http::pool;

/// The methods of RFC 9110 §9 and PATCH: a request with one of them refers
/// to this `'static` name instead of allocating a copy of it.
const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// Where one header's name and value are in a request's bytes: name start,
/// name end, value start, value end.
pub(crate) type Field = [u32; 4];

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
    /// The head as received (and a `Content-Length` body after it); the
    /// ranges below point into it. Shared with the connection's read
    /// buffer's allocation until every request split from it is dropped.
    bytes: Bytes,
    /// The method; borrowed from [`KNOWN_METHODS`] when it is one of them.
    method: Cow<'static, str>,
    /// Where the target is in `bytes`, or, for the rare absolute-form
    /// target that needs a `/` in front of its query, the rewritten target.
    target: Target,
    /// The version from the request line.
    version: Version,
    /// Every header, in order, as ranges into `bytes`; written by the
    /// framing code or `with_header`, read by `headers`. A `Vec` from the
    /// thread's pool, returned by `Drop`.
    fields: Vec<Field>,
    /// The body.
    body: Body,
}

/// Where a request's target is.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// At this range of the request's bytes.
    At(u32, u32),
    /// Rewritten: an absolute-form target with an empty path (see
    /// `framing.rs`).
    Owned(Box<str>),
}

/// Where a request's body is.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// In the request's bytes, from this offset to their end.
    Tail(u32),
    /// De-chunked, or set by `with_body`.
    Owned(Vec<u8>),
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
        let len = offset(target.len());
        Request {
            bytes: Bytes::copy_from_slice(target.as_bytes()),
            method: method_name(method),
            target: Target::At(0, len),
            version: Version::Http11,
            fields: pool::take(),
            body: Body::Owned(Vec::new()),
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
        // A builder for tests and direct calls: the bytes are copied once
        // per header, which the framing path never does.
        let mut bytes = Vec::with_capacity(self.bytes.len() + name.len() + value.len());
        bytes.extend_from_slice(&self.bytes);
        let name_at = offset(bytes.len());
        bytes.extend_from_slice(name.as_bytes());
        let value_at = offset(bytes.len());
        bytes.extend_from_slice(value);
        self.fields
            .push([name_at, value_at, value_at, offset(bytes.len())]);
        if let Body::Tail(_) = self.body {
            let body = self.body().to_vec();
            self.body = Body::Owned(body);
        }
        self.bytes = Bytes::from(bytes);
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
        self.body = Body::Owned(body);
        self
    }

    /// Assembles a request from its bytes and the parser's ranges; used by
    /// the framing code.
    pub(crate) fn from_parts(
        bytes: Bytes,
        method: Cow<'static, str>,
        target: Target,
        version: Version,
        fields: Vec<Field>,
        body: Body,
    ) -> Request {
        Request {
            bytes,
            method,
            target,
            version,
            fields,
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
        match &self.target {
            Target::At(start, end) => text(&self.bytes[range(*start, *end)]),
            Target::Owned(target) => target,
        }
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
        self.fields
            .iter()
            .map(|&[name, name_end, value, value_end]| {
                (
                    text(&self.bytes[range(name, name_end)]),
                    &self.bytes[range(value, value_end)],
                )
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
        match &self.body {
            Body::Tail(start) => &self.bytes[*start as usize..],
            Body::Owned(body) => body,
        }
    }
}

/// `n` as an offset into a request's bytes.
///
/// # Panics
///
/// Panics at 4 GiB or more; the head and body limits are far below that
/// (`Config` caps them to 32 bits).
pub(crate) fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a request under 4 GiB")
}

/// A range of a request's bytes from two offsets.
fn range(start: u32, end: u32) -> Range<usize> {
    start as usize..end as usize
}

/// Bytes the parser checked (or a builder took as `&str`) as text;
/// `""` if they were not, which cannot happen.
fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

/// `method` as a `'static` string when it is one of [`KNOWN_METHODS`] (no
/// allocation), else as an owned copy.
pub(crate) fn method_name(method: &str) -> Cow<'static, str> {
    match KNOWN_METHODS.iter().find(|known| **known == method) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(method.to_owned()),
    }
}

impl Drop for Request {
    /// Gives the header ranges' `Vec` back to the thread's pool.
    fn drop(&mut self) {
        pool::give_back(std::mem::take(&mut self.fields));
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method())
            .field("target", &self.target())
            .field("version", &self.version)
            .field("headers", &self.headers().count())
            .field("body", &self.body().len())
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
    fn built_headers_come_back_exactly_in_order() {
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
