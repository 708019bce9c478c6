//! HTTP/1.x framing: where one request ends and the next begins.
//!
//! This is pure logic over a connection's read buffer, with no socket and
//! no clock, so it is tested here by unit tests. A [`Decoder`] keeps its
//! place between reads: whether the head is complete, how many body bytes
//! are still to come, where in the chunked grammar it stopped. After each
//! read, [`Decoder::decode`] answers one of three things:
//!
//! - `Ok(None)`: the request is not complete yet; read more and call again;
//! - `Ok(Some(parsed))`: one whole request, split off the buffer; the rest
//!   may be the next, pipelined, request;
//! - `Err(reject)`: the bytes can never become a valid request; answer with
//!   the reject's status and close the connection.
//!
//! ```text
//!   Head { scanned } ── head ends; no body, or all of it in ─────────────► request
//!         │
//!         ├── head ends; Content-Length body still coming ──► Length ── all in ──► request
//!         │
//!         └── head ends; chunked: head split off ──► Chunked ── last chunk ──► request
//! ```
//!
//! Each byte is looked at a bounded number of times however the request is
//! split into reads: a head is searched for its end only in the bytes that
//! arrived since the last read (`scanned`) and parsed by httparse once it
//! is complete (and once on the first read, in case it is already); a
//! `Content-Length` body is only counted until it is all in; a chunked
//! body is decoded as it arrives (`chunked.rs`) and its framing dropped.
//!
//! The head is parsed by httparse. The body's length follows RFC 9112 §6.3:
//! `Transfer-Encoding: chunked`, else `Content-Length`, else no body. A
//! request with both, with a `Content-Length` that is not a number, or with
//! two that disagree, is rejected: those are the ambiguities request
//! smuggling is made of. So is `chunked` applied twice (in one
//! `Transfer-Encoding` list or across two header lines) or anywhere but
//! last, and `Transfer-Encoding` in an HTTP/1.0 request; a coding other
//! than chunked gets `501`.
//!
//! RFC 9112 §3.2 also asks for exactly one `Host` header with a valid
//! value: an HTTP/1.1 request without one, and a request of any version
//! with two, get `400` (an HTTP/1.0 client may leave it out). A target in
//! absolute form (`http://example/a`, §3.2.2, what a client sends to a
//! proxy) is kept as its path and query (`/a`), so handlers route every
//! request the same way. The server's own conformance table,
//! `server/tests/support/rfc9112.rs`, walks these rules case by case.

use std::borrow::Cow;
use std::mem::MaybeUninit;

use bytes::Bytes;
use httparse::Status;

use crate::http::buffer::ReadBuf;
use crate::http::chunked::Chunks;
use crate::http::pool;
use crate::http::request::{self, offset, Body, Field, Request, Target, Version};

/// Most headers in one request. 64 is ample for browsers and proxies
/// (hyper allows 100); more gets `431`.
const MAX_HEADERS: usize = 64;

/// The size limits a request must keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Largest head (request line and headers), in bytes.
    pub(crate) max_head: usize,
    /// Largest body (after de-chunking), in bytes.
    pub(crate) max_body: usize,
}

/// Why bytes can never be a valid request; each maps to a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reject {
    /// Malformed request line, header, chunk, or ambiguous body length.
    BadRequest,
    /// The body is larger than `Limits::max_body`.
    PayloadTooLarge,
    /// The head is larger than `Limits::max_head`, or has too many headers.
    HeadersTooLarge,
    /// The request line is longer than `Limits::max_head`: its target is
    /// longer than the server parses (RFC 9112 §3).
    UriTooLong,
    /// A transfer coding other than chunked (RFC 9112 §6.1).
    NotImplemented,
    /// An HTTP major version other than 1 (RFC 9110 §15.6.6).
    VersionNotSupported,
    /// The request did not arrive within the header timeout (found by the
    /// connection's timer, not by parsing).
    Timeout,
}

impl Reject {
    /// The status code that answers this reject.
    pub(crate) fn status(self) -> u16 {
        match self {
            Reject::BadRequest => 400,
            Reject::PayloadTooLarge => 413,
            Reject::HeadersTooLarge => 431,
            Reject::UriTooLong => 414,
            Reject::NotImplemented => 501,
            Reject::VersionNotSupported => 505,
            Reject::Timeout => 408,
        }
    }
}

