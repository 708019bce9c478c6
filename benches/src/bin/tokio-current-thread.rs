//! Contender 5, `tokio-current-thread`: tokio's single-threaded runtime,
//! same handler logic.
//!
//! tokio is the industry's async runtime, and its `current_thread` flavour
//! is the fair comparison for spindle: one thread, one epoll, tasks that
//! need not be `Send`. Each connection is a task running the same loop as
//! the blocking servers (`read`, [`Session::on_data`], `write_all`), only
//! with `.await` where they block. Where spindle and tokio differ in
//! `compare`, the difference is the runtimes, not the code on top.
//!
//! One difference is inherent to the model, not to tokio: a task owns its
//! state across `.await`s, so each connection keeps its own 4 KiB read
//! buffer for as long as it lives, where the raw-mio loop reads every
//! connection into one shared buffer. `compare`'s memory-per-connection row
//! shows that price (spindle-server's tasks pay it too).
//!
//! Usage: `tokio-current-thread --mode http|echo --addr HOST:PORT`

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use spindle_benches::server_cli::READ_BUF;
use spindle_benches::{rlimit, server_cli, Flow, Mode, ServerArgs, Session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Command line: the arguments every contender takes.
#[derive(Debug, Parser)]
#[command(about = "tokio current_thread server, a task per connection")]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = rlimit::raise_nofile();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("tokio-current-thread: cannot build the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.server)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tokio-current-thread: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Binds, announces, and spawns a task per accepted connection.
async fn run(args: ServerArgs) -> io::Result<()> {
    let std_listener = server_cli::bind(args.addr)?;
    std_listener.set_nonblocking(true)?;
    server_cli::announce(&std_listener)?;
    let listener = TcpListener::from_std(std_listener)?;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(async move {
                    let _ = serve(stream, args.mode).await;
                });
            }
            // EMFILE and friends: back off instead of spinning.
            Err(err) => {
                eprintln!("tokio-current-thread: accept: {err}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Serves one connection until the peer closes or the protocol says close.
async fn serve(mut stream: TcpStream, mode: Mode) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut session = Session::new(mode);
    let mut buf = vec![0u8; READ_BUF];
    let mut out = Vec::new(); // grows to the largest reply once, then reused
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(()); // peer closed; nothing is pending
        }
        let flow = session.on_data(&buf[..n], &mut out);
        stream.write_all(&out).await?;
        out.clear();
        if flow == Flow::Close {
            return Ok(());
        }
    }
}
