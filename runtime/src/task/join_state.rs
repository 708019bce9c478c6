//! [`JoinState`]: a task's result slot, shared by the task's cell and its
//! `JoinHandle`, as one atomic word and two cells, with no lock.
//!
//! The handle may live on any thread, so the task (on its runtime's thread)
//! and the handle (anywhere) meet here. async-task's `state.rs` and tokio's
//! `JOIN_INTEREST`/`JOIN_WAKER` bits are the models: each cell has exactly
//! one owner at any moment, and the word says who.
//!
//! ```text
//!   bit           set by                      cleared by
//!   COMPLETE      the task: result written    never
//!   JOIN_WAKER    the handle: waker written   the handle, to replace it (fails once COMPLETE)
//!   INTEREST      new (the handle exists)     the handle's drop
//!   ABORTED       JoinHandle::abort           never
//!   HEADER        attach (header now set)     never
//! ```
//!
//! # Who owns which cell
//!
//! - **`result`**: the task's until it sets `COMPLETE` (it writes the
//!   result, then sets the bit with `Release`). After that, the handle's,
//!   if `INTEREST` was still set when `COMPLETE` went in (the handle takes
//!   or drops it, after an `Acquire` that saw `COMPLETE`); else the task's,
//!   which drops it at once (the handle is gone and never looks again).
//!   `fetch_or(COMPLETE)` and the drop's `fetch_and(!INTEREST)` are both
//!   read-modify-writes of one word, so exactly one of them comes second,
//!   and that one drops an untaken result.
//! - **`waker`**: the handle's while `JOIN_WAKER` is clear; it writes its
//!   waker, then sets the bit (`Release`). While the bit is set the cell is
//!   only read: by the task, which wakes it by reference if its
//!   `fetch_or(COMPLETE)` saw the bit, and by the handle's `will_wake`. To
//!   write a different waker the handle first clears the bit with a
//!   compare-exchange that fails if `COMPLETE` is set; a task that
//!   completes after that sees no waker to read. The cell is dropped with
//!   the state (the last `Arc`), never by either side.
//! - **`header`**: written once, before `HEADER` is set (`Release`), and
//!   read only by an `abort` that saw `HEADER` (`Acquire`): the task's
//!   header, for `abort` to schedule it. A `Weak`, so that a header with a
//!   live handle is never recycled for another task (`Arc::get_mut` in
//!   `header_for` fails) and a finished task's is freed with its cell.
//!
//! `abort` against a late `attach` (`Handle::spawn`: the handle exists
//! before the task): `abort` sets `ABORTED`, `attach` sets the header and
//! then `HEADER`, both with read-modify-writes of the word; whichever is
//! second sees the other's bit and schedules the task. A loom model
//! (`loom_tests` below, run with `--cfg loom`) checks the result and the
//! waker protocol in every interleaving.

use std::sync::Weak;
use std::task::{Context, Poll, Waker};

#[cfg(loom)]
use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Id, JoinError};
use crate::task::waker::Header;

/// The result is written; set once, by the task.
const COMPLETE: usize = 1;
/// The `waker` cell holds the handle's waker and is read-only.
const JOIN_WAKER: usize = 1 << 1;
/// The handle exists.
const INTEREST: usize = 1 << 2;
/// `JoinHandle::abort` was called.
const ABORTED: usize = 1 << 3;
/// The header is set (see `attach`).
const HEADER: usize = 1 << 4;

/// A task's result slot: what its `JoinHandle` and the task share.
///
/// `Send + Sync` for a `Send` output: a handle may be awaited, aborted or
/// dropped on any thread (see the module doc for who owns what, when).
pub(crate) struct JoinState<T> {
    /// The task's id.
    pub(crate) id: Id,
    /// The bits of the module doc.
    state: AtomicUsize,
    /// The task's result, owned as the module doc says.
    result: Slot<Option<Result<T, JoinError>>>,
    /// The waker of whoever awaits the handle, owned as the module doc says.
    waker: Slot<Option<Waker>>,
    /// The task's header, for `abort` to schedule it (see the module doc).
    header: Slot<Option<Weak<Header>>>,
}

