//! The threads behind `spawn_blocking`: one pool for the whole process,
//! started lazily, growing on demand, shrinking when idle.
//!
//! ```text
//!   submit(job) ──► lock ── push job on `queue`
//!                    │
//!                    ├─ more queued jobs than idle threads? ── start a thread
//!                    └─ otherwise ─────────────────────────── notify one idle thread
//!
//!   each thread: loop {
//!       pop a job? ── run it (unlocked), count it, loop
//!       none ──────── idle += 1, wait on the condvar up to KEEP_ALIVE, idle -= 1
//!                     timed out and still nothing queued? ── leave (threads -= 1)
//!   }
//! ```
//!
//! This is the shape of smol's `blocking` crate, simplified: a `Mutex` around
//! a queue and two counts, one `Condvar`, no atomics on the hot path. A job
//! is a boxed closure; the pool does not know about futures at all (see
//! `spawn.rs` for how a result gets back to a task).
//!
//! The pool itself has no thread limit: a thread is started whenever a job
//! is queued and no idle thread is there to take it. The limit lives one
//! level up, per runtime (`jobs.rs`): a runtime hands the pool at most
//! `max_blocking_threads` jobs at a time, so the pool holds at most the sum
//! of the live runtimes' limits.
//!
//! # Races this file prevents
//!
//! - **A job queued while every thread is about to sleep.** The decision to
//!   start a thread or notify one is taken under the same lock as the push,
//!   and a thread only counts itself idle under that lock right before
//!   `Condvar::wait` releases it, so a job can never sit in the queue while
//!   every thread sleeps.
//! - **Two jobs, one idle thread.** A notified thread stays counted as idle
//!   until it wakes and takes the lock, so the second `submit` sees
//!   `queue.len() (2) > idle (1)` and starts a thread instead of notifying
//!   the same sleeper twice.
//! - **A thread leaving while work arrives.** A thread whose wait timed out
//!   checks the queue again, under the lock, before it leaves.
//!
//! # When the OS refuses a thread
//!
//! `std::thread::Builder::spawn` fails when the kernel will not make
//! another thread (`clone3`/`clone` failing with `EAGAIN` under
//! `RLIMIT_NPROC` or a cgroup's pid limit, `ENOMEM`). `submit` then takes
//! one of two ways:
//!
//! - **Another pool thread is alive**: the job stays queued and runs later,
//!   when one of those threads finishes what it is doing; nothing is lost.
//! - **No thread is alive**: nobody would ever run the job, so `submit`
//!   takes it back out of the queue and returns the error; the caller's
//!   future then yields an `io::Error` (`spawn.rs`). The refused job is
//!   dropped only after the lock is released: dropping it drops whatever the
//!   closure captured, and a captured value whose `Drop` touched the pool
//!   again (a `spawn_blocking` in a destructor) would otherwise deadlock on
//!   the pool's own lock.
//!
//! The faults suite (`tests/tests/faults/runtime.rs`) makes both happen
//! with `strace --inject=clone3:error=EAGAIN`.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::Duration;

/// A unit of blocking work: any closure that may move to another thread.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// Starts one pool thread that runs [`Pool::run`]. The process-wide pool
/// uses [`start_thread`]; the unit tests pass one that fails on demand, to
/// play an OS that refuses threads.
type Starter = fn(Arc<Pool>) -> io::Result<()>;

/// The process-wide pool, created by the first `spawn_blocking`.
static POOL: OnceLock<Arc<Pool>> = OnceLock::new();

/// Returns the process-wide pool, creating it (with no threads) on first use.
pub(crate) fn global() -> &'static Arc<Pool> {
    POOL.get_or_init(|| Arc::new(Pool::new(Pool::KEEP_ALIVE)))
}

/// Starts a real pool thread, named `spindle-blocking`.
fn start_thread(pool: Arc<Pool>) -> io::Result<()> {
    thread::Builder::new()
        .name("spindle-blocking".into())
        .spawn(move || pool.run())
        // Detached: the thread leaves by itself once idle.
        .map(|_handle| ())
}

/// A pool of threads that run [`Job`]s.
#[derive(Debug)]
pub(crate) struct Pool {
    /// The queue and the thread counts; every change happens under this lock.
    state: Mutex<State>,
    /// Idle threads wait here; `submit` notifies one.
    work: Condvar,
    /// How long a thread waits for work before it leaves.
    keep_alive: Duration,
    /// Jobs that finished (returned or panicked) since the pool was created.
    /// Bumped by the thread that ran the job; read by `Metrics`.
    jobs_run: AtomicU64,
    /// How `submit` starts a thread: [`start_thread`], or a test's stand-in.
    start: Starter,
}

