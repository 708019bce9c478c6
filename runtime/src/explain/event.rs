//! The explain trace's vocabulary: one [`Event`] per thing the loop can
//! narrate.
//!
//! Every hook in the runtime builds one `Event` and hands it to
//! [`Explain::emit`](super::Explain::emit). Everything a reader sees comes
//! from that one record, so the four views cannot disagree:
//!
//! ```text
//!   hook ──► Event ──┬─► Display          the text line (`line.rs`; stderr fallback, `message`)
//!                    ├─► Event::trace     a `tracing` event with structured fields (`fields.rs`)
//!                    └─► Recorder         kept, with its time, for the timeline
//!                                           ├─► timeline.rs  the HTML page
//!                                           └─► chrome.rs    Chrome trace-event JSON
//! ```
//!
//! Each variant's doc gives its line, and which hook writes it. Level-1
//! events are the turn-by-turn story of the loop; level-2 events
//! ([`Event::level`] is 2) add every socket operation, registration,
//! de-duplicated wake, the event-interval limit and the drops at shutdown.
//!
//! The `tracing` fields every event carries: `kind` (the variant, in
//! snake case) and `detail` (its level); then, where they apply, `task`
//! (the task id; 0 is the `block_on` future), `by` (the task that caused
//! it), `token` (the slab index of the socket's reactor slot), `generation`,
//! `direction` (`read`/`write`), `bytes`, `asked`, `ready` (the readiness
//! bits), `timeout_ms`, `deadline_ms` (how far ahead a timer is due),
//! `elapsed_ms`, `events`, `runnable`, `result`.

use std::io;
use std::time::Duration;

use crate::reactor::ready::{Direction, Ready};

/// How a poll of a task ended, as the `poll … -> X` line says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PollResult {
    /// The future returned `Pending`.
    Pending,
    /// The future completed.
    Ready,
    /// The future panicked.
    Panicked,
    /// The task was aborted; its future was dropped instead of polled.
    Cancelled,
}

impl PollResult {
    /// The word in the trace line and the `result` field.
    pub(crate) fn name(self) -> &'static str {
        match self {
            PollResult::Pending => "Pending",
            PollResult::Ready => "Ready",
            PollResult::Panicked => "Panicked",
            PollResult::Cancelled => "Cancelled",
        }
    }
}

/// What one socket operation did (level 2), seen from
/// `Registration::poll_io` and its siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IoOutcome {
    /// A sized operation moved `n` of `asked` bytes; `cleared` says
    /// whether the short-read rule cleared readiness, `short_clears`
    /// whether this selector applies the rule at all.
    Bytes {
        /// Bytes moved.
        n: usize,
        /// Bytes the caller offered.
        asked: usize,
        /// Whether readiness was cleared because `0 < n < asked`.
        cleared: bool,
        /// `SHORT_IO_PROVES_DRAINED` of `reactor/registration.rs`.
        short_clears: bool,
    },
    /// An operation without a byte count (accept, connect, a datagram with
    /// its address) succeeded.
    Done,
    /// The syscall said `WouldBlock`; readiness was cleared.
    WouldBlock,
    /// `try_io` found no readiness bit, so made no syscall.
    NotReady,
    /// The operation failed.
    Error(io::ErrorKind),
}

