//! Fuzzes the HTTP/1.x request framing: any bytes, framed request after
//! request the way a connection frames pipelined requests, must give
//! requests, "need more bytes", or a reject status (400, 413, 414, 431, or
//! 501/505 for a coding or a version the server does not implement) —
//! never a panic, a hang, or a request that claims more bytes than it was
//! given.
//!
//! Run it with `cargo +nightly fuzz run http_request` from the repository
//! root; seed it with the attack suite's malformed requests first
//! (`cargo run -p spindle-tests --bin fuzz-seeds -- fuzz/corpus/http_request`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use spindle_server::http::parse_request;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    loop {
        match parse_request(rest) {
            Ok(Some((request, used))) => {
                assert!(used > 0 && used <= rest.len(), "a request used {used} of {} bytes", rest.len());
                assert!(request.body().len() <= used);
                let _ = (request.method(), request.path(), request.query(), request.version());
                rest = &rest[used..];
            }
            Ok(None) => break,
            Err(status) => {
                assert!(
                    matches!(status, 400 | 413 | 414 | 431 | 501 | 505),
                    "unexpected status {status}"
                );
                break;
            }
        }
    }
});
