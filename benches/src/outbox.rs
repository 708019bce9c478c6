//! Bytes a non-blocking server has promised to send but not yet written.
//!
//! A blocking server calls `write_all` and is done. A non-blocking one may
//! find the socket's send buffer full (`WouldBlock`) halfway through a
//! response; it must keep the rest and try again later: on the next turn of
//! the busy-poll loop, or when mio reports the socket writable. [`Outbox`]
//! is that "rest", shared by the busy-poll and raw-mio contenders.
//!
//! While an outbox is not empty the servers stop reading from the
//! connection: a client that sends faster than it reads cannot make the
//! server buffer without bound (backpressure).

use std::io::{self, Write};

/// Pending output for one connection.
///
/// # Examples
///
/// ```
/// use spindle_benches::outbox::Outbox;
///
/// let mut outbox = Outbox::default();
/// outbox.buf_mut().extend_from_slice(b"hello");
/// let mut sink = Vec::new();
/// assert!(outbox.flush_to(&mut sink)?);
/// assert_eq!(sink, b"hello");
/// assert!(outbox.is_empty());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Outbox {
    /// The bytes, written from `sent` onwards. Appended to by the server
    /// through [`Outbox::buf_mut`] (usually by `Session::on_data`).
    buf: Vec<u8>,
    /// How many bytes at the front of `buf` are already written.
    sent: usize,
}

impl Outbox {
    /// The buffer to append output to.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut outbox = spindle_benches::outbox::Outbox::default();
    /// outbox.buf_mut().push(b'x');
    /// assert!(!outbox.is_empty());
    /// ```
    pub fn buf_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Whether everything has been written.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle_benches::outbox::Outbox::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.sent == self.buf.len()
    }

    /// Writes as much as the socket takes. Returns `Ok(true)` when the
    /// outbox is empty, `Ok(false)` when the socket would block first.
    ///
    /// # Errors
    ///
    /// Any error from `write` other than `WouldBlock` and `Interrupted`
    /// (the connection is then broken and should be dropped), and
    /// `WriteZero` if the socket accepts no bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut outbox = spindle_benches::outbox::Outbox::default();
    /// outbox.buf_mut().extend_from_slice(b"abc");
    /// let mut sink = Vec::new();
    /// assert!(outbox.flush_to(&mut sink)?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn flush_to(&mut self, socket: &mut impl Write) -> io::Result<bool> {
        while self.sent < self.buf.len() {
            match socket.write(&self.buf[self.sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        // Everything went out: reuse the allocation for the next response.
        self.buf.clear();
        self.sent = 0;
        Ok(true)
    }
}
