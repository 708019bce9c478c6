//! Contender 6, `spindle-runtime`: spindle's runtime with the very handler
//! loop the tokio contender runs.
//!
//! `spindle-server` goes through the server library's general API: each
//! request becomes an owned `Request`, the handler an `async fn` that
//! returns a `Response`, with limits, timeouts and graceful shutdown
//! around it. This contender leaves all of that out and runs the shared
//! [`Session`] loop (`read`, [`Session::on_data`], `write_all`) on spindle,
//! line for line as `tokio-current-thread` does on tokio. Where the two
//! differ in `compare`, the difference is the runtimes; where
//! `spindle-server` differs from this one, it is the server library.
//!
//! Usage: `spindle-runtime --mode http|echo --addr HOST:PORT [--tokio-host]`
//!
//! `--tokio-host` runs the same loop on a runtime hosted in tokio
//! (`Builder::tokio`): the instruction guard's `hosted-http` and
//! `hosted-echo` compare the two.

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use spindle_benches::server_cli::READ_BUF;
use spindle_benches::{rlimit, server_cli, Flow, Mode, ServerArgs, Session};

/// Command line: the arguments every contender takes.
#[derive(Debug, Parser)]
#[command(about = "spindle runtime, a task per connection, the tokio contender's handler")]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
    /// Run spindle inside a tokio current-thread runtime on this thread.
    #[arg(long)]
    tokio_host: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = rlimit::raise_nofile();
    let runtime = match spindle::Runtime::builder().tokio(cli.tokio_host).build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("spindle-runtime: cannot build the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.server)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("spindle-runtime: {err}");
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
                spindle::spawn(async move {
                    let _ = serve(stream, args.mode).await;
                });
            }
            // EMFILE and friends: back off instead of spinning.
            Err(err) => {
                eprintln!("spindle-runtime: accept: {err}");
                spindle::time::sleep(Duration::from_millis(10)).await;
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
