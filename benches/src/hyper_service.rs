//! The plaintext service as a hyper 1.x service, shared by the two hyper
//! contenders (`hyper-tokio`, `hyper-spindle`).
//!
//! The hand-written contenders answer from [`crate::http`]; hyper parses
//! and frames on its own, so this module only has to pick the answer and
//! set the same headers, in the same order, so the bytes on the wire match
//! the other contenders' where hyper allows:
//!
//! - [`builder`] turns on `title_case_headers`, so hyper writes `Server:`
//!   rather than `server:`; hyper then appends its own cached `Date:` (it
//!   formats the date at most once a second, as [`crate::date`] does) after
//!   the headers set here, which is where the others put it.
//! - A `200 OK` and a `404 Not Found` are byte for byte the other
//!   contenders'. Two answers hyper writes itself, so they differ: a request
//!   hyper cannot parse gets hyper's own `400` (no `Server:` line,
//!   `Connection: close` before `Content-Length`), and the response to a
//!   request that asked to close carries an added `Connection: close`.
//!
//! Both contenders set the same options (a timer for hyper's 30 s
//! `header_read_timeout`, so the runtime's timers are part of the
//! measurement as in any real hyper server) and leave every other option at
//! hyper's default: this is the stack as a user would pick it.

use std::convert::Infallible;
use std::future::{ready, Ready};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, SERVER};
use hyper::{Method, Request, Response, StatusCode};

use crate::http::HELLO;

/// The service function both hyper contenders hand to `serve_connection`:
/// the answer, ready at once (the handler does no I/O).
///
/// # Examples
///
/// ```
/// use http_body_util::BodyExt;
///
/// let request = hyper::Request::get("/plaintext").body(()).unwrap();
/// let response = spindle::block_on(spindle_benches::hyper_service::serve(request)).unwrap();
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["server"], "spindle");
/// let body = spindle::block_on(response.into_body().collect()).unwrap().to_bytes();
/// assert_eq!(&body[..], b"Hello, World!");
/// ```
pub fn serve<B>(request: Request<B>) -> Ready<Result<Response<Full<Bytes>>, Infallible>> {
    ready(Ok(answer(&request)))
}

/// The answer to `request`: `200 OK` with `Hello, World!` for `GET /` and
/// `GET /plaintext`, `404 Not Found` with an empty body for anything else.
///
/// # Examples
///
/// ```
/// let request = hyper::Request::post("/").body(()).unwrap();
/// let response = spindle_benches::hyper_service::answer(&request);
/// assert_eq!(response.status(), 404);
/// assert_eq!(response.headers()["content-length"], "0");
/// ```
pub fn answer<B>(request: &Request<B>) -> Response<Full<Bytes>> {
    let found =
        request.method() == Method::GET && matches!(request.uri().path(), "/" | "/plaintext");
    let (status, body) = if found {
        (StatusCode::OK, Bytes::from_static(HELLO))
    } else {
        (StatusCode::NOT_FOUND, Bytes::new())
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    // The order the other contenders write them in; hyper adds `Date:` last.
    let headers = response.headers_mut();
    headers.insert(SERVER, HeaderValue::from_static("spindle"));
    if found {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("13"));
    } else {
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
    response
}

/// The http1 connection builder both hyper contenders use, before their
/// runtime's timer is set: title-case header names, everything else
/// hyper's default.
///
/// # Examples
///
/// ```
/// let mut builder = spindle_benches::hyper_service::builder();
/// builder.timer(spindle::hyper::SpindleTimer::new());
/// ```
pub fn builder() -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.title_case_headers(true);
    builder
}

/// Tells the user that a hyper contender serves HTTP only.
///
/// `compare` never asks a hyper contender for echo (see its
/// `speaks`); this is the answer for a person who does.
pub const HTTP_ONLY: &str = "serves --mode http only (hyper is an HTTP stack)";
