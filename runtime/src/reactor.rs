//! The reactor: the one place that owns `mio::Poll`.
//!
//! A socket that is not ready makes its task return `Pending`; the task's
//! waker is parked in the socket's [`IoSlot`]. When the loop has nothing to
//! run it calls [`IoDriver::poll`], which blocks in `epoll_wait` (Linux) or
//! `kevent` (macOS, BSD) until the kernel reports readiness, a timer is due,
//! or another thread fires the `mio::Waker`. Each event carries the
//! [`Token`] the socket was registered with; the token leads to the slot, the
//! slot's readiness bits are set, and the parked wakers are woken. That is
//! the seed's kqueue loop, with wakers where it printed `ready_fd`.
//!
//! ```text
//!   IoSlot { readiness, reader waker, writer waker }   ◄── slab index = low half of Token
//!        ▲                           │
//!   event(token) ──► set bits ───────┴──► wake reader / writer
//! ```
//!
//! # Invariants
//!
//! - Registrations are edge-triggered (mio always is): the kernel reports a
//!   change once, so the bits are kept until an operation proves the socket
//!   drained (`WouldBlock`, or a short read or write; see `registration.rs`).
//! - The high half of a token is a generation. A slot freed and reused by a
//!   new socket gets a new generation, so an event still queued for the old
//!   socket wakes nothing.
//! - Wakers are collected while the slab is borrowed and woken after, so a
//!   waker that runs arbitrary code cannot re-enter the slab.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::rc::Rc;
use std::task::Waker;
use std::time::{Duration, Instant};

use mio::event::Source;
use mio::{Events, Interest, Poll, Registry, Token};
use slab::Slab;

use crate::explain::{self, Explain};
use crate::metrics::Counters;

/// The token of the runtime's `mio::Waker`. Never a socket's token: socket
/// tokens have a 32-bit slab index, and this one's index half is all ones.
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX);

/// The token of the signal pipe (see `signal.rs`), next to the waker's.
pub(crate) const SIGNAL_TOKEN: Token = Token(usize::MAX - 1);

/// Readiness bits of one registration.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Ready(u8);

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
    pub(crate) fn intersects(self, other: Ready) -> bool {
        self.0 & other.0 != 0
    }

    /// The bits in `self` or `other`.
    pub(crate) fn union(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }

    /// The bits in `self` but not in `other`.
    pub(crate) fn difference(self, other: Ready) -> Ready {
        Ready(self.0 & !other.0)
    }

    /// Translates a mio event into readiness bits.
    fn from_event(event: &mio::event::Event) -> Ready {
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
    pub(crate) fn clearable(self) -> Ready {
        match self {
            Direction::Read => Ready::READABLE,
            Direction::Write => Ready::WRITABLE,
        }
    }
}

/// The reactor's record of one registered socket.
#[derive(Debug)]
pub(crate) struct IoSlot {
    /// The token the socket is registered with: slab index and generation.
    pub(crate) token: Token,
    /// What the kernel last reported and no operation has disproved yet.
    /// Set by [`IoDriver::poll`]; cleared by `Registration::clear`.
    pub(crate) readiness: Cell<Ready>,
    /// The waker of the task waiting to read; taken and woken on a read-side
    /// event.
    pub(crate) reader: RefCell<Option<Waker>>,
    /// The waker of the task waiting to write; taken and woken on a
    /// write-side event.
    pub(crate) writer: RefCell<Option<Waker>>,
    /// The tasks that parked `reader` and `writer`, for the explain trace.
    /// Written by `Registration::poll_ready` only while the trace is on.
    pub(crate) parked_by: [Cell<Option<u64>>; 2],
}

impl IoSlot {
    /// The waker cell for `direction`.
    pub(crate) fn waker(&self, direction: Direction) -> &RefCell<Option<Waker>> {
        match direction {
            Direction::Read => &self.reader,
            Direction::Write => &self.writer,
        }
    }

    /// Who parked the waker for `direction` (explain trace only).
    pub(crate) fn parked_by(&self, direction: Direction) -> &Cell<Option<u64>> {
        &self.parked_by[direction as usize]
    }

    /// The slab index: the low half of the token, as the trace shows it.
    pub(crate) fn index(&self) -> usize {
        token_index(self.token)
    }
}

/// The slab index half of a socket's token.
fn token_index(token: Token) -> usize {
    token.0 & (u32::MAX as usize)
}

/// Owns `mio::Poll` and the slab of registrations.
pub(crate) struct IoDriver {
    /// The OS selector. Borrowed mutably only inside [`IoDriver::poll`].
    poll: RefCell<Poll>,
    /// A clone of the poll's registry, so that sockets can register and
    /// deregister without borrowing `poll`.
    registry: Registry,
    /// The buffer `poll` fills; its capacity is the builder's `max_events`.
    events: RefCell<Events>,
    /// One slot per registered socket, keyed by the low half of its token.
    slots: RefCell<Slab<Rc<IoSlot>>>,
    /// The generation given to the next registration; see the invariants.
    next_generation: Cell<u32>,
    /// Wakers collected during dispatch, woken after the slab borrow ends;
    /// kept between turns to reuse its allocation.
    to_wake: RefCell<Vec<Waker>>,
    /// The runtime's explain trace; read by `Registration::poll_ready`
    /// (who waits where) and by `poll` (which events woke whom).
    pub(crate) explain: Rc<Explain>,
    /// A copy of `explain.on`, so the hooks test a plain `bool` field.
    pub(crate) explain_on: bool,
    /// A copy of `explain.detail`: the level-2 hooks (socket operations,
    /// registrations) test it.
    pub(crate) explain_detail: bool,
}