// SAFETY: the cells are reached only as the module doc's ownership rules
// allow, each rule enforced by the bits of `state`; so no two threads ever
// reach one cell at once unless both only read it (`Waker` is `Sync`). What
// crosses threads is a `T` (hence `T: Send`) and wakers (`Send + Sync`).
unsafe impl<T: Send> Send for JoinState<T> {}
// SAFETY: as for `Send`: every access through `&JoinState` follows the
// ownership rules of the module doc.
unsafe impl<T: Send> Sync for JoinState<T> {}

impl<T> JoinState<T> {
    /// The result slot of task `id`, with its handle's interest taken; the
    /// header comes later ([`set_header`](Self::set_header) or
    /// [`attach`](Self::attach)).
    pub(crate) fn new(id: u64) -> JoinState<T> {
        JoinState {
            id: Id::new(id),
            state: AtomicUsize::new(INTEREST),
            result: Slot::new(None),
            waker: Slot::new(None),
            header: Slot::new(None),
        }
    }

    /// Gives a slot nobody else holds yet its task's header.
    pub(crate) fn set_header(&mut self, header: &std::sync::Arc<Header>) {
        // SAFETY: `&mut self`: nobody else can reach the cell.
        unsafe {
            self.header
                .with_mut(|slot| *slot = Some(std::sync::Arc::downgrade(header)))
        };
        self.state.fetch_or(HEADER, Ordering::Relaxed);
    }

    /// Gives the slot the header of its task (for `Handle::spawn`, whose
    /// handle exists before the task does); schedules the task if it was
    /// aborted meanwhile.
    pub(crate) fn attach(&self, header: &std::sync::Arc<Header>) {
        // SAFETY: written once, here, before `HEADER` is set; `abort`
        // reads it only after it saw `HEADER`.
        unsafe {
            self.header
                .with_mut(|slot| *slot = Some(std::sync::Arc::downgrade(header)))
        };
        if self.state.fetch_or(HEADER, Ordering::AcqRel) & ABORTED != 0 {
            header.wake_task();
        }
    }

