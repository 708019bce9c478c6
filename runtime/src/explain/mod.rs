//! The explain trace: the runtime narrates every turn of its loop in plain
//! words.
//!
//! A learner who wants to see the loop of `lib.rs` happen turns it on with
//! [`Builder::explain`](crate::Builder::explain) or by setting
//! `SPINDLE_EXPLAIN=1` in the environment (read once, when the runtime is
//! built; `explain(false)` on the builder wins over the variable). One turn
//! then reads like this (from `cargo run -p spindle --example explain -- 1`;
//! `docs/explain-trace.md` has the whole trace at level 2, annotated):
//!
//! ```text
//! turn 2: 3 runnable
//! spawn task 4
//! spawn task 5
//! poll task 1 -> Ready
//! task 2 waits: token 1 read
//! poll task 2 -> Pending
//! task 3 waits: token 2 read
//! poll task 3 -> Pending
//! task 4 waits: token 3 read
//! poll task 4 -> Pending
//! task 5 waits: token 4 read
//! poll task 5 -> Pending
//! block in poll: no timeout (nothing to wait for but I/O)
//! poll returned 2 events after 0.0ms
//! event token 3: READABLE|WRITABLE -> wake task 4
//! event token 4: READABLE|WRITABLE -> wake task 5
//! ```
//!
//! Lines written *during* a poll (where the task left its waker, whom it
//! woke, what it spawned) come just before that poll's `-> Pending` or
//! `-> Ready` line.
//!
//! # What each line means
//!
//! | line | where it is written | what it says |
//! | --- | --- | --- |
//! | `turn N: K runnable` | `Core::run_batch` (`executor/poll.rs`), top of step 1 | a new turn; K tasks wait in the run queue |
//! | `spawn task N` | `Core::spawn` | a task was created and queued |
//! | `poll task N -> Pending` / `-> Ready` / `-> Panicked` / `-> Cancelled` | `Core::run_batch`, `Core::run_task` | one poll and its result (`block_on` is the future given to `block_on`) |
//! | `task N waits: token T read` / `write` | `Registration::poll_ready` | the task parked its waker in a socket's reactor slot |
//! | `task N waits: timer at +Dms` | `TimerStore::insert` / `poll` (from `Sleep::poll`) | the task parked its waker in a timer, due D ms from now (rounded up to the timer tick) |
//! | `task N yields: runnable again after the reactor turn` | `Core::defer` | `yield_now`: polled again after the reactor turn |
//! | `task N spent its budget (128) -> yield` | `Core::budget_spent` (from `executor/coop.rs`) | an operation found the task's budget of the poll spent; the task returns `Pending` and runs again after the reactor turn |
//! | `task N wakes task M` | `task/waker.rs` | a wake from inside a poll (a `JoinHandle`, a channel) |
//! | `block in poll: up to Dms (next timer)` / `no timeout (nothing to wait for but I/O)` | `Core::turn` | the loop sleeps in `epoll_wait`/`kevent`, and why that long |
//! | `block in poll: no timeout (no socket, no timer: only a wake from another thread, …)` | `Core::turn` | nothing registered and no timer: the tasks wait for another thread (a channel, a `JoinHandle` across threads) or a signal |
//! | `no block: K runnable` | `Core::turn` | tasks are runnable, so the reactor is only peeked at |
//! | `poll returned E events after Dms` | `IoDriver::poll` | the kernel's answer, and how long it took |
//! | `event token T: READABLE -> wake task N` | `IoDriver::poll` | readiness for a socket and whom it woke (`wakes nobody`: no task was waiting) |
//! | `event waker: wake from another thread` / `event signals: a signal arrived` | `IoDriver::poll` | the runtime's own tokens |
//! | `timer fired -> wake task N` | `TimerStore::advance` | a due timer and whom it woke |
//! | `remote wake -> task N` | `Core::drain_remote` | a wake from another thread reached the run queue |
//! | `task N waits: signal S` / `signal S delivered -> wake K listeners` | `reactor/signal.rs` | signal listeners |
//! | `tokio had the thread for Dms` | the tokio host (`tokio/host.rs`, feature `tokio`) | a hosted loop got the thread back from tokio's scheduler after D ms |
//!
//! ## Level 2
//!
//! [`Builder::explain_level(2)`](crate::Builder::explain_level) or
//! `SPINDLE_EXPLAIN=2` adds:
//!
//! | line | where it is written | what it says |
//! | --- | --- | --- |
//! | `read token 3: 6 of 4096 bytes (short: READABLE cleared)` | `Registration::poll_io_sized`, `try_io_sized` | a read or write and what it proved: a short one cleared readiness (epoll, kqueue); `(short, READABLE kept: …)` on the `poll(2)` backend; `0 of N bytes (end of stream)` |
//! | `write token 3: 6 of 6` | the same | a write that moved everything it was given (readiness kept) |
//! | `read token 0: ok` / `error: …` | `Registration::poll_io`, `try_io` | an operation without a byte count (`accept`, `connect`, datagrams) |
//! | `read token 3: WouldBlock -> READABLE cleared` | all four helpers | the syscall proved the socket drained |
//! | `read token 3: not ready, no syscall (READABLE not set)` | `try_io`, `try_io_sized` | the `try_` style without readiness |
//! | `register token 3 (generation 5) for task 4` / `deregister …: dropped by task 4` | `IoDriver::register`, `deregister` | a socket's slot, its token's generation, and the task that made or dropped it |
//! | `wake task 4: already scheduled, de-duplicated` | `task/waker.rs` | a wake of a task already on the run queue, dropped (only those fired on the runtime's own thread are narrated; all are counted) |
//! | `event interval: 61 polls this turn, 3 still runnable -> reactor turn first` | `Core::run_batch` | the fairness limit ended step 1 |
//! | `shutdown: drop task 4 (not finished)` | `Core::shutdown` | the runtime dropped, and with it this task's future |
//!
//! Tokens are shown as the slab index of the socket's reactor slot (the low
//! half of the mio `Token`); the generation in the high half is shown only
//! by the level-2 registration lines, to keep the others short.
//!
//! # One record, four views
//!
//! Every hook builds one [`Event`] (`event.rs`) and hands it to
//! [`Explain::emit`]: its `Display` is the text line (`line.rs`),
//! [`Event::trace`] sends it to `tracing` with structured fields
//! (`fields.rs`), and when a timeline was
//! asked for (`SPINDLE_EXPLAIN_HTML`, `SPINDLE_EXPLAIN_JSON`,
//! `Builder::explain_html`, `explain_json`) the bounded record of
//! `record.rs` keeps it with its time, for the HTML page of `timeline.rs`
//! and the Chrome JSON of `chrome.rs`, written when the runtime drops. So
//! the four can never tell different stories. The hooks the loop calls are
//! in `hooks.rs`. The trace takes plain values (ids, tokens, the readiness
//! bits of `reactor/ready.rs`) and never reaches back into the loop's
//! modules: the loop calls the trace, not the other way round.
//!
//! # How a waker is traced back to its task
//!
//! A `Waker` is opaque: nothing in it says which task it belongs to. So
//! while explain is on, the loop records which task it is polling
//! ([`Explain::set_polling`], around every poll), and whoever parks a waker
//! (a reactor slot, a timer) copies that id next to the waker. When an
//! event or a timer later takes the waker, the id is there to name.
//!
//! # Where the lines go
//!
//! Every line is a `tracing` event at level `INFO` with target
//! `spindle::explain`, so an application that uses `tracing` can filter it
//! (`RUST_LOG=spindle::explain=info` with `tracing-subscriber`'s
//! `EnvFilter`) or record it. When no `tracing` subscriber was ever set in
//! the process (`tracing::dispatcher::has_been_set()` is false), the event
//! would go nowhere, so the same line is also written to stderr, prefixed
//! `spindle::explain: `. The runtime never installs a subscriber itself:
//! that is the application's decision, and a global one can be set only
//! once.
//!
//! # Cost when off
//!
//! Every hook is `if explain_on { … }` (or `explain_detail` for level 2)
//! on a plain `bool` that never changes after the runtime is built, so the
//! branch predictor learns it at once; the function it calls is `#[cold]`
//! and never inlined, in `hooks.rs`.
//! When it is false nothing is formatted, allocated or handed to
//! `tracing`; the macro is never reached. The README reports the measured
//! cost.

