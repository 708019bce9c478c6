//! The cooperative budget: no task can hold the thread.
//!
//! A single-threaded runtime trusts every task to return `Pending` now and
//! then, so that the loop can turn the reactor and run the others. A task
//! that keeps finding data ready breaks that trust without meaning to:
//!
//! ```text
//!   loop { let n = socket.read(&mut buf).await?; … }   // the peer floods us
//! ```
//!
//! Every `read` completes at once (the kernel always has more bytes), so the
//! `.await` never returns `Pending`, the poll never ends, and every other
//! connection and timer on the thread waits. Measured before this file
//! existed: 342,282 reads in one poll, a 10 ms sleep elsewhere firing after
//! 304 ms.
//!
//! The budget makes "give the thread back" true by construction:
//!
//! ```text
//!   loop, before each poll ── budget = 128 ──► poll task
//!                                                │ every spindle operation that
//!                                                │ completes without waiting:
//!                                                │   budget -= 1
//!                                                │ an operation that finds 0:
//!                                                ▼
//!                 Pending, waker deferred past the next reactor turn (yield)
//! ```
//!
//! What consumes one unit: a socket read, write, accept, send, recv, peek
//! or `readable()`/`writable()` that is ready; a `try_*` call that does I/O;
//! a timer that is already due; a `JoinHandle` whose task already finished;
//! [`consume_budget`]. Operations that wait (return `Pending`) cost
//! nothing: waiting is giving the thread back already.
//!
//! When the budget is spent, the operation does not run: it returns
//! `Pending` and defers the task's waker past the next reactor turn, exactly
//! like [`yield_now`](crate::yield_now). The task is polled again in the
//! next turn with a fresh budget, after every socket and timer of the other
//! tasks had its chance. Readiness is left as it was, so the operation
//! succeeds then without a syscall being lost.
//!
//! A `try_*` call cannot return `Pending`: it takes its unit (down to zero,
//! never below) and still runs, so a `readable().await` + `try_read` loop
//! yields at its next `readable()`.
//!
//! The budget lives in a thread-local `Cell`, beside the id of the runtime
//! that runs on the thread (`Local` in `context.rs`), set by the loop
//! around each poll and read by the operations, so a resource needs no
//! pointer to its runtime to find it, and a socket operation reads both its
//! runtime check and its budget in one access ([`admit`]). Outside a poll by spindle's loop (another executor,
//! plain code) it is unconstrained.
//!
//! # Opting out
//!
//! [`unconstrained`] runs a future with no budget: for a task that must
//! drain a socket in one go and knows it cannot starve anything. [`Timeout`]
//! polls its timer unconstrained, so a timeout fires even when the future
//! it guards always finds data ready (the inner future spends the budget
//! and returns `Pending`; the timer is still polled and can say "elapsed").
//!
//! # Where spindle is simpler than tokio
//!
//! Socket operations take their unit when they start, in the same access
//! as their runtime check, and give it back if they park ([`admit`],
//! [`refund`]), as tokio does (its `RestoreOnPending` guard); the other
//! operations (timers, join handles, the `io` helpers) check at the start
//! and take the unit when they complete ([`poll_proceed`], [`consume`]).
//! Both come to the same rule: a unit is spent exactly when an operation
//! returns `Ready`. tokio's budget is also 128.
//!
//! [`Timeout`]: crate::time::Timeout

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::executor::context;

/// The budget of the poll running on this thread (`Local::budget` in
/// `context.rs`, beside the runtime id): `Some(units left)` inside a poll
/// by spindle's loop, `None` (unconstrained) elsewhere. Written by
/// [`budgeted`] (the loop) and [`Unconstrained`]; read and lowered by
/// [`poll_proceed`], [`consume`] and [`admit`].
#[inline]
fn with_budget<R>(f: impl FnOnce(&Cell<Option<u32>>) -> R) -> R {
    context::with_local(|local| f(&local.budget))
}

/// What [`admit`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Go ahead: the unit is taken (give it back with [`refund`] if the
    /// operation ends `Pending`).
    Go,
    /// The thread does not run the resource's runtime: nothing taken.
    Elsewhere,
    /// The budget is spent: the task is deferred, nothing taken.
    Spent,
}

/// The entry of a socket operation, in one thread-local access: checks
/// that this thread runs runtime `runtime` and takes a unit of the budget
/// up front (the hot path is an operation that completes). A spent budget
/// defers the task as [`poll_proceed`] does.
#[inline]
pub(crate) fn admit(runtime: u64, cx: &mut Context<'_>) -> Admit {
    let admit = context::with_local(|local| {
        if local.runtime.get() != runtime {
            return Admit::Elsewhere;
        }
        match local.budget.get() {
            Some(0) => Admit::Spent,
            Some(left) => {
                local.budget.set(Some(left - 1));
                Admit::Go
            }
            None => Admit::Go,
        }
    });
    if admit == Admit::Spent {
        spent(cx);
    }
    admit
}

