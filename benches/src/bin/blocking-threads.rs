//! Contender 2, `blocking-threads`: blocking `std::net`, one OS thread per
//! connection.
//!
//! The next step after the iterative loop: every accepted connection gets
//! its own thread running the same blocking loop, so slow clients no longer
//! wait for each other. The kernel's scheduler is the event loop. The cost
//! shows up at high connection counts: a stack and a kernel task per
//! connection (memory), and a context switch per request (CPU). `compare`'s
//! 10,000-connection memory scenario shows whether it survives at all.
//!
//! Usage: `blocking-threads --mode http|echo --addr HOST:PORT`

use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use clap::Parser;
use spindle_benches::{blocking, rlimit, server_cli, ServerArgs};

/// Stack size per connection thread. The handler needs a 4 KiB buffer and a
/// few frames; 64 KiB leaves ample room while keeping 10,000 threads' worth
/// of reserved address space reasonable (std's default is 2 MiB). Only the
/// touched pages count towards RSS either way.
const STACK_SIZE: usize = 64 * 1024;

/// Command line: the arguments every contender takes.
#[derive(Debug, Parser)]
#[command(about = "Blocking std::net server, one thread per connection")]
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
                "blocking-threads: cannot listen on {}: {err}",
                cli.server.addr
            );
            return ExitCode::FAILURE;
        }
    };
    if server_cli::announce(&listener).is_err() {
        return ExitCode::FAILURE;
    }
    let mode = cli.server.mode;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let spawned = thread::Builder::new()
                    .stack_size(STACK_SIZE)
                    .spawn(move || blocking::serve(stream, mode));
                // Out of threads or memory: the connection is dropped (the
                // closure, and the stream in it, are freed) and we go on.
                if let Err(err) = spawned {
                    eprintln!("blocking-threads: cannot spawn a thread: {err}");
                    thread::sleep(Duration::from_millis(10));
                }
            }
            Err(err) => {
                eprintln!("blocking-threads: accept: {err}");
                thread::sleep(Duration::from_millis(10));
            }
        }
    }
}
