//! Contender `hyper-tokio`: hyper 1.x's http1 server on tokio's
//! current_thread runtime, the stack most Rust users would pick.
//!
//! The hand-written contenders show what an I/O model costs under a
//! minimal handler; this one and `hyper-spindle` show the runtime under a
//! real, heavy HTTP stack (hyper's parser, its header map, its body types,
//! its own write buffering). The service is
//! [`spindle_benches::hyper_service`], shared with `hyper-spindle`; each
//! connection is a task running hyper's connection future over tokio's
//! `TcpStream` (through hyper-util's `TokioIo`), with hyper-util's
//! `TokioTimer` for hyper's header-read timeout. Where the two hyper
//! contenders differ in `compare`, the difference is the runtime.
//!
//! HTTP only: `--mode echo` is refused (exit 2).
//!
//! Usage: `hyper-tokio --mode http --addr HOST:PORT`

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use spindle_benches::hyper_service::{self, HTTP_ONLY};
use spindle_benches::{rlimit, server_cli, Mode, ServerArgs};
use tokio::net::TcpListener;

/// Command line: the arguments every contender takes.
#[derive(Debug, Parser)]
#[command(about = "hyper 1.x http1 on tokio current_thread, a task per connection")]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.server.mode != Mode::Http {
        eprintln!("hyper-tokio: {HTTP_ONLY}");
        return ExitCode::from(2);
    }
    let _ = rlimit::raise_nofile();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("hyper-tokio: cannot build the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.server)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hyper-tokio: {err}");
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
    let mut builder = hyper_service::builder();
    builder.timer(TokioTimer::new());
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                let connection = builder
                    .serve_connection(TokioIo::new(stream), service_fn(hyper_service::serve));
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            // EMFILE and friends: back off instead of spinning.
            Err(err) => {
                eprintln!("hyper-tokio: accept: {err}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}
