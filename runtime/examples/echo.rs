//! A TCP echo server: one task per connection, each echoing bytes until the
//! peer closes.
//!
//! Run it with `cargo run -p spindle --example echo [ADDR]` (default
//! `127.0.0.1:7878`), then in another terminal try:
//!
//! ```text
//! nc 127.0.0.1 7878
//! hello        <- you type
//! hello        <- the server echoes
//! ```
//!
//! Stop it with Ctrl-C.

use std::io;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};

#[spindle::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7878".to_string());
    let listener = TcpListener::bind(&addr).await?;
    println!("echo server listening on {}", listener.local_addr()?);
    loop {
        let (stream, peer) = listener.accept().await?;
        spindle::spawn(async move {
            if let Err(err) = echo(stream).await {
                eprintln!("{peer}: {err}");
            }
        });
    }
}

/// Echoes until EOF, then closes.
async fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buf = vec![0; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}