/// Gives back the unit [`admit`] took: the operation parked instead of
/// completing.
#[inline]
pub(crate) fn refund() {
    with_budget(|budget| {
        if let Some(left) = budget.get() {
            budget.set(Some(left + 1));
        }
    });
}

/// Checks that the running task may do one more operation.
///
/// `Ready` when units are left (or there is no budget); when the budget is
/// spent, defers the task's waker past the next reactor turn, counts a
/// budget yield, and returns `Pending`. Takes no unit: call [`consume`]
/// when the operation completes.
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    if with_budget(Cell::get) == Some(0) {
        spent(cx);
        return Poll::Pending;
    }
    Poll::Ready(())
}

/// Takes one unit for an operation that completed without waiting.
#[inline]
pub(crate) fn consume() {
    with_budget(|budget| {
        if let Some(left) = budget.get() {
            budget.set(Some(left.saturating_sub(1)));
        }
    });
}

/// Whether the running poll has units left (or no budget at all).
#[cfg(test)]
fn has_remaining() -> bool {
    with_budget(Cell::get) != Some(0)
}

/// The slow path of [`poll_proceed`]: yield, and tell the runtime.
#[cold]
#[inline(never)]
fn spent(cx: &mut Context<'_>) {
    // Inside spindle's loop there is always a core; a budget is never set
    // elsewhere. Should another executor poll us with one set, wake at once
    // rather than never.
    if context::with_core(|core| core.budget_spent(cx.waker())).is_none() {
        cx.waker().wake_by_ref();
    }
}

/// Runs `f` with a budget of `units`, restoring the previous budget after,
/// also if `f` panics. The loop calls this around every poll.
#[inline]
pub(crate) fn budgeted<R>(units: u32, f: impl FnOnce() -> R) -> R {
    let _restore = Swap::new(Some(units));
    f()
}

/// Sets the thread's budget and puts the old one back when dropped.
struct Swap {
    /// The budget to restore.
    previous: Option<u32>,
}

impl Swap {
    /// Installs `budget`, remembering the one it replaces.
    #[inline]
    fn new(budget: Option<u32>) -> Swap {
        Swap {
            previous: with_budget(|b| b.replace(budget)),
        }
    }
}

impl Drop for Swap {
    #[inline]
    fn drop(&mut self) {
        with_budget(|b| b.set(self.previous));
    }
}

/// Takes one unit of the task's budget, yielding first if it is spent.
///
/// For compute loops that do no spindle I/O: without it, such a loop never
/// gives the thread back. With it, every 128th call (the default budget)
/// lets the reactor and the other tasks run.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let mut sum = 0u64;
///     for i in 0..10_000u64 {
///         sum += i;
///         // Yields once the budget is spent, so other tasks keep running.
///         spindle::task::consume_budget().await;
///     }
///     assert_eq!(sum, 49_995_000);
/// });
/// ```
pub async fn consume_budget() {
    std::future::poll_fn(|cx| {
        if poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        consume();
        Poll::Ready(())
    })
    .await
}

/// Runs `future` without a budget: its operations never yield for it.
///
/// Use it where draining in one go is the point and nothing else on the
/// thread can starve, such as a short-lived task copying a bounded amount.
/// Everything else should keep the budget: it is what keeps one busy
/// connection from stalling the others.
///
/// # Examples
///
/// ```
/// use spindle::task::unconstrained;
///
/// spindle::block_on(async {
///     // 1,000 budget-consuming steps in one poll, no yield.
///     let steps = unconstrained(async {
///         for _ in 0..1_000 {
///             spindle::task::consume_budget().await;
///         }
///         1_000
///     })
///     .await;
///     assert_eq!(steps, 1_000);
/// });
/// ```
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { future }
}

pin_project_lite::pin_project! {
    /// Future returned by [`unconstrained`].
    ///
    /// # Examples
    ///
    /// ```
    /// let fut: spindle::task::Unconstrained<_> = spindle::task::unconstrained(async { 1 });
    /// assert_eq!(spindle::block_on(fut), 1);
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Unconstrained<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let _restore = Swap::new(None);
        self.project().future.poll(cx)
    }
}

/// Polls `f` unconstrained: for a timer that must be able to fire even
/// when the future it guards spent the budget (see [`Timeout`]).
///
/// [`Timeout`]: crate::time::Timeout
#[inline]
pub(crate) fn without_budget<R>(f: impl FnOnce() -> R) -> R {
    let _restore = Swap::new(None);
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_budget_outside_a_poll() {
        assert!(has_remaining());
        consume();
        assert!(has_remaining());
    }

    #[test]
    fn budgeted_counts_down_and_restores() {
        budgeted(2, || {
            assert!(has_remaining());
            consume();
            assert!(has_remaining());
            consume();
            assert!(!has_remaining());
            consume(); // saturates at zero
            assert!(!has_remaining());
            without_budget(|| assert!(has_remaining()));
            assert!(!has_remaining());
        });
        assert!(has_remaining());
    }

    #[test]
    fn restored_after_a_panic() {
        let result = std::panic::catch_unwind(|| budgeted(0, || panic!("inside")));
        assert!(result.is_err());
        assert!(has_remaining());
    }
}
