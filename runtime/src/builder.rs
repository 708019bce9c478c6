//! Configuring a runtime: [`Builder`] and [`PanicPolicy`].
//!
//! `Runtime::builder()` returns a [`Builder`]; its setters record choices
//! (how many polls per reactor turn, how many events per turn, what a panic
//! in a task does, whether to narrate the loop) and [`Builder::build`]
//! hands them to `Core::new` in `executor.rs`, which creates the selector,
//! the timer store and the run queue. Nothing here runs in the loop: every
//! value is read once, at build.

use std::io;

use crate::blocking::RuntimeJobs;
use crate::executor::{Core, Runtime};
use crate::explain::Explain;

/// What happens when a spawned task panics.
///
/// # Examples
///
/// ```
/// use spindle::{PanicPolicy, Runtime};
///
/// let rt = Runtime::builder().panic_policy(PanicPolicy::FailFast).build()?;
/// let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
///     rt.block_on(async {
///         spindle::spawn(async { panic!("task failed") });
///         spindle::yield_now().await;
///     })
/// }));
/// assert!(result.is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PanicPolicy {
    /// The panic ends that task only; its [`JoinHandle`](crate::JoinHandle) yields
    /// [`JoinError::Panicked`](crate::JoinError::Panicked) and the runtime
    /// goes on. The default, as in tokio.
    #[default]
    Isolate,
    /// The panic propagates out of `block_on`, ending the program unless the
    /// caller catches it: for tests and programs that prefer to fail fast.
    FailFast,
}

/// Configures and builds a [`Runtime`].
///
/// # Examples
///
/// ```
/// let rt = spindle::Runtime::builder()
///     .event_interval(31)
///     .max_events(256)
///     .build()?;
/// assert_eq!(rt.block_on(async { 1 }), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    /// See [`Builder::event_interval`].
    event_interval: u32,
    /// See [`Builder::max_events`].
    max_events: usize,
    /// See [`Builder::panic_policy`].
    panic_policy: PanicPolicy,
    /// See [`Builder::explain`]; `None`: ask `SPINDLE_EXPLAIN` at build.
    explain: Option<bool>,
    /// See [`Builder::max_blocking_threads`].
    max_blocking_threads: usize,
}

impl Builder {
    /// Polls between two reactor turns when tasks stay runnable. 61 is
    /// tokio's value: large enough to amortise the `epoll_wait`, small enough
    /// that sockets and timers wait for at most a few dozen polls.
    const DEFAULT_EVENT_INTERVAL: u32 = 61;
    /// Events taken from the kernel per reactor turn. 1024 is tokio's value;
    /// more events stay queued in the kernel for the next turn.
    const DEFAULT_MAX_EVENTS: usize = 1024;

    /// A builder with the default settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Builder::new().build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> Builder {
        Builder {
            event_interval: Self::DEFAULT_EVENT_INTERVAL,
            max_events: Self::DEFAULT_MAX_EVENTS,
            panic_policy: PanicPolicy::Isolate,
            explain: None,
            max_blocking_threads: RuntimeJobs::DEFAULT_LIMIT,
        }
    }

    /// Sets how many task polls may run between two reactor turns (default
    /// 61). Values below 1 are treated as 1.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().event_interval(1).build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn event_interval(&mut self, polls: u32) -> &mut Builder {
        self.event_interval = polls.max(1);
        self
    }

    /// Sets how many events one reactor turn takes from the kernel (default
    /// 1024). Values below 1 are treated as 1.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().max_events(64).build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_events(&mut self, events: usize) -> &mut Builder {
        self.max_events = events.max(1);
        self
    }

    /// Sets what a panic in a spawned task does (default
    /// [`PanicPolicy::Isolate`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder()
    ///     .panic_policy(spindle::PanicPolicy::Isolate)
    ///     .build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn panic_policy(&mut self, policy: PanicPolicy) -> &mut Builder {
        self.panic_policy = policy;
        self
    }

    /// Turns the explain trace on or off: the runtime narrates every turn
    /// of its loop (which tasks it polls and what they return, where each
    /// waits, how long it blocks and why, which events and timers woke
    /// whom) as `tracing` events with target `spindle::explain`, or on
    /// stderr when no `tracing` subscriber is set. See `explain.rs`.
    ///
    /// Without this call, the environment variable `SPINDLE_EXPLAIN=1`
    /// turns it on; it is read once, by [`build`](Self::build). This call
    /// overrides the variable either way. When off, the trace costs one
    /// branch on a `bool` per hook.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().explain(true).build()?;
    /// rt.block_on(async { spindle::yield_now().await }); // narrated on stderr
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn explain(&mut self, on: bool) -> &mut Builder {
        self.explain = Some(on);
        self
    }

    /// Sets how many of this runtime's blocking jobs
    /// ([`spawn_blocking`](crate::spawn_blocking), `spindle::fs`, DNS
    /// lookups) may run at once (default 512, as tokio). Values below 1 are
    /// treated as 1.
    ///
    /// The blocking pool is shared by every runtime of the process, so this
    /// is a limit on this runtime's share of it, not on the pool: jobs over
    /// the limit wait in the runtime's own queue until one of its running
    /// jobs finishes, and the pool holds at most the sum of the live
    /// runtimes' limits (fewer when fewer jobs run). See `blocking/jobs.rs`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().max_blocking_threads(4).build()?;
    /// let out = rt.block_on(async { spindle::spawn_blocking(|| 7).await.unwrap() });
    /// assert_eq!(out, 7);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_blocking_threads(&mut self, threads: usize) -> &mut Builder {
        self.max_blocking_threads = threads.max(1);
        self
    }

    /// Builds the runtime: creates the OS selector and its waker.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the OS refuses an epoll or kqueue instance or the waker's
    /// eventfd or pipe (usually: out of file descriptors).
    pub fn build(&self) -> io::Result<Runtime> {
        let explain = self.explain.unwrap_or_else(Explain::from_env);
        let core = Core::new(
            self.max_events,
            self.event_interval,
            self.panic_policy,
            explain,
        )?;
        core.blocking.set_limit(self.max_blocking_threads);
        Ok(Runtime::from_core(core))
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}
