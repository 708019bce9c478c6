//! HTTP/1.1: requests, responses, framing and the per-connection loop.
//!
//! | file | concept |
//! | --- | --- |
//! | `request.rs` | [`Request`]: method, target, version, headers, body |
//! | `response.rs` | [`Response`] and how it is encoded |
//! | `framing.rs` | where a request ends (httparse, `Content-Length`, chunked) |
//! | `connection.rs` | the connection loop: keep-alive, pipelining, timeouts |
//! | `date.rs` | the cached `Date` header |
//! | `plaintext.rs` | [`hello_world`], the built-in handler |

pub(crate) mod connection;
mod date;
mod framing;
mod plaintext;
mod request;
mod response;

pub use plaintext::hello_world;
pub use request::{Request, Version};
pub use response::{Body, Response};