use std::cell::{Cell, RefCell};
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

mod chrome;
mod event;
mod fields;
mod hooks;
mod line;
mod record;
mod timeline;

pub(crate) use event::{Event, IoOutcome, PollResult};
pub(crate) use fields::TARGET;
pub(crate) use hooks::*;
pub(crate) use line::Millis;
use record::Recorder;
use timeline::Timeline;

/// The environment variable that turns the trace on (`1`, `true`, `yes`
/// or `on`; `2` for the detailed level) when the builder does not say.
pub(crate) const ENV_VAR: &str = "SPINDLE_EXPLAIN";

/// The environment variable that names the HTML timeline to write when the
/// runtime drops, when the builder does not name one.
pub(crate) const ENV_HTML: &str = "SPINDLE_EXPLAIN_HTML";

/// The environment variable that names the Chrome trace-event JSON file to
/// write when the runtime drops, when the builder does not name one.
pub(crate) const ENV_JSON: &str = "SPINDLE_EXPLAIN_JSON";

/// The value of `Explain::polling` while no task is being polled.
const NOBODY: u64 = u64::MAX;

/// What the builder (or the environment) asked of the trace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ExplainConfig {
    /// 0: print nothing; 1: the loop's story; 2: also every socket
    /// operation, registration, de-duplicated wake (see `event.rs`).
    pub(crate) level: u8,
    /// Where to write the HTML timeline when the runtime drops.
    pub(crate) html: Option<PathBuf>,
    /// Where to write the Chrome trace-event JSON when the runtime drops.
    pub(crate) json: Option<PathBuf>,
}