    /// Stores the task's result and wakes the handle, or, when the handle
    /// is gone, drops the result here (with the caller's task context).
    ///
    /// Called once, by the task.
    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        // SAFETY: `COMPLETE` is not set yet, so `result` is the task's
        // ("who owns which cell").
        unsafe { self.result.with_mut(|slot| *slot = Some(result)) };
        let before = self.state.fetch_or(COMPLETE, Ordering::AcqRel);
        if before & INTEREST == 0 {
            // SAFETY: the handle dropped before `COMPLETE` went in; it
            // never looks again, so the result is the task's to drop.
            let orphan = unsafe { self.result.with_mut(|slot| (*slot).take()) };
            // An output whose destructor panics must not take the loop down.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(orphan)));
        } else if before & JOIN_WAKER != 0 {
            // SAFETY: `JOIN_WAKER` was set before `COMPLETE`, so the waker
            // cell is read-only now and the handle can no longer clear the
            // bit to write it.
            unsafe {
                self.waker.with(|waker| {
                    if let Some(waker) = &*waker {
                        waker.wake_by_ref();
                    }
                })
            };
        }
    }

    /// The handle's poll: the result if the task completed, else its waker
    /// left to be woken.
    ///
    /// Called by the handle only, which has not taken the result yet.
    pub(crate) fn poll_result(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
        let mut state = self.state.load(Ordering::Acquire);
        if state & COMPLETE != 0 {
            return Poll::Ready(self.take_result());
        }
        if state & JOIN_WAKER != 0 {
            // SAFETY: with `JOIN_WAKER` set the cell is only read, here
            // and by the task.
            let same = unsafe {
                self.waker
                    .with(|waker| (*waker).as_ref().is_some_and(|w| w.will_wake(cx.waker())))
            };
            if same {
                return Poll::Pending;
            }
            // Take the cell back to write the new waker; fails once the
            // task completed.
            loop {
                match self.state.compare_exchange_weak(
                    state,
                    state & !JOIN_WAKER,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => break,
                    Err(now) if now & COMPLETE != 0 => return Poll::Ready(self.take_result()),
                    Err(now) => state = now,
                }
            }
        }
        // SAFETY: `JOIN_WAKER` is clear and only this handle sets it: the
        // cell is ours ("who owns which cell").
        let old = unsafe {
            self.waker
                .with_mut(|waker| (*waker).replace(cx.waker().clone()))
        };
        drop(old);
        if self.state.fetch_or(JOIN_WAKER, Ordering::AcqRel) & COMPLETE != 0 {
            // Completed before the waker was published: the task saw no
            // waker to wake, so the result is taken now.
            return Poll::Ready(self.take_result());
        }
        Poll::Pending
    }

    /// The result, after an `Acquire` saw `COMPLETE` with the handle alive.
    fn take_result(&self) -> Result<T, JoinError> {
        // SAFETY: `COMPLETE` is set and `INTEREST` is (the caller is the
        // live handle), so the result cell is the handle's.
        unsafe { self.result.with_mut(|slot| (*slot).take()) }
            .expect("a completed task's result is taken once, by its handle")
    }

    /// The handle's drop: gives up interest, and returns a completed
    /// result nobody took, for the handle to drop (with the task's
    /// context). Called once, by a handle that did not take the result.
    pub(crate) fn drop_handle(&self) -> Option<Result<T, JoinError>> {
        let before = self.state.fetch_and(!INTEREST, Ordering::AcqRel);
        if before & COMPLETE == 0 {
            return None;
        }
        // SAFETY: `COMPLETE` went in while `INTEREST` was set: the result
        // is the handle's, and this is its last act.
        unsafe { self.result.with_mut(|slot| (*slot).take()) }
    }

    /// Whether the task has completed (its result is stored or taken).
    pub(crate) fn is_complete(&self) -> bool {
        self.state.load(Ordering::Acquire) & COMPLETE != 0
    }

    /// `JoinHandle::abort`: flags the task and schedules it, so the loop
    /// cancels it at its next turn. Nothing happens to a completed task.
    pub(crate) fn abort(&self) {
        let before = self.state.fetch_or(ABORTED, Ordering::AcqRel);
        if before & (COMPLETE | ABORTED) != 0 || before & HEADER == 0 {
            // Done, already aborted, or not attached yet (`attach` will
            // see `ABORTED` and schedule it).
            return;
        }
        // SAFETY: `HEADER` was set (seen by the `AcqRel` above): the cell
        // was written before and is never written again.
        let header = unsafe {
            self.header
                .with(|slot| (*slot).as_ref().and_then(Weak::upgrade))
        };
        if let Some(header) = header {
            header.wake_task();
        }
    }

    /// Whether `abort` was called.
    #[inline]
    pub(crate) fn is_aborted(&self) -> bool {
        self.state.load(Ordering::Acquire) & ABORTED != 0
    }
}

/// An `UnsafeCell` with loom's closure API, so the same code runs under
/// the loom model (`--cfg loom`) and in the real build.
#[cfg(not(loom))]
struct Slot<T>(std::cell::UnsafeCell<T>);

#[cfg(loom)]
struct Slot<T>(loom::cell::UnsafeCell<T>);

impl<T> Slot<T> {
    /// A cell holding `value`.
    fn new(value: T) -> Slot<T> {
        #[cfg(not(loom))]
        return Slot(std::cell::UnsafeCell::new(value));
        #[cfg(loom)]
        return Slot(loom::cell::UnsafeCell::new(value));
    }

