//! A socket's link to the reactor, and the one helper every socket
//! operation goes through.
//!
//! [`IoSource<S>`] wraps a mio socket `S` together with its [`Registration`].
//! Each operation (`read`, `write`, `accept`, `send_to`, …) is a closure that
//! performs the non-blocking syscall; [`Registration::poll_io`] runs it only
//! when the reactor says the socket is ready, and turns `WouldBlock` into
//! "clear readiness, park the waker, return `Pending`":
//!
//! ```text
//!   poll_io(dir, op)
//!     ├─ admit (one thread-local access):
//!     │    not the socket's runtime? ───────────────── Ready(Err(elsewhere))
//!     │    budget spent? ──────────── defer the waker (yield) ── Pending
//!     │    else take a budget unit
//!     ├─ readiness has no `dir` bit? ── park waker, give the unit back ── Pending
//!     ├─ op() = Err(WouldBlock) ──────── clear `dir` bit ── loop (re-check)
//!     ├─ op() = Err(Interrupted) ─────────────────────── loop (try again)
//!     └─ op() = anything else ───────────────────────────── Ready(result)
//!
//!   poll_io_sized(dir, asked, op): poll_io, then
//!     └─ Ready(Ok(n)), 0 < n < asked ─── clear `dir` bit (the short-read
//!                                         rule, epoll and kqueue only)
//! ```
//!
//! The budget (`executor/coop.rs`) is what keeps a task that always finds its
//! socket ready from holding the thread: every operation that completes
//! spends a unit, and the one that finds none left yields instead of running.
//!
//! The byte-stream reads and writes (`IoSource::poll_read`, `poll_write`,
//! `poll_write_vectored`) go through `poll_io_sized`; operations without a
//! byte count to compare (`accept`, `connect`, datagrams) through
//! `poll_io`. `try_io` and `try_io_sized` are the same without waiting.
//! At explain level 2, each of the four helpers narrates what the
//! operation did (`read token 3: 6 of 4096 bytes (short: READABLE
//! cleared)`); the hooks sit in the helpers, so every socket type gets them.
//!
//! # The life of one read
//!
//! Through every structure it touches (`executor/poll.rs` polls, this file
//! parks, `reactor/mod.rs` dispatches, `task/waker.rs` wakes,
//! `executor/mod.rs` schedules); the guide walks the same picture:
//!
//! ```text
//!  token (usize, 64-bit):  [ generation: high 32 bits | slab index: low 32 bits ]
//!
//!  1 poll      run queue ──pop TaskRef{index,id}──► task slab[index] ─► TaskCell::poll
//!  2 pending   read(2) = WouldBlock ─► IoSlot.readiness &= !READABLE
//!              IoSlot { readiness: u8 bits, owner thread's cells (no lock):
//!                       waiters {read: Vec, write: Vec}, parked: u8 bits, next_key }
//!  3 register  waker parked in waiters.read, parked |= READ ─► Poll::Pending
//!  4 event     epoll_wait ─► event(token) ─► slab[index], generation checked
//!              ─► readiness |= READABLE, every reader waker taken (parked bit cleared)
//!  5 wake      Header.scheduled: false ─► true (a second wake stops here)
//!  6 schedule  same thread: run queue.push_back(TaskRef)
//!              other thread: RemoteQueue.push, then `notified` false ─► true
//!              fires the mio::Waker (eventfd) ─► the loop's next turn drains
//!              the remote queue onto the run queue
//!  7 poll      back to 1: the read runs again and finds the bytes
//! ```
//!
//! A socket dropped on another thread deregisters its fd there and sends
//! its token to the loop through the same remote queue (`Inbox::Io`); the
//! loop frees the slot at its next turn, and the slot's next owner gets a
//! new generation.
//!
//! # Outside `block_on`
//!
//! A socket's I/O runs where its runtime runs. That is the thread that
//! built the runtime (a `Runtime` is `!Send`), whether or not it is inside
//! `block_on` at the moment: a socket polled there after `block_on`
//! returned (by a test harness, or by another executor on the same thread)
//! does its syscall, and parks its waker when the socket is not ready; the
//! next `block_on` dispatches the event and wakes it, and dropping the
//! runtime wakes it with the shut-down error. Anywhere else the operation
//! answers with an error that says why:
//!
//! - another thread (a socket moved to a plain thread, or used inside
//!   `spawn_blocking`): no loop will ever dispatch its events there;
//! - the owner thread while *another* runtime is inside `block_on`: this
//!   socket's loop cannot run until that `block_on` returns, so a wait
//!   would hang the task that waits;
//! - a runtime that has shut down.
//!
//! Timers are not sockets: a `Sleep` is polled by a task of its runtime
//! (`time/sleep.rs`), because the timer store lives in the loop's core.
//!
//! # Invariants
//!
//! - **Stale readiness.** Readiness is only ever cleared right after an
//!   operation proved the socket drained. Events are only dispatched while
//!   no task runs, so no event can arrive between the syscall and the clear
//!   and be wiped out; data that arrives after the syscall makes the kernel
//!   report a fresh edge at the next poll.
//! - **The short-read rule.** A read that returns fewer bytes than asked
//!   proves the receive buffer was empty at that moment, so the next read
//!   would only return `WouldBlock`; clearing now saves that syscall on every
//!   request (tokio does the same). A read of `0` bytes is EOF, not a short
//!   read: `READ_CLOSED` is sticky and further reads return `0` at once.
//! - **Deregister on drop.** Dropping an `IoSource` deregisters the socket
//!   and frees its slot before the fd is closed.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use crate::executor::context;
use crate::executor::coop::{self, Admit};
use crate::explain::{self, Explain};
use crate::reactor::{Direction, IoSlot, Ready};
use crate::task::waker::Shared;