impl From<bool> for ExplainConfig {
    /// `true` is level 1, `false` is off; no files.
    fn from(on: bool) -> ExplainConfig {
        ExplainConfig {
            level: u8::from(on),
            ..ExplainConfig::default()
        }
    }
}

impl ExplainConfig {
    /// Reads `SPINDLE_EXPLAIN`: the level the environment asks for (0 when
    /// unset or unrecognised).
    pub(crate) fn level_from_env() -> u8 {
        std::env::var(ENV_VAR).map_or(0, |v| parse_level(&v))
    }

    /// Reads a path variable (`SPINDLE_EXPLAIN_HTML`, `SPINDLE_EXPLAIN_JSON`);
    /// empty counts as unset.
    pub(crate) fn path_from_env(var: &str) -> Option<PathBuf> {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}

/// `1`, `true`, `yes`, `on` are level 1; `2` and above are level 2.
fn parse_level(value: &str) -> u8 {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => 1,
        other => other.parse::<u8>().map_or(0, |n| n.min(2)),
    }
}

/// Whether the trace is on, and which task is being polled.
///
/// One per runtime, shared (`Rc`) by the core, the reactor and the timer
/// store, which are the places that emit events.
#[derive(Debug)]
pub(crate) struct Explain {
    /// Whether any hook runs: a level of 1 or more, or a timeline being
    /// recorded. Fixed when the runtime is built; read by every hook
    /// before it does anything else.
    pub(crate) on: bool,
    /// Whether the level-2 hooks run: level 2, or a timeline being
    /// recorded (the timeline shows everything). Fixed at build.
    pub(crate) detail: bool,
    /// The highest event level that is printed (sent to `tracing`, or to
    /// stderr): 0, 1 or 2.
    level: u8,
    /// The id of the task being polled, or `NOBODY`. Written by the loop
    /// around each poll (only when `on`); read where a waker is parked.
    polling: Cell<u64>,
    /// The timeline's bounded record, when an HTML or JSON file was asked
    /// for; written by `emit`, turned into files by `finish`.
    recorder: Option<RefCell<Recorder>>,
}

impl Explain {
    /// A trace configured once and for good (`true`/`false` for level 1 or
    /// off).
    pub(crate) fn new(config: impl Into<ExplainConfig>) -> Explain {
        let config = config.into();
        let recording = config.html.is_some() || config.json.is_some();
        Explain {
            on: config.level > 0 || recording,
            detail: config.level > 1 || recording,
            level: config.level,
            polling: Cell::new(NOBODY),
            recorder: recording
                .then(|| RefCell::new(Recorder::new(Instant::now(), config.html, config.json))),
        }
    }

