//! The malformed-request corpus: broken request lines, headers and bodies
//! that a server must answer with a 4xx or a close — never a 200, a hang or
//! a crash. The attack suite sends each one; the fuzz target starts from
//! them as seeds.

/// One broken request: a short name for reports, and its bytes.
#[derive(Debug, Clone)]
pub struct Case {
    /// What is wrong with it, in a few words.
    pub name: String,
    /// The bytes to send.
    pub bytes: Vec<u8>,
}

fn case(name: impl Into<String>, bytes: impl AsRef<[u8]>) -> Case {
    Case {
        name: name.into(),
        bytes: bytes.as_ref().to_vec(),
    }
}

/// Every control byte a request must not carry outside line ends (all of
/// 0x00–0x1F except HT, CR, LF; and DEL).
fn control_bytes() -> impl Iterator<Item = u8> {
    (0u8..0x20)
        .filter(|b| !matches!(b, b'\t' | b'\r' | b'\n'))
        .chain(std::iter::once(0x7f))
}

/// The whole corpus (over 200 cases).
pub fn malformed_requests() -> Vec<Case> {
    let mut cases = Vec::new();

    // Bad methods.
    for method in [
        "",
        " ",
        "G@T",
        "GET(",
        "GE T",
        "GET\"",
        "GET,",
        "GET/",
        "[GET]",
        "GET{",
        "GET:",
        "\u{e9}GET",
        "G\u{c9}T",
        "GET;",
    ] {
        cases.push(case(
            format!("bad method {method:?}"),
            format!("{method} / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ));
    }

    // Bad request lines and versions.
    for line in [
        "GET",
        "GET /",
        "GET / ",
        "GET  / HTTP/1.1",
        "GET / HTTP/1.1 extra",
        "GET / HTTP/",
        "GET / HTTP/1",
        "GET / HTTP/1.",
        "GET / HTTP/1.x",
        "GET / HTTP/2.0",
        "GET / HTTP/3.0",
        "GET / HTTP/0.9",
        "GET / HTTP/1.1.1",
        "GET / http/1.1",
        "GET / HTTPS/1.1",
        "GET / FTP/1.1",
        "GET / 1.1",
        "GET  HTTP/1.1",
        "GET \t/ HTTP/1.1",
        "/ HTTP/1.1",
        "HTTP/1.1",
        "GET / HTTP/1.1\r",
        " GET / HTTP/1.1",
    ] {
        cases.push(case(
            format!("bad request line {line:?}"),
            format!("{line}\r\nHost: x\r\n\r\n"),
        ));
    }

    // Bare LF and bare CR line ends.
    cases.push(case("bare LF everywhere", "GET / HTTP/1.1\nHost: x\n\n"));
    cases.push(case(
        "bare LF after request line",
        "GET / HTTP/1.1\nHost: x\r\n\r\n",
    ));
    cases.push(case(
        "bare LF after header",
        "GET / HTTP/1.1\r\nHost: x\n\r\n",
    ));
    cases.push(case("bare LF at end", "GET / HTTP/1.1\r\nHost: x\r\n\n"));
    cases.push(case(
        "bare CR after request line",
        "GET / HTTP/1.1\rHost: x\r\n\r\n",
    ));
    cases.push(case(
        "bare CR in header",
        "GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n",
    ));
    cases.push(case("CR CR LF", "GET / HTTP/1.1\r\r\nHost: x\r\n\r\n"));

    // Control bytes (NUL among them) in each part of the request.
    for b in control_bytes() {
        let c = b as char;
        cases.push(case(
            format!("0x{b:02x} in method"),
            format!("G{c}T / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ));
        cases.push(case(
            format!("0x{b:02x} in path"),
            format!("GET /a{c}b HTTP/1.1\r\nHost: x\r\n\r\n"),
        ));
        cases.push(case(
            format!("0x{b:02x} in header name"),
            format!("GET / HTTP/1.1\r\nHo{c}st: x\r\n\r\n"),
        ));
        cases.push(case(
            format!("0x{b:02x} in header value"),
            format!("GET / HTTP/1.1\r\nHost: a{c}b\r\n\r\n"),
        ));
    }

    // Malformed header lines.
    for header in [
        "Host",
        "Host x",
        ": x",
        " Host: x",
        "\tHost: x",
        "Host : x",
        "Ho st: x",
        "Host\t: x",
        "H(ost: x",
        "Host\": x",
        "[Host]: x",
        "Host/: x",
        "Host{}: x",
        "\u{e9}: x",
        "Na\u{ef}ve: x",
    ] {
        cases.push(case(
            format!("bad header {header:?}"),
            format!("GET / HTTP/1.1\r\n{header}\r\n\r\n"),
        ));
    }

    // obs-fold (a continuation line), deprecated and rejected.
    cases.push(case(
        "obs-fold with space",
        "GET / HTTP/1.1\r\nHost: x\r\n continued\r\n\r\n",
    ));
    cases.push(case(
        "obs-fold with tab",
        "GET / HTTP/1.1\r\nHost: x\r\n\tcontinued\r\n\r\n",
    ));
    cases.push(case(
        "obs-fold first",
        "GET / HTTP/1.1\r\n folded: x\r\nHost: x\r\n\r\n",
    ));

    // Content-Length: conflicting, invalid, negative, huge, with TE.
    for (name, headers) in [
        (
            "two different Content-Length",
            "Content-Length: 1\r\nContent-Length: 2",
        ),
        ("Content-Length list", "Content-Length: 1, 2"),
        ("Content-Length negative", "Content-Length: -1"),
        ("Content-Length plus sign", "Content-Length: +1"),
        ("Content-Length hex", "Content-Length: 0x10"),
        ("Content-Length float", "Content-Length: 1.0"),
        ("Content-Length empty", "Content-Length: "),
        ("Content-Length letters", "Content-Length: abc"),
        ("Content-Length space inside", "Content-Length: 1 0"),
        (
            "Content-Length overflow",
            "Content-Length: 99999999999999999999999999",
        ),
        (
            "Content-Length u64 max + 1",
            "Content-Length: 18446744073709551616",
        ),
        (
            "Content-Length with chunked",
            "Content-Length: 5\r\nTransfer-Encoding: chunked",
        ),
        (
            "chunked with Content-Length",
            "Transfer-Encoding: chunked\r\nContent-Length: 5",
        ),
        ("unknown transfer coding", "Transfer-Encoding: gzip"),
        ("chunked not last", "Transfer-Encoding: chunked, gzip"),
        ("chunked twice", "Transfer-Encoding: chunked, chunked"),
        ("empty transfer coding", "Transfer-Encoding: "),
        ("identity transfer coding", "Transfer-Encoding: identity"),
    ] {
        cases.push(case(
            name,
            format!("POST / HTTP/1.1\r\nHost: x\r\n{headers}\r\n\r\nhello"),
        ));
    }

    // Bad chunked bodies.
    for (name, body) in [
        ("chunk size not hex", "ZZ\r\nhello\r\n0\r\n\r\n"),
        ("chunk size empty", "\r\nhello\r\n0\r\n\r\n"),
        ("chunk size negative", "-5\r\nhello\r\n0\r\n\r\n"),
        (
            "chunk size huge",
            "ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        ),
        ("chunk size with space", "5 5\r\nhello\r\n0\r\n\r\n"),
        ("chunk too long for size", "2\r\nhello\r\n0\r\n\r\n"),
        ("chunk missing CRLF after data", "5\r\nhelloXX0\r\n\r\n"),
        ("chunk size bare LF", "5\nhello\r\n0\r\n\r\n"),
        ("chunk size 0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
        (
            "chunk ext with control byte",
            "5;a=\x01\r\nhello\r\n0\r\n\r\n",
        ),
    ] {
        cases.push(case(
            format!("bad chunked body: {name}"),
            format!("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{body}"),
        ));
    }

    // Non-ASCII bytes that are not valid in a request line.
    for (name, bytes) in [
        (
            "UTF-8 in version",
            b"GET / HTTP/1.\xc3\xa9\r\n\r\n".to_vec(),
        ),
        ("0xff in method", b"GE\xff / HTTP/1.1\r\n\r\n".to_vec()),
        ("0x80 as method", b"\x80 / HTTP/1.1\r\n\r\n".to_vec()),
        (
            "0xc0 0x80 in header name",
            b"GET / HTTP/1.1\r\nX\xc0\x80: y\r\n\r\n".to_vec(),
        ),
        ("all high bytes", vec![0xfe; 64]),
        (
            "TLS ClientHello",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
        ),
        (
            "HTTP/2 preface",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
        ),
    ] {
        cases.push(case(name, bytes));
    }

    // Garbage.
    cases.push(case("only CRLF", "\r\n\r\n\r\n\r\n"));
    cases.push(case("only spaces", "                \r\n\r\n"));
    cases.push(case("NULs", [0u8; 64]));
    cases.push(case("random text", "hello there, this is not HTTP\r\n\r\n"));
    cases
}
