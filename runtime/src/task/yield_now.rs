//! `yield_now`: give the other tasks, and the reactor, a turn.
//!
//! A task that yields is not put straight back on the run queue: its waker
//! is *deferred* until after the next reactor turn (tokio does the same). A
//! task that yields in a loop therefore lets sockets and timers make
//! progress between two of its polls, instead of starving them.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::executor::context;

/// Yields to the other tasks and the reactor, then resumes.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// spindle::block_on(async {
///     let ran = Rc::new(Cell::new(false));
///     let flag = ran.clone();
///     spindle::spawn(async move { flag.set(true) });
///     assert!(!ran.get());
///     spindle::yield_now().await;
///     assert!(ran.get());
/// });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

/// Returns `Pending` once, deferring its wake past the next reactor turn.
struct YieldNow {
    /// Whether the first poll already happened.
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // Outside a spindle runtime (another executor polls us), wake now.
        if context::with_core(|core| core.defer(cx.waker())).is_none() {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}