    /// Records that task `id` is being polled (`None`: the poll ended).
    /// Called only while the trace is on.
    pub(crate) fn set_polling(&self, id: Option<u64>) {
        self.polling.set(id.unwrap_or(NOBODY));
        if let (Some(task), Some(recorder)) = (id, &self.recorder) {
            recorder
                .borrow_mut()
                .push(Some(task), Event::PollStart { task });
        }
    }

    /// The task being polled, if any, for attributing a parked waker.
    pub(crate) fn polling(&self) -> Option<u64> {
        match self.polling.get() {
            NOBODY => None,
            id => Some(id),
        }
    }

    /// Narrates one event: prints it if its level is on, and records it
    /// for the timeline if one was asked for. Callers check `on` (or
    /// `detail`) first, so that the event is not even built when the
    /// trace is off.
    #[cold]
    #[inline(never)]
    pub(crate) fn emit(&self, event: Event) {
        let level = event.level();
        if level > 0 && level <= self.level {
            let line = event.to_string();
            event.trace(&line);
            if !tracing::dispatcher::has_been_set() {
                // The fallback writer: nobody listens to `tracing`, so say
                // it on stderr. A failed write (stderr closed) is not worth
                // a panic.
                let _ = writeln!(std::io::stderr().lock(), "{TARGET}: {line}");
            }
        }
        if let Some(recorder) = &self.recorder {
            recorder.borrow_mut().push(self.polling(), event);
        }
    }

    /// Writes the timeline files, if any were asked for. Called once, when
    /// the runtime drops (`Core::shutdown`); a file that cannot be written
    /// is reported on stderr (a destructor has nobody to return an error
    /// to).
    #[cold]
    #[inline(never)]
    pub(crate) fn finish(&self) {
        if let Some(recorder) = &self.recorder {
            if let Err(err) = recorder.borrow_mut().write_files() {
                let _ = writeln!(std::io::stderr().lock(), "{TARGET}: {err}");
            }
        }
    }
}

impl Recorder {
    /// Writes the HTML page and the JSON file that were asked for.
    ///
    /// # Errors
    ///
    /// An error naming the file that could not be written.
    pub(crate) fn write_files(&mut self) -> io::Result<()> {
        let timeline = Timeline::build(&self.entries, self.dropped);
        if let Some(path) = self.html.take() {
            std::fs::write(&path, timeline.html())
                .map_err(|err| named(err, "HTML timeline", &path))?;
        }
        if let Some(path) = self.json.take() {
            std::fs::write(&path, chrome::render(&timeline))
                .map_err(|err| named(err, "Chrome trace JSON", &path))?;
        }
        Ok(())
    }
}

/// An error that names the file and what it was for.
fn named(err: io::Error, what: &str, path: &std::path::Path) -> io::Error {
    io::Error::new(
        err.kind(),
        format!("could not write the {what} to {}: {err}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_the_environment_spelling() {
        assert_eq!(parse_level("1"), 1);
        assert_eq!(parse_level(" on "), 1);
        assert_eq!(parse_level("YES"), 1);
        assert_eq!(parse_level("2"), 2);
        assert_eq!(parse_level("9"), 2);
        assert_eq!(parse_level("0"), 0);
        assert_eq!(parse_level("off"), 0);
        assert_eq!(parse_level(""), 0);
    }

    #[test]
    fn recording_turns_on_every_hook_but_prints_nothing_by_itself() {
        let explain = Explain::new(ExplainConfig {
            level: 0,
            html: Some(PathBuf::from("unused.html")),
            json: None,
        });
        assert!(explain.on && explain.detail);
        assert_eq!(explain.level, 0);
        assert!(!Explain::new(true).detail);
    }

    #[test]
    fn polling_round_trip() {
        let explain = Explain::new(true);
        assert_eq!(explain.polling(), None);
        explain.set_polling(Some(4));
        assert_eq!(explain.polling(), Some(4));
        explain.set_polling(None);
        assert_eq!(explain.polling(), None);
    }
}
