//! Step 1 of the loop: pop up to `event_interval` tasks from the run queue
//! and poll each, the `block_on` future ([`MainTask`]) among them, each
//! poll with a fresh budget (`coop.rs`) and, when the stall detector is
//! on, timed (`stall.rs`). A task that completes leaves the slab
//! (`spawn.rs`); one that panics is isolated or fails the loop, as the
//! [`PanicPolicy`] says.

use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::config::PanicPolicy;
use super::coop;
use super::metrics::Counters;
use super::stall::{StallDetector, Stalled};
use super::Core;
use crate::explain::{self, PollResult};
use crate::task::waker::Header;
use crate::task::Outcome;
use crate::task::TaskRef;

/// The `block_on` future as the loop polls it: the future, its header (the
/// `scheduled` flag a wake sets), its waker, and where `block_on` was
/// called (for stall reports).
pub(crate) struct MainTask<'a, F> {
    /// The future `block_on` was given, pinned on `block_on`'s stack.
    future: Pin<&'a mut F>,
    /// Its header: `TaskRef::MAIN`, scheduled by its waker.
    header: Arc<Header>,
    /// The waker every poll of it gets.
    waker: Waker,
    /// Where `block_on` was called.
    called_at: &'static Location<'static>,
}

impl<'a, F> MainTask<'a, F> {
    /// Wraps `future` and puts it on `core`'s run queue for its first poll.
    pub(crate) fn new(
        core: &Core,
        future: Pin<&'a mut F>,
        called_at: &'static Location<'static>,
    ) -> MainTask<'a, F> {
        let header = Arc::new(Header::new(TaskRef::MAIN, core.shared.clone()));
        let waker = Waker::from(header.clone());
        core.schedule(TaskRef::MAIN);
        MainTask {
            future,
            header,
            waker,
            called_at,
        }
    }
}

impl<F> fmt::Debug for MainTask<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MainTask")
            .field("called_at", &self.called_at)
            .finish_non_exhaustive()
    }
}

impl Core {
    /// Step 1 of the loop: polls what is runnable, at most
    /// `event_interval` times, each poll with a fresh budget. Returns the
    /// `block_on` future's output once it completes.
    #[inline]
    pub(crate) fn run_batch<F: Future>(&self, main: &mut MainTask<'_, F>) -> Option<F::Output> {
        if self.explain_on {
            explain::turn(
                &self.explain,
                self.counters.reactor_turns.get() + 1,
                self.run_queue.borrow().len(),
            );
        }
        if let Some(stall) = &self.stall {
            stall.begin();
        }
        for _ in 0..self.event_interval {
            let Some(next) = self.run_queue.borrow_mut().pop_front() else {
                break;
            };
            let spawned_at = if next.is_main() {
                main.header.scheduled.swap(false, Ordering::AcqRel);
                Counters::add(&self.counters.polls, 1);
                if self.explain_on {
                    self.explain.set_polling(Some(0));
                }
                let mut cx = Context::from_waker(&main.waker);
                let poll = coop::budgeted(self.budget, || main.future.as_mut().poll(&mut cx));
                if self.explain_on {
                    explain::polled(
                        &self.explain,
                        0,
                        if poll.is_ready() {
                            PollResult::Ready
                        } else {
                            PollResult::Pending
                        },
                    );
                }
                if let Poll::Ready(output) = poll {
                    if let Some(stall) = &self.stall {
                        self.check_stall(stall, next, main.called_at);
                    }
                    return Some(output);
                }
                Some(main.called_at)
            } else {
                self.run_task(next)
            };
            if let (Some(stall), Some(spawned_at)) = (&self.stall, spawned_at) {
                self.check_stall(stall, next, spawned_at);
            }
        }
        if self.explain_on {
            explain::interval_limit(
                &self.explain,
                self.event_interval,
                self.run_queue.borrow().len(),
            );
        }
        None
    }

    /// Stall detector: times the poll of `task` that just returned.
    #[inline]
    fn check_stall(
        &self,
        stall: &StallDetector,
        task: TaskRef,
        spawned_at: &'static Location<'static>,
    ) {
        let stalled = stall.after_poll(|| Stalled {
            task: task.id,
            spawned_at,
            waiting: self.run_queue.borrow().len(),
        });
        if stalled {
            Counters::add(&self.counters.stalls, 1);
        }
    }

    /// Polls one spawned task, if `task` still names a live one; returns
    /// where it was spawned, or `None` for a stale wake (nothing polled).
    fn run_task(&self, task: TaskRef) -> Option<&'static Location<'static>> {
        // Take the task out of its slot for the poll, so the slab is not
        // borrowed while user code runs (it may spawn).
        let (mut cell, spawned_at) = match self.tasks.borrow_mut().get_mut(task.index) {
            Some(entry) if entry.id == task.id => (entry.task.take()?, entry.spawned_at),
            _ => return None, // a stale wake: the task finished, the slot moved on
        };
        Counters::add(&self.counters.polls, 1);
        if self.explain_on {
            self.explain.set_polling(Some(task.id));
        }
        let outcome = coop::budgeted(self.budget, || cell.as_mut().poll());
        if self.explain_on {
            let result = match &outcome {
                Outcome::Pending => PollResult::Pending,
                Outcome::Done if cell.is_cancelled() => PollResult::Cancelled,
                Outcome::Done => PollResult::Ready,
                Outcome::Panicked(_) => PollResult::Panicked,
            };
            explain::polled(&self.explain, task.id, result);
        }
        match outcome {
            Outcome::Pending => {
                if let Some(entry) = self.tasks.borrow_mut().get_mut(task.index) {
                    entry.task = Some(cell);
                    return Some(spawned_at);
                }
                // The slab was emptied during the poll (the runtime is
                // shutting down): cancel the task here.
                cell.as_mut().cancel();
            }
            Outcome::Done => self.remove(task),
            Outcome::Panicked(payload) => {
                self.remove(task);
                match self.panic_policy {
                    PanicPolicy::Isolate => cell.as_mut().fail(payload),
                    PanicPolicy::FailFast => {
                        cell.as_mut().cancel();
                        resume_unwind(payload);
                    }
                }
            }
        }
        // The task is done; its box goes, and with it (if the handle was
        // dropped) an output nobody will take: a destructor that panics
        // must not take the loop down.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(cell)));
        Some(spawned_at)
    }
}
