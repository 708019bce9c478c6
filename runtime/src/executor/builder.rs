//! Configuring a runtime: [`Builder`] and [`PanicPolicy`].
//!
//! `Runtime::builder()` returns a [`Builder`]; its setters record choices
//! (how many polls per reactor turn, how many events per turn, what a panic
//! in a task does, whether to narrate the loop) and [`Builder::build`]
//! resolves them, with the environment's say (`SPINDLE_EXPLAIN`,
//! `SPINDLE_STALL_MS`, …), into a [`Config`] for `Core::new` (`mod.rs`),
//! which creates the selector, the timer store and the run queue. Nothing
//! here runs in the loop: every value is read once, at build. The
//! constructors on [`Runtime`] (`Runtime::new`, `Runtime::builder`) live
//! here too, so the loop's files never name the builder.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::config::{Config, PanicPolicy};
use super::stall;
use super::{Core, Runtime};
use crate::blocking::RuntimeJobs;
use crate::explain::{ExplainConfig, ENV_HTML, ENV_JSON};

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
    /// See [`Builder::explain_level`]; `None`: ask `SPINDLE_EXPLAIN` at
    /// build.
    explain: Option<u8>,
    /// See [`Builder::explain_html`]; `None`: ask `SPINDLE_EXPLAIN_HTML`.
    explain_html: Option<PathBuf>,
    /// See [`Builder::explain_json`]; `None`: ask `SPINDLE_EXPLAIN_JSON`.
    explain_json: Option<PathBuf>,
    /// See [`Builder::budget`].
    budget: u32,
    /// See [`Builder::stall_threshold`]; `None`: ask `SPINDLE_STALL_MS` at
    /// build.
    stall_threshold: Option<Option<Duration>>,
    /// See [`Builder::name`]; handed to the runtime at build.
    name: Option<String>,
    /// See [`Builder::max_blocking_threads`].
    max_blocking_threads: usize,
    /// See [`Builder::tokio`].
    #[cfg(all(feature = "tokio", unix))]
    tokio: bool,
}

impl Builder {
    /// Polls between two reactor turns when tasks stay runnable. 61 is
    /// tokio's value: large enough to amortise the `epoll_wait`, small enough
    /// that sockets and timers wait for at most a few dozen polls.
    const DEFAULT_EVENT_INTERVAL: u32 = 61;
    /// Events taken from the kernel per reactor turn. 1024 is tokio's value;
    /// more events stay queued in the kernel for the next turn.
    const DEFAULT_MAX_EVENTS: usize = 1024;
    /// Operations per poll before a task must yield. 128 is tokio's value:
    /// enough that a task serving a request rarely meets it, few enough
    /// that a flooded one gives the thread back within tens of
    /// microseconds.
    const DEFAULT_BUDGET: u32 = 128;

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
            budget: Self::DEFAULT_BUDGET,
            stall_threshold: None,
            name: None,
            max_blocking_threads: RuntimeJobs::DEFAULT_LIMIT,
            explain_html: None,
            explain_json: None,
            #[cfg(all(feature = "tokio", unix))]
            tokio: false,
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
    /// stderr when no `tracing` subscriber is set. See `explain/mod.rs`.
    ///
    /// Without this call, the environment variable `SPINDLE_EXPLAIN=1`
    /// turns it on; it is read once, by [`build`](Self::build). This call
    /// overrides the variable either way. When off, the trace costs one
    /// branch on a `bool` per hook. `explain(true)` is
    /// [`explain_level(1)`](Self::explain_level).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().explain(true).build()?;
    /// rt.block_on(async { spindle::yield_now().await }); // narrated on stderr
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn explain(&mut self, on: bool) -> &mut Builder {
        self.explain_level(u8::from(on))
    }

