//! The hooks: one function per place in the runtime that narrates.
//!
//! Each call site in the loop is one line, `if explain_on { explain::x(…) }`
//! (or `explain_detail` for the level-2 hooks), and every function here is
//! `#[cold]` and `#[inline(never)]`: with the trace off the hook costs one
//! branch on a `bool` over a call that is never made, and the code that
//! builds the [`Event`] stays out of the loop's instruction stream. Each
//! function gathers what its event needs (who is being polled, who parked
//! a waker) and hands the event to [`Explain::emit`].

use std::io;
use std::time::Duration;

use super::{Event, Explain, IoOutcome, PollResult};
use mio::Token;

use crate::reactor::ready::{Direction, Ready};

/// `turn N: K runnable` (`Core::run`, top of the loop).
#[cold]
#[inline(never)]
pub(crate) fn turn(explain: &Explain, turn: u64, runnable: usize) {
    explain.emit(Event::Turn { turn, runnable });
}

/// `spawn task N` (`Core::spawn`).
#[cold]
#[inline(never)]
pub(crate) fn spawned(explain: &Explain, task: u64) {
    explain.emit(Event::Spawn { task });
}

/// `poll task N -> R` (`Core::run`, `Core::run_task`); also ends the poll
/// for attribution.
#[cold]
#[inline(never)]
pub(crate) fn polled(explain: &Explain, task: u64, result: PollResult) {
    explain.set_polling(None);
    explain.emit(Event::Poll { task, result });
}

/// `task N yields: …` (`Core::defer`).
#[cold]
#[inline(never)]
pub(crate) fn yielded(explain: &Explain) {
    explain.emit(Event::Yield {
        task: explain.polling(),
    });
}

/// `task N spent its budget (128) -> yield` (`Core::budget_spent`).
#[cold]
#[inline(never)]
pub(crate) fn budget_spent(explain: &Explain, budget: u32) {
    explain.emit(Event::BudgetSpent {
        task: explain.polling(),
        budget,
    });
}

/// `task N wakes task M` (`task/waker.rs`): only for wakes from inside a poll;
/// the reactor's and the timers' wakes have their own lines.
#[cold]
#[inline(never)]
pub(crate) fn woke(explain: &Explain, task: u64) {
    if let Some(by) = explain.polling() {
        explain.emit(Event::Wake { by, task });
    }
}

/// Level 2: `wake task N: already scheduled, de-duplicated` (`task/waker.rs`).
#[cold]
#[inline(never)]
pub(crate) fn deduplicated(explain: &Explain, task: u64) {
    if explain.detail {
        explain.emit(Event::Deduplicated {
            task,
            by: explain.polling(),
        });
    }
}

/// `block in poll: …` / `no block: K runnable` (`Core::turn`).
#[cold]
#[inline(never)]
pub(crate) fn block(explain: &Explain, timeout: Option<Duration>, runnable: usize, sockets: usize) {
    explain.emit(Event::Block {
        timeout,
        runnable,
        sockets,
    });
}

/// `tokio had the thread for Dms` (`tokio/host.rs`).
#[cfg(all(feature = "tokio", unix))]
#[cold]
#[inline(never)]
pub(crate) fn hosted(explain: &Explain, elapsed: Duration) {
    explain.emit(Event::Hosted { elapsed });
}

/// `poll returned E events after Dms` (`IoDriver::poll`).
#[cold]
#[inline(never)]
pub(crate) fn poll_returned(explain: &Explain, events: usize, elapsed: Duration) {
    explain.emit(Event::PollReturned { events, elapsed });
}

/// `remote wake -> task N` for each task a remote drain appended to the
/// run queue (`Core::drain_remote`), by id.
#[cold]
#[inline(never)]
pub(crate) fn remote_wakes(explain: &Explain, tasks: impl Iterator<Item = u64>) {
    for task in tasks {
        explain.emit(Event::RemoteWake { task });
    }
}

/// Level 2: the event interval ended step 1 with tasks still runnable
/// (`Core::run`); silent when the run queue simply ran dry.
#[cold]
#[inline(never)]
pub(crate) fn interval_limit(explain: &Explain, polls: u32, runnable: usize) {
    if explain.detail && runnable > 0 {
        explain.emit(Event::IntervalLimit { polls, runnable });
    }
}

/// Level 2: a task dropped unfinished when the runtime drops
/// (`Core::shutdown`).
#[cold]
#[inline(never)]
pub(crate) fn shutdown_drop(explain: &Explain, task: u64) {
    if explain.detail {
        explain.emit(Event::ShutdownDrop { task });
    }
}

/// `event waker: …` / `event signals: …` (`IoDriver::poll`).
#[cold]
#[inline(never)]
pub(crate) fn own_token(explain: &Explain, waker: bool) {
    explain.emit(if waker {
        Event::WakerToken
    } else {
        Event::SignalToken
    });
}

/// `event token T: … -> stale (socket gone), wakes nobody`
/// (`IoDriver::poll`).
#[cold]
#[inline(never)]
pub(crate) fn stale(explain: &Explain, token: usize, ready: Ready) {
    explain.emit(Event::Stale { token, ready });
}

