//! A task as the loop holds it: [`TaskCell`], the future pinned in its
//! box with its header and its result slot, behind the object-safe
//! [`Task`] trait the slab stores; each poll reports an [`Outcome`]. The
//! lifecycle it walks through is drawn in `mod.rs`.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::id;
use super::JoinError;
use super::JoinState;
use crate::executor::context;
use crate::task::waker::Header;

/// What one poll of a task came to, as the loop needs to know it.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The future returned `Pending`: it stays in the slab.
    Pending,
    /// The task is done (output stored, or cancelled): free its slot.
    Done,
    /// The future panicked; the loop applies the panic policy.
    Panicked(Box<dyn Any + Send + 'static>),
}

/// The loop's view of a task, whatever its future type.
///
/// The slab owns each task as a `Pin<Box<dyn Task>>`: the future lives
/// inside the box and never moves, and the loop takes the box out of its
/// slot for the length of a poll, so a task may spawn freely.
pub(crate) trait Task {
    /// Polls the future once with the task's own waker (see [`TaskCell`]).
    fn poll(self: Pin<&mut Self>) -> Outcome;
    /// Records a panic as the task's result and drops the future.
    fn fail(self: Pin<&mut Self>, payload: Box<dyn Any + Send + 'static>);
    /// Drops the future without polling it; the result is `Cancelled`.
    fn cancel(self: Pin<&mut Self>);
    /// Whether `JoinHandle::abort` was called (for the explain trace).
    fn is_cancelled(&self) -> bool;
}

pin_project_lite::pin_project! {
    /// Where a task's future is: running, or gone.
    #[project = StageProj]
    #[project_replace = StageReplace]
    enum Stage<F> {
        // Spawned and not yet done.
        Running { #[pin] future: F },
        // The future's poll panicked and the future was dropped during the
        // unwind; the result (the panic, or `Cancelled` under the
        // fail-fast policy) is not stored yet.
        Unwound,
        // Completed, panicked or cancelled: the future was dropped and the
        // result stored.
        Done,
    }
}

pin_project_lite::pin_project! {
    /// One spawned task: its future, its result slot and its header.
    pub(crate) struct TaskCell<F: Future> {
        // The future, pinned in the task's box.
        #[pin]
        stage: Stage<F>,
        // The result slot, shared with the `JoinHandle`.
        join: Arc<JoinState<F::Output>>,
        // The shared header, lent to each poll as the task's waker (see
        // `ArcWake for Header`); the loop clears its `scheduled` flag
        // before each poll.
        header: Arc<Header>,
    }

    impl<F: Future> PinnedDrop for TaskCell<F> {
        // Hands the header back to the runtime for the next `spawn` when no waker of
        // this task is left anywhere (this cell holds the only reference),
        // saving an allocation and a free per task.
        fn drop(this: Pin<&mut Self>) {
            let header = &*this.project().header;
            if Arc::strong_count(header) == 1 {
                context::with_core(|core| core.recycle_header(header));
            }
        }
    }
}

impl<F: Future> TaskCell<F> {
    /// Wraps `future` for the task named by `header`, reporting to `join`.
    pub(crate) fn new(
        future: F,
        header: Arc<Header>,
        join: Arc<JoinState<F::Output>>,
    ) -> TaskCell<F> {
        TaskCell {
            stage: Stage::Running { future },
            join,
            header,
        }
    }

    /// Drops the future, stores the task's result, and wakes the joiner.
    ///
    /// The future is dropped first, in place, with the task's id current
    /// (`task::id()` works in its destructor, as in its poll) and under
    /// `catch_unwind`: its destructor may touch the runtime, and if it
    /// panics, that panic is the task's result (a task aborted while its
    /// destructor panics reports `Panicked` with the payload, not
    /// `Cancelled`), and the loop goes on.
    fn finish(self: Pin<&mut Self>, result: Result<F::Output, JoinError>) {
        let this = self.project();
        // No more polls: wakes of a finished task stop at the de-duplication
        // step in `waker.rs`.
        this.header.scheduled.store(true, Ordering::Release);
        let _current = id::enter(this.join.id.as_u64());
        let mut stage = this.stage;
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            stage.as_mut().project_replace(Stage::Done);
        }));
        let result = match dropped {
            Ok(()) => result,
            Err(payload) => {
                // The output (if any) goes too; dropping it must not unwind.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(result)));
                Err(JoinError::panicked(this.join.id, payload))
            }
        };
        this.join.complete(result);
    }
}

impl<F: Future> Task for TaskCell<F> {
    /// Polls the future once.
    fn poll(mut self: Pin<&mut Self>) -> Outcome {
        // Clear `scheduled` before polling, so a wake during the poll queues
        // the task again instead of being lost. A swap (not a store) so that
        // this poll sees everything a de-duplicated waker published before
        // its wake: the swap reads that waker's write and acquires it.
        self.header.scheduled.swap(false, Ordering::AcqRel);
        if self.join.is_aborted() {
            self.cancel();
            return Outcome::Done;
        }
        let this = self.as_mut().project();
        if !matches!(*this.stage, Stage::Running { .. }) {
            return Outcome::Done;
        }
        let waker = futures::task::waker_ref(this.header);
        let mut cx = Context::from_waker(&waker);
        let _current = id::enter(this.header.task.id);
        let mut stage = this.stage;
        let polled = catch_unwind(AssertUnwindSafe(|| {
            // A poll that panics drops the future while the panic unwinds,
            // inside the task's context, as tokio does: its destructor sees
            // `std::thread::panicking()`, the task's id and its task-locals.
            let mut unwinding = DropOnUnwind(stage.as_mut());
            let poll = match unwinding.0.as_mut().project() {
                StageProj::Running { future } => future.poll(&mut cx),
                _ => unreachable!("checked above"),
            };
            std::mem::forget(unwinding);
            poll
        }));
        match polled {
            Ok(Poll::Pending) => Outcome::Pending,
            Ok(Poll::Ready(output)) => {
                self.finish(Ok(output));
                Outcome::Done
            }
            Err(payload) => Outcome::Panicked(payload),
        }
    }

    fn fail(self: Pin<&mut Self>, payload: Box<dyn Any + Send + 'static>) {
        let id = self.join.id;
        self.finish(Err(JoinError::panicked(id, payload)));
    }

    fn cancel(self: Pin<&mut Self>) {
        if matches!(self.stage, Stage::Running { .. } | Stage::Unwound) {
            let id = self.join.id;
            self.finish(Err(JoinError::cancelled(id)));
        }
    }

    fn is_cancelled(&self) -> bool {
        self.join.is_aborted()
    }
}

/// Drops a task's future if dropped itself, which happens only while a
/// panic from the future's poll unwinds (the poll forgets it otherwise).
struct DropOnUnwind<'a, F: Future>(Pin<&'a mut Stage<F>>);

impl<F: Future> Drop for DropOnUnwind<'_, F> {
    fn drop(&mut self) {
        // A destructor that panics now panics during a panic, which aborts
        // the process, as under tokio.
        self.0.as_mut().project_replace(Stage::Unwound);
    }
}
