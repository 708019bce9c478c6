//! Contender `hyper-spindle`: hyper 1.x's http1 server on spindle, through
//! `spindle::hyper` (the runtime's `hyper` feature).
//!
//! The twin of `hyper-tokio`: the same service
//! ([`spindle_benches::hyper_service`]), the same builder options, a task
//! per connection running hyper's connection future, only the runtime
//! differs. spindle's `TcpStream` implements hyper's `Read` and `Write`
//! itself (no adapter type), and `SpindleTimer` drives hyper's
//! header-read timeout on spindle's timers. Where the two hyper contenders
//! differ in `compare`, the difference is the runtime, measured under a
//! real, heavy HTTP stack rather than a minimal handler.
//!
//! HTTP only: `--mode echo` is refused (exit 2).
//!
//! Usage: `hyper-spindle --mode http --addr HOST:PORT`

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hyper::service::service_fn;
use spindle::hyper::SpindleTimer;
use spindle::net::TcpListener;
use spindle_benches::hyper_service::{self, HTTP_ONLY};
use spindle_benches::{rlimit, server_cli, Mode, ServerArgs};

/// Command line: the arguments every contender takes.
#[derive(Debug, Parser)]
#[command(about = "hyper 1.x http1 on spindle, a task per connection")]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.server.mode != Mode::Http {
        eprintln!("hyper-spindle: {HTTP_ONLY}");
        return ExitCode::from(2);
    }
    let _ = rlimit::raise_nofile();
    let runtime = match spindle::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("hyper-spindle: cannot build the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.server)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hyper-spindle: {err}");
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
    builder.timer(SpindleTimer::new());
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                let connection = builder.serve_connection(stream, service_fn(hyper_service::serve));
                spindle::spawn(async move {
                    let _ = connection.await;
                });
            }
            // EMFILE and friends: back off instead of spinning.
            Err(err) => {
                eprintln!("hyper-spindle: accept: {err}");
                spindle::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}