/// One complete request, split off the buffer.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The request, owning its bytes.
    pub(crate) request: Request,
    /// Whether the connection may stay open after the response (version
    /// default and the `Connection` header).
    pub(crate) keep_alive: bool,
    /// How many bytes of the stream the request took (head and encoded
    /// body).
    pub(crate) consumed: usize,
}

/// How the body of a request is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// No body.
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
}

/// What the parser learned from a complete head.
#[derive(Debug)]
struct Head {
    /// The method.
    method: Cow<'static, str>,
    /// The target, as a range into the head or rewritten.
    target: Target,
    /// The version.
    version: Version,
    /// Every header, as ranges into the head.
    fields: Vec<Field>,
    /// See [`Parsed::keep_alive`].
    keep_alive: bool,
    /// Whether the client asked for `100 Continue` before its body.
    expect_continue: bool,
    /// The head's length in bytes, up to and including the empty line.
    len: usize,
}

impl Head {
    /// The request made of this head, its `bytes`, and `body`.
    fn into_parsed(self, bytes: Bytes, body: Body, consumed: usize) -> Parsed {
        Parsed {
            request: Request::from_parts(
                bytes,
                self.method,
                self.target,
                self.version,
                self.fields,
                body,
            ),
            keep_alive: self.keep_alive,
            consumed,
        }
    }
}

/// Where the decoder is between reads.
///
/// The states of a body that takes more than one read are boxed: the
/// decoder is part of every connection's future, idle ones included, and
/// a head with its ranges is a hundred bytes or so that only such a
/// request needs.
#[derive(Debug)]
enum State {
    /// Waiting for a complete head; the first `scanned` bytes of the
    /// buffer are known not to end it.
    Head { scanned: usize },
    /// The head is parsed and still in the buffer; waiting until the
    /// buffer holds `total` bytes, head and `Content-Length` body.
    Length(Box<(Head, usize)>),
    /// The head is split off; the chunked body is being decoded.
    Chunked(Box<ChunkedBody>),
}

/// A chunked request between reads.
#[derive(Debug)]
struct ChunkedBody {
    /// The head.
    head: Head,
    /// The head's bytes.
    bytes: Bytes,
    /// The body so far.
    body: Vec<u8>,
    /// Where the chunked decoder stopped.
    chunks: Chunks,
}

/// The framing position of one connection; see the module docs.
#[derive(Debug)]
pub(crate) struct Decoder {
    /// Where it stopped.
    state: State,
    /// Set when a head asking for `100 Continue` is in and its body is
    /// not; cleared by [`Decoder::take_continue`] or when the request is
    /// complete.
    continue_wanted: bool,
}