/// Whether a short read or write proves the socket drained (see "the
/// short-read rule" above).
///
/// True for the real edge-triggered selectors, epoll and kqueue. Not for
/// mio's `poll(2)` backend (`--cfg mio_unsupported_force_poll_poll`): it
/// emulates edge triggering by disarming an fd after each event and
/// re-arming it only when an operation returns `WouldBlock`, so skipping
/// that `WouldBlock` would leave the socket disarmed and its task asleep
/// forever. tokio gates the rule the same way (tokio issue #5866).
const SHORT_IO_PROVES_DRAINED: bool = cfg!(all(
    not(mio_unsupported_force_poll_poll),
    any(
        target_os = "android",
        target_os = "linux",
        target_os = "illumos",
        target_os = "redox",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    )
));

/// A registered socket's handle on its reactor slot.
///
/// `Send + Sync`: it holds `Arc`s only. Its operations run only on the
/// thread that runs the socket's runtime; each checks that first (one
/// thread-local load and a compare) and answers anywhere else with an
/// `io::Error` that says why, never with `Pending` forever.
pub(crate) struct Registration {
    /// The runtime's shared half: its id (checked by every operation),
    /// whether it is gone, and where a socket dropped on another thread
    /// sends its slot to be freed.
    pub(super) shared: Arc<Shared>,
    /// The socket's slot: readiness bits and parked wakers.
    pub(super) slot: Arc<IoSlot>,
}

impl Registration {
    /// Checks that this thread runs the socket's runtime, or is its idle
    /// owner (see "Outside `block_on`" above).
    #[inline]
    fn check(&self) -> io::Result<()> {
        if context::current_id() == self.shared.id || self.idle_owner() {
            Ok(())
        } else {
            Err(self.elsewhere())
        }
    }

    /// Whether this is the runtime's own thread with no runtime entered,
    /// and the runtime is still there: an operation may run and park here
    /// (see "Outside `block_on`" above).
    #[cold]
    #[inline(never)]
    fn idle_owner(&self) -> bool {
        context::current_id() == 0
            && context::is_thread(self.shared.owner)
            && !self.shared.is_closed()
    }

    /// Whether this is the socket's own thread, the only one that may touch
    /// its slot's waiters (`IoSlot`'s invariant), whether inside `block_on`
    /// or not.
    #[inline]
    fn on_owner_thread(&self) -> bool {
        context::current_id() == self.shared.id || context::is_thread(self.shared.owner)
    }

    /// The entry of every waiting operation, in one thread-local access
    /// (`coop::admit`): this thread runs the socket's runtime, and the
    /// task's budget gives a unit, taken now (an operation that then parks
    /// gives it back with `coop::refund`). `Ready(Err)` away from the
    /// runtime; `Pending` with the budget spent (the task is deferred).
    #[inline]
    fn admit(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match coop::admit(self.shared.id, cx) {
            Admit::Go => Poll::Ready(Ok(())),
            Admit::Elsewhere if self.idle_owner() => Poll::Ready(Ok(())),
            Admit::Elsewhere => Poll::Ready(Err(self.elsewhere())),
            Admit::Spent => Poll::Pending,
        }
    }

