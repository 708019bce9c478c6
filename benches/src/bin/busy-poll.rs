//! Contender 3, `busy-poll`: non-blocking sockets and no readiness API.
//!
//! This is the first program of the seed note, grown up. Every socket is
//! non-blocking, and one loop, forever, tries `accept` on the listener and
//! `read` on every connection in turn; a call that would block returns
//! `WouldBlock` at once and the loop moves on. It never sleeps, so it
//! answers quickly, and it burns a whole core even when every connection is
//! idle: `compare`'s idle-CPU row shows it at about 100%. It also pays one
//! `read` system call per connection per sweep, so its cost grows with the
//! number of *open* connections, not with the number of *active* ones.
//! That is the problem epoll, kqueue and spindle solve.
//!
//! Usage: `busy-poll --mode http|echo --addr HOST:PORT`

use std::io::{self, Read};
use std::net::TcpStream;
use std::process::ExitCode;

use clap::Parser;
use spindle_benches::outbox::Outbox;
use spindle_benches::server_cli::READ_BUF;
use spindle_benches::{rlimit, server_cli, Flow, Mode, ServerArgs, Session};

/// Command line: the arguments every contender takes.
#[derive(Debug, Parser)]
#[command(about = "Non-blocking server that polls every socket in a spin loop")]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

/// One accepted connection.
#[derive(Debug)]
struct Conn {
    /// The non-blocking socket.
    stream: TcpStream,
    /// Protocol state, fed by `step`.
    session: Session,
    /// Output the socket has not taken yet.
    outbox: Outbox,
    /// Set when the peer closed or the protocol said close: flush, then drop.
    closing: bool,
}

impl Conn {
    /// One turn for this connection: flush what is pending, else try one
    /// read. Returns `false` when the connection is finished.
    fn step(&mut self, buf: &mut [u8]) -> bool {
        match self.outbox.flush_to(&mut self.stream) {
            Ok(true) if self.closing => return false,
            Ok(true) => {}
            Ok(false) => return true, // send buffer full: don't read more yet
            Err(_) => return false,
        }
        match self.stream.read(buf) {
            Ok(0) => return false, // peer closed and nothing is pending
            Ok(n) => {
                if self.session.on_data(&buf[..n], self.outbox.buf_mut()) == Flow::Close {
                    self.closing = true;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return true,
            Err(_) => return false,
        }
        // Try to send the answer now rather than on the next sweep.
        match self.outbox.flush_to(&mut self.stream) {
            Ok(true) => !self.closing,
            Ok(false) => true,
            Err(_) => false,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = rlimit::raise_nofile();
    let listener = match server_cli::bind(cli.server.addr) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("busy-poll: cannot listen on {}: {err}", cli.server.addr);
            return ExitCode::FAILURE;
        }
    };
    if listener.set_nonblocking(true).is_err() || server_cli::announce(&listener).is_err() {
        return ExitCode::FAILURE;
    }
    let mode: Mode = cli.server.mode;
    let mut conns: Vec<Conn> = Vec::new();
    let mut buf = vec![0u8; READ_BUF];
    loop {
        // 1. Accept everything that is waiting. The loop ends at
        // `WouldBlock` (nobody waiting) or any other error (EMFILE): try
        // again next sweep; the spin is this contender's nature.
        while let Ok((stream, _)) = listener.accept() {
            if stream.set_nonblocking(true).is_ok() && stream.set_nodelay(true).is_ok() {
                conns.push(Conn {
                    stream,
                    session: Session::new(mode),
                    outbox: Outbox::default(),
                    closing: false,
                });
            }
        }
        // 2. Give every connection one try, dropping the finished ones.
        conns.retain_mut(|conn| conn.step(&mut buf));
    }
}
