//! HTTP/1.1 on the wire: the exact bytes of every response the built-in
//! handler gives, keep-alive and `Connection: close`, HTTP/1.0, pipelining,
//! request bodies, and each 4xx answer to bad input.

mod support;

use std::io::Write;

use support::{error_close, read_response, read_to_close, TestServer, HELLO, HELLO_CLOSE};

#[test]
fn get_root_and_plaintext_say_hello() {
    let server = TestServer::hello();
    for path in ["/", "/plaintext"] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_eq!(server.exchange(request.as_bytes()), HELLO_CLOSE);
    }
}

#[test]
fn keep_alive_is_the_default_in_http_1_1() {
    let server = TestServer::hello();
    let mut stream = server.connect();
    for _ in 0..3 {
        stream
            .write_all(b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut stream, false), HELLO);
    }
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert_eq!(support::normalize(&read_to_close(&mut stream)), HELLO_CLOSE);
    assert_eq!(server.handle.metrics()[0].requests, 4);
}

#[test]
fn head_has_the_headers_without_the_body() {
    let server = TestServer::hello();
    let mut stream = server.connect();
    stream
        .write_all(b"HEAD /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_response(&mut stream, true),
        HELLO.strip_suffix("Hello, World!").unwrap()
    );
    // The connection is still usable: no stray body bytes were sent.
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut stream, false), HELLO);
}

#[test]
fn unknown_path_is_404() {
    let server = TestServer::hello();
    let mut stream = server.connect();
    stream
        .write_all(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_response(&mut stream, false),
        "HTTP/1.1 404 Not Found\r\nServer: spindle\r\nContent-Length: 0\r\nDate: <date>\r\n\r\n"
    );
}

#[test]
fn other_methods_are_405_with_allow() {
    let server = TestServer::hello();
    let mut stream = server.connect();
    for method in ["POST", "PUT", "DELETE"] {
        let request =
            format!("{method} /plaintext HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        assert_eq!(
            read_response(&mut stream, false),
            "HTTP/1.1 405 Method Not Allowed\r\nServer: spindle\r\nAllow: GET, HEAD\r\n\
             Content-Length: 0\r\nDate: <date>\r\n\r\n"
        );
    }
}

#[test]
fn http_1_0_closes_unless_keep_alive_is_asked() {
    let server = TestServer::hello();
    assert_eq!(server.exchange(b"GET / HTTP/1.0\r\n\r\n"), HELLO_CLOSE);

    let mut stream = server.connect();
    stream
        .write_all(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_response(&mut stream, false),
        HELLO.replace("Date:", "Connection: keep-alive\r\nDate:")
    );
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(support::normalize(&read_to_close(&mut stream)), HELLO_CLOSE);
}

#[test]
fn a_hundred_pipelined_requests_are_answered_in_order() {
    let server = TestServer::hello();
    let mut stream = server.connect();
    let mut requests = Vec::new();
    let mut expected = String::new();
    for i in 0..100 {
        // Alternate paths so that order is visible in the answers.
        let path = if i % 2 == 0 { "/plaintext" } else { "/missing" };
        requests.extend_from_slice(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        expected += if i % 2 == 0 {
            HELLO
        } else {
            "HTTP/1.1 404 Not Found\r\nServer: spindle\r\nContent-Length: 0\r\nDate: <date>\r\n\r\n"
        };
    }
    requests.extend_from_slice(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expected += HELLO_CLOSE;
    stream.write_all(&requests).unwrap(); // one write
    assert_eq!(support::normalize(&read_to_close(&mut stream)), expected);
    assert_eq!(server.handle.metrics()[0].requests, 101);
}

#[test]
fn request_bodies_are_read_and_discarded() {
    let server = TestServer::hello();
    let mut stream = server.connect();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello worldGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut stream, false), HELLO);
    assert_eq!(read_response(&mut stream, false), HELLO);
    // Chunked, split over several writes, with a trailer.
    for part in [
        &b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"[..],
        b"lo\r\n6;x=y\r\n world\r\n0\r\nTrailer: 1\r\n",
        b"\r\n",
    ] {
        stream.write_all(part).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(read_response(&mut stream, false), HELLO);
}

#[test]
fn malformed_requests_get_400_and_close() {
    let server = TestServer::hello();
    for request in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ] {
        assert_eq!(
            server.exchange(request),
            error_close("400 Bad Request"),
            "{request:?}"
        );
    }
}

#[test]
fn http_1_1_without_host_gets_400_and_close() {
    let server = TestServer::hello();
    assert_eq!(
        server.exchange(b"GET / HTTP/1.1\r\n\r\n"),
        error_close("400 Bad Request")
    );
}

#[test]
fn http_1_0_without_host_is_answered() {
    let server = TestServer::hello();
    assert_eq!(server.exchange(b"GET / HTTP/1.0\r\n\r\n"), HELLO_CLOSE);
}

#[test]
fn two_host_headers_get_400_and_close() {
    let server = TestServer::hello();
    for request in [
        &b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n",
        b"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
    ] {
        assert_eq!(
            server.exchange(request),
            error_close("400 Bad Request"),
            "{request:?}"
        );
    }
}