    /// The error of an operation away from the socket's runtime.
    #[cold]
    #[inline(never)]
    fn elsewhere(&self) -> io::Error {
        if self.shared.is_closed() {
            io::Error::other("spindle: the runtime this socket was registered with has shut down")
        } else if context::is_thread(self.shared.owner) {
            io::Error::other(
                "spindle: this socket belongs to another runtime of this thread, which does \
                 not run while this one's `block_on` does; use it from a task of its own \
                 runtime, or outside any `block_on`",
            )
        } else {
            io::Error::other(
                "spindle: this socket belongs to a runtime that is not running on this \
                 thread; a socket may be moved between threads, but its I/O runs on its \
                 own runtime's thread (use it from a task of that runtime)",
            )
        }
    }

    /// Waits until the socket may be ready in `direction`; returns the bits
    /// seen, or parks the task's waker and returns `Pending`. The body of
    /// the `poll_*_ready` methods: a ready answer takes one unit of the
    /// task's budget (`executor/coop.rs`), and a spent budget yields instead.
    #[inline]
    pub(crate) fn poll_ready(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Ready>> {
        self.poll_ready_keyed(direction, None, cx)
    }

    /// [`poll_ready`](Self::poll_ready), also for a future that can remove
    /// its waker when dropped: `key` is `Some` for such a future; its value
    /// stays 0 until it first parks, then holds its own key (see
    /// `reactor.rs`, `Waiters`). `None`: a `poll_*` caller (key 0).
    #[inline]
    fn poll_ready_keyed(
        &self,
        direction: Direction,
        key: Option<&mut u64>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Ready>> {
        if let Err(err) = ready!(self.admit(cx)) {
            return Poll::Ready(Err(err));
        }
        let ready = self.poll_readiness(direction, key, cx);
        if ready.is_pending() {
            coop::refund();
        }
        ready.map(Ok)
    }

    /// The readiness check without the thread check and the budget: the
    /// one inside [`poll_io`](Self::poll_io), which takes its unit once
    /// per operation, not once per retry.
    #[inline]
    fn poll_readiness(
        &self,
        direction: Direction,
        key: Option<&mut u64>,
        cx: &mut Context<'_>,
    ) -> Poll<Ready> {
        let ready = self.slot.readiness();
        if ready.intersects(direction.mask()) {
            return Poll::Ready(ready);
        }
        // A keyed future takes its key only when it first parks: a wait
        // that is ready at once costs no key and leaves nothing to remove.
        let key = match key {
            Some(key) => {
                if *key == 0 {
                    *key = self.slot.new_key();
                }
                *key
            }
            None => 0,
        };
        self.park(direction, key, cx);
        Poll::Pending
    }

    /// Parks the task's waker in the slot (the slow path: the socket is not
    /// ready, the task returns `Pending`).
    #[inline(never)]
    fn park(&self, direction: Direction, key: u64, cx: &mut Context<'_>) {
        let task = if self.shared.explain_on {
            context::with_core(|core| core.explain.polling()).flatten()
        } else {
            None
        };
        self.slot.park(direction, key, cx.waker(), task);
        if self.shared.explain_on {
            self.with_explain(|e| explain::wait_io(e, self.slot.token, direction, task));
        }
    }

    /// Runs an explain hook with the runtime's trace (found through the
    /// thread's context: the trace is not `Send`, the socket is).
    #[cold]
    #[inline(never)]
    fn with_explain(&self, hook: impl FnOnce(&Explain)) {
        context::with_core(|core| hook(&core.explain));
    }

    /// Removes a keyed future's waker (the future was dropped).
    ///
    /// Away from the socket's thread it leaves the entry: the slot's waiters
    /// are the owner thread's alone, and the next event or the runtime's
    /// shutdown takes the entry and wakes it, once, for nothing.
    pub(crate) fn unpark(&self, direction: Direction, key: u64) {
        if key != 0 && self.on_owner_thread() {
            self.slot.unpark(direction, key);
        }
    }

    /// Forgets the readiness bit of `direction`: the socket proved drained.
    pub(crate) fn clear(&self, direction: Direction) {
        let ready = self.slot.readiness();
        self.slot
            .set_readiness(ready.difference(direction.clearable()));
    }

    /// Runs `op` when the socket is ready in `direction`, clearing readiness
    /// on `WouldBlock`. See the module doc.
    ///
    /// The task's budget is checked first: when it is spent, `op` does not
    /// run and the task yields (`executor/coop.rs`). An operation that completes
    /// takes one unit.
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let result = self.poll_io_loop(direction, cx, op);
        if let (true, Poll::Ready(result)) = (self.shared.explain_detail, &result) {
            self.with_explain(|e| explain::io_done(e, self.slot.token, direction, result));
        }
        result
    }

    /// The body of [`poll_io`](Self::poll_io) and
    /// [`poll_io_sized`](Self::poll_io_sized), without their trace lines.
    #[inline]
    fn poll_io_loop<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        if let Err(err) = ready!(self.admit(cx)) {
            return Poll::Ready(Err(err));
        }
        loop {
            if self.poll_readiness(direction, None, cx).is_pending() {
                coop::refund();
                return Poll::Pending;
            }
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.clear(direction);
                    if self.shared.explain_detail {
                        self.with_explain(|e| explain::would_block(e, self.slot.token, direction));
                    }
                }
                // EINTR: a signal interrupted the syscall; simply try again.
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                result => return Poll::Ready(result),
            }
        }
    }

    /// Like [`poll_io`](Self::poll_io) for an operation on `asked` bytes
    /// that returns how many it moved: a short result also clears readiness.
    #[inline]
    pub(crate) fn poll_io_sized(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        asked: usize,
        op: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let result = self.poll_io_loop(direction, cx, op);
        if let Poll::Ready(Ok(n)) = result {
            if SHORT_IO_PROVES_DRAINED && n > 0 && n < asked {
                self.clear(direction);
            }
        }
        if let (true, Poll::Ready(result)) = (self.shared.explain_detail, &result) {
            self.with_explain(|e| {
                explain::io_sized(
                    e,
                    self.slot.token,
                    direction,
                    asked,
                    result,
                    SHORT_IO_PROVES_DRAINED,
                )
            });
        }
        result
    }

    /// Runs `op` if the socket is ready, without waiting: the
    /// `try_read`/`try_write` style. Not ready gives `WouldBlock` without a
    /// syscall.
    ///
    /// `op` is retried when it fails with `EINTR` (a signal arrived during
    /// the syscall): an interrupted call moved nothing and says nothing
    /// about the socket, so it is never surfaced. A call that does I/O
    /// takes one unit of the task's budget; it cannot return `Pending`, so
    /// it runs even when the budget is spent, and the task's next awaited
    /// operation yields.
    pub(crate) fn try_io<R>(
        &self,
        direction: Direction,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        self.check()?;
        if !self.slot.readiness().intersects(direction.mask()) {
            if self.shared.explain_detail {
                self.with_explain(|e| explain::not_ready(e, self.slot.token, direction));
            }
            return Err(io::ErrorKind::WouldBlock.into());
        }
        coop::consume();
        loop {
            match op() {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.clear(direction);
                    if self.shared.explain_detail {
                        self.with_explain(|e| explain::would_block(e, self.slot.token, direction));
                    }
                    return Err(err);
                }
                result => return result,
            }
        }
    }

    /// Like [`try_io`](Self::try_io) for an operation on `asked` bytes that
    /// returns how many it moved: a short result also clears readiness, as
    /// in [`poll_io_sized`](Self::poll_io_sized). This is what makes
    /// `readable().await` + `try_read` cost one `read` per request, not two.
    pub(crate) fn try_io_sized(
        &self,
        direction: Direction,
        asked: usize,
        op: impl FnMut() -> io::Result<usize>,
    ) -> io::Result<usize> {
        let result = self.try_io(direction, op);
        if let Ok(n) = result {
            if SHORT_IO_PROVES_DRAINED && n > 0 && n < asked {
                self.clear(direction);
            }
        }
        if self.shared.explain_detail {
            self.with_explain(|e| {
                explain::io_sized(
                    e,
                    self.slot.token,
                    direction,
                    asked,
                    &result,
                    SHORT_IO_PROVES_DRAINED,
                )
            });
        }
        result
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("token", &self.slot.token)
            .field("readiness", &self.slot.readiness())
            .finish()
    }
}

