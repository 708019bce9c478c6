//! The explain trace, end to end: a two-connection echo exchange, narrated
//! turn by turn.
//!
//! Run it with `cargo run -p spindle --example explain` (level 2: every
//! socket operation too; `-- 1` for level 1, `-- 0` for silence, e.g. to
//! record only the timeline with `SPINDLE_EXPLAIN_HTML=page.html`). It
//! binds `127.0.0.1:0`, spawns an echo task per accepted connection,
//! connects two clients that each send one line and read it back, then
//! exits. Every turn of the loop is written to stderr (no `tracing`
//! subscriber is installed here, so the runtime's fallback writer prints
//! the lines). One whole turn, the third, in which the echo tasks serve one
//! round trip each:
//!
//! ```text
//! spindle::explain: turn 3: 2 runnable
//! spindle::explain: read token 3: 6 of 1024 bytes (short: READABLE cleared)
//! spindle::explain: write token 3: 6 of 6
//! spindle::explain: task 4 waits: token 3 read
//! spindle::explain: poll task 4 -> Pending
//! spindle::explain: read token 4: 6 of 1024 bytes (short: READABLE cleared)
//! spindle::explain: write token 4: 6 of 6
//! spindle::explain: task 5 waits: token 4 read
//! spindle::explain: poll task 5 -> Pending
//! spindle::explain: block in poll: no timeout (nothing to wait for but I/O)
//! spindle::explain: poll returned 2 events after 0.0ms
//! spindle::explain: event token 1: READABLE|WRITABLE -> wake task 2
//! spindle::explain: event token 2: READABLE|WRITABLE -> wake task 3
//! ```
//!
//! The whole trace, annotated turn by turn, is `docs/explain-trace.md`
//! (a test, `tests/explain_golden.rs`, keeps the two equal), and the same
//! run drawn is `docs/explain-timeline.html`.
//!
//! Task 1 is the server's accept loop, tasks 2 and 3 the clients, tasks 4
//! and 5 the echo tasks; token 0 is the listener, 1 and 2 the clients'
//! sockets, 3 and 4 the accepted ones.
//!
//! Read it next to the loop in the crate documentation: each line names the
//! step that wrote it.

use std::io;

use spindle::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use spindle::net::{TcpListener, TcpStream};

fn main() -> io::Result<()> {
    // `cargo run -p spindle --example explain -- 1` for the shorter level 1.
    let level = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("level must be 0, 1 or 2, not {arg:?}"),
            )
        })?,
        None => 2,
    };
    run(level)
}

/// The whole example, narrated at `level`; the golden-trace test calls it.
pub(crate) fn run(level: u8) -> io::Result<()> {
    let rt = spindle::Runtime::builder().explain_level(level).build()?;
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;

        // The server: accept two connections, one echo task each.
        let server = spindle::spawn(async move {
            for _ in 0..2 {
                let (stream, _) = listener.accept().await?;
                spindle::spawn(echo(stream));
            }
            Ok::<(), io::Error>(())
        });

        // Two clients, each in its own task: send a line, read it back.
        let clients: Vec<_> = ["hello\n", "world\n"]
            .into_iter()
            .map(|line| {
                spindle::spawn(async move {
                    let mut stream = TcpStream::connect(addr).await?;
                    stream.write_all(line.as_bytes()).await?;
                    let mut echoed = String::new();
                    BufReader::new(&mut stream).read_line(&mut echoed).await?;
                    assert_eq!(echoed, line);
                    Ok::<String, io::Error>(echoed)
                })
            })
            .collect();

        for client in clients {
            let echoed = client.await??;
            println!("echoed: {}", echoed.trim_end());
        }
        server.await??;
        Ok(())
    })
}

/// Echoes until the peer closes.
async fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buf = [0; 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}
