//! The binary against a real HTTP client: curl's view of GET, HEAD, 404,
//! 405, a POST body, keep-alive reuse, and an echo round trip.

use std::io::{Read, Write};
use std::process::Command;

use spindle_tests::{binary, ServerProcess};

/// Starts the binary on port 0 with extra `args`.
fn start(args: &[&str]) -> ServerProcess {
    let mut command = Command::new(binary());
    command.args(["--addr", "127.0.0.1:0"]).args(args);
    ServerProcess::start(command)
}

/// Runs curl with `args` and returns (stdout, stderr).
fn curl(args: &[&str]) -> (String, String) {
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl must be installed (.ci/run installs it)");
    assert!(
        output.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn curl_gets_hello_world() {
    let server = start(&[]);
    let url = format!("http://{}/plaintext", server.addr);
    let (body, trace) = curl(&["-v", &url]);
    assert_eq!(body, "Hello, World!");
    for line in [
        "< HTTP/1.1 200 OK",
        "< Server: spindle",
        "< Content-Type: text/plain",
        "< Content-Length: 13",
        "< Date: ",
    ] {
        assert!(trace.contains(line), "missing {line:?} in:\n{trace}");
    }
}

#[test]
fn curl_head_404_405_and_a_post_body() {
    let server = start(&[]);
    let base = format!("http://{}", server.addr);
    let (head, _) = curl(&["--head", &format!("{base}/")]);
    assert!(
        head.starts_with("HTTP/1.1 200 OK\r\n") && head.contains("Content-Length: 13\r\n"),
        "{head}"
    );
    let (status, _) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &format!("{base}/missing"),
    ]);
    assert_eq!(status, "404");
    let (allow, _) = curl(&["-i", "-X", "DELETE", &format!("{base}/plaintext")]);
    assert!(
        allow.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{allow}"
    );
    assert!(allow.contains("Allow: GET, HEAD\r\n"), "{allow}");
    let (posted, _) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--data-binary",
        "some body",
        &format!("{base}/missing"),
    ]);
    assert_eq!(posted, "404");
}

#[test]
fn curl_reuses_the_keep_alive_connection() {
    let server = start(&[]);
    let url = format!("http://{}/", server.addr);
    let (bodies, trace) = curl(&["-v", &url, &url, &url]);
    assert_eq!(bodies, "Hello, World!".repeat(3));
    assert!(
        trace.matches("Re-using existing connection").count() == 2
            || trace.matches("Reusing existing connection").count() == 2,
        "{trace}"
    );
}

#[test]
fn echo_mode_echoes_and_honours_half_close() {
    let server = start(&["--mode", "echo"]);
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    stream.write_all(b"round trip").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut echoed = String::new();
    stream.read_to_string(&mut echoed).unwrap();
    assert_eq!(echoed, "round trip");
}