impl Default for Decoder {
    fn default() -> Decoder {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder waiting for the first byte of a request.
    pub(crate) const fn new() -> Decoder {
        Decoder {
            state: State::Head { scanned: 0 },
            continue_wanted: false,
        }
    }

    /// Whether no part of a request has been framed: with an empty buffer,
    /// the connection is idle.
    pub(crate) fn at_start(&self) -> bool {
        matches!(self.state, State::Head { .. })
    }

    /// Whether the client waits for `100 Continue` before its body; true
    /// once per such request.
    pub(crate) fn take_continue(&mut self) -> bool {
        std::mem::take(&mut self.continue_wanted)
    }

    /// Frames the next request from `buf`; see the module docs.
    pub(crate) fn decode(
        &mut self,
        buf: &mut ReadBuf,
        limits: &Limits,
    ) -> Result<Option<Parsed>, Reject> {
        loop {
            match &mut self.state {
                State::Head { scanned } => {
                    // The connection frames until the buffer runs out, so
                    // every batch ends with a call on the empty rest.
                    if buf.is_empty() {
                        return Ok(None);
                    }
                    let data = buf.data();
                    // Only the bytes since the last read can end the head
                    // (three back: the end may straddle the reads).
                    if *scanned > 0 && !ends_head(&data[scanned.saturating_sub(3)..]) {
                        *scanned = data.len();
                        if data.len() > limits.max_head {
                            return Err(too_large(data, limits));
                        }
                        return Ok(None);
                    }
                    let Some((head, kind)) = parse_head(data, limits)? else {
                        *scanned = data.len();
                        return Ok(None);
                    };
                    // The next head starts its own search.
                    *scanned = 0;
                    match kind {
                        BodyKind::Empty => {
                            let len = head.len;
                            let bytes = buf.split(len);
                            return Ok(Some(head.into_parsed(bytes, Body::Tail(offset(len)), len)));
                        }
                        BodyKind::Length(length) => {
                            if length > limits.max_body as u64 {
                                return Err(Reject::PayloadTooLarge);
                            }
                            let total = head.len + length as usize;
                            // All in already (a small body, nearly always).
                            if buf.len() >= total {
                                let body_at = offset(head.len);
                                let bytes = buf.split(total);
                                return Ok(Some(head.into_parsed(
                                    bytes,
                                    Body::Tail(body_at),
                                    total,
                                )));
                            }
                            self.continue_wanted = head.expect_continue;
                            self.state = State::Length(Box::new((head, total)));
                            return Ok(None);
                        }
                        BodyKind::Chunked => {
                            self.continue_wanted = head.expect_continue;
                            let bytes = buf.split(head.len);
                            self.state = State::Chunked(Box::new(ChunkedBody {
                                head,
                                bytes,
                                body: Vec::new(),
                                chunks: Chunks::new(),
                            }));
                        }
                    }
                }
                State::Length(pending) => {
                    if buf.len() < pending.1 {
                        return Ok(None);
                    }
                    let State::Length(pending) = self.restart() else {
                        unreachable!("the state matched above");
                    };
                    let (head, total) = *pending;
                    let body_at = offset(head.len);
                    let bytes = buf.split(total);
                    return Ok(Some(head.into_parsed(bytes, Body::Tail(body_at), total)));
                }
                State::Chunked(chunked) => {
                    let ChunkedBody { body, chunks, .. } = &mut **chunked;
                    let (used, done) = chunks.decode(buf.data(), body, limits.max_body)?;
                    buf.consume(used);
                    if !done {
                        return Ok(None);
                    }
                    let State::Chunked(chunked) = self.restart() else {
                        unreachable!("the state matched above");
                    };
                    let ChunkedBody {
                        head,
                        bytes,
                        body,
                        chunks,
                    } = *chunked;
                    let consumed = head.len + chunks.consumed;
                    return Ok(Some(head.into_parsed(bytes, Body::Owned(body), consumed)));
                }
            }
        }
    }

    /// Puts the decoder back at the start of a request and returns the
    /// state it was in.
    fn restart(&mut self) -> State {
        self.continue_wanted = false;
        std::mem::replace(&mut self.state, State::Head { scanned: 0 })
    }
}

/// Frames the first request in `bytes` with a fresh decoder: for tools,
/// tests and fuzzing (see [`parse_request`](super::parse_request)).
pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Option<Parsed>, Reject> {
    let mut buf = ReadBuf::from_slice(bytes);
    Decoder::new().decode(&mut buf, limits)
}

/// Whether `data` holds the end of a head: a line end followed by an
/// empty line (`\n\r\n`, or `\n\n`, which httparse then parses and
/// `has_bare_lf` refuses).
fn ends_head(data: &[u8]) -> bool {
    memchr::memchr_iter(b'\n', data)
        .any(|i| matches!(&data[i + 1..], [b'\n', ..] | [b'\r', b'\n', ..]))
}

/// Parses a head at the start of `data`: `Ok(None)` while incomplete, else
/// what it says and how its body is delimited.
fn parse_head(data: &[u8], limits: &Limits) -> Result<Option<(Head, BodyKind)>, Reject> {
    // Uninitialised: httparse writes only the headers it finds, and
    // zeroing all 64 (2 KiB) would cost more than parsing a small request.
    let mut headers = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut []);
    let head_len = match req.parse_with_uninit_headers(data, &mut headers) {
        Ok(Status::Complete(len)) => len,
        Ok(Status::Partial) if data.len() > limits.max_head => return Err(too_large(data, limits)),
        Ok(Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(Reject::HeadersTooLarge),
        Err(httparse::Error::Version) => return Err(version_reject(data)),
        Err(_) => return Err(Reject::BadRequest),
    };
    if head_len > limits.max_head {
        return Err(too_large(data, limits));
    }
    if has_bare_lf(&data[..head_len]) {
        return Err(Reject::BadRequest);
    }

    // Where each part is: httparse's slices point into `data`.
    let base = data.as_ptr() as usize;
    let at = |part: &[u8]| offset(part.as_ptr() as usize - base);

    // The headers that frame the message, and every header's ranges.
    let mut fields = pool::take();
    fields.reserve(req.headers.len());
    let mut close = false;
    let mut keep_alive_token = false;
    let mut expect_continue = false;
    let mut length: Option<u64> = None;
    let mut chunked: Option<bool> = None; // Some(last coding is chunked)
    let mut chunked_codings = 0;
    let mut other_codings = 0;
    let mut hosts = 0;
    for header in req.headers.iter() {
        let name = header.name;
        let name_at = at(name.as_bytes());
        let value_at = at(header.value);
        fields.push([
            name_at,
            name_at + offset(name.len()),
            value_at,
            value_at + offset(header.value.len()),
        ]);
        if name.eq_ignore_ascii_case("host") {
            hosts += 1;
            if !is_host(header.value) {
                return Err(Reject::BadRequest);
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for token in header.value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                close |= token.eq_ignore_ascii_case(b"close");
                keep_alive_token |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            let value = parse_length(header.value).ok_or(Reject::BadRequest)?;
            if length.is_some_and(|earlier| earlier != value) {
                return Err(Reject::BadRequest);
            }
            length = Some(value);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // The codings of every `Transfer-Encoding` line form one list,
            // in order (RFC 9110 §5.3); empty list elements are skipped.
            for coding in header.value.split(|&b| b == b',') {
                let coding = coding.trim_ascii();
                if coding.is_empty() {
                    continue;
                }
                let is_chunked = coding.eq_ignore_ascii_case(b"chunked");
                chunked_codings += usize::from(is_chunked);
                other_codings += usize::from(!is_chunked);
                chunked = Some(is_chunked);
            }
            // A line with no coding at all is still a transfer coding the
            // server cannot decode.
            chunked.get_or_insert(false);
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue |= header
                .value
                .trim_ascii()
                .eq_ignore_ascii_case(b"100-continue");
        }
    }
    let version = match req.version {
        Some(0) => Version::Http10,
        _ => Version::Http11,
    };
    // RFC 9112 §3.2: one `Host`, required from HTTP/1.1 clients.
    if hosts > 1 || (hosts == 0 && version == Version::Http11) {
        return Err(Reject::BadRequest);
    }
    // RFC 9112 §6.1: chunked must not be applied more than once.
    if chunked_codings > 1 {
        return Err(Reject::BadRequest);
    }
    // RFC 9112 §6.1: `Transfer-Encoding` in an HTTP/1.0 request is faulty
    // framing, whatever else the request says.
    if chunked.is_some() && version == Version::Http10 {
        return Err(Reject::BadRequest);
    }
    // RFC 9112 §6.1: a coding the server does not understand gets `501`
    // (once the framing itself is sound: chunked, once, last).
    if chunked == Some(true) && other_codings > 0 {
        return Err(Reject::NotImplemented);
    }
    let body_kind = match (chunked, length) {
        (Some(_), Some(_)) => return Err(Reject::BadRequest),
        (Some(true), None) => BodyKind::Chunked,
        // RFC 9112 §6.3: a request whose final coding is not chunked has no
        // knowable length.
        (Some(false), None) => return Err(Reject::BadRequest),
        (None, Some(len)) => BodyKind::Length(len),
        (None, None) => BodyKind::Empty,
    };
    let keep_alive = match version {
        Version::Http11 => !close,
        Version::Http10 => keep_alive_token && !close,
    };
    let path = req.path.unwrap_or("");
    let target = match origin_form(path) {
        // A part of the path: a range of the head.
        Cow::Borrowed(target) if data.as_ptr_range().contains(&target.as_ptr()) => {
            let start = at(target.as_bytes());
            Target::At(start, start + offset(target.len()))
        }
        // The `"/"` of an absolute form with an empty path, or rewritten.
        target => Target::Owned(target.into()),
    };
    let head = Head {
        method: request::method_name(req.method.unwrap_or("")),
        target,
        version,
        fields,
        keep_alive,
        expect_continue,
        len: head_len,
    };
    Ok(Some((head, body_kind)))
}

/// Whether `head` ends a line with a bare LF (no CR before it).
///
/// httparse accepts bare LF line ends, as RFC 9112 §2.2 lets a recipient
/// do. spindle refuses them with `400`: a proxy in front of the server that
/// splits lines differently would see a different request, which is how
/// request smuggling starts. memchr jumps from one LF to the next (a word
/// or a vector at a time), so only the line ends are looked at.
fn has_bare_lf(head: &[u8]) -> bool {
    memchr::memchr_iter(b'\n', head).any(|i| i == 0 || head[i - 1] != b'\r')
}

/// The target as a server routes it: an absolute-form target
/// (`scheme://authority/path?query`, RFC 9112 §3.2.2) becomes its path and
/// query, with `/` for an empty path; any other target is kept as it is.
///
/// Borrowed unless the path is empty (`http://example` or
/// `http://example?q`), the one case that needs a `/` in front.
fn origin_form(target: &str) -> Cow<'_, str> {
    // Origin form, nearly every request: no substring search (building
    // `split_once("://")`'s searcher costs more than the rest of the check).
    if target.starts_with('/') {
        return Cow::Borrowed(target);
    }
    // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    let Some((scheme, rest)) = target.split_once("://") else {
        return Cow::Borrowed(target);
    };
    let is_scheme = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !is_scheme {
        return Cow::Borrowed(target);
    }
    match rest.find(['/', '?']) {
        Some(at) if rest.as_bytes()[at] == b'/' => Cow::Borrowed(&rest[at..]),
        Some(at) => Cow::Owned(format!("/{}", &rest[at..])),
        None => Cow::Borrowed("/"),
    }
}

