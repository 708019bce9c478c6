//! The command line, listening socket and readiness line every contender
//! shares.
//!
//! Every contender (and `spindle-server`) is started the same way:
//!
//! ```text
//! <contender> --mode http|echo --addr HOST:PORT
//! ```
//!
//! and prints exactly one line, `listening on ADDR`, once its socket is
//! bound, with the real port when it was asked for port 0. `compare` and the
//! tests wait for that line, so they never race a server that is not yet
//! listening and never need a fixed port.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener};

use clap::{Args, ValueEnum};
use socket2::{Domain, Socket, Type};

/// The listen backlog: the connections the kernel queues before `accept`.
/// std uses 128, which drops SYNs when 10,000 clients connect at once (each
/// drop costs the client a 1 s retransmission). 4096 is Linux's default
/// `net.core.somaxconn` ceiling since 5.4.
pub const BACKLOG: i32 = 4096;

/// The bytes every connection's read uses, as in the protocol's spec.
pub const READ_BUF: usize = 4096;

/// The protocol a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// HTTP/1.1 plaintext (see [`crate::http`]).
    Http,
    /// Echo every byte until the peer closes.
    Echo,
}

impl Mode {
    /// The name used on command lines and in reports.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle_benches::Mode::Echo.name(), "echo");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Mode::Http => "http",
            Mode::Echo => "echo",
        }
    }
}

/// The arguments every contender server takes.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// The protocol to serve.
    #[arg(long, value_enum, default_value_t = Mode::Http)]
    pub mode: Mode,
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
}

/// Binds a listening socket the way every contender does: `SO_REUSEADDR`,
/// a backlog of [`BACKLOG`], blocking mode (non-blocking servers switch it).
///
/// # Errors
///
/// Any error from `socket`, `bind` or `listen`.
///
/// # Examples
///
/// ```
/// let listener = spindle_benches::server_cli::bind("127.0.0.1:0".parse().unwrap())?;
/// assert_ne!(listener.local_addr()?.port(), 0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Prints `listening on ADDR` and flushes, so a parent reading a pipe sees
/// it at once.
///
/// # Errors
///
/// An error from writing to stdout.
///
/// # Examples
///
/// ```
/// let listener = spindle_benches::server_cli::bind("127.0.0.1:0".parse().unwrap())?;
/// spindle_benches::server_cli::announce(&listener)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn announce(listener: &TcpListener) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "listening on {}", listener.local_addr()?)?;
    out.flush()
}

/// Parses a `listening on ADDR` line, as printed by [`announce`].
///
/// # Examples
///
/// ```
/// use spindle_benches::server_cli::parse_announce;
///
/// let addr = parse_announce("listening on 127.0.0.1:4000\n").unwrap();
/// assert_eq!(addr.port(), 4000);
/// assert!(parse_announce("hello").is_none());
/// ```
pub fn parse_announce(line: &str) -> Option<SocketAddr> {
    line.trim()
        .strip_prefix("listening on ")?
        .trim()
        .parse()
        .ok()
}