/// One narrated step of the loop. See the module doc.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Event {
    /// `turn N: K runnable`: top of the loop (`Core::run`).
    Turn {
        /// The reactor turn this loop turn ends with (1-based).
        turn: u64,
        /// Tasks waiting in the run queue.
        runnable: usize,
    },
    /// `spawn task N` (`Core::spawn`).
    Spawn {
        /// The new task's id.
        task: u64,
    },
    /// Not printed: a poll starts (`Explain::set_polling`). Only the
    /// timeline uses it, for the start of the poll's bar.
    PollStart {
        /// The task being polled.
        task: u64,
    },
    /// `poll task N -> Pending` (`Core::run`, `Core::run_task`).
    Poll {
        /// The task polled.
        task: u64,
        /// What the poll returned.
        result: PollResult,
    },
    /// `task N waits: token T read` (`Registration::poll_ready`).
    WaitIo {
        /// The task that parked its waker.
        task: Option<u64>,
        /// The socket's slab index.
        token: usize,
        /// Which waker slot.
        direction: Direction,
    },
    /// `task N waits: timer at +Dms` (`TimerStore::insert`, `poll`).
    WaitTimer {
        /// The task that parked its waker.
        task: Option<u64>,
        /// How far ahead the deadline is.
        deadline: Duration,
    },
    /// `task N yields: runnable again after the reactor turn`
    /// (`Core::defer`).
    Yield {
        /// The task that yielded.
        task: Option<u64>,
    },
    /// `task N spent its budget (128) -> yield` (`Core::budget_spent`): an
    /// operation found the task's cooperative budget spent (`executor/coop.rs`).
    BudgetSpent {
        /// The task made to yield.
        task: Option<u64>,
        /// The budget each poll starts with.
        budget: u32,
    },
    /// `task N wakes task M` (`task/waker.rs`): a wake from inside a poll.
    Wake {
        /// The task being polled.
        by: u64,
        /// The task it woke.
        task: u64,
    },
    /// `block in poll: …` / `no block: K runnable` (`Core::turn`).
    Block {
        /// The timeout given to `mio::Poll::poll`.
        timeout: Option<Duration>,
        /// Tasks runnable now (run queue and yielded).
        runnable: usize,
        /// Registered sockets: with none and no timer, only a wake from
        /// another thread (or a signal) can end the wait.
        sockets: usize,
    },
    /// `tokio had the thread for Dms` (`tokio/host.rs`): the time between
    /// two turns of a hosted loop, when tokio's tasks and reactor ran.
    #[cfg_attr(
        not(all(feature = "tokio", unix)),
        allow(dead_code, reason = "built by the `tokio` feature's host loop only")
    )]
    Hosted {
        /// How long tokio's tasks and reactor ran.
        elapsed: Duration,
    },
    /// `poll returned E events after Dms` (`IoDriver::poll`).
    PollReturned {
        /// Events the kernel returned.
        events: usize,
        /// Time spent inside `mio::Poll::poll`.
        elapsed: Duration,
    },
    /// `event token T: READABLE -> wake task N` (`IoDriver::poll`).
    Ready {
        /// The socket's slab index.
        token: usize,
        /// The bits the event set.
        ready: Ready,
        /// The reader woken, if a reader waker was taken (and who parked it).
        reader: Option<Option<u64>>,
        /// The writer woken, likewise.
        writer: Option<Option<u64>>,
        /// Further tasks woken beyond the first reader and writer: any
        /// number of tasks may wait on one socket in one direction.
        more: usize,
    },
    /// `event token T: … -> stale (socket gone), wakes nobody`.
    Stale {
        /// The slab index the event named.
        token: usize,
        /// Its bits.
        ready: Ready,
    },
    /// `event waker: wake from another thread`: the `mio::Waker` fired.
    WakerToken,
    /// `event signals: a signal arrived`: the signal pipe is readable.
    SignalToken,
    /// `timer fired -> wake task N` (`TimerStore::advance`).
    TimerFired {
        /// `Some(task)`: a waker was parked (by `task`); `None`: nobody.
        task: Option<Option<u64>>,
    },
    /// `remote wake -> task N` (`Core::drain_remote`).
    RemoteWake {
        /// The task moved onto the run queue.
        task: u64,
    },
    /// `task N waits: signal S` (`reactor/signal.rs`).
    SignalWait {
        /// The listening task.
        task: Option<u64>,
        /// The signal number.
        signal: i32,
    },
    /// `signal S delivered -> wake K listeners` (`reactor/signal.rs`).
    SignalDelivered {
        /// The signal number.
        signal: i32,
        /// Listeners woken.
        listeners: usize,
    },
    /// Level 2. `read token 3: 6 of 4096 bytes (short: READABLE cleared)`
    /// and friends (`Registration::poll_io`, `poll_io_sized`, `try_io`,
    /// `try_io_sized`).
    Io {
        /// The socket's slab index.
        token: usize,
        /// Read or write.
        direction: Direction,
        /// What happened.
        outcome: IoOutcome,
    },
    /// Level 2. `register token 3 (generation 5) for task 4`
    /// (`IoDriver::register`).
    Register {
        /// The slab index.
        token: usize,
        /// The generation in the token's high half.
        generation: u32,
        /// The task being polled (the socket's creator).
        task: Option<u64>,
    },
    /// Level 2. `deregister token 3 (generation 5): dropped by task 4`
    /// (`IoDriver::deregister`).
    Deregister {
        /// The slab index.
        token: usize,
        /// The generation in the token's high half.
        generation: u32,
        /// The task being polled when the socket dropped.
        task: Option<u64>,
    },
    /// Level 2. `wake task 4: already scheduled, de-duplicated` (`task/waker.rs`).
    Deduplicated {
        /// The task whose wake was dropped.
        task: u64,
        /// The task being polled, if the wake came from inside a poll.
        by: Option<u64>,
    },
    /// Level 2. `event interval: 61 polls, 3 still runnable -> reactor turn
    /// first` (`Core::run`).
    IntervalLimit {
        /// The limit (`Builder::event_interval`).
        polls: u32,
        /// Tasks left in the run queue for the next turn.
        runnable: usize,
    },
    /// Level 2. `shutdown: drop task 4 (not finished)` (`Core::shutdown`).
    ShutdownDrop {
        /// The dropped task.
        task: u64,
    },
}

