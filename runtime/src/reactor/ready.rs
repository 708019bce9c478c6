//! The reactor's vocabulary: [`Ready`], the readiness bits a socket's slot
//! keeps (what the kernel said and no operation has disproved), and
//! [`Direction`], the half of a socket an operation uses. Plain values,
//! with nothing of the loop in them, so the explain trace can name them.

use std::fmt;

/// Readiness bits of one registration.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Ready(pub(crate) u8);

impl Ready {
    /// The socket can be read (or accepted from) without blocking.
    pub(crate) const READABLE: Ready = Ready(1);
    /// The socket can be written without blocking.
    pub(crate) const WRITABLE: Ready = Ready(1 << 1);
    /// The peer closed its write side: reads return EOF. Sticky.
    pub(crate) const READ_CLOSED: Ready = Ready(1 << 2);
    /// Our write side is closed: writes fail. Sticky.
    pub(crate) const WRITE_CLOSED: Ready = Ready(1 << 3);
    /// The socket has a pending error: any operation reports it. Sticky.
    pub(crate) const ERROR: Ready = Ready(1 << 4);
    /// No readiness.
    pub(crate) const EMPTY: Ready = Ready(0);

    /// Whether any bit of `other` is set in `self`.
    #[inline]
    pub(crate) fn intersects(self, other: Ready) -> bool {
        self.0 & other.0 != 0
    }

    /// The bits in `self` or `other`.
    #[inline]
    pub(crate) fn union(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }

    /// The bits in `self` but not in `other`.
    #[inline]
    pub(crate) fn difference(self, other: Ready) -> Ready {
        Ready(self.0 & !other.0)
    }

    /// Translates a mio event into readiness bits.
    #[inline]
    pub(super) fn from_event(event: &mio::event::Event) -> Ready {
        let mut ready = Ready::EMPTY;
        if event.is_readable() {
            ready = ready.union(Ready::READABLE);
        }
        if event.is_writable() {
            ready = ready.union(Ready::WRITABLE);
        }
        if event.is_read_closed() {
            ready = ready.union(Ready::READ_CLOSED);
        }
        if event.is_write_closed() {
            ready = ready.union(Ready::WRITE_CLOSED);
        }
        if event.is_error() {
            ready = ready.union(Ready::ERROR);
        }
        ready
    }
}

/// `READABLE|WRITABLE`: the explain trace's spelling.
impl fmt::Display for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Ready::READABLE, "READABLE"),
            (Ready::WRITABLE, "WRITABLE"),
            (Ready::READ_CLOSED, "READ_CLOSED"),
            (Ready::WRITE_CLOSED, "WRITE_CLOSED"),
            (Ready::ERROR, "ERROR"),
        ];
        let mut first = true;
        for (bit, name) in names {
            if self.intersects(bit) {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("NONE")?;
        }
        Ok(())
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
        let mut list = f.debug_set();
        for (bit, name) in names {
            if self.intersects(bit) {
                list.entry(&format_args!("{name}"));
            }
        }
        list.finish()
    }
}

/// Which half of a socket an operation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Reading, accepting, receiving, peeking.
    Read,
    /// Writing, sending, connecting.
    Write,
}

impl Direction {
    /// The bits that let an operation in this direction proceed: its own
    /// readiness, plus the sticky bits that make it return at once.
    #[inline]
    pub(crate) fn mask(self) -> Ready {
        match self {
            Direction::Read => Ready::READABLE
                .union(Ready::READ_CLOSED)
                .union(Ready::ERROR),
            Direction::Write => Ready::WRITABLE
                .union(Ready::WRITE_CLOSED)
                .union(Ready::ERROR),
        }
    }

    /// `read` or `write`, for the explain trace.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Direction::Read => "read",
            Direction::Write => "write",
        }
    }

    /// The bit an operation clears when it proves the socket drained.
    #[inline]
    pub(crate) fn clearable(self) -> Ready {
        match self {
            Direction::Read => Ready::READABLE,
            Direction::Write => Ready::WRITABLE,
        }
    }
}
