//! [`Runtime`], the public face of the loop, and [`block_on`]: a runtime
//! holds its [`Core`] and, with [`Builder::tokio`](crate::Builder::tokio),
//! the tokio runtime it runs inside; `block_on` enters the core as the
//! thread's current runtime and hands it the future (`turn.rs`). Built by
//! [`Builder::build`](crate::Builder::build) (`builder.rs`).

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;

use super::context;
use super::Core;
use crate::executor::handle::Handle;
use crate::executor::metrics::Metrics;
use crate::task::JoinHandle;

/// Runs a future to completion on a new default runtime.
///
/// This is `Runtime::new()?.block_on(future)` for programs that need one
/// runtime for their whole life.
///
/// # Examples
///
/// ```
/// let answer = spindle::block_on(async { 40 + 2 });
/// assert_eq!(answer, 42);
/// ```
///
/// # Panics
///
/// Panics if the runtime cannot be created (the OS refused an epoll/kqueue
/// instance), if called from inside another `block_on`, or if `future`
/// panics.
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    let runtime = match Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => panic!("spindle::block_on: could not create a runtime: {err}"),
    };
    runtime.block_on(future)
}

/// A single-threaded async runtime: an executor, a reactor and timers.
///
/// The runtime does nothing until [`block_on`](Runtime::block_on) is called;
/// then it runs the given future and every spawned task on the calling
/// thread until that future completes. Dropping it drops every task.
///
/// A `Runtime` is `!Send`: its tasks need not be `Send` because they never
/// leave its thread.
///
/// ```compile_fail
/// fn assert_send<T: Send>(_: T) {}
/// assert_send(spindle::Runtime::new().unwrap());
/// ```
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let rt = spindle::Runtime::new()?;
/// let out = rt.block_on(async {
///     let a = spindle::spawn(async { 1 });
///     spindle::time::sleep(Duration::from_millis(1)).await;
///     a.await.unwrap() + 1
/// });
/// assert_eq!(out, 2);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Runtime {
    /// Everything the loop owns; shared with the thread-local context while
    /// `block_on` runs. (`pub(crate)` for `Runtime::shutdown_timeout` in
    /// `blocking/shutdown.rs`.)
    pub(crate) core: Rc<Core>,
    /// See [`Builder::name`].
    name: Option<String>,
    /// The tokio runtime this one runs inside, with [`Builder::tokio`]
    /// (`tokio/host.rs`); its `block_on` carries spindle's loop.
    #[cfg(all(feature = "tokio", unix))]
    host: Option<::tokio::runtime::Runtime>,
}

impl Runtime {
    /// Wraps a freshly built core; used by [`Builder::build`].
    pub(crate) fn from_core(core: Core, name: Option<String>) -> Runtime {
        Runtime {
            core: Rc::new(core),
            name,
            #[cfg(all(feature = "tokio", unix))]
            host: None,
        }
    }

    /// Makes this runtime run inside `host` (see [`Builder::tokio`]).
    #[cfg(all(feature = "tokio", unix))]
    pub(crate) fn with_host(mut self, host: ::tokio::runtime::Runtime) -> Runtime {
        self.host = Some(host);
        self
    }

    /// The name given by [`Builder::name`](crate::Builder::name), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle::Runtime::new()?.name(), None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Runs `future` to completion, running spawned tasks, sockets and timers
    /// while it waits.
    ///
    /// Tasks that are still pending when `future` completes stay in the
    /// runtime and continue at the next `block_on`, or are dropped with the
    /// runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// assert_eq!(rt.block_on(async { "done" }), "done");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if this thread is already inside a `block_on` (of any spindle
    /// runtime), if `future` panics, or, under [`PanicPolicy::FailFast`](crate::PanicPolicy::FailFast), if
    /// a spawned task panics.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let called_at = Location::caller();
        let _enter = context::enter(self.core.clone());
        #[cfg(all(feature = "tokio", unix))]
        if let Some(host) = &self.host {
            return crate::tokio::host::block_on(&self.core, host, future, called_at);
        }
        self.core.run(future, called_at)
    }

    /// Spawns a task onto this runtime from outside it; it starts running at
    /// the next `block_on`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// let handle = rt.spawn(async { 5 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 5);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.core.spawn(future)
    }

    /// Returns a `Send + Sync` handle to this runtime, to spawn onto it
    /// from other threads.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// let handle = rt.handle();
    /// let task = std::thread::spawn(move || handle.spawn(async { 1 + 1 })).join().unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::new(self.core.shared.clone())
    }

    /// Returns a snapshot of the runtime's counters.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = spindle::Runtime::new()?;
    /// rt.block_on(async {});
    /// assert_eq!(rt.metrics().polls, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.core.metrics()
    }
}

impl Drop for Runtime {
    /// Drops every task's future, with this runtime entered as the thread's
    /// current one (unless the thread is inside another `block_on`), so a
    /// destructor that spawns or touches a socket finds its runtime.
    fn drop(&mut self) {
        let _enter = context::try_enter(self.core.clone());
        #[cfg(all(feature = "tokio", unix))]
        if let Some(host) = self.host.take() {
            // spindle's tasks first, with tokio's context entered: their
            // destructors may call `tokio::spawn` (a pooled connection
            // going home). Then tokio's tasks, with spindle's still entered.
            let tokio_context = host.enter();
            self.core.shutdown();
            drop(tokio_context);
            drop(host);
            return;
        }
        self.core.shutdown();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("name", &self.name)
            .field("metrics", &self.metrics())
            .finish_non_exhaustive()
    }
}
