//! HTTP/1.1: requests, responses, framing and the per-connection loop.
//!
//! | file | concept |
//! | --- | --- |
//! | `request.rs` | [`Request`]: method, target, version, headers, body |
//! | `buffer.rs` | the read buffer a request's bytes are split from without a copy |
//! | `pool.rs` | the per-thread arena a request's header ranges come from and go back to |
//! | `response.rs` | [`Response`] and how it is encoded |
//! | `framing.rs` | where a request ends (httparse, `Content-Length`), kept between reads |
//! | `chunked.rs` | the chunked coding, decoded as it arrives |
//! | `connection.rs` | the connection loop: keep-alive, pipelining, timeouts |
//! | `date.rs` | the cached `Date` header |
//! | `plaintext.rs` | [`hello_world`], the built-in handler |

mod buffer;
mod chunked;
pub(crate) mod connection;
mod date;
mod framing;
mod plaintext;
mod pool;
mod request;
mod response;

pub use plaintext::hello_world;
pub use request::{Request, Version};
pub use response::{Body, Response};

use crate::Config;

/// Finds the first HTTP/1.x request at the start of `bytes`, exactly as a
/// connection does, with the default size limits
/// ([`Config::DEFAULT_MAX_HEAD_SIZE`], [`Config::DEFAULT_MAX_BODY_SIZE`]).
///
/// For tools, tests and fuzzing: the server calls the same framing code on
/// each connection's bytes.
///
/// # Examples
///
/// ```
/// use spindle_server::http::parse_request;
///
/// let bytes = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n";
/// let (first, used) = parse_request(bytes).unwrap().unwrap();
/// assert_eq!(first.path(), "/a");
/// assert!(matches!(parse_request(&bytes[used..]), Ok(None))); // incomplete
/// assert!(matches!(parse_request(b"GET / HTTP/1.1\nHost: x\n\n"), Err(400)));
/// ```
///
/// # Errors
///
/// The status code that rejects the bytes: `400` (malformed, ambiguous
/// length), `413` (body too large), `414` (request line too long), `431`
/// (head too large), `501` (a transfer coding other than chunked) or `505`
/// (an HTTP major version other than 1). No amount of further bytes can
/// make them a valid request.
pub fn parse_request(bytes: &[u8]) -> Result<Option<(Request, usize)>, u16> {
    let limits = framing::Limits {
        max_head: Config::DEFAULT_MAX_HEAD_SIZE,
        max_body: Config::DEFAULT_MAX_BODY_SIZE,
    };
    match framing::parse(bytes, &limits) {
        Ok(Some(parsed)) => Ok(Some((parsed.request, parsed.consumed))),
        Ok(None) => Ok(None),
        Err(reject) => Err(reject.status()),
    }
}
