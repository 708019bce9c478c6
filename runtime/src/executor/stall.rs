//! The stall detector: which task held the thread, where it was spawned,
//! and for how long.
//!
//! The budget (`coop.rs`) stops a task that keeps finding spindle
//! operations ready. It cannot stop a task that does no spindle operation
//! at all for a while: a long computation, a blocking `std::fs` read, a
//! `std::thread::sleep`, a mutex held by another thread. While such a poll
//! runs, every other task on the thread waits, and nothing in the program
//! says why. The stall detector says it:
//!
//! ```text
//! WARN spindle::stall: task 7 (spawned at src/main.rs:41:9) held the thread for 153.2ms
//!      in one poll (threshold 10ms); 3 other tasks were waiting to run
//! ```
//!
//! It is off by default. [`Builder::stall_threshold`] or
//! `SPINDLE_STALL_MS=N` turn it on. Then the loop reads the clock once
//! after every poll (and once when a batch of polls starts); the time
//! since the previous reading is the poll's length, because nothing else
//! runs between two polls of a batch but popping the run queue. A poll
//! longer than the threshold is reported through `tracing` (target
//! `spindle::stall`, level `WARN`, with structured fields), or on stderr
//! when no `tracing` subscriber is set, and counted in
//! [`Metrics::stalls`](crate::Metrics::stalls). Off, the cost is one branch
//! on an `Option` per poll.
//!
//! Where a task was spawned comes from `#[track_caller]` on
//! [`spawn`](crate::spawn): the location is recorded at spawn for every
//! task (one pointer), so a report can name the line that created the task
//! that stalled.
//!
//! # Compared with glommio
//!
//! glommio's stall detector (`executor/stall.rs`) arms a timer signal per
//! task queue and, when a queue runs 10 ms past its expected time slice,
//! captures a backtrace of the stalled thread from a signal handler. That
//! shows *what* the code was doing, at the price of a signal and a
//! backtrace per stall. spindle's reports after the poll returns, with no
//! signal handler: it cannot show the stack, but it names *which* task
//! (id, spawn location), how long the poll took and how many tasks it kept
//! waiting, for one clock read per poll.
//!
//! [`Builder::stall_threshold`]: crate::Builder::stall_threshold

use std::cell::Cell;
use std::fmt;
use std::io::Write;
use std::panic::Location;
use std::time::{Duration, Instant};

use crate::explain::Millis;

/// The target of every stall warning, for filtering.
pub(crate) const TARGET: &str = "spindle::stall";

/// The environment variable that turns the detector on with a threshold in
/// milliseconds, when the builder does not say.
pub(crate) const ENV_VAR: &str = "SPINDLE_STALL_MS";

/// The threshold `SPINDLE_STALL_MS` asks for, if it is set to a number.
pub(crate) fn threshold_from_env() -> Option<Duration> {
    let value = std::env::var(ENV_VAR).ok()?;
    let ms: u64 = value.trim().parse().ok()?;
    Some(Duration::from_millis(ms))
}

/// One runtime's stall detector: the threshold and the last clock reading.
#[derive(Debug)]
pub(crate) struct StallDetector {
    /// A poll longer than this is reported.
    threshold: Duration,
    /// When the poll now running started: the reading taken by
    /// [`begin`](Self::begin) or by the previous [`after_poll`](Self::after_poll).
    started: Cell<Instant>,
}

/// What a stall report says about the task that stalled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stalled {
    /// The task's id (0: the `block_on` future).
    pub(crate) task: u64,
    /// Where it was spawned (or where `block_on` was called).
    pub(crate) spawned_at: &'static Location<'static>,
    /// Tasks in the run queue when the poll returned.
    pub(crate) waiting: usize,
}

impl StallDetector {
    /// A detector that reports polls longer than `threshold`.
    pub(crate) fn new(threshold: Duration) -> StallDetector {
        StallDetector {
            threshold,
            started: Cell::new(Instant::now()),
        }
    }

    /// Starts timing a batch of polls: called by the loop before its first
    /// poll in a turn.
    #[inline]
    pub(crate) fn begin(&self) {
        self.started.set(Instant::now());
    }

    /// Times the poll that just returned (one clock read) and reports it
    /// if it was too long. Returns whether it was a stall.
    #[inline]
    pub(crate) fn after_poll(&self, stalled: impl FnOnce() -> Stalled) -> bool {
        let now = Instant::now();
        let took = now.saturating_duration_since(self.started.replace(now));
        if took <= self.threshold {
            return false;
        }
        self.report(took, stalled());
        true
    }

    /// Writes the warning.
    #[cold]
    #[inline(never)]
    fn report(&self, took: Duration, stalled: Stalled) {
        let message = Report {
            took,
            threshold: self.threshold,
            stalled,
        };
        tracing::warn!(
            target: TARGET,
            task = stalled.task,
            spawned_at = %stalled.spawned_at,
            poll_ms = took.as_secs_f64() * 1000.0,
            threshold_ms = self.threshold.as_secs_f64() * 1000.0,
            waiting = stalled.waiting,
            "{message}"
        );
        if !tracing::dispatcher::has_been_set() {
            let _ = writeln!(std::io::stderr().lock(), "{TARGET}: {message}");
        }
    }
}

/// The warning's text.
struct Report {
    /// How long the poll took.
    took: Duration,
    /// The threshold it passed.
    threshold: Duration,
    /// Which task, and what it kept waiting.
    stalled: Stalled,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Stalled {
            task,
            spawned_at,
            waiting,
        } = self.stalled;
        match task {
            0 => write!(f, "the block_on future (called at {spawned_at})")?,
            id => write!(f, "task {id} (spawned at {spawned_at})")?,
        }
        write!(
            f,
            " held the thread for {:.1}ms in one poll (threshold {}); \
             {waiting} other task{} {} waiting to run",
            self.took.as_secs_f64() * 1000.0,
            Millis(self.threshold),
            if waiting == 1 { "" } else { "s" },
            if waiting == 1 { "was" } else { "were" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_task_location_and_waiting() {
        let report = Report {
            took: Duration::from_micros(153_200),
            threshold: Duration::from_millis(10),
            stalled: Stalled {
                task: 7,
                spawned_at: Location::caller(),
                waiting: 3,
            },
        };
        let text = report.to_string();
        assert!(text.starts_with("task 7 (spawned at "), "{text}");
        assert!(text.contains("stall.rs:"), "{text}");
        assert!(
            text.ends_with(
                "held the thread for 153.2ms in one poll (threshold 10ms); \
                 3 other tasks were waiting to run"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_short_poll_is_no_stall() {
        let detector = StallDetector::new(Duration::from_secs(3600));
        detector.begin();
        assert!(!detector.after_poll(|| unreachable!("not a stall")));
    }
}
