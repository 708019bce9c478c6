//! The host future: spindle's loop as one task of a tokio current-thread
//! runtime.
//!
//! A standalone spindle runtime blocks in `mio::Poll::poll` when nothing is
//! runnable. A hosted one never blocks: tokio's reactor does, watching three
//! things on spindle's behalf, and each poll of the host future is one turn
//! of spindle's loop with a zero timeout (the picture is in `mod.rs`).
//!
//! # What wakes the host, and the race each one closes
//!
//! - **Kernel events and wakes from other threads**: spindle's selector fd,
//!   registered with tokio's reactor through `AsyncFd`, is readable while
//!   spindle's poller holds events; a wake from another thread writes
//!   spindle's `mio::Waker`, which is one of those events. The nested poller
//!   is edge-triggered: a turn that fills the events buffer may have left
//!   events behind, so it keeps the fd marked readable and runs again at
//!   once; only a turn that took fewer clears the mark (`clear_ready`,
//!   which keeps any edge tokio saw after the mark was read: no lost event).
//! - **spindle's timers**: a tokio `Sleep` armed at spindle's next deadline
//!   each time the host goes idle. A timer armed later from a tokio task
//!   wakes the host through the timer store (`TimerStore::insert`), so the
//!   tokio timer is re-armed for the new, earlier deadline.
//! - **spindle tasks woken from tokio's side** (a tokio timer or channel
//!   waking a spindle task, a `spindle::spawn` from a tokio task): the wake
//!   pushes the task on spindle's run queue, and `Core::schedule` wakes the
//!   host waker left there when the host went idle.
//!
//! # Invariants
//! - The host waker is set only while the host is idle and taken by the
//!   first wake (or the next host poll): a busy loop never wakes it.
//! - The host returns `Pending` with work left only after waking itself:
//!   tokio's tasks get a turn between two spindle turns, and spindle's
//!   tasks are never left on the run queue with no wake pending.

use std::future::{poll_fn, Future};
use std::os::fd::{AsRawFd, RawFd};
use std::panic::Location;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ::tokio::io::unix::AsyncFd;
use ::tokio::io::Interest;
use ::tokio::time::Sleep;

use crate::executor::{Core, MainTask};
use crate::explain;

/// spindle's selector fd, lent to tokio's reactor. It does not own the fd:
/// dropping it (the `AsyncFd` deregisters it) leaves spindle's poller open.
///
/// # Invariant
///
/// A `SelectorFd` lives only inside [`block_on`], as a local of the host
/// future, while the caller's `Rc<Core>` keeps the `IoDriver`, and with it
/// the `mio::Poll` that owns the fd, alive: the fd stays open and names the
/// same epoll or kqueue instance for as long as the `SelectorFd` exists.
/// This is what tokio's `AsyncFd::register_with_interest` asks of its
/// caller (it is `unsafe` because an `AsRawFd` type need not own its fd).
struct SelectorFd(RawFd);

impl AsRawFd for SelectorFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// Runs `future` and spindle's tasks inside `host`'s `block_on`, on this
/// thread, until `future` completes. spindle's context is already entered.
pub(crate) fn block_on<F: Future>(
    core: &Rc<Core>,
    host: &::tokio::runtime::Runtime,
    future: F,
    called_at: &'static Location<'static>,
) -> F::Output {
    host.block_on(::tokio::task::unconstrained(async {
        let fd = SelectorFd(core.io.selector_fd());
        // SAFETY: the invariant on `SelectorFd`: `core` outlives this
        // future, and the poller it owns keeps the fd open and unchanged.
        let selector = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }
            .unwrap_or_else(|err| {
                panic!("spindle: cannot register spindle's poller with tokio's reactor: {err}")
            });
        let future = pin!(future);
        let mut host = Host {
            core,
            selector,
            main: MainTask::new(core, future, called_at),
            timer: Box::pin(::tokio::time::sleep(Duration::ZERO)),
            timer_armed: false,
            idle_since: None,
        };
        poll_fn(|cx| host.poll_turn(cx)).await
    }))
}

/// The state of the host future between two of its polls.
struct Host<'a, F> {
    /// spindle's loop.
    core: &'a Rc<Core>,
    /// spindle's selector, watched by tokio's reactor.
    selector: AsyncFd<SelectorFd>,
    /// The future `block_on` was given.
    main: MainTask<'a, F>,
    /// A tokio timer at spindle's next deadline, while one is armed.
    timer: Pin<Box<Sleep>>,
    /// Whether `timer` is set to a spindle deadline (else it is spent).
    timer_armed: bool,
    /// When the last turn gave the thread back, for the explain trace's
    /// `tokio had the thread for …` line.
    idle_since: Option<Instant>,
}

impl<F: Future> Host<'_, F> {
    /// One turn of spindle's loop; `Ready` with the `block_on` future's
    /// output.
    fn poll_turn(&mut self, cx: &mut Context<'_>) -> Poll<F::Output> {
        let core = self.core;
        // Running now: a wake need not wake the host (see the invariants).
        core.clear_host_waker();
        if core.explain_on {
            if let Some(since) = self.idle_since.take() {
                explain::hosted(&core.explain, since.elapsed());
            }
        }
        // Steps 2 and 3 of spindle's loop: the kernel's events, if tokio
        // says the selector has some, then remote wakes, timers, yields.
        let readable = match self.selector.poll_read_ready(cx) {
            Poll::Ready(Ok(guard)) => Some(guard),
            Poll::Ready(Err(err)) => {
                panic!("spindle: tokio's reactor failed on spindle's poller: {err}")
            }
            Poll::Pending => None,
        };
        let events = core.turn_with(Some(Duration::ZERO), readable.is_some());
        let mut more_events = false;
        if let Some(mut guard) = readable {
            if events < core.io.max_events() {
                guard.clear_ready();
            } else {
                more_events = true;
            }
        }
        // Step 1: spindle's tasks.
        if let Some(output) = core.run_batch(&mut self.main) {
            return Poll::Ready(output);
        }
        if core.explain_on {
            self.idle_since = Some(Instant::now());
        }
        // Work left: give tokio a turn, then come back.
        if more_events || core.has_runnable() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        // Idle. Watch the selector (this registers `cx`'s waker with it);
        // an edge that came in since the turn above means run again.
        if self.selector.poll_read_ready(cx).is_ready() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        // Watch spindle's next timer (no armed timer: no clock read).
        let mut timers = core.timers.borrow_mut();
        let next = match timers.next_tick() {
            Some(_) => {
                let now = Instant::now();
                timers.next_timeout(now).map(|timeout| now + timeout)
            }
            None => None,
        };
        drop(timers);
        match next {
            Some(at) => {
                let deadline = ::tokio::time::Instant::from_std(at);
                if !self.timer_armed || self.timer.deadline() != deadline {
                    self.timer.as_mut().reset(deadline);
                    self.timer_armed = true;
                }
                if self.timer.as_mut().poll(cx).is_ready() {
                    self.timer_armed = false;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
            }
            None => self.timer_armed = false,
        }
        // And wakes from tokio's side.
        core.set_host_waker(cx.waker());
        Poll::Pending
    }
}
