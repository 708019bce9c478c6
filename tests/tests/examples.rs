//! The server's examples as processes: `custom_protocol` answers its line
//! commands and, idle at a SIGTERM, says `BYE` (it learns of the shutdown
//! through `Shutdown::current`); `hello_handler` serves its custom route.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use spindle_tests::{example, get, ServerProcess};

/// Starts example `name` on port 0.
fn start(name: &str) -> ServerProcess {
    let mut command = Command::new(example(name));
    command.arg("127.0.0.1:0");
    ServerProcess::start(command)
}

#[test]
fn custom_protocol_answers_lines_and_says_bye_at_shutdown() {
    let mut server = start("custom_protocol");
    let stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream).lines();
    writer
        .write_all(b"UPPER hello spindle\nTIME\nNOPE\n")
        .unwrap();
    assert_eq!(lines.next().unwrap().unwrap(), "HELLO SPINDLE");
    let time: u64 = lines.next().unwrap().unwrap().parse().unwrap();
    assert!(time > 1_600_000_000);
    assert_eq!(lines.next().unwrap().unwrap(), "ERR unknown command");

    server.signal("TERM");
    assert_eq!(lines.next().unwrap().unwrap(), "BYE");
    assert!(lines.next().is_none(), "closed after BYE");
    assert!(server.wait_exit(Duration::from_secs(5)).success());
}

#[test]
fn hello_handler_serves_its_custom_route() {
    let server = start("hello_handler");
    let response = get(server.addr, "/hello/reader").unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nHello, reader!\n"), "{response}");
}
