//! What a built runtime is made of: [`Config`], the builder's choices
//! resolved once, and [`PanicPolicy`], the one choice the loop consults on
//! every task panic. `Builder::build` (`builder.rs`) fills a `Config`;
//! `Core::new` (`mod.rs`) consumes it.

use std::time::Duration;

use crate::explain::ExplainConfig;

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
    /// a [`JoinError`](crate::JoinError) whose
    /// [`is_panic`](crate::JoinError::is_panic) is true, and the runtime
    /// goes on. The default, as in tokio.
    #[default]
    Isolate,
    /// The panic propagates out of `block_on`, ending the program unless the
    /// caller catches it: for tests and programs that prefer to fail fast.
    FailFast,
}

/// A runtime's settings, as [`Builder::build`](crate::Builder::build)
/// resolved them (its own values, else the environment's, else the
/// defaults).
#[derive(Debug)]
pub(crate) struct Config {
    /// See [`Builder::max_events`](crate::Builder::max_events).
    pub(crate) max_events: usize,
    /// See [`Builder::event_interval`](crate::Builder::event_interval).
    pub(crate) event_interval: u32,
    /// See [`Builder::budget`](crate::Builder::budget).
    pub(crate) budget: u32,
    /// See [`Builder::stall_threshold`](crate::Builder::stall_threshold).
    pub(crate) stall_threshold: Option<Duration>,
    /// See [`Builder::panic_policy`](crate::Builder::panic_policy).
    pub(crate) panic_policy: PanicPolicy,
    /// The explain trace's level and output files.
    pub(crate) explain: ExplainConfig,
}
