//! One runtime's share of the blocking pool: its limit, its backlog, and
//! the count `Runtime::shutdown_timeout` waits on.
//!
//! The pool (`pool.rs`) is shared by every runtime of the process, so
//! [`Builder::max_blocking_threads`](crate::Builder::max_blocking_threads)
//! cannot be a limit on the pool's size without one runtime's setting
//! overriding another's. It is a limit on how many of *this runtime's* jobs
//! run at once:
//!
//! ```text
//!   RuntimeJobs::submit(job)
//!     ├─ running < limit ── running += 1 ── hand a "runner" to the pool
//!     └─ otherwise ──────── push on this runtime's backlog (waits here)
//!
//!   runner (on a pool thread): run the job, then
//!     ├─ backlog has one? ── pop it and run it on this same thread
//!     └─ empty ───────────── running -= 1; if nothing is outstanding,
//!                            notify `shutdown_timeout`
//! ```
//!
//! A runner keeps its thread while its runtime has a backlog, so a runtime
//! never holds more than `limit` pool threads, and the pool holds at most the
//! sum of the limits of the live runtimes.
//!
//! # Invariants
//!
//! - `running` counts runners handed to the pool and not yet finished; it is
//!   at most `limit`, and the backlog is empty whenever `running < limit`.
//! - Every job counted in `outstanding()` is either queued in the pool, in
//!   the backlog, or running; `shutdown_timeout` returns early exactly when
//!   the count reaches zero.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::blocking::pool::{self, Job};

/// Jobs waiting in a runtime backlog, all runtimes together; part of the
/// process-wide "jobs queued" figure in `Metrics`.
static BACKLOGGED: AtomicUsize = AtomicUsize::new(0);

/// Jobs waiting in runtimes' backlogs, process-wide.
pub(crate) fn backlogged() -> u64 {
    BACKLOGGED.load(Ordering::Relaxed) as u64
}

/// One runtime's blocking jobs. The runtime's core holds an `Arc`; so does
/// every runner it handed to the pool, so the count outlives the runtime
/// long enough for `shutdown_timeout` to wait on it.
#[derive(Debug)]
pub(crate) struct RuntimeJobs {
    /// The limit, the running count and the backlog.
    state: Mutex<JobsState>,
    /// Notified when the last outstanding job finishes; waited on by
    /// `wait_idle`.
    all_done: Condvar,
    /// Jobs this runtime submitted, ever; a per-runtime metric.
    submitted: AtomicU64,
}

/// What `RuntimeJobs`'s lock protects.
struct JobsState {
    /// At most this many of the runtime's jobs run at once; set by
    /// `Builder::build`.
    limit: usize,
    /// Runners handed to the pool and not yet finished.
    running: usize,
    /// Jobs over the limit, oldest first; taken by finishing runners.
    backlog: VecDeque<Job>,
}

impl fmt::Debug for JobsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobsState")
            .field("limit", &self.limit)
            .field("running", &self.running)
            .field("backlog", &self.backlog.len())
            .finish()
    }
}

impl RuntimeJobs {
    /// `Builder::max_blocking_threads`'s default: 512, as tokio.
    pub(crate) const DEFAULT_LIMIT: usize = 512;

    /// No jobs yet, with the default limit.
    pub(crate) fn new() -> RuntimeJobs {
        RuntimeJobs {
            state: Mutex::new(JobsState {
                limit: Self::DEFAULT_LIMIT,
                running: 0,
                backlog: VecDeque::new(),
            }),
            all_done: Condvar::new(),
            submitted: AtomicU64::new(0),
        }
    }

    /// Sets the limit (values below 1 count as 1). Called by
    /// `Builder::build` before any job can exist.
    pub(crate) fn set_limit(&self, limit: usize) {
        self.lock().limit = limit.max(1);
    }

    /// Runs `job` on the pool now, or after earlier jobs of this runtime
    /// when `limit` of them already run.
    ///
    /// # Errors
    ///
    /// See `Pool::submit`: the job is dropped unrun.
    pub(crate) fn submit(self: &Arc<Self>, job: Job) -> std::io::Result<()> {
        self.submitted.fetch_add(1, Ordering::Relaxed);
        let mut state = self.lock();
        if state.running >= state.limit {
            state.backlog.push_back(job);
            BACKLOGGED.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        state.running += 1;
        drop(state);
        let jobs = self.clone();
        let runner: Job = Box::new(move || jobs.run_from(job));
        pool::global()
            .submit(runner)
            .inspect_err(|_| self.finish_one())
    }

    /// The body of a runner: `job`, then the backlog, on this pool thread.
    fn run_from(&self, mut job: Job) {
        loop {
            job();
            let mut state = self.lock();
            match state.backlog.pop_front() {
                Some(next) => {
                    BACKLOGGED.fetch_sub(1, Ordering::Relaxed);
                    job = next;
                }
                None => {
                    drop(state);
                    self.finish_one();
                    return;
                }
            }
        }
    }

    /// Counts one runner as finished and wakes `wait_idle` if it was the last.
    fn finish_one(&self) {
        let mut state = self.lock();
        state.running -= 1;
        if state.running == 0 {
            self.all_done.notify_all();
        }
    }

    /// Blocks this thread until no job of this runtime is outstanding, or
    /// `timeout` passed. Returns whether all finished.
    pub(crate) fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.lock();
        // `running == 0` implies an empty backlog (see the invariants).
        while state.running > 0 {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                return false;
            }
            state = self
                .all_done
                .wait_timeout(state, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        true
    }

    /// Jobs this runtime submitted, ever.
    pub(crate) fn submitted(&self) -> u64 {
        self.submitted.load(Ordering::Relaxed)
    }

    /// Locks the state; see `Pool::lock` on poison.
    fn lock(&self) -> MutexGuard<'_, JobsState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