impl Event {
    /// 1 for the loop's story, 2 for the detailed lines, 0 for records
    /// that are never printed (`PollStart`).
    pub(crate) fn level(&self) -> u8 {
        match self {
            Event::PollStart { .. } => 0,
            Event::Io { .. }
            | Event::Register { .. }
            | Event::Deregister { .. }
            | Event::Deduplicated { .. }
            | Event::IntervalLimit { .. }
            | Event::ShutdownDrop { .. } => 2,
            _ => 1,
        }
    }

    /// The variant's name in snake case: the `kind` field, and the
    /// timeline's class for it.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Event::Turn { .. } => "turn",
            Event::Spawn { .. } => "spawn",
            Event::PollStart { .. } => "poll_start",
            Event::Poll { .. } => "poll",
            Event::WaitIo { .. } => "wait_io",
            Event::WaitTimer { .. } => "wait_timer",
            Event::Yield { .. } => "yield",
            Event::BudgetSpent { .. } => "budget_spent",
            Event::Wake { .. } => "wake",
            Event::Block { .. } => "block",
            Event::PollReturned { .. } => "poll_returned",
            Event::Hosted { .. } => "hosted",
            Event::Ready { .. } => "ready",
            Event::Stale { .. } => "stale",
            Event::WakerToken => "waker_token",
            Event::SignalToken => "signal_token",
            Event::TimerFired { .. } => "timer_fired",
            Event::RemoteWake { .. } => "remote_wake",
            Event::SignalWait { .. } => "signal_wait",
            Event::SignalDelivered { .. } => "signal_delivered",
            Event::Io { .. } => "io",
            Event::Register { .. } => "register",
            Event::Deregister { .. } => "deregister",
            Event::Deduplicated { .. } => "deduplicated",
            Event::IntervalLimit { .. } => "interval_limit",
            Event::ShutdownDrop { .. } => "shutdown_drop",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printed_event_has_a_level_and_a_kind() {
        let poll = Event::Poll {
            task: 0,
            result: PollResult::Ready,
        };
        assert_eq!((poll.level(), poll.kind()), (1, "poll"));
        assert_eq!(poll.to_string(), "poll block_on -> Ready");
        assert_eq!(Event::PollStart { task: 1 }.level(), 0);
        assert_eq!(Event::ShutdownDrop { task: 4 }.level(), 2);
    }
}
