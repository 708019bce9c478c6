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
//!   IoSlot { readiness, read waiters, write waiters }  ◄── slab index = low half of Token
//!        ▲                           │
//!   event(token) ──► set bits ───────┴──► wake every reader / writer
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
//! - Readiness bits are set only by dispatch, which takes every waiter of
//!   a direction in the same step as it sets that direction's bits, and a
//!   task parks only while its direction's bits are clear. So a waiter
//!   that later finds its direction ready has already been taken
//!   (`ReadyFuture` relies on this to skip removing itself).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use mio::event::Source;
use mio::{Events, Interest, Poll, Registry, Token};
use slab::Slab;

use crate::executor::context;
use crate::executor::metrics::Counters;
use crate::explain::{self, Explain};

mod io_source;
pub(crate) mod ready;
pub(crate) mod registration;
#[cfg(unix)]
pub(crate) mod signal;
mod slot;

pub(crate) use io_source::{close_result, IoSource};
pub(crate) use ready::{Direction, Ready};
pub(crate) use registration::Registration;
pub(crate) use slot::IoSlot;

/// The token of the runtime's `mio::Waker`. Never a socket's token: socket
/// tokens have a 32-bit slab index, and this one's index half is all ones.
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX);

/// The token of the signal pipe (see `reactor/signal.rs`), next to the waker's.
pub(crate) const SIGNAL_TOKEN: Token = Token(usize::MAX - 1);

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
    slots: RefCell<Slab<Arc<IoSlot>>>,
    /// The generation given to the next registration; see the invariants.
    next_generation: Cell<u32>,
    /// The runtime's thread, the owner of every slot's waiters (`IoSlot`).
    owner: ThreadId,
    /// Wakers collected during dispatch, woken after the slab borrow ends;
    /// kept between turns to reuse its allocation.
    to_wake: RefCell<Vec<Waker>>,
    /// The tasks that parked the wakers in `to_wake` of one event, for the
    /// explain trace; reused the same way.
    woken_tasks: RefCell<Vec<Option<u64>>>,
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
    ///
    /// Also returns a second clone of the registry, for the runtime's
    /// shared half (sockets dropped on other threads deregister with it).
    pub(crate) fn new(
        max_events: usize,
        explain: Rc<Explain>,
    ) -> io::Result<(IoDriver, mio::Waker, Registry)> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let shared_registry = poll.registry().try_clone()?;
        let driver = IoDriver {
            poll: RefCell::new(poll),
            registry,
            events: RefCell::new(Events::with_capacity(max_events.max(1))),
            slots: RefCell::new(Slab::new()),
            next_generation: Cell::new(0),
            owner: context::this_thread(),
            to_wake: RefCell::new(Vec::new()),
            woken_tasks: RefCell::new(Vec::new()),
            explain_on: explain.on,
            explain_detail: explain.detail,
            explain,
        };
        Ok((driver, waker, shared_registry))
    }

    /// The registry, for sources that have no slot of their own (the signal
    /// self-pipe).
    #[cfg(unix)]
    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Registers `source` for reading and writing and returns its slot.
    pub(crate) fn register(&self, source: &mut impl Source) -> io::Result<Arc<IoSlot>> {
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
        let slot = Arc::new(IoSlot::new(token, self.owner));
        entry.insert(slot.clone());
        if self.explain_detail {
            explain::register(&self.explain, slot.token);
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
            explain::deregister(&self.explain, slot.token);
        }
        self.release(slot.token);
    }

    /// Frees the slot of `token`, if it is still that socket's: the second
    /// half of `deregister`, run by the loop for sockets dropped on another
    /// thread (which deregistered their fd themselves).
    pub(crate) fn release(&self, token: Token) {
        let index = token_index(token);
        let mut slots = self.slots.borrow_mut();
        if slots.get(index).is_some_and(|s| s.token == token) {
            // The slot's waiters (if any) drop after the borrow ends.
            let slot = slots.remove(index);
            drop(slots);
            drop(slot);
        }
    }

    /// Wakes every task parked on any socket: the runtime is shutting down,
    /// and a task of another runtime waiting on one of its sockets must
    /// learn that it is gone (its next poll gets the error).
    pub(crate) fn wake_all(&self) {
        let mut wakers = Vec::new();
        for (_, slot) in self.slots.borrow().iter() {
            slot.take(Direction::Read, &mut wakers, None);
            slot.take(Direction::Write, &mut wakers, None);
        }
        for waker in wakers {
            waker.wake();
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
    /// can narrate them and handle the non-socket tokens; and the number of
    /// events (a full buffer means more may be waiting).
    pub(crate) fn poll(
        &self,
        timeout: Option<Duration>,
        counters: &Counters,
        mut on_event: impl FnMut(Token, Ready),
    ) -> usize {
        let mut events = self.events.borrow_mut();
        let explain = self.explain_on;
        let started = if explain { Some(Instant::now()) } else { None };
        // Step 1: sleep in the kernel. mio rounds the timeout up to the next
        // millisecond, so a timer is never reported early.
        if let Err(err) = self.poll.borrow_mut().poll(&mut events, timeout) {
            // EINTR: a signal arrived; it is not an error, just a short turn.
            if err.kind() == io::ErrorKind::Interrupted {
                return 0;
            }
            panic!("spindle reactor: mio::Poll::poll failed: {err}");
        }
        if let Some(started) = started {
            explain::poll_returned(&self.explain, events.iter().count(), started.elapsed());
        }
        // Step 2: translate each event into readiness and collect wakers.
        let mut count = 0;
        let mut to_wake = self.to_wake.borrow_mut();
        {
            let slots = self.slots.borrow();
            for event in events.iter() {
                count += 1;
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
                slot.set_readiness(slot.readiness().union(ready));
                let mut woken = if explain {
                    let mut woken = self.woken_tasks.borrow_mut();
                    woken.clear();
                    Some(woken)
                } else {
                    None
                };
                let before = to_wake.len();
                let mut names = woken.as_deref_mut();
                if ready.intersects(Direction::Read.mask()) {
                    slot.take(Direction::Read, &mut to_wake, names.as_deref_mut());
                }
                let readers = to_wake.len() - before;
                if ready.intersects(Direction::Write.mask()) {
                    slot.take(Direction::Write, &mut to_wake, names);
                }
                if let Some(woken) = &woken {
                    let (read, write) = woken.split_at(readers);
                    explain::socket_event(
                        &self.explain,
                        slot.token,
                        ready,
                        read.first().copied(),
                        write.first().copied(),
                        read.len().saturating_sub(1) + write.len().saturating_sub(1),
                    );
                }
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
        count
    }

    /// The room in the events buffer: a poll that fills it may have left
    /// events in the kernel.
    #[cfg(all(feature = "tokio", unix))]
    pub(crate) fn max_events(&self) -> usize {
        self.events.borrow().capacity()
    }

    /// The selector's own file descriptor (epoll or kqueue), readable while
    /// it has events to report: what a host runtime watches.
    #[cfg(all(feature = "tokio", unix))]
    pub(crate) fn selector_fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        self.poll.borrow().as_raw_fd()
    }
}

impl fmt::Debug for IoDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoDriver")
            .field("registrations", &self.registrations())
            .finish_non_exhaustive()
    }
}