/// What the pool's lock protects.
#[derive(Default)]
struct State {
    /// Jobs waiting for a thread, oldest first. Pushed by `submit`, popped
    /// by the threads.
    queue: VecDeque<Job>,
    /// Threads alive (running a job, or idle). Raised by `submit` when it
    /// starts a thread, lowered by a thread that leaves.
    threads: usize,
    /// Threads waiting on `work`. Raised by a thread right before it waits,
    /// lowered when it wakes.
    idle: usize,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("queued", &self.queue.len())
            .field("threads", &self.threads)
            .field("idle", &self.idle)
            .finish()
    }
}

/// The pool's numbers at one moment, for `Metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PoolStats {
    /// Threads alive.
    pub(crate) threads: u64,
    /// Threads alive and waiting for work.
    pub(crate) idle: u64,
    /// Jobs waiting for a thread.
    pub(crate) queued: u64,
    /// Jobs finished since the pool was created.
    pub(crate) jobs_run: u64,
}

impl Pool {
    /// How long an idle thread waits before it leaves. Ten seconds, as
    /// tokio and smol: long enough that a steady trickle of jobs reuses the
    /// same threads, short enough that a burst does not leave hundreds of
    /// threads behind for long.
    pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(10);

    /// A pool with no threads yet, whose idle threads leave after
    /// `keep_alive`.
    pub(crate) fn new(keep_alive: Duration) -> Pool {
        Pool::with_starter(keep_alive, start_thread)
    }

    /// A pool that starts its threads with `start`.
    fn with_starter(keep_alive: Duration, start: Starter) -> Pool {
        Pool {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            keep_alive,
            jobs_run: AtomicU64::new(0),
            start,
        }
    }

    /// Queues `job` and makes sure a thread will run it.
    ///
    /// # Errors
    ///
    /// Fails only if a thread was needed and the OS refused to start one
    /// while no other thread is alive; the job is then dropped unrun, after
    /// the lock is released (see "When the OS refuses a thread" above).
    /// With other threads alive the job simply waits for one of them.
    pub(crate) fn submit(self: &Arc<Pool>, job: Job) -> io::Result<()> {
        let mut state = self.lock();
        state.queue.push_back(job);
        if state.queue.len() <= state.idle {
            self.work.notify_one();
            return Ok(());
        }
        state.threads += 1;
        let Err(err) = (self.start)(self.clone()) else {
            return Ok(());
        };
        state.threads -= 1;
        if state.threads > 0 {
            // A live thread takes it when it is done with its own job.
            return Ok(());
        }
        // Nobody would run it: take it back. The lock was held since the
        // push, so it is still the last one queued.
        let refused = state.queue.pop_back();
        drop(state);
        drop(refused);
        Err(err)
    }

    /// The body of one pool thread.
    fn run(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                // A job that panics must not take the thread (and the pool's
                // counts) down with it; `spawn.rs` catches the panic itself to
                // report it, so this only guards against a panic while
                // sending that report.
                let _ = catch_unwind(AssertUnwindSafe(job));
                self.jobs_run.fetch_add(1, Ordering::Relaxed);
                state = self.lock();
                continue;
            }
            state.idle += 1;
            let (next, timeout) = self
                .work
                .wait_timeout(state, self.keep_alive)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state = next;
            state.idle -= 1;
            if timeout.timed_out() && state.queue.is_empty() {
                state.threads -= 1;
                return;
            }
        }
    }

    /// The pool's numbers now.
    pub(crate) fn stats(&self) -> PoolStats {
        let state = self.lock();
        PoolStats {
            threads: state.threads as u64,
            idle: state.idle as u64,
            queued: state.queue.len() as u64,
            jobs_run: self.jobs_run.load(Ordering::Relaxed),
        }
    }

    /// Locks the state. No code panics while holding the lock, so poison
    /// can only come from a panic inside `std` itself; the counts are still
    /// consistent then, so carry on.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The process-wide pool's numbers, or zeros if no job was ever spawned.