/// Waits for readiness in one direction: the future behind `readable()`
/// and `writable()`.
///
/// Unlike the `poll_*` methods, it has somewhere to keep a key, so it
/// parks under a key of its own and removes its waker when dropped: a
/// cancelled `readable()` (one branch of a `select!`, a timed-out wait)
/// leaves nothing behind in the socket's list of waiters.
#[derive(Debug)]
pub(crate) struct ReadyFuture<'a> {
    /// The socket.
    registration: &'a Registration,
    /// Which readiness it waits for.
    direction: Direction,
    /// 0 until it parks, then its key in the slot's waiters.
    key: u64,
}

impl Registration {
    /// A future that waits until the socket is ready in `direction`.
    pub(crate) fn ready(&self, direction: Direction) -> ReadyFuture<'_> {
        ReadyFuture {
            registration: self,
            direction,
            key: 0,
        }
    }
}

impl Future for ReadyFuture<'_> {
    type Output = io::Result<Ready>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<Ready>> {
        let this = &mut *self;
        let result = this
            .registration
            .poll_ready_keyed(this.direction, Some(&mut this.key), cx);
        match &result {
            // Ready after parking: readiness is only ever set by the
            // reactor's dispatch, which takes every waiter of that
            // direction in the same step, and a waiter parks only while
            // the bit is clear. So seeing the bit means the event already
            // took this entry: nothing to remove, no lock.
            Poll::Ready(Ok(_)) => this.key = 0,
            // An error (wrong thread, runtime gone) may leave the entry.
            Poll::Ready(Err(_)) if this.key != 0 => {
                this.registration.unpark(this.direction, this.key);
                this.key = 0;
            }
            _ => {}
        }
        result
    }
}