    /// Reads through a shared pointer.
    ///
    /// # Safety
    ///
    /// Nobody may write the cell meanwhile (`JoinState`'s ownership rules).
    unsafe fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        #[cfg(not(loom))]
        return f(self.0.get());
        #[cfg(loom)]
        return self.0.with(f);
    }

    /// Writes through an exclusive pointer; `f` dereferences it.
    ///
    /// # Safety
    ///
    /// The caller owns the cell (`JoinState`'s ownership rules): nobody
    /// else reads or writes it meanwhile.
    unsafe fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        #[cfg(not(loom))]
        return f(self.0.get());
        #[cfg(loom)]
        return self.0.with_mut(f);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use std::sync::atomic::AtomicUsize as StdCount;
    use std::task::Wake;

    use loom::sync::Arc;

    use super::*;

    /// Counts wakes.
    #[derive(Default)]
    struct Counter(StdCount);

    impl Wake for Counter {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// The task completes on one thread while the handle polls on another,
    /// then polls again until ready only if it was woken: the result
    /// arrives exactly once, and a handle left `Pending` is always woken.
    #[test]
    fn a_result_is_delivered_once_and_a_waiting_handle_is_woken() {
        loom::model(|| {
            let state = Arc::new(JoinState::<u32>::new(1));
            let task = {
                let state = state.clone();
                loom::thread::spawn(move || state.complete(Ok(7)))
            };
            let counter = std::sync::Arc::new(Counter::default());
            let waker = Waker::from(counter.clone());
            let mut cx = Context::from_waker(&waker);
            let got = match state.poll_result(&mut cx) {
                Poll::Ready(result) => result,
                Poll::Pending => {
                    task.join().unwrap();
                    assert_eq!(counter.0.load(std::sync::atomic::Ordering::SeqCst), 1);
                    match state.poll_result(&mut cx) {
                        Poll::Ready(result) => result,
                        Poll::Pending => panic!("woken, but not ready"),
                    }
                }
            };
            assert_eq!(got.unwrap(), 7);
        });
    }

    /// A handle that polls with one waker and then another: the task wakes
    /// the second, never a stale one, or the handle finds the result.
    #[test]
    fn a_replaced_waker_is_the_one_woken() {
        loom::model(|| {
            let state = Arc::new(JoinState::<u32>::new(1));
            let first = std::sync::Arc::new(Counter::default());
            let second = std::sync::Arc::new(Counter::default());
            let first_waker = Waker::from(first.clone());
            let second_waker = Waker::from(second.clone());
            assert!(state
                .poll_result(&mut Context::from_waker(&first_waker))
                .is_pending());
            let task = {
                let state = state.clone();
                loom::thread::spawn(move || state.complete(Ok(3)))
            };
            let ready = state.poll_result(&mut Context::from_waker(&second_waker));
            task.join().unwrap();
            let woken = |c: &Counter| c.0.load(std::sync::atomic::Ordering::SeqCst);
            match ready {
                Poll::Ready(result) => assert_eq!(result.unwrap(), 3),
                Poll::Pending => {
                    assert_eq!(woken(&second), 1, "the waker in place is woken");
                    assert_eq!(woken(&first), 0);
                    let again = state.poll_result(&mut Context::from_waker(&second_waker));
                    assert!(matches!(again, Poll::Ready(Ok(3))));
                }
            }
        });
    }

    /// The handle is dropped while the task completes: the result is
    /// dropped exactly once, by whichever side came second.
    #[test]
    fn a_result_nobody_takes_is_dropped_once() {
        loom::model(|| {
            let drops = std::sync::Arc::new(StdCount::new(0));
            struct Output(std::sync::Arc<StdCount>);
            impl Drop for Output {
                fn drop(&mut self) {
                    self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
            let state = Arc::new(JoinState::<Output>::new(1));
            let task = {
                let state = state.clone();
                let drops = drops.clone();
                loom::thread::spawn(move || state.complete(Ok(Output(drops))))
            };
            drop(state.drop_handle());
            task.join().unwrap();
            assert_eq!(drops.load(std::sync::atomic::Ordering::SeqCst), 1);
        });
    }
}
