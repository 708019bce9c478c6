//! Contender 1, `blocking-iterative`: the classic blocking loop, one
//! connection at a time.
//!
//! `accept`, serve that connection until it closes, `accept` the next. It
//! is the simplest server there is and the baseline everything else is
//! measured against: with one client it is hard to beat (no readiness API,
//! no wakers, two system calls per request), and with two or more clients
//! all but one wait in the listen backlog until the first leaves. `compare`
//! reports what those clients see: timeouts.
//!
//! Usage: `blocking-iterative --mode http|echo --addr HOST:PORT`

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use spindle_benches::{blocking, rlimit, server_cli, ServerArgs};

/// Command line: the arguments every contender takes.
#[derive(Debug, Parser)]
#[command(about = "Blocking std::net server, one connection at a time")]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = rlimit::raise_nofile();
    let listener = match server_cli::bind(cli.server.addr) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!(
                "blocking-iterative: cannot listen on {}: {err}",
                cli.server.addr
            );
            return ExitCode::FAILURE;
        }
    };
    if server_cli::announce(&listener).is_err() {
        return ExitCode::FAILURE;
    }
    loop {
        match listener.accept() {
            // Errors on one connection (a reset peer) end that connection only.
            Ok((stream, _)) => {
                let _ = blocking::serve(stream, cli.server.mode);
            }
            // EMFILE and friends: back off instead of spinning.
            Err(err) => {
                eprintln!("blocking-iterative: accept: {err}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}