pub(crate) fn global_stats() -> PoolStats {
    POOL.get().map(|pool| pool.stats()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    thread_local! {
        /// How many more thread starts [`flaky_start`] refuses on this
        /// test's thread (each test submits from its own thread).
        static REFUSE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// A [`Starter`] that plays an OS out of threads while [`REFUSE`] is
    /// above zero, and starts real threads otherwise.
    fn flaky_start(pool: Arc<Pool>) -> io::Result<()> {
        if REFUSE.with(|left| left.replace(left.get().saturating_sub(1))) > 0 {
            // What `pthread_create` reports when `clone3` fails with EAGAIN.
            return Err(io::Error::new(io::ErrorKind::WouldBlock, "no threads left"));
        }
        start_thread(pool)
    }

    #[test]
    fn a_refused_thread_with_none_alive_hands_the_error_back_and_runs_nothing() {
        let pool = Arc::new(Pool::with_starter(Duration::from_secs(10), flaky_start));
        REFUSE.with(|left| left.set(1));
        let ran = Arc::new(AtomicU64::new(0));
        let counter = ran.clone();
        let err = pool
            .submit(Box::new(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            }))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        let stats = pool.stats();
        assert_eq!((stats.threads, stats.queued), (0, 0), "{stats:?}");
        // The next submit starts a thread and runs its job.
        let (done_tx, done_rx) = mpsc::channel();
        pool.submit(Box::new(move || done_tx.send(()).unwrap()))
            .unwrap();
        done_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(ran.load(Ordering::Relaxed), 0, "the refused job never runs");
    }

    #[test]
    fn a_refused_thread_with_one_busy_queues_the_job_for_it() {
        let pool = Arc::new(Pool::with_starter(Duration::from_secs(10), flaky_start));
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let released = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = released.clone();
        pool.submit(Box::new(move || {
            let _ = release_rx.recv_timeout(Duration::from_secs(10));
            flag.store(true, Ordering::SeqCst);
        }))
        .unwrap();
        REFUSE.with(|left| left.set(1));
        let (done_tx, done_rx) = mpsc::channel();
        let flag = released.clone();
        pool.submit(Box::new(move || {
            done_tx.send(flag.load(Ordering::SeqCst)).unwrap();
        }))
        .unwrap();
        assert_eq!(pool.stats().threads, 1, "no second thread was started");
        release_tx.send(()).unwrap();
        let after_the_busy_one = done_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(
            after_the_busy_one,
            "it ran on the busy thread, after its job"
        );
    }

    #[test]
    fn a_refused_job_is_dropped_after_the_pools_lock_is_released() {
        /// Touches the pool's lock when dropped.
        struct ReadsStats(Arc<Pool>, mpsc::Sender<u64>);
        impl Drop for ReadsStats {
            fn drop(&mut self) {
                let _ = self.1.send(self.0.stats().queued);
            }
        }
        let pool = Arc::new(Pool::with_starter(Duration::from_secs(10), flaky_start));
        let (dropped_tx, dropped_rx) = mpsc::channel();
        let submitter = {
            let pool = pool.clone();
            // On its own thread: a drop under the lock would deadlock it.
            thread::spawn(move || {
                REFUSE.with(|left| left.set(1));
                let guard = ReadsStats(pool.clone(), dropped_tx);
                pool.submit(Box::new(move || drop(guard))).is_err()
            })
        };
        let queued = dropped_rx.recv_timeout(Duration::from_secs(10));
        assert_eq!(queued, Ok(0), "the refused job was dropped, unlocked");
        assert!(submitter.join().unwrap(), "submit reported the refusal");
    }

    #[test]
    fn grows_to_one_thread_per_concurrent_job_then_idle_threads_leave() {
        let pool = Arc::new(Pool::new(Duration::from_millis(50)));
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let (done_tx, done_rx) = mpsc::channel();
        for _ in 0..4 {
            let release_rx = release_rx.clone();
            let done_tx = done_tx.clone();
            pool.submit(Box::new(move || {
                // Hold the thread until the test releases this job.
                let _ = release_rx.lock().unwrap().recv();
                done_tx.send(()).unwrap();
            }))
            .unwrap();
        }
        assert_eq!(pool.stats().threads, 4);
        for _ in 0..4 {
            release_tx.send(()).unwrap();
        }
        for _ in 0..4 {
            done_rx.recv().unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while pool.stats().threads > 0 {
            assert!(Instant::now() < deadline, "idle threads did not leave");
            thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(pool.stats().jobs_run, 4);
    }

    #[test]
    fn an_idle_thread_is_reused_instead_of_starting_another() {
        let pool = Arc::new(Pool::new(Duration::from_secs(10)));
        let (done_tx, done_rx) = mpsc::channel();
        for _ in 0..3 {
            let done_tx = done_tx.clone();
            pool.submit(Box::new(move || done_tx.send(()).unwrap()))
                .unwrap();
            done_rx.recv().unwrap();
            // Wait until the thread is back to idle before the next job.
            let deadline = Instant::now() + Duration::from_secs(10);
            while pool.stats().idle == 0 {
                assert!(Instant::now() < deadline);
                thread::sleep(Duration::from_millis(1));
            }
        }
        assert_eq!(pool.stats().threads, 1);
    }
}
