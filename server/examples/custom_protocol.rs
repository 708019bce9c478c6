//! Serve your own protocol: any `async fn(TcpStream, SocketAddr)` per
//! connection, with the library's accept loop, connection limit, accept
//! back-off, panic isolation and shutdown.
//!
//! The protocol here is line-based: each line is a command.
//!
//! - `UPPER text`: answers the text in upper case;
//! - `TIME`: answers the seconds since the Unix epoch;
//! - `QUIT`: closes the connection;
//! - anything else: `ERR unknown command`.
//!
//! A connection that sits idle when the server starts shutting down is told
//! `BYE` and closed: [`Shutdown::current`] gives the connection its
//! worker's shutdown watch.
//!
//! ```text
//! cargo run -p spindle-server --example custom_protocol -- 127.0.0.1:7000
//! printf 'UPPER hello\nTIME\nQUIT\n' | nc 127.0.0.1 7000
//! ```

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::SystemTime;

use futures::{Future, StreamExt};
use spindle::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use spindle::net::TcpStream;
use spindle_server::{Config, Phase, Server, Shutdown};

/// One connection of the line protocol.
async fn serve_lines(stream: TcpStream, _peer: SocketAddr) -> io::Result<()> {
    let mut lines = BufReader::new(&stream).lines();
    let mut writer = &stream;
    let shutdown = Shutdown::current().unwrap_or_default();
    let mut draining = shutdown.wait(Phase::Draining);
    loop {
        // The next line, or the server going away, whichever comes first.
        let next = poll_fn(|cx| {
            if Pin::new(&mut draining).poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            lines.poll_next_unpin(cx).map(Some)
        })
        .await;
        let line = match next {
            None => {
                writer.write_all(b"BYE\n").await?;
                return Ok(());
            }
            Some(None) => return Ok(()), // the client closed
            Some(Some(line)) => line?,
        };
        let reply = match line.split_once(' ').unwrap_or((&line, "")) {
            ("UPPER", text) => text.to_uppercase(),
            ("TIME", _) => {
                let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
                now.map_or(0, |d| d.as_secs()).to_string()
            }
            ("QUIT", _) => return Ok(()),
            _ => "ERR unknown command".to_string(),
        };
        writer.write_all(format!("{reply}\n").as_bytes()).await?;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7000".into());
    let server = Server::bind(Config {
        addr: addr.parse()?,
        handle_signals: true,
        ..Config::default()
    })?;
    println!("listening on {}", server.local_addr());
    server.serve(serve_lines)?;
    Ok(())
}