impl Drop for ReadyFuture<'_> {
    fn drop(&mut self) {
        self.registration.unpark(self.direction, self.key);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::poll_fn;

    use super::*;
    use crate::reactor::IoSource;

    /// An operation that fails with `EINTR` `interrupts` times, then moves
    /// `n` bytes; counts its calls.
    fn interrupted_then(interrupts: u32, n: usize, calls: &Cell<u32>) -> io::Result<usize> {
        calls.set(calls.get() + 1);
        if calls.get() <= interrupts {
            Err(io::ErrorKind::Interrupted.into())
        } else {
            Ok(n)
        }
    }

    #[test]
    fn eintr_is_retried_never_surfaced() {
        crate::block_on(async {
            let socket = mio::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let source = IoSource::new(socket, "test").unwrap();
            let registration = source.registration();
            // A fresh UDP socket is writable: wait for the reactor to say so.
            poll_fn(|cx| registration.poll_ready(Direction::Write, cx))
                .await
                .unwrap();

            let calls = Cell::new(0);
            let n = registration.try_io(Direction::Write, || interrupted_then(2, 5, &calls));
            assert_eq!(n.unwrap(), 5);
            assert_eq!(calls.get(), 3, "two EINTRs, then the real call");

            let calls = Cell::new(0);
            let n = poll_fn(|cx| {
                registration.poll_io(Direction::Write, cx, || interrupted_then(3, 7, &calls))
            })
            .await;
            assert_eq!(n.unwrap(), 7);
            assert_eq!(calls.get(), 4);

            let calls = Cell::new(0);
            let n =
                registration.try_io_sized(Direction::Write, 9, || interrupted_then(1, 9, &calls));
            assert_eq!(n.unwrap(), 9);
            assert_eq!(calls.get(), 2);
        });
    }

    #[test]
    fn a_ready_future_leaves_no_waiter_behind() {
        crate::block_on(async {
            let a = mio::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            let to = a.local_addr().unwrap();
            let source = IoSource::new(a, "test").unwrap();
            let registration = source.registration();
            let slot = &registration.slot;

            // Parks (nothing to read), then the datagram's event takes it.
            let mut first = std::pin::pin!(registration.ready(Direction::Read));
            assert!(futures::poll!(first.as_mut()).is_pending());
            assert_eq!(slot.waiting(Direction::Read), 1);
            b.send_to(b"x", to).unwrap();
            first.await.unwrap();
            assert_eq!(slot.waiting(Direction::Read), 0);

            // Drained again; a future dropped while parked removes itself.
            let mut buf = [0; 4];
            assert_eq!(source.recv(&mut buf).unwrap(), 1);
            registration.clear(Direction::Read);
            let mut second = Box::pin(registration.ready(Direction::Read));
            assert!(futures::poll!(second.as_mut()).is_pending());
            assert_eq!(slot.waiting(Direction::Read), 1);
            drop(second);
            assert_eq!(slot.waiting(Direction::Read), 0);
        });
    }
}
