//! `JoinSet`: spawn many tasks, then take their results in the order they
//! finish.
//!
//! A [`JoinSet`] owns the [`JoinHandle`]s of the tasks it spawned, keyed by
//! a slab index. Polling every handle on each `join_next` would cost O(n)
//! per result (O(n²) to drain a set); instead each task tells the set when
//! it is done:
//!
//! ```text
//!   set.spawn(fut) ──► spawn(async { let _done = Done { key }; fut.await })
//!                                        │
//!            task completes, panics, or is aborted: its future is dropped
//!                                        ▼
//!                  Done::drop ──► push key onto `finished`, wake the set
//!                                        ▼
//!   set.join_next() ──► pop key ──► take that handle's output (it is ready)
//! ```
//!
//! The marker is a drop guard rather than a line after `fut.await`, so that
//! it reports a task whichever way it ends: output, panic (the unwinding
//! drops it) or abort (the runtime drops the future). `finished` is in the
//! order the tasks ended, so `join_next` yields results in completion
//! order, each in O(1).
//!
//! # Invariants
//!
//! - A key in `finished` names a task that has ended; by the time the set
//!   is polled again its handle holds the result (the runtime stores the
//!   result right after the future completes, in the same poll).
//! - **A stale key.** A slot freed by `join_next` or `detach_all` may be
//!   reused by a later `spawn`; each entry carries a sequence number, and a
//!   key whose number does not match its slot is skipped.
//! - Dropping the set aborts every task still in it, as in tokio.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use slab::Slab;

use crate::task::{spawn, Id, JoinError, JoinHandle};

/// A set of spawned tasks whose results are taken in completion order.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use spindle::task::JoinSet;
///
/// spindle::block_on(async {
///     let mut set = JoinSet::new();
///     for ms in [30, 10, 20] {
///         set.spawn(async move {
///             spindle::time::sleep(Duration::from_millis(ms)).await;
///             ms
///         });
///     }
///     let mut order = Vec::new();
///     while let Some(result) = set.join_next().await {
///         order.push(result.unwrap());
///     }
///     assert_eq!(order, [10, 20, 30]);
/// });
/// ```
pub struct JoinSet<T> {
    /// The handles of the tasks not yet joined, with each one's sequence
    /// number. Inserted by `spawn`; removed by `join_next` and
    /// `detach_all`.
    tasks: Slab<Entry<T>>,
    /// Where the tasks report that they ended; shared with their `Done`
    /// guards.
    finished: Rc<Finished>,
    /// The sequence number of the next spawn (see the stale-key invariant).
    next_seq: u64,
}

/// One task of the set.
struct Entry<T> {
    /// Its handle.
    handle: JoinHandle<T>,
    /// Its sequence number; a finished key with another number is stale.
    seq: u64,
}

/// The queue the tasks of one set push onto when they end.
#[derive(Default)]
struct Finished {
    /// `(slab key, sequence number)` of each ended task, in the order they
    /// ended. Pushed by `Done::drop`; popped by `poll_join_next`.
    queue: RefCell<VecDeque<(usize, u64)>>,
    /// The waker of the task waiting in `join_next`; taken by `Done::drop`.
    waker: RefCell<Option<Waker>>,
}

/// Drop guard inside each spawned task: reports the task as ended.
struct Done {
    /// The set's queue.
    finished: Rc<Finished>,
    /// The task's slab key and sequence number.
    key: (usize, u64),
}

