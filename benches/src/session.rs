//! The per-connection protocol state every contender drives.
//!
//! A [`Session`] is sans-I/O: the server reads some bytes, hands them to
//! [`Session::on_data`], writes whatever it appended to the output buffer,
//! and closes when told to. It never touches a socket, so the blocking
//! servers, the busy-poll loop, the mio state machines and the tokio tasks
//! all run exactly the same protocol code, and the benchmark compares only
//! the way each one waits for the kernel.
//!
//! After the peer closes its side (a read returns 0), the server flushes
//! what is still pending and closes; the session has nothing to add.

use crate::http::HttpSession;
use crate::server_cli::Mode;

/// What the server does after writing the output of [`Session::on_data`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading from this connection.
    Continue,
    /// Write the pending output, then close the connection.
    Close,
}

/// The protocol state of one connection.
///
/// # Examples
///
/// ```
/// use spindle_benches::{Flow, Mode, Session};
///
/// let mut echo = Session::new(Mode::Echo);
/// let mut out = Vec::new();
/// assert_eq!(echo.on_data(b"ping", &mut out), Flow::Continue);
/// assert_eq!(out, b"ping");
/// ```
#[derive(Debug)]
pub struct Session {
    /// Which protocol, and its state.
    kind: Kind,
}

/// The protocol a [`Session`] speaks, with its state.
#[derive(Debug)]
enum Kind {
    /// Echo has no state: every byte goes straight back.
    Echo,
    /// HTTP keeps a partial request between reads.
    Http(HttpSession),
}

impl Session {
    /// A fresh session for a newly accepted connection.
    ///
    /// # Examples
    ///
    /// ```
    /// let session = spindle_benches::Session::new(spindle_benches::Mode::Http);
    /// # drop(session);
    /// ```
    pub fn new(mode: Mode) -> Session {
        let kind = match mode {
            Mode::Echo => Kind::Echo,
            Mode::Http => Kind::Http(HttpSession::default()),
        };
        Session { kind }
    }

    /// Takes the bytes of one read and appends the reply to `out`.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle_benches::{Flow, Mode, Session};
    ///
    /// let mut http = Session::new(Mode::Http);
    /// let mut out = Vec::new();
    /// let flow = http.on_data(b"GET /plaintext HTTP/1.1\r\n\r\n", &mut out);
    /// assert_eq!(flow, Flow::Continue);
    /// assert!(out.ends_with(b"\r\n\r\nHello, World!"));
    /// ```
    pub fn on_data(&mut self, input: &[u8], out: &mut Vec<u8>) -> Flow {
        match &mut self.kind {
            Kind::Echo => {
                out.extend_from_slice(input);
                Flow::Continue
            }
            Kind::Http(http) => http.on_data(input, out),
        }
    }
}
