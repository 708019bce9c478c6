//! `Sleep`: a future that completes at a deadline.
//!
//! A `Sleep` costs nothing until it is first polled: then it arms a timer in
//! the runtime's [`TimerStore`](super::store::TimerStore) with the task's
//! waker and returns `Pending`. Each turn of the loop advances the store to
//! the current millisecond and wakes the tasks whose timers fired; the loop
//! blocks in the reactor no longer than the earliest armed deadline. Dropping
//! a `Sleep` cancels its timer.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::executor::context;
use crate::executor::coop;
use crate::task::waker::{Inbox, Shared};
use crate::time::store::{TimerKey, TimerStore};

/// Waits until `duration` has elapsed.
///
/// Resolution is one millisecond and the sleep never ends early: the
/// deadline is rounded up to the next millisecond.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// spindle::block_on(async {
///     let start = Instant::now();
///     spindle::time::sleep(Duration::from_millis(20)).await;
///     assert!(start.elapsed() >= Duration::from_millis(20));
/// });
/// ```
///
/// # Panics
///
/// The returned future panics if polled outside a spindle runtime.
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    let deadline = now.checked_add(duration).unwrap_or_else(|| far_future(now));
    sleep_until(deadline)
}

/// Waits until `deadline`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// spindle::block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(10);
///     spindle::time::sleep_until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// });
/// ```
///
/// # Panics
///
/// The returned future panics if polled outside a spindle runtime.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        entry: None,
    }
}

/// A deadline about thirty years away, for durations too long to add.
pub(crate) fn far_future(now: Instant) -> Instant {
    now + Duration::from_secs(86_400 * 365 * 30)
}

/// Future returned by [`sleep`] and [`sleep_until`].
///
/// It is `Unpin`, so it can be stored in a struct and reset in place, which
/// is what an idle timeout does on every request.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// spindle::block_on(async {
///     let mut idle = spindle::time::sleep(Duration::from_secs(3600));
///     idle.reset(Instant::now() + Duration::from_millis(5));
///     (&mut idle).await;
///     assert!(idle.is_elapsed());
/// });
/// ```
pub struct Sleep {
    /// When the sleep completes; changed by `reset`.
    deadline: Instant,
    /// The armed timer, from the first `Pending` poll on.
    entry: Option<Entry>,
}

/// A `Sleep`'s armed timer.
///
/// It names its runtime (the shared half, an `Arc`) rather than holding
/// the timer store, so a `Sleep` is `Send + Sync`; the store is found
/// through the thread's context when the runtime is running here.
struct Entry {
    /// The runtime the timer is armed in.
    shared: Arc<Shared>,
    /// Which timer.
    key: TimerKey,
}

impl Entry {
    /// Runs `f` on the timer store, if this thread runs the entry's
    /// runtime.
    fn with_store<R>(&self, f: impl FnOnce(&mut TimerStore) -> R) -> Option<R> {
        if context::current_id() != self.shared.id {
            return None;
        }
        context::with_core(|core| f(&mut core.timers.borrow_mut()))
    }

    /// The panic of a timer polled away from its runtime.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn elsewhere(&self) -> ! {
        if self.shared.is_closed() {
            panic!(
                "spindle: this timer's runtime has shut down; a timer cannot outlive its runtime"
            )
        }
        panic!(
            "spindle: a timer was polled on a thread that is not running its runtime; \
             timers may be moved between threads, but they are polled by a task of the \
             runtime that armed them"
        )
    }

    /// Hands the timer back to its runtime to cancel, from another thread.
    fn release(&self) {
        let _ = self.shared.send(Inbox::Timer(self.key));
    }
}

impl Sleep {
    /// The instant at which this sleep completes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(spindle::time::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed (and, once armed, the timer fired).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// assert!(spindle::time::sleep_until(Instant::now()).is_elapsed());
    /// assert!(!spindle::time::sleep(Duration::from_secs(60)).is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.entry
            .as_ref()
            .and_then(|entry| entry.with_store(|store| store.is_fired(entry.key)))
            .unwrap_or_else(|| self.deadline <= Instant::now())
    }

    /// Moves the deadline, earlier or later, also after the sleep completed.
    ///
    /// Moving it later is O(1): the timer store only records the new
    /// deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// spindle::block_on(async {
    ///     let mut sleep = spindle::time::sleep(Duration::from_millis(1));
    ///     (&mut sleep).await;
    ///     let later = Instant::now() + Duration::from_millis(10);
    ///     sleep.reset(later);
    ///     (&mut sleep).await;
    ///     assert!(Instant::now() >= later);
    /// });
    /// ```
    ///
    /// On a thread that does not run the sleep's runtime, the armed timer
    /// is handed back to its runtime to cancel, and the next poll arms a
    /// new one.
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        let Some(entry) = &self.entry else { return };
        let done = entry.with_store(|store| {
            let tick = store.deadline_tick(deadline);
            store.reset(entry.key, tick);
        });
        if done.is_none() {
            entry.release();
            self.entry = None;
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // A timer that is already due takes a unit of the task's budget
        // (`executor/coop.rs`): a loop over due timers yields like any other.
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let this = &mut *self;
        if let Some(entry) = &this.entry {
            let fired = entry
                .with_store(|store| store.poll(entry.key, cx.waker()))
                .unwrap_or_else(|| entry.elsewhere());
            return if fired {
                coop::consume();
                Poll::Ready(())
            } else {
                Poll::Pending
            };
        }
        // First poll: arm the timer, unless the deadline already passed.
        let core = context::expect_core("Sleep::poll");
        let mut store = core.timers.borrow_mut();
        let tick = store.deadline_tick(this.deadline);
        if tick <= store.current_tick() {
            coop::consume();
            return Poll::Ready(());
        }
        let key = store.insert(tick, cx.waker().clone());
        drop(store);
        this.entry = Some(Entry {
            shared: core.shared.clone(),
            key,
        });
        Poll::Pending
    }
}

impl Drop for Sleep {
    /// Cancels the armed timer: here if this thread runs its runtime, else
    /// through the runtime's inbox (nothing to do if the runtime is gone).
    fn drop(&mut self) {
        let Some(entry) = &self.entry else { return };
        if context::current_id() == entry.shared.id {
            context::with_core(|core| {
                if let Ok(mut store) = core.timers.try_borrow_mut() {
                    store.cancel(entry.key);
                }
            });
        } else {
            entry.release();
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("armed", &self.entry.is_some())
            .finish()
    }
}