/// The reject for a head over the limit: `414` while the request line is
/// still not complete, else `431`.
fn too_large(buf: &[u8], limits: &Limits) -> Reject {
    let scanned = &buf[..buf.len().min(limits.max_head)];
    match memchr::memchr(b'\n', scanned) {
        None => Reject::UriTooLong,
        Some(_) => Reject::HeadersTooLarge,
    }
}

/// The reject for a request line whose version httparse refused: `505`
/// for a well-formed `HTTP/x.y` with a major version other than 1, else
/// `400`.
fn version_reject(buf: &[u8]) -> Reject {
    let line_end = memchr::memchr(b'\n', buf).unwrap_or(buf.len());
    let line = buf[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&buf[..line_end]);
    match line.rsplit(|&b| b == b' ').next() {
        Some([b'H', b'T', b'T', b'P', b'/', major, b'.', minor])
            if major.is_ascii_digit() && minor.is_ascii_digit() && *major != b'1' =>
        {
            Reject::VersionNotSupported
        }
        _ => Reject::BadRequest,
    }
}

/// Whether `value` is a valid `Host`: `uri-host [ ":" port ]` (RFC 9110
/// §7.2), checked as the characters a reg-name, an IP literal and a port
/// may hold (RFC 3986 §3.2.2): no whitespace, no `/`, `?`, `#` or `@`.
fn is_host(value: &[u8]) -> bool {
    value.iter().all(|&b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
                    | b':'
                    | b'['
                    | b']'
            )
    })
}

