//! The explain trace's vocabulary: one [`Event`] per thing the loop can
//! narrate.
//!
//! Every hook in the runtime builds one `Event` and hands it to
//! [`Explain::emit`](super::Explain::emit). Everything a reader sees comes
//! from that one record, so the four views cannot disagree:
//!
//! ```text
//!   hook ──► Event ──┬─► Display          the text line (stderr fallback, `message`)
//!                    ├─► Event::trace     a `tracing` event with structured fields
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

use std::fmt;
use std::io;
use std::time::Duration;

use super::{Millis, TaskName, TARGET};
use crate::reactor::{Direction, Ready};

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
        /// `SHORT_IO_PROVES_DRAINED` of `registration.rs`.
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
    /// operation found the task's cooperative budget spent (`coop.rs`).
    BudgetSpent {
        /// The task made to yield.
        task: Option<u64>,
        /// The budget each poll starts with.
        budget: u32,
    },
    /// `task N wakes task M` (`waker.rs`): a wake from inside a poll.
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
    /// `task N waits: signal S` (`signal.rs`).
    SignalWait {
        /// The listening task.
        task: Option<u64>,
        /// The signal number.
        signal: i32,
    },
    /// `signal S delivered -> wake K listeners` (`signal.rs`).
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
    /// Level 2. `wake task 4: already scheduled, de-duplicated` (`waker.rs`).
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

    /// Sends the event to `tracing`, target `spindle::explain`, level
    /// `INFO`, with `line` as its message and the variant's structured
    /// fields (see the module doc).
    #[cold]
    #[inline(never)]
    pub(crate) fn trace(&self, line: &str) {
        let kind = self.kind();
        let detail = self.level();
        match *self {
            Event::Turn { turn, runnable } => {
                tracing::info!(target: TARGET, kind, detail, turn, runnable, "{line}")
            }
            Event::Spawn { task } | Event::PollStart { task } | Event::ShutdownDrop { task } => {
                tracing::info!(target: TARGET, kind, detail, task, "{line}")
            }
            Event::RemoteWake { task } => {
                tracing::info!(target: TARGET, kind, detail, task, "{line}")
            }
            Event::Poll { task, result } => {
                let result = result.name();
                tracing::info!(target: TARGET, kind, detail, task, result, "{line}")
            }
            Event::WaitIo {
                task,
                token,
                direction,
            } => {
                let direction = direction.name();
                tracing::info!(target: TARGET, kind, detail, task, token, direction, "{line}")
            }
            Event::WaitTimer { task, deadline } => {
                let deadline_ms = deadline.as_secs_f64() * 1000.0;
                tracing::info!(target: TARGET, kind, detail, task, deadline_ms, "{line}")
            }
            Event::Yield { task } => tracing::info!(target: TARGET, kind, detail, task, "{line}"),
            Event::BudgetSpent { task, budget } => {
                tracing::info!(target: TARGET, kind, detail, task, budget, "{line}")
            }
            Event::Wake { by, task } => {
                tracing::info!(target: TARGET, kind, detail, by, task, "{line}")
            }
            Event::Deduplicated { task, by } => {
                tracing::info!(target: TARGET, kind, detail, by, task, "{line}")
            }
            Event::Block {
                timeout,
                runnable,
                sockets,
            } => {
                let timeout_ms = timeout.map(|t| t.as_secs_f64() * 1000.0);
                tracing::info!(target: TARGET, kind, detail, timeout_ms, runnable, sockets, "{line}")
            }
            Event::Hosted { elapsed } => {
                let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
                tracing::info!(target: TARGET, kind, detail, elapsed_ms, "{line}")
            }
            Event::PollReturned { events, elapsed } => {
                let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
                tracing::info!(target: TARGET, kind, detail, events, elapsed_ms, "{line}")
            }
            Event::Ready {
                token,
                ready,
                reader,
                writer,
                more,
            } => {
                let ready = tracing::field::display(ready);
                let reader = reader.flatten();
                let writer = writer.flatten();
                tracing::info!(target: TARGET, kind, detail, token, ready, reader, writer, more, "{line}")
            }
            Event::Stale { token, ready } => {
                let ready = tracing::field::display(ready);
                tracing::info!(target: TARGET, kind, detail, token, ready, "{line}")
            }
            Event::WakerToken | Event::SignalToken => {
                tracing::info!(target: TARGET, kind, detail, "{line}")
            }
            Event::TimerFired { task } => {
                let task = task.flatten();
                tracing::info!(target: TARGET, kind, detail, task, "{line}")
            }
            Event::SignalWait { task, signal } => {
                tracing::info!(target: TARGET, kind, detail, task, signal, "{line}")
            }
            Event::SignalDelivered { signal, listeners } => {
                tracing::info!(target: TARGET, kind, detail, signal, listeners, "{line}")
            }
            Event::Io {
                token,
                direction,
                outcome,
            } => {
                let direction = direction.name();
                let (bytes, asked, result) = match outcome {
                    IoOutcome::Bytes { n, asked, .. } => (Some(n), Some(asked), "ok"),
                    IoOutcome::Done => (None, None, "ok"),
                    IoOutcome::WouldBlock => (None, None, "would_block"),
                    IoOutcome::NotReady => (None, None, "not_ready"),
                    IoOutcome::Error(_) => (None, None, "error"),
                };
                tracing::info!(
                    target: TARGET, kind, detail, token, direction, bytes, asked, result, "{line}"
                )
            }
            Event::Register {
                token,
                generation,
                task,
            }
            | Event::Deregister {
                token,
                generation,
                task,
            } => {
                tracing::info!(target: TARGET, kind, detail, token, generation, task, "{line}")
            }
            Event::IntervalLimit { polls, runnable } => {
                tracing::info!(target: TARGET, kind, detail, polls, runnable, "{line}")
            }
        }
    }
}