impl IoDriver {
    /// Creates the selector and the `mio::Waker` registered with it.
    pub(crate) fn new(
        max_events: usize,
        explain: Rc<Explain>,
    ) -> io::Result<(IoDriver, mio::Waker)> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let driver = IoDriver {
            poll: RefCell::new(poll),
            registry,
            events: RefCell::new(Events::with_capacity(max_events.max(1))),
            slots: RefCell::new(Slab::new()),
            next_generation: Cell::new(0),
            to_wake: RefCell::new(Vec::new()),
            explain_on: explain.on,
            explain_detail: explain.detail,
            explain,
        };
        Ok((driver, waker))
    }

    /// The registry, for sources that have no slot of their own (the signal
    /// self-pipe).
    #[cfg(unix)]
    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Registers `source` for reading and writing and returns its slot.
    pub(crate) fn register(&self, source: &mut impl Source) -> io::Result<Rc<IoSlot>> {
        let mut slots = self.slots.borrow_mut();
        let entry = slots.vacant_entry();
        let index = entry.key();
        if index >= u32::MAX as usize {
            return Err(io::Error::other("spindle reactor: too many registrations"));
        }
        let generation = self.next_generation.get();
        self.next_generation.set(generation.wrapping_add(1));
        let token = Token(((generation as usize) << 32) | index);
        self.registry
            .register(source, token, Interest::READABLE | Interest::WRITABLE)?;
        let slot = Rc::new(IoSlot {
            token,
            readiness: Cell::new(Ready::EMPTY),
            reader: RefCell::new(None),
            writer: RefCell::new(None),
            parked_by: [Cell::new(None), Cell::new(None)],
        });
        entry.insert(slot.clone());
        if self.explain_detail {
            explain::register(&self.explain, &slot);
        }
        Ok(slot)
    }

    /// Deregisters `source` and frees its slot; later events for its token
    /// are ignored.
    pub(crate) fn deregister(&self, source: &mut impl Source, slot: &IoSlot) {
        // Closing the fd removes it from epoll/kqueue anyway; an error here
        // (the fd was already closed by a `from_raw_fd` user) changes nothing.
        let _ = self.registry.deregister(source);
        if self.explain_detail {
            explain::deregister(&self.explain, slot);
        }
        let index = slot.index();
        let mut slots = self.slots.borrow_mut();
        if slots.get(index).is_some_and(|s| s.token == slot.token) {
            slots.remove(index);
        }
    }

    /// Number of live registrations (for tests and the explain trace).
    pub(crate) fn registrations(&self) -> usize {
        self.slots.borrow().len()
    }

    /// Waits for events for at most `timeout` (`None`: until one comes),
    /// records readiness, and wakes the parked tasks.
    ///
    /// Returns the tokens that had events, through `on_event`, so the caller
    /// can narrate them and handle the non-socket tokens.
    pub(crate) fn poll(
        &self,
        timeout: Option<Duration>,
        counters: &Counters,
        mut on_event: impl FnMut(Token, Ready),
    ) {
        let mut events = self.events.borrow_mut();
        let explain = self.explain_on;
        let started = if explain { Some(Instant::now()) } else { None };
        // Step 1: sleep in the kernel. mio rounds the timeout up to the next
        // millisecond, so a timer is never reported early.
        if let Err(err) = self.poll.borrow_mut().poll(&mut events, timeout) {
            // EINTR: a signal arrived; it is not an error, just a short turn.
            if err.kind() == io::ErrorKind::Interrupted {
                return;
            }
            panic!("spindle reactor: mio::Poll::poll failed: {err}");
        }
        if let Some(started) = started {
            explain::poll_returned(&self.explain, events.iter().count(), started.elapsed());
        }
        // Step 2: translate each event into readiness and collect wakers.
        let mut to_wake = self.to_wake.borrow_mut();
        {
            let slots = self.slots.borrow();
            for event in events.iter() {
                let token = event.token();
                let ready = Ready::from_event(event);
                on_event(token, ready);
                if token == WAKER_TOKEN || token == SIGNAL_TOKEN {
                    if explain {
                        explain::own_token(&self.explain, token == WAKER_TOKEN);
                    }
                    continue;
                }
                Counters::add(&counters.events, 1);
                let index = token_index(token);
                // A stale token (slot freed or reused): nothing to wake.
                let Some(slot) = slots.get(index).filter(|s| s.token == token) else {
                    if explain {
                        explain::stale(&self.explain, index, ready);
                    }
                    continue;
                };
                slot.readiness.set(slot.readiness.get().union(ready));
                let reader = if ready.intersects(Direction::Read.mask()) {
                    slot.reader.borrow_mut().take()
                } else {
                    None
                };
                let writer = if ready.intersects(Direction::Write.mask()) {
                    slot.writer.borrow_mut().take()
                } else {
                    None
                };
                if explain {
                    explain::socket_event(
                        &self.explain,
                        slot,
                        ready,
                        reader.is_some(),
                        writer.is_some(),
                    );
                }
                to_wake.extend(reader);
                to_wake.extend(writer);
            }
        }
        drop(events);
        // Step 3: wake, with no borrow held.
        let wakers = std::mem::take(&mut *to_wake);
        drop(to_wake);
        let mut wakers = wakers;
        for waker in wakers.drain(..) {
            waker.wake();
        }
        // Give the (now empty) buffer back for the next turn.
        *self.to_wake.borrow_mut() = wakers;
    }
}

impl fmt::Debug for IoDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoDriver")
            .field("registrations", &self.registrations())
            .finish_non_exhaustive()
    }
}
