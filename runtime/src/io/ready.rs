//! `Interest` and `Ready`: what a task waits for on a socket, and what the
//! reactor saw.
//!
//! A socket's `ready(interest)` waits until the reactor has reported
//! readiness in one of the directions of `interest` and returns the bits it
//! saw, so one task can wait for "readable or writable" and then do
//! whichever is possible. The bits are the reactor's own (see `reactor/ready.rs`:
//! an event sets them, an operation that proves the socket drained clears
//! `READABLE` or `WRITABLE`; the closed and error bits are sticky); this
//! file only gives them a public face and filters them by the interest.
//!
//! # Notes
//!
//! Readiness is a hint: a socket reported readable may still answer a read
//! with `WouldBlock` (the data was taken by another reader, or the event
//! was spurious). The `try_*` operations clear the bit when that happens;
//! wait again.

use std::fmt;
use std::ops::BitOr;

use crate::reactor;

/// The directions a task wants to wait for: readable, writable, or both.
///
/// # Examples
///
/// ```
/// use spindle::io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert!(!Interest::READABLE.is_writable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

impl Interest {
    /// Wait until the socket can be read (or accepted from, or received on).
    pub const READABLE: Interest = Interest(1);
    /// Wait until the socket can be written (or sent on).
    pub const WRITABLE: Interest = Interest(2);

    /// Whether the interest includes reading.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle::io::Interest::READABLE.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & Interest::READABLE.0 != 0
    }

    /// Whether the interest includes writing.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle::io::Interest::WRITABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & Interest::WRITABLE.0 != 0
    }

    /// Both interests: `self` and `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::Interest;
    /// assert_eq!(Interest::READABLE.add(Interest::WRITABLE), Interest::READABLE | Interest::WRITABLE);
    /// ```
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }
}

impl BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => f.write_str("READABLE | WRITABLE"),
            (true, false) => f.write_str("READABLE"),
            (false, true) => f.write_str("WRITABLE"),
            (false, false) => f.write_str("(none)"),
        }
    }
}

/// The readiness the reactor reported for a socket, as
/// `ready(interest)` returns it.
///
/// # Examples
///
/// ```
/// use spindle::io::{Interest, Ready};
///
/// spindle::block_on(async {
///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
///     let stream = spindle::net::TcpStream::connect(listener.local_addr()?).await?;
///     let ready: Ready = stream.ready(Interest::WRITABLE).await?;
///     assert!(ready.is_writable());
///     assert!(!ready.is_readable()); // not asked for, so not reported
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ready(u8);

impl Ready {
    /// Nothing is ready.
    pub const EMPTY: Ready = Ready(0);
    /// The socket can be read without blocking.
    pub const READABLE: Ready = Ready(1);
    /// The socket can be written without blocking.
    pub const WRITABLE: Ready = Ready(1 << 1);
    /// The peer closed its write side: reads return EOF.
    pub const READ_CLOSED: Ready = Ready(1 << 2);
    /// The write side is closed: writes fail.
    pub const WRITE_CLOSED: Ready = Ready(1 << 3);
    /// The socket has a pending error; the next operation reports it.
    pub const ERROR: Ready = Ready(1 << 4);

    /// Translates the reactor's bits, keeping only those `interest` asked
    /// for (plus `ERROR`, which concerns both directions).
    pub(crate) fn from_reactor(bits: reactor::Ready, interest: Interest) -> Ready {
        let mut ready = Ready::EMPTY;
        let mut keep = |bit: reactor::Ready, public: Ready| {
            if bits.intersects(bit) {
                ready = ready | public;
            }
        };
        if interest.is_readable() {
            keep(reactor::Ready::READABLE, Ready::READABLE);
            keep(reactor::Ready::READ_CLOSED, Ready::READ_CLOSED);
        }
        if interest.is_writable() {
            keep(reactor::Ready::WRITABLE, Ready::WRITABLE);
            keep(reactor::Ready::WRITE_CLOSED, Ready::WRITE_CLOSED);
        }
        keep(reactor::Ready::ERROR, Ready::ERROR);
        ready
    }

    /// Whether no bit is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle::io::Ready::EMPTY.is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the socket can be read (or the read side is closed, which a
    /// read reports at once as EOF).
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::Ready;
    /// assert!(Ready::READABLE.is_readable());
    /// assert!(Ready::READ_CLOSED.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & (Ready::READABLE.0 | Ready::READ_CLOSED.0) != 0
    }

    /// Whether the socket can be written (or the write side is closed,
    /// which a write reports at once as an error).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle::io::Ready::WRITABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & (Ready::WRITABLE.0 | Ready::WRITE_CLOSED.0) != 0
    }

    /// Whether the peer closed its write side (reads return EOF).
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::{Interest, Ready};
    ///
    /// spindle::block_on(async {
    ///     let (a, b) = spindle::net::UnixStream::pair()?;
    ///     drop(a);
    ///     let ready = b.ready(Interest::READABLE).await?;
    ///     assert!(ready.is_read_closed());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub const fn is_read_closed(self) -> bool {
        self.0 & Ready::READ_CLOSED.0 != 0
    }

    /// Whether the write side is closed (writes fail).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle::io::Ready::WRITE_CLOSED.is_write_closed());
    /// ```
    pub const fn is_write_closed(self) -> bool {
        self.0 & Ready::WRITE_CLOSED.0 != 0
    }

    /// Whether the socket has a pending error.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!spindle::io::Ready::READABLE.is_error());
    /// ```
    pub const fn is_error(self) -> bool {
        self.0 & Ready::ERROR.0 != 0
    }
}

impl BitOr for Ready {
    type Output = Ready;

    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Ready::READABLE, "READABLE"),
            (Ready::WRITABLE, "WRITABLE"),
            (Ready::READ_CLOSED, "READ_CLOSED"),
            (Ready::WRITE_CLOSED, "WRITE_CLOSED"),
            (Ready::ERROR, "ERROR"),
        ];
        let mut set = f.debug_set();
        for (bit, name) in names {
            if self.0 & bit.0 != 0 {
                set.entry(&format_args!("{name}"));
            }
        }
        set.finish()
    }
}