/// The text line, exactly as the trace prints it.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Event::Turn { turn, runnable } => write!(f, "turn {turn}: {runnable} runnable"),
            Event::Spawn { task } => write!(f, "spawn task {task}"),
            Event::PollStart { task } => write!(f, "poll {} starts", TaskName(Some(task))),
            Event::Poll { task, result } => {
                write!(f, "poll {} -> {}", TaskName(Some(task)), result.name())
            }
            Event::WaitIo {
                task,
                token,
                direction,
            } => write!(
                f,
                "{} waits: token {token} {}",
                TaskName(task),
                direction.name()
            ),
            Event::WaitTimer { task, deadline } => {
                write!(
                    f,
                    "{} waits: timer at +{}",
                    TaskName(task),
                    Millis(deadline)
                )
            }
            Event::Yield { task } => write!(
                f,
                "{} yields: runnable again after the reactor turn",
                TaskName(task)
            ),
            Event::BudgetSpent { task, budget } => {
                write!(f, "{} spent its budget ({budget}) -> yield", TaskName(task))
            }
            Event::Wake { by, task } => {
                write!(f, "{} wakes {}", TaskName(Some(by)), TaskName(Some(task)))
            }
            Event::Block {
                timeout,
                runnable,
                sockets,
            } => match timeout {
                Some(Duration::ZERO) => write!(f, "no block: {runnable} runnable"),
                Some(timeout) => write!(f, "block in poll: up to {} (next timer)", Millis(timeout)),
                None if sockets > 0 => {
                    f.write_str("block in poll: no timeout (nothing to wait for but I/O)")
                }
                None => f.write_str(
                    "block in poll: no timeout (no socket, no timer: only a wake from \
                     another thread, through the mio::Waker, or a signal can end it)",
                ),
            },
            Event::Hosted { elapsed } => {
                write!(f, "tokio had the thread for {}", Millis(elapsed))
            }
            Event::PollReturned { events, elapsed } => write!(
                f,
                "poll returned {events} event{} after {}",
                if events == 1 { "" } else { "s" },
                Millis(elapsed)
            ),
            Event::Ready {
                token,
                ready,
                reader,
                writer,
                more,
            } => {
                write!(f, "event token {token}: {ready} -> ")?;
                match (reader, writer) {
                    (None, None) => f.write_str("wakes nobody")?,
                    (Some(r), None) => write!(f, "wake {}", TaskName(r))?,
                    (None, Some(w)) => write!(f, "wake {}", TaskName(w))?,
                    (Some(r), Some(w)) => {
                        write!(f, "wake {} (read), {} (write)", TaskName(r), TaskName(w))?
                    }
                }
                if more > 0 {
                    write!(f, " and {more} more")?;
                }
                Ok(())
            }
            Event::Stale { token, ready } => write!(
                f,
                "event token {token}: {ready} -> stale (socket gone), wakes nobody"
            ),
            Event::WakerToken => f.write_str("event waker: wake from another thread"),
            Event::SignalToken => f.write_str("event signals: a signal arrived"),
            Event::TimerFired { task: Some(task) } => {
                write!(f, "timer fired -> wake {}", TaskName(task))
            }
            Event::TimerFired { task: None } => f.write_str("timer fired -> wakes nobody"),
            Event::RemoteWake { task } => write!(f, "remote wake -> {}", TaskName(Some(task))),
            Event::SignalWait { task, signal } => {
                write!(f, "{} waits: signal {signal}", TaskName(task))
            }
            Event::SignalDelivered { signal, listeners } => write!(
                f,
                "signal {signal} delivered -> wake {listeners} listener{}",
                if listeners == 1 { "" } else { "s" }
            ),
            Event::Io {
                token,
                direction,
                outcome,
            } => {
                let dir = direction.name();
                let bit = direction.clearable();
                write!(f, "{dir} token {token}: ")?;
                match outcome {
                    IoOutcome::Bytes { n: 0, asked, .. } if direction == Direction::Read => {
                        write!(f, "0 of {asked} bytes (end of stream)")
                    }
                    IoOutcome::Bytes {
                        n,
                        asked,
                        cleared,
                        short_clears,
                    } => {
                        write!(f, "{n} of {asked}")?;
                        if direction == Direction::Read {
                            f.write_str(" bytes")?;
                        }
                        if cleared {
                            write!(f, " (short: {bit} cleared)")
                        } else if n > 0 && n < asked && !short_clears {
                            write!(
                                f,
                                " (short, {bit} kept: this selector needs the WouldBlock)"
                            )
                        } else {
                            Ok(())
                        }
                    }
                    IoOutcome::Done => f.write_str("ok"),
                    IoOutcome::WouldBlock => write!(f, "WouldBlock -> {bit} cleared"),
                    IoOutcome::NotReady => write!(f, "not ready, no syscall ({bit} not set)"),
                    IoOutcome::Error(kind) => write!(f, "error: {kind}"),
                }
            }
            Event::Register {
                token,
                generation,
                task,
            } => write!(
                f,
                "register token {token} (generation {generation}) for {}",
                TaskName(task)
            ),
            Event::Deregister {
                token,
                generation,
                task,
            } => {
                write!(
                    f,
                    "deregister token {token} (generation {generation}): dropped "
                )?;
                match task {
                    Some(task) => write!(f, "by {}", TaskName(Some(task))),
                    None => f.write_str("outside any poll"),
                }
            }
            Event::Deduplicated { task, by } => {
                write!(
                    f,
                    "wake {}: already scheduled, de-duplicated",
                    TaskName(Some(task))
                )?;
                match by {
                    Some(by) => write!(f, " (woken by {})", TaskName(Some(by))),
                    None => Ok(()),
                }
            }
            Event::IntervalLimit { polls, runnable } => write!(
                f,
                "event interval: {polls} polls this turn, {runnable} still runnable -> \
                 reactor turn first"
            ),
            Event::ShutdownDrop { task } => {
                write!(f, "shutdown: drop {} (not finished)", TaskName(Some(task)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize, asked: usize, cleared: bool, short_clears: bool) -> IoOutcome {
        IoOutcome::Bytes {
            n,
            asked,
            cleared,
            short_clears,
        }
    }

    fn io(direction: Direction, outcome: IoOutcome) -> String {
        Event::Io {
            token: 3,
            direction,
            outcome,
        }
        .to_string()
    }

    #[test]
    fn socket_operation_lines() {
        assert_eq!(
            io(Direction::Read, bytes(6, 4096, true, true)),
            "read token 3: 6 of 4096 bytes (short: READABLE cleared)"
        );
        assert_eq!(
            io(Direction::Read, bytes(6, 4096, false, false)),
            "read token 3: 6 of 4096 bytes (short, READABLE kept: this selector needs the WouldBlock)"
        );
        assert_eq!(
            io(Direction::Write, bytes(6, 6, false, true)),
            "write token 3: 6 of 6"
        );
        assert_eq!(
            io(Direction::Read, bytes(0, 64, false, true)),
            "read token 3: 0 of 64 bytes (end of stream)"
        );
        assert_eq!(
            io(Direction::Read, IoOutcome::WouldBlock),
            "read token 3: WouldBlock -> READABLE cleared"
        );
        assert_eq!(
            io(Direction::Write, IoOutcome::NotReady),
            "write token 3: not ready, no syscall (WRITABLE not set)"
        );
    }

    #[test]
    fn block_reasons() {
        let block = |timeout, sockets| Event::Block {
            timeout,
            runnable: 2,
            sockets,
        };
        assert_eq!(
            block(Some(Duration::ZERO), 0).to_string(),
            "no block: 2 runnable"
        );
        assert_eq!(
            block(None, 1).to_string(),
            "block in poll: no timeout (nothing to wait for but I/O)"
        );
        assert!(block(None, 0)
            .to_string()
            .contains("only a wake from another thread"));
    }

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
