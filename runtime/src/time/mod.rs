//! Time: sleeping, deadlines and periodic ticks.
//!
//! Every timer lives in the runtime's timer store (`store.rs`). When no task
//! is runnable, the loop asks the store for the earliest deadline and blocks
//! in the reactor for at most that long; after each reactor turn it advances
//! the store to the current millisecond and wakes the tasks whose timers are
//! due. Resolution is one millisecond, and no timer ever fires early.
//!
//! | item | file |
//! | --- | --- |
//! | [`sleep`], [`sleep_until`], [`Sleep`] | `sleep.rs` |
//! | [`timeout`], [`timeout_at`], [`Timeout`], [`Elapsed`] | `timeout.rs` |
//! | [`interval`], [`interval_at`], [`Interval`], [`MissedTickBehavior`] | `interval.rs` |
//! | the timer store (heap of deadlines) | `store.rs` |

mod interval;
mod sleep;
pub(crate) mod store;
mod timeout;

pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
#[cfg(feature = "hyper")]
pub(crate) use sleep::far_future;
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};