impl Drop for Done {
    fn drop(&mut self) {
        self.finished.queue.borrow_mut().push_back(self.key);
        let waker = self.finished.waker.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T: 'static> JoinSet<T> {
    /// Creates an empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = spindle::task::JoinSet::<()>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            tasks: Slab::new(),
            finished: Rc::new(Finished::default()),
            next_seq: 0,
        }
    }

    /// Spawns `future` on the current runtime as a task of this set, and
    /// returns its id.
    ///
    /// tokio returns an `AbortHandle` here; spindle returns the task's
    /// [`Id`], and aborting is done for the whole set
    /// ([`abort_all`](Self::abort_all), or dropping it).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut set = spindle::task::JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     assert_eq!(set.len(), 1);
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime, as [`spawn`] does.
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> Id
    where
        F: Future<Output = T> + 'static,
    {
        let entry = self.tasks.vacant_entry();
        let seq = self.next_seq;
        self.next_seq += 1;
        let done = Done {
            finished: self.finished.clone(),
            key: (entry.key(), seq),
        };
        let handle = spawn(async move {
            let _done = done;
            future.await
        });
        let id = handle.id();
        entry.insert(Entry { handle, seq });
        id
    }

    /// The number of tasks in the set: spawned and not yet joined, finished
    /// or not.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut set = spindle::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     set.spawn(async {});
    ///     assert_eq!(set.len(), 2);
    ///     set.join_next().await;
    ///     assert_eq!(set.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether the set has no tasks left to join.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(spindle::task::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Waits for the next task to end and returns its result; `None` when
    /// the set is empty.
    ///
    /// Results come in the order the tasks ended. A task that panicked or
    /// was aborted gives a [`JoinError`].
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut set = spindle::task::JoinSet::new();
    ///     set.spawn(async { panic!("boom") });
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_panic());
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Polls for [`join_next`](Self::join_next): `Ready(None)` when the set
    /// is empty, `Pending` (the waker kept) while no task has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// spindle::block_on(async {
    ///     let mut set = spindle::task::JoinSet::new();
    ///     set.spawn(async { 'x' });
    ///     let got = poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(got.unwrap().unwrap(), 'x');
    /// });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        // One unit of the task's budget per result (`executor/coop.rs`), taken here
        // rather than by the handle's poll below, so a spent budget yields
        // before a key leaves the queue and completion order is kept.
        if crate::executor::coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        if let Some(result) = self.take_finished(cx) {
            crate::executor::coop::consume();
            return Poll::Ready(Some(result));
        }
        if self.tasks.is_empty() {
            return Poll::Ready(None);
        }
        let mut waker = self.finished.waker.borrow_mut();
        match &mut *waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Returns the result of a task that has already ended, without
    /// waiting; `None` if none has (or the set is empty).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut set = spindle::task::JoinSet::new();
    ///     set.spawn(async { 7 });
    ///     assert!(set.try_join_next().is_none()); // not run yet
    ///     spindle::yield_now().await;
    ///     assert_eq!(set.try_join_next().unwrap().unwrap(), 7);
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let waker = futures::task::noop_waker();
        self.take_finished(&mut Context::from_waker(&waker))
    }

    /// Pops finished keys until one names a task of the set, and takes its
    /// result.
    fn take_finished(&mut self, cx: &mut Context<'_>) -> Option<Result<T, JoinError>> {
        loop {
            let (key, seq) = self.finished.queue.borrow_mut().pop_front()?;
            // A stale key: the slot was joined or detached since.
            if !matches!(self.tasks.get(key), Some(entry) if entry.seq == seq) {
                continue;
            }
            let mut entry = self.tasks.remove(key);
            match crate::executor::coop::without_budget(|| Pin::new(&mut entry.handle).poll(cx)) {
                Poll::Ready(result) => return Some(result),
                // Not reachable by the invariant above; should it happen,
                // keep the task and look again at the next poll.
                Poll::Pending => {
                    let vacant = self.tasks.vacant_entry();
                    let new_key = (vacant.key(), entry.seq);
                    vacant.insert(entry);
                    self.finished.queue.borrow_mut().push_front(new_key);
                    cx.waker().wake_by_ref();
                    return None;
                }
            }
        }
    }

    /// Aborts every task in the set. They stay in it: `join_next` then
    /// yields each one's result, a cancelled [`JoinError`] for those that
    /// had not finished.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut set = spindle::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for (_, entry) in &self.tasks {
            entry.handle.abort();
        }
    }

    /// Removes every task from the set without aborting it: the tasks keep
    /// running, detached, as a dropped [`JoinHandle`] would.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// spindle::block_on(async {
    ///     let ran = Rc::new(Cell::new(false));
    ///     let mut set = spindle::task::JoinSet::new();
    ///     let flag = ran.clone();
    ///     set.spawn(async move { flag.set(true) });
    ///     set.detach_all();
    ///     drop(set); // no abort: the task was detached
    ///     spindle::yield_now().await;
    ///     assert!(ran.get());
    /// });
    /// ```
    pub fn detach_all(&mut self) {
        self.tasks.clear();
        // Their guards report to the old queue, which no one reads.
        self.finished = Rc::new(Finished::default());
    }

    /// Aborts every task and waits until all have ended, discarding their
    /// results.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut set = spindle::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    /// Aborts every task still in the set.
    fn drop(&mut self) {
        for (_, entry) in &self.tasks {
            entry.handle.abort();
        }
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet")
            .field("len", &self.tasks.len())
            .field("finished", &self.finished.queue.borrow().len())
            .finish()
    }
}