/// Parses a `Content-Length` value: one or more ASCII digits, nothing else.
fn parse_length(value: &[u8]) -> Option<u64> {
    let value = value.trim_ascii();
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_head: 8192,
        max_body: 1024,
    };

    fn complete(bytes: &[u8]) -> Parsed {
        parse(bytes, &LIMITS).unwrap().expect("a complete request")
    }

    #[test]
    fn simple_get() {
        let parsed = complete(b"GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(parsed.request.method(), "GET");
        assert_eq!(parsed.request.path(), "/plaintext");
        assert_eq!(parsed.request.header("host"), Some(&b"a"[..]));
        assert_eq!(parsed.consumed, 36);
        assert!(parsed.keep_alive);
    }

    #[test]
    fn host_is_required_once_in_http_1_1_and_at_most_once_in_http_1_0() {
        let parse = |bytes: &[u8]| parse(bytes, &LIMITS).map(|parsed| parsed.is_some());
        assert_eq!(parse(b"GET / HTTP/1.1\r\n\r\n"), Err(Reject::BadRequest));
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nHost: a\r\nHOST: a\r\n\r\n"),
            Err(Reject::BadRequest)
        );
        assert_eq!(
            parse(b"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"),
            Err(Reject::BadRequest)
        );
        assert_eq!(parse(b"GET / HTTP/1.0\r\n\r\n"), Ok(true));
        assert_eq!(parse(b"GET / HTTP/1.1\r\nHost:\r\n\r\n"), Ok(true));
    }

    #[test]
    fn chunked_twice_or_not_last_is_rejected() {
        for codings in [
            &b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"[..],
            b"Transfer-Encoding: chunked, chunked",
            b"Transfer-Encoding: chunked,,chunked",
            b"Transfer-Encoding: chunked, gzip",
            b"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip",
            b"Transfer-Encoding: ",
        ] {
            let mut bytes = b"POST / HTTP/1.1\r\nHost: x\r\n".to_vec();
            bytes.extend_from_slice(codings);
            bytes.extend_from_slice(b"\r\n\r\n0\r\n\r\n");
            assert_eq!(
                parse(&bytes, &LIMITS).map(|_| ()),
                Err(Reject::BadRequest),
                "{}",
                String::from_utf8_lossy(codings)
            );
        }
        // Chunked last, after a coding the server does not decode: 501.
        let gzip = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\
              Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
        assert_eq!(
            parse(gzip, &LIMITS).map(|_| ()),
            Err(Reject::NotImplemented)
        );
    }

    #[test]
    fn absolute_form_keeps_the_path_and_query() {
        assert_eq!(origin_form("/a?b"), "/a?b");
        assert_eq!(origin_form("*"), "*");
        assert_eq!(origin_form("example.com:443"), "example.com:443");
        assert_eq!(origin_form("http://example/"), "/");
        assert_eq!(origin_form("http://example"), "/");
        assert_eq!(origin_form("https://user@example:8080/a/b?c=d"), "/a/b?c=d");
        assert_eq!(origin_form("http://example?q"), "/?q");
        // Not a scheme: kept as sent (and routed nowhere).
        assert_eq!(
            origin_form("/redirect?to=http://x/"),
            "/redirect?to=http://x/"
        );
        assert_eq!(origin_form("1http://x/"), "1http://x/");
        let parsed = complete(b"GET http://example/plaintext?x HTTP/1.1\r\nHost: example\r\n\r\n");
        assert_eq!(parsed.request.target(), "/plaintext?x");
    }

    #[test]
    fn bare_lf_is_found_anywhere_and_crlf_is_not() {
        assert!(!has_bare_lf(b""));
        assert!(!has_bare_lf(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(has_bare_lf(b"\n"));
        assert!(has_bare_lf(b"GET / HTTP/1.1\r\nHost: x\r\n\n"));
        // Past the first 32 bytes too, where memchr works a vector at a time.
        let mut long = b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: ".to_vec();
        long.extend_from_slice(&[b'a'; 100]);
        long.extend_from_slice(b"\r\n\r\n");
        assert!(!has_bare_lf(&long));
        long.insert(90, b'\n');
        assert!(has_bare_lf(&long));
    }

    #[test]
    fn incomplete_head_needs_more() {
        assert!(parse(b"GET / HTTP/1.1\r\nHost:", &LIMITS)
            .unwrap()
            .is_none());
        assert!(parse(b"", &LIMITS).unwrap().is_none());
    }

    #[test]
    fn pipelined_requests_are_split_at_the_boundary() {
        let bytes = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
        let first = complete(bytes);
        assert_eq!(first.request.path(), "/a");
        let second = complete(&bytes[first.consumed..]);
        assert_eq!(second.request.path(), "/b");
        assert_eq!(first.consumed + second.consumed, bytes.len());
    }

    #[test]
    fn keep_alive_defaults_by_version() {
        assert!(complete(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").keep_alive);
        assert!(!complete(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").keep_alive);
        assert!(!complete(b"GET / HTTP/1.0\r\n\r\n").keep_alive);
        assert!(complete(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
        assert!(
            !complete(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade, close\r\n\r\n")
                .keep_alive
        );
    }

    #[test]
    fn content_length_body() {
        let bytes = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET";
        let parsed = complete(bytes);
        assert_eq!(parsed.request.body(), b"hello");
        assert_eq!(&bytes[parsed.consumed..], b"GET");
        assert!(parse(&bytes[..40], &LIMITS).unwrap().is_none());
    }

    #[test]
    fn chunked_body_with_extension_and_trailer() {
        let bytes = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
                      5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: y\r\n\r\nNEXT";
        let parsed = complete(bytes);
        assert_eq!(parsed.request.body(), b"hello world");
        assert_eq!(&bytes[parsed.consumed..], b"NEXT");
        // Every strict prefix is incomplete, never an error.
        for cut in 0..bytes.len() - 4 {
            assert!(
                parse(&bytes[..cut], &LIMITS).unwrap().is_none(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn chunk_without_crlf_after_data_is_rejected() {
        let bytes = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n";
        assert_eq!(parse(bytes, &LIMITS).unwrap_err(), Reject::BadRequest);
    }

    #[test]
    fn length_and_chunked_together_is_rejected() {
        let bytes = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(parse(bytes, &LIMITS).unwrap_err(), Reject::BadRequest);
    }

    #[test]
    fn conflicting_or_invalid_lengths_are_rejected() {
        for bytes in [
            &b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1,1\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        ] {
            assert_eq!(parse(bytes, &LIMITS).unwrap_err(), Reject::BadRequest);
        }
        // The same length twice is not a conflict.
        let same = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx";
        assert_eq!(complete(same).request.body(), b"x");
    }

    #[test]
    fn bodies_over_the_limit_are_rejected() {
        let declared = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n";
        assert_eq!(
            parse(declared, &LIMITS).unwrap_err(),
            Reject::PayloadTooLarge
        );
        let chunked = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n";
        assert_eq!(
            parse(chunked, &LIMITS).unwrap_err(),
            Reject::PayloadTooLarge
        );
    }

    #[test]
    fn heads_over_the_limit_are_rejected() {
        let mut big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
        big.resize(8200, b'a');
        assert_eq!(parse(&big, &LIMITS).unwrap_err(), Reject::HeadersTooLarge);
        big.extend_from_slice(b"\r\n\r\n");
        assert_eq!(parse(&big, &LIMITS).unwrap_err(), Reject::HeadersTooLarge);
        let mut many = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
        for i in 0..70 {
            many.extend_from_slice(format!("X-{i}: 1\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(parse(&many, &LIMITS).unwrap_err(), Reject::HeadersTooLarge);
    }

    #[test]
    fn expect_100_continue_is_seen_once_the_head_is_complete() {
        let head =
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
        let mut decoder = Decoder::new();
        let mut buf = ReadBuf::from_slice(&head[..20]);
        assert!(decoder.decode(&mut buf, &LIMITS).unwrap().is_none());
        assert!(!decoder.take_continue());
        let mut buf = ReadBuf::from_slice(head);
        assert!(decoder.decode(&mut buf, &LIMITS).unwrap().is_none());
        assert!(decoder.take_continue());
        assert!(!decoder.take_continue(), "once per request");
        let mut plain = Decoder::new();
        let mut buf =
            ReadBuf::from_slice(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n");
        assert!(plain.decode(&mut buf, &LIMITS).unwrap().is_none());
        assert!(!plain.take_continue());
    }

    #[test]
    fn a_head_in_many_reads_is_searched_only_in_the_new_bytes() {
        let request = b"GET /a HTTP/1.1\r\nHost: x\r\nX-Long: abcdefghij\r\n\r\n";
        for cut in 1..request.len() {
            let mut decoder = Decoder::new();
            let mut buf = ReadBuf::from_slice(&request[..cut]);
            assert!(
                decoder.decode(&mut buf, &LIMITS).unwrap().is_none(),
                "cut {cut}"
            );
            buf.make_room(request.len());
            buf.spare()[..request.len() - cut].copy_from_slice(&request[cut..]);
            buf.filled(request.len() - cut);
            let parsed = decoder
                .decode(&mut buf, &LIMITS)
                .unwrap()
                .expect("complete");
            assert_eq!(parsed.request.target(), "/a", "cut {cut}");
            assert!(buf.is_empty());
        }
    }

    #[test]
    fn malformed_heads_are_rejected() {
        for bytes in [
            &b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"[..],
            b"GET / HTTP/1.x\r\n\r\n",
            b"\x01\x02\x03 / HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n: no-name\r\n\r\n",
            b"GET / HTTP/1.1\nHost: x\n\n",
            b"GET / HTTP/1.1\r\nHost: x\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n\n",
        ] {
            assert_eq!(
                parse(bytes, &LIMITS).unwrap_err(),
                Reject::BadRequest,
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn other_major_versions_get_505_and_long_request_lines_414() {
        let reject = |bytes: &[u8]| parse(bytes, &LIMITS).map(|_| ()).unwrap_err();
        assert_eq!(
            reject(b"GET / HTTP/9.9\r\n\r\n"),
            Reject::VersionNotSupported
        );
        assert_eq!(
            reject(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
            Reject::VersionNotSupported
        );
        let mut long = b"GET /".to_vec();
        long.resize(9000, b'a');
        assert_eq!(reject(&long), Reject::UriTooLong);
    }

    /// One valid request for the property test: its bytes, and what the
    /// parser must make of it (method, target, body).
    fn request_strategy(
    ) -> impl proptest::strategy::Strategy<Value = (Vec<u8>, (String, String, Vec<u8>))> {
        use proptest::prelude::*;
        let method = prop_oneof![Just("GET"), Just("HEAD"), Just("POST"), Just("PUT")];
        let target = "/[a-z0-9]{0,12}(\\?[a-z]=[0-9]{1,3})?";
        let body = proptest::collection::vec(any::<u8>(), 0..64);
        let chunked = any::<bool>();
        let extra = proptest::collection::vec(("[A-Za-z][A-Za-z-]{0,10}", "[ -~]{0,20}"), 0..4);
        (method, target, body, chunked, extra).prop_map(|(method, target, body, chunked, extra)| {
            let mut bytes = format!("{method} {target} HTTP/1.1\r\nHost: x\r\n").into_bytes();
            for (name, value) in extra {
                // Skip the framing headers: they would change the body rules.
                let lower = name.to_ascii_lowercase();
                if lower == "content-length"
                    || lower == "transfer-encoding"
                    || lower == "connection"
                {
                    continue;
                }
                bytes.extend_from_slice(format!("X-{name}: {}\r\n", value.trim()).as_bytes());
            }
            if chunked {
                bytes.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                for piece in body.chunks(7) {
                    bytes.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                    bytes.extend_from_slice(piece);
                    bytes.extend_from_slice(b"\r\n");
                }
                bytes.extend_from_slice(b"0\r\n\r\n");
            } else {
                bytes.extend_from_slice(
                    format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(),
                );
                bytes.extend_from_slice(&body);
            }
            (bytes, (method.to_string(), target, body))
        })
    }

    #[test]
    fn a_head_that_took_two_reads_leaves_no_mark_on_the_next_one() {
        let mut decoder = Decoder::new();
        let first = b"GET /a HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaa\r\n\r\n";
        let mut buf = ReadBuf::from_slice(&first[..30]);
        assert!(decoder.decode(&mut buf, &LIMITS).unwrap().is_none());
        let rest = [&first[30..], &b"GET /b HTTP/1.1\r\nHost: x\r\n\r\nGET"[..]].concat();
        buf.make_room(rest.len());
        buf.spare()[..rest.len()].copy_from_slice(&rest);
        buf.filled(rest.len());
        let a = decoder.decode(&mut buf, &LIMITS).unwrap().expect("a");
        let b = decoder.decode(&mut buf, &LIMITS).unwrap().expect("b");
        assert_eq!((a.request.target(), b.request.target()), ("/a", "/b"));
        assert!(decoder.decode(&mut buf, &LIMITS).unwrap().is_none());
        assert_eq!(buf.data(), b"GET");
    }

    /// Feeds `stream` to one decoder in reads of the given sizes, the way
    /// a connection reads, and returns every request framed.
    fn frame_in_reads(stream: &[u8], reads: &[usize]) -> Vec<(String, String, Vec<u8>)> {
        let mut decoder = Decoder::new();
        let mut buf = ReadBuf::new();
        let mut framed = Vec::new();
        let mut at = 0;
        let mut sizes = reads.iter().copied().cycle();
        while at < stream.len() {
            let n = sizes.next().unwrap_or(1).clamp(1, stream.len() - at);
            buf.make_room(n);
            buf.spare()[..n].copy_from_slice(&stream[at..at + n]);
            buf.filled(n);
            at += n;
            while let Some(parsed) = decoder.decode(&mut buf, &LIMITS).expect("a valid stream") {
                let r = &parsed.request;
                framed.push((
                    r.method().to_string(),
                    r.target().to_string(),
                    r.body().to_vec(),
                ));
            }
        }
        assert!(buf.is_empty() && decoder.at_start(), "bytes left over");
        framed
    }

    proptest::proptest! {
        /// Any split of a valid pipelined byte stream into reads gives the
        /// same requests, in the same order, as the stream in one read.
        #[test]
        fn any_split_into_reads_frames_the_same_requests(
            requests in proptest::collection::vec(request_strategy(), 1..8),
            reads in proptest::collection::vec(1usize..40, 1..16),
        ) {
            let stream: Vec<u8> = requests.iter().flat_map(|(bytes, _)| bytes.clone()).collect();
            let expected: Vec<_> = requests.into_iter().map(|(_, parts)| parts).collect();
            proptest::prop_assert_eq!(&frame_in_reads(&stream, &[stream.len()]), &expected);
            proptest::prop_assert_eq!(&frame_in_reads(&stream, &reads), &expected);
        }
    }
}