    /// Sets how much the explain trace says: 0 is off, 1 is the loop's
    /// story (as [`explain(true)`](Self::explain)), 2 adds every socket
    /// operation (`read token 3: 6 of 4096 bytes (short: READABLE
    /// cleared)`), every registration and deregistration with its
    /// generation and task, de-duplicated wakes, the event-interval limit
    /// ending a turn, and the tasks dropped at shutdown. Values above 2
    /// are 2.
    ///
    /// Without this call, `SPINDLE_EXPLAIN=2` asks for level 2 (and `1`,
    /// `true`, `yes` or `on` for level 1). Every line is a `tracing` event
    /// with structured fields (`task`, `token`, `direction`, `bytes`, …;
    /// see `explain/event.rs`).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().explain_level(2).build()?;
    /// rt.block_on(async {
    ///     let socket = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     // stderr: `register token 0 (generation 0) for block_on`
    ///     drop(socket); // `deregister token 0 (generation 0): dropped by block_on`
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn explain_level(&mut self, level: u8) -> &mut Builder {
        self.explain = Some(level.min(2));
        self
    }

    /// Records the loop and writes, when the runtime drops, one
    /// self-contained HTML page to `path` that draws it: time left to
    /// right, one lane per task plus the reactor and the timers, polls as
    /// bars coloured by result, blocking in `epoll_wait` as gaps with their
    /// reason, wakes as arrows; hovering shows each trace line. Without
    /// this call, `SPINDLE_EXPLAIN_HTML=path` does the same.
    ///
    /// Recording is independent of the printed level (a timeline can be
    /// recorded with the trace silent) and bounded: the first 100,000
    /// events are kept, later ones only counted, and the page says so. A
    /// file that cannot be written is reported on stderr. Each runtime
    /// writes its own record when it drops: with several runtimes on one
    /// path (one per thread), the last one dropped wins, so give each its
    /// own path.
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join("spindle-doc-timeline.html");
    /// let rt = spindle::Runtime::builder().explain_html(&path).build()?;
    /// rt.block_on(async { spindle::spawn(async {}).await.unwrap() });
    /// drop(rt); // writes the page
    /// assert!(std::fs::read_to_string(&path)?.contains("poll task 1 -> Ready"));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn explain_html(&mut self, path: impl Into<PathBuf>) -> &mut Builder {
        self.explain_html = Some(path.into());
        self
    }

    /// Records the loop as [`explain_html`](Self::explain_html) does, and
    /// writes it to `path` in the Chrome trace-event JSON format when the
    /// runtime drops, for Perfetto (`ui.perfetto.dev`) or
    /// `chrome://tracing`: polls are complete (`X`) events on one lane per
    /// task, wakes are flow events (`s`/`f`) from the reactor to the task.
    /// Without this call, `SPINDLE_EXPLAIN_JSON=path` does the same.
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join("spindle-doc-trace.json");
    /// let rt = spindle::Runtime::builder().explain_json(&path).build()?;
    /// rt.block_on(async { spindle::spawn(async {}).await.unwrap() });
    /// drop(rt);
    /// assert!(std::fs::read_to_string(&path)?.contains("\"traceEvents\""));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn explain_json(&mut self, path: impl Into<PathBuf>) -> &mut Builder {
        self.explain_json = Some(path.into());
        self
    }

    /// Sets the cooperative budget: how many operations one poll of a task
    /// may complete before it must yield (default 128). Values below 1 are
    /// treated as 1.
    ///
    /// Every spindle operation that completes without waiting takes one
    /// unit: a ready socket read, write, accept, send, receive or peek, a
    /// ready `readable()`/`writable()`, a `try_*` call that does I/O, a
    /// timer that is already due, a `JoinHandle` whose task finished,
    /// [`consume_budget`](crate::task::consume_budget). When none is left,
    /// the operation returns `Pending` and the task runs again after the
    /// next reactor turn, so one task that always finds data ready cannot
    /// starve the sockets and timers of the others. Each such yield is
    /// counted in [`Metrics::budget_yields`](crate::Metrics::budget_yields).
    /// Use [`unconstrained`](crate::task::unconstrained) to opt one future
    /// out. See `coop.rs`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().budget(32).build()?;
    /// rt.block_on(async {
    ///     for _ in 0..100 {
    ///         spindle::task::consume_budget().await; // yields every 32nd
    ///     }
    /// });
    /// assert_eq!(rt.metrics().budget_yields, 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn budget(&mut self, operations: u32) -> &mut Builder {
        self.budget = operations.max(1);
        self
    }

    /// Turns on the stall detector: a poll of one task that holds the
    /// thread longer than `threshold` is reported with a warning that names
    /// the task, where it was spawned, how long the poll took and how many
    /// other tasks were waiting to run (`tracing` target `spindle::stall`,
    /// or stderr without a subscriber), and counted in
    /// [`Metrics::stalls`](crate::Metrics::stalls). See `stall.rs`.
    ///
    /// Without this call, `SPINDLE_STALL_MS=N` turns it on with a threshold
    /// of N milliseconds; it is read once, by [`build`](Self::build). Off
    /// (the default), it costs one branch per poll; on, one clock read per
    /// poll.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = spindle::Runtime::builder()
    ///     .stall_threshold(Duration::from_millis(10))
    ///     .build()?;
    /// rt.block_on(async {
    ///     // Blocking the thread: exactly what the detector reports.
    ///     std::thread::sleep(Duration::from_millis(30));
    /// });
    /// assert_eq!(rt.metrics().stalls, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stall_threshold(&mut self, threshold: Duration) -> &mut Builder {
        self.stall_threshold = Some(Some(threshold));
        self
    }

    /// Names the runtime, for logs and for telling several runtimes apart
    /// (the server's `--threads` runs one per thread); read back with
    /// [`Runtime::name`]. Unnamed by default.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().name("worker-0").build()?;
    /// assert_eq!(rt.name(), Some("worker-0"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&mut self, name: impl Into<String>) -> &mut Builder {
        self.name = Some(name.into());
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
    /// eventfd or pipe (usually: out of file descriptors), or, with
    /// [`Builder::tokio`], tokio's runtime.
    pub fn build(&self) -> io::Result<Runtime> {
        let explain = ExplainConfig {
            level: self.explain.unwrap_or_else(ExplainConfig::level_from_env),
            html: (self.explain_html.clone()).or_else(|| ExplainConfig::path_from_env(ENV_HTML)),
            json: (self.explain_json.clone()).or_else(|| ExplainConfig::path_from_env(ENV_JSON)),
        };
        let stall_threshold = self
            .stall_threshold
            .unwrap_or_else(stall::threshold_from_env);
        let core = Core::new(Config {
            max_events: self.max_events,
            event_interval: self.event_interval,
            budget: self.budget,
            stall_threshold,
            panic_policy: self.panic_policy,
            explain,
        })?;
        core.blocking.set_limit(self.max_blocking_threads);
        let runtime = Runtime::from_core(core, self.name.clone());
        #[cfg(all(feature = "tokio", unix))]
        if self.tokio {
            let host = ::tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|err| {
                    io::Error::new(
                        err.kind(),
                        format!("spindle: cannot build the tokio host runtime: {err}"),
                    )
                })?;
            return Ok(runtime.with_host(host));
        }
        Ok(runtime)
    }

    /// Runs this runtime inside a tokio current-thread runtime on the same
    /// thread (feature `tokio`; epoll and kqueue only), so crates built on
    /// `tokio::time`, `tokio::spawn` and `tokio::net` (reqwest, sqlx's pool,
    /// tower's timeouts, `axum::serve`) work inside spindle tasks, and
    /// spindle's sockets and timers inside `tokio::spawn`ed tasks. Off by
    /// default. How the two loops share the thread is in [`crate::tokio`].
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(mio_unsupported_force_poll_poll))] {
    /// let rt = spindle::Runtime::builder().tokio(true).build()?;
    /// let answer = rt.block_on(async {
    ///     tokio::time::timeout(std::time::Duration::from_secs(1), async { 42 }).await
    /// });
    /// assert_eq!(answer.unwrap(), 42);
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(all(feature = "tokio", unix))]
    pub fn tokio(&mut self, on: bool) -> &mut Builder {
        self.tokio = on;
        self
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Runtime {
    /// Creates a runtime with the default settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Builder::build`].
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// Returns a builder to configure a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::builder().event_interval(61).build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }
}
