//! Each [`Event`] as a `tracing` event: target [`TARGET`], level `INFO`,
//! the text line as its message, and the variant's structured fields (the
//! list is in `event.rs`'s module doc), so a subscriber can filter and
//! ship the trace like any other.

use super::event::{Event, IoOutcome};

/// The target every explain event carries, for filtering.
pub(crate) const TARGET: &str = "spindle::explain";

impl Event {
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
