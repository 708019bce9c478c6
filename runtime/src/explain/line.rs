//! The text line of each [`Event`], exactly as the trace prints it
//! (`poll task 3 -> Pending`, `block in poll: up to 20ms (next timer)`),
//! and the two ways a line names things: [`TaskName`] and [`Millis`].

use std::fmt;
use std::time::Duration;

use super::event::{Event, IoOutcome};
use crate::reactor::ready::Direction;

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

/// Names a task in the trace: `block_on` for the main future, `task N`
/// for spawned ones, `nobody` outside any poll.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TaskName(pub(crate) Option<u64>);

impl fmt::Display for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(0) => f.write_str("block_on"),
            Some(id) => write!(f, "task {id}"),
            None => f.write_str("nobody"),
        }
    }
}

/// A duration the way the trace shows it: rounded to whole milliseconds,
/// or to tenths below one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Millis(pub(crate) Duration);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_secs_f64() * 1000.0;
        if ms < 1.0 {
            write!(f, "{ms:.1}ms")
        } else {
            write!(f, "{}ms", ms.round())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_names() {
        assert_eq!(TaskName(Some(0)).to_string(), "block_on");
        assert_eq!(TaskName(Some(3)).to_string(), "task 3");
        assert_eq!(TaskName(None).to_string(), "nobody");
    }

    #[test]
    fn millis() {
        assert_eq!(Millis(Duration::from_micros(260)).to_string(), "0.3ms");
        assert_eq!(Millis(Duration::from_micros(9990)).to_string(), "10ms");
        assert_eq!(Millis(Duration::from_millis(20)).to_string(), "20ms");
    }

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
}