/// `event token T: READABLE -> wake task N` (`IoDriver::poll`): `read` and
/// `write` say whether a reader and a writer waker were taken.
#[cold]
#[inline(never)]
pub(crate) fn socket_event(
    explain: &Explain,
    token: Token,
    ready: Ready,
    reader: Option<Option<u64>>,
    writer: Option<Option<u64>>,
    more: usize,
) {
    explain.emit(Event::Ready {
        token: index(token),
        ready,
        reader,
        writer,
        more,
    });
}

/// `task N waits: token T read` (`Registration::poll_ready`); records the
/// task in the slot so that the event that takes the waker can name it.
#[cold]
#[inline(never)]
pub(crate) fn wait_io(explain: &Explain, token: Token, direction: Direction, task: Option<u64>) {
    explain.emit(Event::WaitIo {
        task,
        token: index(token),
        direction,
    });
}

/// Level 2: a sized operation's result (`poll_io_sized`, `try_io_sized`).
/// `short_clears` is `SHORT_IO_PROVES_DRAINED`.
#[cold]
#[inline(never)]
pub(crate) fn io_sized(
    explain: &Explain,
    token: Token,
    direction: Direction,
    asked: usize,
    result: &io::Result<usize>,
    short_clears: bool,
) {
    let outcome = match result {
        Ok(n) => IoOutcome::Bytes {
            n: *n,
            asked,
            cleared: short_clears && *n > 0 && *n < asked,
            short_clears,
        },
        Err(err) if err.kind() == io::ErrorKind::WouldBlock => return,
        Err(err) => IoOutcome::Error(err.kind()),
    };
    io(explain, token, direction, outcome);
}

/// Level 2: an operation without a byte count (`poll_io`, `try_io`).
/// `WouldBlock` has its own line (see [`would_block`]).
#[cold]
#[inline(never)]
pub(crate) fn io_done<R>(
    explain: &Explain,
    token: Token,
    direction: Direction,
    result: &io::Result<R>,
) {
    let outcome = match result {
        Ok(_) => IoOutcome::Done,
        Err(err) if err.kind() == io::ErrorKind::WouldBlock => return,
        Err(err) => IoOutcome::Error(err.kind()),
    };
    io(explain, token, direction, outcome);
}

/// Level 2: `read token T: WouldBlock -> READABLE cleared`.
#[cold]
#[inline(never)]
pub(crate) fn would_block(explain: &Explain, token: Token, direction: Direction) {
    io(explain, token, direction, IoOutcome::WouldBlock);
}

/// Level 2: `try_io` found no readiness bit and made no syscall.
#[cold]
#[inline(never)]
pub(crate) fn not_ready(explain: &Explain, token: Token, direction: Direction) {
    io(explain, token, direction, IoOutcome::NotReady);
}

/// Emits one `Event::Io`.
fn io(explain: &Explain, token: Token, direction: Direction, outcome: IoOutcome) {
    explain.emit(Event::Io {
        token: index(token),
        direction,
        outcome,
    });
}

/// Level 2: `register token T (generation G) for task N`
/// (`IoDriver::register`).
#[cold]
#[inline(never)]
pub(crate) fn register(explain: &Explain, token: Token) {
    explain.emit(Event::Register {
        token: index(token),
        generation: generation(token),
        task: explain.polling(),
    });
}

/// Level 2: `deregister token T (generation G): dropped by task N`
/// (`IoDriver::deregister`).
#[cold]
#[inline(never)]
pub(crate) fn deregister(explain: &Explain, token: Token) {
    explain.emit(Event::Deregister {
        token: index(token),
        generation: generation(token),
        task: explain.polling(),
    });
}

/// The slab index half of a socket's token: the number the trace calls
/// it by.
fn index(token: Token) -> usize {
    token.0 & (u32::MAX as usize)
}

/// The generation half of a socket's token.
fn generation(token: Token) -> u32 {
    // The high half of a 64-bit token; on a 32-bit target there is none.
    (token.0 as u64 >> 32) as u32
}

/// `task N waits: timer at +Dms` (`TimerStore`); returns the task, for the
/// timer's slot.
#[cold]
#[inline(never)]
pub(crate) fn wait_timer(explain: &Explain, deadline: Duration) -> Option<u64> {
    let task = explain.polling();
    explain.emit(Event::WaitTimer { task, deadline });
    task
}

/// `timer fired -> wake task N` or `-> wakes nobody` (`TimerStore::advance`).
#[cold]
#[inline(never)]
pub(crate) fn timer_fired(explain: &Explain, had_waker: bool, task: Option<u64>) {
    explain.emit(Event::TimerFired {
        task: had_waker.then_some(task),
    });
}

/// `task N waits: signal S` (`reactor/signal.rs`).
#[cold]
#[inline(never)]
pub(crate) fn signal_wait(explain: &Explain, signal: i32) {
    explain.emit(Event::SignalWait {
        task: explain.polling(),
        signal,
    });
}

/// `signal S delivered -> wake K listeners` (`reactor/signal.rs`).
#[cold]
#[inline(never)]
pub(crate) fn signal_delivered(explain: &Explain, signal: i32, listeners: usize) {
    explain.emit(Event::SignalDelivered { signal, listeners });
}
