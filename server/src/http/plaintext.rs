//! The built-in HTTP handler: the plaintext benchmark's "Hello, World!".
//!
//! It is an ordinary `async fn(Request) -> Response`, served through the
//! same [`Server::serve_http`](crate::Server::serve_http) a user's handler
//! goes through. The routes:
//!
//! | request | response |
//! | --- | --- |
//! | `GET /`, `GET /plaintext` | `200`, `text/plain`, `Hello, World!` |
//! | `HEAD` on those | the same headers, no body |
//! | another method on those | `405` with `Allow: GET, HEAD` |
//! | any other path | `404`, empty body |
//!
//! A request body (`Content-Length` or chunked) has already been read by
//! the connection, within the body limit, and is simply dropped here.

use crate::http::{Request, Response};

/// The body of the plaintext benchmark.
const HELLO: &str = "Hello, World!";

/// Answers the plaintext routes (see the module docs).
///
/// # Examples
///
/// ```
/// use spindle_server::http::{hello_world, Request};
///
/// spindle::block_on(async {
///     let response = hello_world(Request::new("GET", "/plaintext")).await;
///     assert_eq!(response.status(), 200);
///     assert_eq!(response.body(), b"Hello, World!");
///     assert_eq!(hello_world(Request::new("GET", "/nope")).await.status(), 404);
///     assert_eq!(hello_world(Request::new("POST", "/")).await.status(), 405);
/// });
/// ```
pub async fn hello_world(request: Request) -> Response {
    match request.path() {
        "/" | "/plaintext" => match request.method() {
            "GET" | "HEAD" => Response::new(200)
                .with_header("Content-Type", "text/plain")
                .with_body(HELLO),
            _ => Response::new(405).with_header("Allow", "GET, HEAD"),
        },
        _ => Response::new(404),
    }
}
