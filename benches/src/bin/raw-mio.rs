//! Contender 4, `raw-mio`: a hand-written mio event loop with a state
//! machine per connection. The floor for spindle.
//!
//! This is what spindle does underneath its futures, written out by hand
//! with nothing in between: one `mio::Poll`, a slab of connections keyed by
//! `Token`, and a loop that sleeps in `epoll_wait` until the kernel reports
//! readiness, then serves exactly the sockets it named. No tasks, no wakers,
//! no boxing: if spindle comes close to this, its abstractions are nearly
//! free.
//!
//! # The state machine of one connection
//!
//! ```text
//!   accept ─► Open ──read: data──► answer ──► flush ─┬─ all sent ─► Open
//!              │                                     └─ WouldBlock ─► wait WRITABLE ─► flush
//!              ├──read: 0 (peer FIN) or Flow::Close──► Closing: flush, then drop
//!              └──read/write error──► drop
//! ```
//!
//! # The short-read rule
//!
//! mio is edge-triggered: an event says "something changed", once, and the
//! loop must read until the socket is drained or it will not hear about the
//! rest. Reading until `WouldBlock` proves that, at the cost of one extra
//! `read` per event that returns nothing. A read that returns *fewer* bytes
//! than the buffer holds already proves the socket was drained at that
//! moment, so the loop stops there and waits for the next event (tokio and
//! spindle apply the same rule; see `reactor/registration.rs` in the runtime). The
//! one `read` per request that this saves shows in `compare`'s
//! syscalls-per-request column. The rule has one exception: once the event
//! says the peer has closed (`EPOLLRDHUP`), the loop reads until the `read`
//! that returns 0, because the FIN may have come with the last data and no
//! further event would announce it.
//!
//! Usage: `raw-mio --mode http|echo --addr HOST:PORT`

use std::io::{self, Read};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use slab::Slab;
use spindle_benches::outbox::Outbox;
use spindle_benches::server_cli::READ_BUF;
use spindle_benches::{rlimit, server_cli, Flow, Mode, ServerArgs, Session};

/// The listener's token; connection `i` of the slab is `Token(i + 1)`.
const LISTENER: Token = Token(0);

/// Events taken per `epoll_wait`. 1024 is what tokio and spindle use.
const EVENTS: usize = 1024;

/// Command line: the arguments every contender takes.
#[derive(Debug, Parser)]
#[command(about = "Hand-written mio event loop, a state machine per connection")]
struct Cli {
    #[command(flatten)]
    server: ServerArgs,
}

/// One accepted connection.
#[derive(Debug)]
struct Conn {
    /// The socket, registered for READABLE | WRITABLE (edge-triggered).
    stream: TcpStream,
    /// Protocol state.
    session: Session,
    /// Output the socket has not taken yet.
    outbox: Outbox,
    /// The socket may have unread bytes: set by a readable event, cleared by
    /// a short read or `WouldBlock`. Reading stops while the outbox is not
    /// empty (backpressure), and this flag says to resume once it drains,
    /// since no new readable edge will come for bytes already there.
    readable: bool,
    /// The kernel reported the peer's FIN (`EPOLLRDHUP`). From then on the
    /// short-read rule is off: data and FIN may have arrived together, and a
    /// short read would leave the FIN unread with no further edge to come.
    /// Reading continues until the `read` that returns 0.
    read_closed: bool,
    /// The peer closed or the protocol said close: flush, then drop.
    closing: bool,
}

/// What the event handler decided about a connection.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Keep it and wait for the next event.
    Keep,
    /// Remove and close it.
    Drop,
}

impl Conn {
    /// Handles one event for this connection.
    fn on_event(&mut self, readable: bool, read_closed: bool, buf: &mut [u8]) -> Next {
        self.readable |= readable;
        self.read_closed |= read_closed;
        loop {
            // 1. Flush first; while output is stuck, read nothing more.
            match self.outbox.flush_to(&mut self.stream) {
                Ok(true) if self.closing => return Next::Drop,
                Ok(true) => {}
                Ok(false) => return Next::Keep, // a WRITABLE edge will come
                Err(_) => return Next::Drop,
            }
            if !self.readable {
                return Next::Keep;
            }
            // 2. Read once and answer.
            match self.stream.read(buf) {
                Ok(0) => return Next::Drop, // peer FIN and nothing pending
                Ok(n) => {
                    if n < buf.len() && !self.read_closed {
                        self.readable = false; // the short-read rule
                    }
                    if self.session.on_data(&buf[..n], self.outbox.buf_mut()) == Flow::Close {
                        self.closing = true;
                        self.readable = false;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.readable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Next::Drop,
            }
            // 3. Loop: flush the answer, and read on if the buffer was full.
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = rlimit::raise_nofile();
    match run(cli.server) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("raw-mio: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Binds, announces and runs the event loop forever.
fn run(args: ServerArgs) -> io::Result<()> {
    let std_listener = server_cli::bind(args.addr)?;
    std_listener.set_nonblocking(true)?;
    server_cli::announce(&std_listener)?;
    let mut listener = TcpListener::from_std(std_listener);

    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut events = Events::with_capacity(EVENTS);
    let mut conns: Slab<Conn> = Slab::new();
    let mut buf = vec![0u8; READ_BUF];
    let mode: Mode = args.mode;

    loop {
        // Sleep until the kernel has news (the seed's kevent/epoll_wait).
        if let Err(err) = poll.poll(&mut events, None) {
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        for event in events.iter() {
            if event.token() == LISTENER {
                accept_all(&listener, &mut poll, &mut conns, mode);
                continue;
            }
            let key = event.token().0 - 1;
            let Some(conn) = conns.get_mut(key) else {
                continue; // an event for a connection dropped in this batch
            };
            let readable = event.is_readable() || event.is_read_closed() || event.is_error();
            if conn.on_event(readable, event.is_read_closed(), &mut buf) == Next::Drop {
                let mut conn = conns.remove(key);
                let _ = poll.registry().deregister(&mut conn.stream);
            }
        }
    }
}

/// Accepts until `WouldBlock`, registering each connection.
///
/// Edge-triggered: the listener's readable event came once, so every queued
/// connection must be taken now. On an error such as `EMFILE` the loop
/// stops and waits a little; the connections left in the backlog are taken
/// at the next listener event (a simplification: a production server, like
/// spindle-server, retries on a timer).
fn accept_all(listener: &TcpListener, poll: &mut Poll, conns: &mut Slab<Conn>, mode: Mode) {
    loop {
        match listener.accept() {
            Ok((mut stream, _)) => {
                let _ = stream.set_nodelay(true);
                let entry = conns.vacant_entry();
                let token = Token(entry.key() + 1);
                let interest = Interest::READABLE | Interest::WRITABLE;
                if poll
                    .registry()
                    .register(&mut stream, token, interest)
                    .is_ok()
                {
                    entry.insert(Conn {
                        stream,
                        session: Session::new(mode),
                        outbox: Outbox::default(),
                        readable: false,
                        read_closed: false,
                        closing: false,
                    });
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                eprintln!("raw-mio: accept: {e}");
                std::thread::sleep(Duration::from_millis(10));
                return;
            }
        }
    }
}