#[test]
fn chunked_applied_twice_gets_400_and_close() {
    let server = TestServer::hello();
    let body = "5\r\nhello\r\n0\r\n\r\n";
    for codings in [
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked, chunked",
        "Transfer-Encoding: gzip, chunked\r\nTransfer-Encoding: chunked",
    ] {
        let request = format!("POST / HTTP/1.1\r\nHost: x\r\n{codings}\r\n\r\n{body}");
        assert_eq!(
            server.exchange(request.as_bytes()),
            error_close("400 Bad Request"),
            "{codings:?}"
        );
    }
}

#[test]
fn chunked_not_last_gets_400_and_close() {
    let server = TestServer::hello();
    let body = "5\r\nhello\r\n0\r\n\r\n";
    for codings in [
        "Transfer-Encoding: chunked, gzip",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip",
    ] {
        let request = format!("POST / HTTP/1.1\r\nHost: x\r\n{codings}\r\n\r\n{body}");
        assert_eq!(
            server.exchange(request.as_bytes()),
            error_close("400 Bad Request"),
            "{codings:?}"
        );
    }
}

#[test]
fn absolute_form_target_is_routed_as_its_path() {
    let server = TestServer::hello();
    let mut stream = server.connect();
    for target in [
        "http://example/",
        "http://example",
        "HTTP://example:8080/plaintext",
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: example\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        assert_eq!(read_response(&mut stream, false), HELLO, "{target}");
    }
    stream
        .write_all(b"GET http://example/nope HTTP/1.1\r\nHost: example\r\n\r\n")
        .unwrap();
    assert!(read_response(&mut stream, false).starts_with("HTTP/1.1 404 Not Found\r\n"));
}

#[test]
fn requests_before_a_bad_one_are_answered_first() {
    let server = TestServer::hello();
    let answer = server.exchange(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nBAD\r\n\r\n");
    assert_eq!(answer, format!("{HELLO}{}", error_close("400 Bad Request")));
}

#[test]
fn a_body_over_the_limit_gets_413_and_close() {
    let config = spindle_server::Config {
        max_body_size: 1000,
        ..Default::default()
    };
    let server = TestServer::http(config, spindle_server::http::hello_world);
    let declared = server.exchange(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n");
    assert_eq!(declared, error_close("413 Content Too Large"));
    let mut chunked = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..3 {
        chunked.extend_from_slice(b"190\r\n");
        chunked.extend_from_slice(&[b'a'; 400]);
        chunked.extend_from_slice(b"\r\n");
    }
    assert_eq!(
        server.exchange(&chunked),
        error_close("413 Content Too Large")
    );
    // Exactly at the limit is fine.
    let mut at_limit =
        b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n"
            .to_vec();
    at_limit.extend_from_slice(&[b'a'; 1000]);
    assert!(server
        .exchange(&at_limit)
        .starts_with("HTTP/1.1 404 Not Found\r\n"));
}

#[test]
fn headers_over_8_kib_get_431_and_close() {
    let server = TestServer::hello();
    let mut request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    request.extend_from_slice(&[b'a'; 9000]);
    request.extend_from_slice(b"\r\n\r\n");
    assert_eq!(
        server.exchange(&request),
        error_close("431 Request Header Fields Too Large")
    );
    // Never finished, but already too big: answered without waiting.
    let mut stream = server.connect();
    stream.write_all(&request[..8500]).unwrap();
    assert_eq!(
        support::normalize(&read_to_close(&mut stream)),
        error_close("431 Request Header Fields Too Large")
    );
}

#[test]
fn a_custom_handler_sees_the_request() {
    use spindle_server::http::{Request, Response};

    async fn inspect(request: Request) -> Response {
        let body = format!(
            "{} {} {:?} host={} body={}",
            request.method(),
            request.target(),
            request.version(),
            String::from_utf8_lossy(request.header("HOST").unwrap_or(b"-")),
            String::from_utf8_lossy(request.body()),
        );
        Response::new(201)
            .with_header("X-Custom", "yes")
            .with_body(body)
    }
    let server = TestServer::http(spindle_server::Config::default(), inspect);
    let answer = server.exchange(
        b"PUT /a?b=c HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
    );
    assert_eq!(
        answer,
        "HTTP/1.1 201 Created\r\nServer: spindle\r\nX-Custom: yes\r\nContent-Length: 32\r\n\
         Connection: close\r\nDate: <date>\r\n\r\nPUT /a?b=c Http11 host=h body=hi"
    );
}

#[test]
fn expect_100_continue_gets_an_interim_response_before_the_body() {
    let server = TestServer::hello();
    let mut stream = server.connect();
    stream
        .write_all(b"POST /missing HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        .unwrap();
    let mut interim = [0; 25];
    std::io::Read::read_exact(&mut stream, &mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"hello").unwrap();
    assert_eq!(
        read_response(&mut stream, false),
        "HTTP/1.1 404 Not Found\r\nServer: spindle\r\nContent-Length: 0\r\nDate: <date>\r\n\r\n"
    );
}
