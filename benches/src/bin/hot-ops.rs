//! `hot-ops`: runs one of spindle's hot operations a fixed number of times,
//! so an instruction counter can divide by it.
//!
//! ```text
//! hot-ops spawn-join  N     N times `spawn(async { 1 }).await`
//! hot-ops ping-pong   N     N one-byte round trips between two tasks over loopback TCP
//! hot-ops timer       N     N times: arm a 1 s `sleep`, poll it once, drop it (cancel)
//! hot-ops budget-yield N    N budget yields: `consume_budget` on a budget of one unit
//! hot-ops client MODE ADDR N   N requests (`http` or `echo`), one in flight, on one connection
//! ```
//!
//! It is the workload of the instruction-count guard
//! (`benches/scripts/instruction-guard.py`), which runs each operation
//! twice under cachegrind, at N and at 3N, and divides the difference in
//! instructions by 2N: start-up, the runtime's construction and shutdown
//! cancel out, and what is left is the operation alone.
//!
//! Every operation is single-threaded and deterministic in the events one
//! turn of the loop handles: ping-pong has one byte in flight, the client
//! one request in flight on one connection. That is what makes the count
//! repeat: instructions do not depend on the machine's load, but they do
//! depend on how many events one `epoll_wait` returns, and a fixed load
//! fixes that.
//!
//! The `client` mode is the load for a server under cachegrind (the guard
//! runs `spindle-server`, `spindle-runtime` and the tokio contender with
//! it); it runs outside valgrind on plain blocking `std::net`, waits for
//! each whole answer before it sends the next request, and fails, with a
//! message, on any answer it does not expect.

use std::future::{poll_fn, Future};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream as StdTcpStream};
use std::pin::pin;
use std::process::ExitCode;
use std::task::Poll;
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};

/// The request the `client` sends in `http` mode: what `loadgen` sends.
const HTTP_REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: bench\r\n\r\n";

/// The message the `client` sends in `echo` mode: 64 bytes, `loadgen`'s
/// default payload.
const ECHO_MESSAGE: [u8; 64] = [b'x'; 64];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hot-ops: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the command line and runs the operation it names.
fn run(args: &[String]) -> io::Result<()> {
    let usage = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: hot-ops spawn-join|ping-pong|timer|budget-yield N, \
             or hot-ops client http|echo ADDR N",
        )
    };
    let count = |arg: Option<&String>| -> io::Result<u64> {
        let arg = arg.ok_or_else(usage)?;
        arg.parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the count {arg:?} is not a whole number"),
            )
        })
    };
    match args.first().map(String::as_str) {
        Some("client") => {
            let mode = args.get(1).ok_or_else(usage)?;
            let addr: SocketAddr = args.get(2).ok_or_else(usage)?.parse().map_err(|err| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("the address: {err}"))
            })?;
            let n = count(args.get(3))?;
            match mode.as_str() {
                "http" => http_client(addr, n),
                "echo" => echo_client(addr, n),
                other => Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("unknown client mode {other:?} (http or echo)"),
                )),
            }
        }
        Some(op @ ("spawn-join" | "ping-pong" | "timer" | "budget-yield")) => {
            let n = count(args.get(1))?;
            let budget = if op == "budget-yield" { 1 } else { 128 };
            let rt = spindle::Runtime::builder().budget(budget).build()?;
            rt.block_on(async {
                match op {
                    "spawn-join" => spawn_join(n).await,
                    "ping-pong" => ping_pong(n).await,
                    "timer" => timer(n).await,
                    _ => budget_yield(&rt, n).await,
                }
            })
        }
        _ => Err(usage()),
    }
}

/// `n` times: spawn a task that returns at once, and join it.
async fn spawn_join(n: u64) -> io::Result<()> {
    for _ in 0..n {
        let one = spindle::spawn(async { 1u8 })
            .await
            .map_err(|err| io::Error::other(err.to_string()))?;
        std::hint::black_box(one);
    }
    Ok(())
}

/// `n` one-byte round trips between this task and an echo task.
async fn ping_pong(n: u64) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let mut client = TcpStream::connect(listener.local_addr()?).await?;
    client.set_nodelay(true)?;
    let (mut server, _) = listener.accept().await?;
    server.set_nodelay(true)?;
    let echo = spindle::spawn(async move {
        let mut byte = [0; 1];
        while server.read(&mut byte).await? == 1 {
            server.write_all(&byte).await?;
        }
        io::Result::Ok(())
    });
    let mut byte = [7; 1];
    for _ in 0..n {
        client.write_all(&byte).await?;
        client.read_exact(&mut byte).await?;
    }
    drop(client);
    echo.await
        .map_err(|err| io::Error::other(err.to_string()))?
}

/// `n` times: arm a timer one second away, register it, cancel it.
async fn timer(n: u64) -> io::Result<()> {
    for _ in 0..n {
        let mut sleep = pin!(spindle::time::sleep(Duration::from_secs(1)));
        let due = poll_fn(|cx| Poll::Ready(sleep.as_mut().poll(cx).is_ready())).await;
        if due {
            return Err(io::Error::other("a 1 s timer was due at once"));
        }
    }
    Ok(())
}

/// `n` budget yields: on a budget of one unit, every `consume_budget` after
/// the first finds it spent and gives the thread back for one turn.
async fn budget_yield(rt: &spindle::Runtime, n: u64) -> io::Result<()> {
    let before = rt.metrics().budget_yields;
    for _ in 0..=n {
        spindle::task::consume_budget().await;
    }
    let yields = rt.metrics().budget_yields - before;
    if yields != n {
        return Err(io::Error::other(format!(
            "{yields} budget yields where {n} were expected"
        )));
    }
    Ok(())
}

/// `n` HTTP requests in turn on one keep-alive connection; each answer must
/// be a `200` with a `Content-Length` body.
fn http_client(addr: SocketAddr, n: u64) -> io::Result<()> {
    let stream = connect(addr)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    for i in 0..n {
        writer.write_all(HTTP_REQUEST)?;
        let mut length = None;
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Err(closed(i));
            }
            if first {
                if !line.starts_with("HTTP/1.1 200") {
                    return Err(io::Error::other(format!(
                        "request {i}: expected a 200 answer, got {:?}",
                        line.trim_end()
                    )));
                }
                first = false;
            } else if line == "\r\n" {
                break;
            } else if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let length = length.ok_or_else(|| {
            io::Error::other(format!("request {i}: the answer has no Content-Length"))
        })?;
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(())
}

/// `n` 64-byte echo messages in turn on one connection; each must come back
/// whole before the next is sent.
fn echo_client(addr: SocketAddr, n: u64) -> io::Result<()> {
    let mut stream = connect(addr)?;
    let mut back = [0; ECHO_MESSAGE.len()];
    for i in 0..n {
        stream.write_all(&ECHO_MESSAGE)?;
        stream
            .read_exact(&mut back)
            .map_err(|err| io::Error::new(err.kind(), format!("echo message {i}: {err}")))?;
        if back != ECHO_MESSAGE {
            return Err(io::Error::other(format!(
                "echo message {i} came back changed"
            )));
        }
    }
    Ok(())
}

/// A blocking connection with Nagle off and a generous read deadline (the
/// server runs under valgrind, about fifty times slower than natively).
fn connect(addr: SocketAddr) -> io::Result<StdTcpStream> {
    let stream = StdTcpStream::connect(addr)
        .map_err(|err| io::Error::new(err.kind(), format!("cannot connect to {addr}: {err}")))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok(stream)
}

/// The error for a server that closed the connection before answering.
fn closed(request: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the server closed the connection before answering request {request}"),
    )
}
