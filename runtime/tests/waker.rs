//! Wakers: wakes from other threads are never lost; stale wakers wake nothing.

mod support;

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use spindle::Runtime;
use support::within;

/// 8 plain threads fire 100,000 wakes in total at 8 tasks (one each) while
/// the runtime is blocked in poll. Each task counts the wakes it observes through a
/// shared counter and finishes once its thread is done and it has seen every
/// one of its increments: a lost wake-up would leave it pending forever,
/// which `within` turns into a failure.
#[test]
fn wakes_from_eight_threads_are_never_lost() {
    wakes_from_threads_are_never_lost(8, 100_000);
}

/// The stress version: 8 threads, 1,000,000 wakes.
#[test]
fn million_wakes_from_eight_threads_are_never_lost() {
    wakes_from_threads_are_never_lost(8, 1_000_000);
}

fn wakes_from_threads_are_never_lost(threads: usize, wakes: usize) {
    let wakes_per_thread = wakes / threads;
    within(Duration::from_secs(120), move || {
        let rt = Runtime::new().unwrap();
        rt.block_on(async {
            let mut handles = Vec::new();
            let mut senders = Vec::new();
            for _ in 0..threads {
                let fired = Arc::new(AtomicUsize::new(0));
                let waker_slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
                // The task: parks its waker, finishes when all wakes are in.
                handles.push(spindle::spawn({
                    let fired = fired.clone();
                    let waker_slot = waker_slot.clone();
                    let polls = Rc::new(Cell::new(0usize));
                    poll_fn(move |cx| {
                        polls.set(polls.get() + 1);
                        *waker_slot.lock().unwrap() = Some(cx.waker().clone());
                        if fired.load(Ordering::Acquire) == wakes_per_thread {
                            Poll::Ready(polls.get())
                        } else {
                            Poll::Pending
                        }
                    })
                }));
                senders.push((fired, waker_slot));
            }
            // Let each task park its waker before the threads start.
            spindle::yield_now().await;
            let joins: Vec<_> = senders
                .into_iter()
                .map(|(fired, waker_slot)| {
                    std::thread::spawn(move || {
                        let waker = waker_slot.lock().unwrap().clone().unwrap();
                        for _ in 0..wakes_per_thread {
                            // Publish the event first, then wake: a task
                            // polled after this wake sees the increment.
                            fired.fetch_add(1, Ordering::Release);
                            waker.wake_by_ref();
                        }
                    })
                })
                .collect();
            for handle in handles {
                let polls = handle.await.unwrap();
                assert!(polls <= wakes_per_thread + 1, "polled {polls} times");
            }
            for join in joins {
                join.join().unwrap();
            }
        });
        let m = rt.metrics();
        assert!(m.wakes_remote > 0, "{m:?}");
        assert!(
            m.reactor_blocked_turns > 0,
            "the loop blocked in poll: {m:?}"
        );
    });
}

#[test]
fn remote_wake_interrupts_a_blocked_poll() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let (tx, rx) = futures::channel::oneshot::channel();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                tx.send(42).unwrap();
            });
            // No timers, no sockets: only the remote wake can end this.
            assert_eq!(rx.await.unwrap(), 42);
        })
    });
}

#[test]
fn stale_waker_of_a_finished_task_wakes_nothing_after_slot_reuse() {
    spindle::block_on(async {
        // Task A parks its waker, is woken, then finishes.
        let stale: Rc<RefCell<Option<Waker>>> = Default::default();
        let a = spindle::spawn({
            let stale = stale.clone();
            let mut first = true;
            poll_fn(move |cx| {
                if first {
                    first = false;
                    *stale.borrow_mut() = Some(cx.waker().clone());
                    cx.waker().wake_by_ref();
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
        });
        a.await.unwrap();

        // Task B reuses A's slot (the slab hands out the freed index).
        let polls = Rc::new(Cell::new(0));
        let b = spindle::spawn({
            let polls = polls.clone();
            poll_fn(move |_cx| {
                polls.set(polls.get() + 1);
                Poll::<()>::Pending // never wakes itself
            })
        });
        spindle::yield_now().await;
        assert_eq!(polls.get(), 1);

        // Waking A's stale waker, locally and from another thread, must not
        // poll B.
        let waker = stale.borrow_mut().take().unwrap();
        waker.wake_by_ref();
        let remote = waker.clone();
        std::thread::spawn(move || remote.wake()).join().unwrap();
        for _ in 0..3 {
            spindle::yield_now().await;
        }
        spindle::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(polls.get(), 1, "the stale waker polled the new task");
        b.abort();
    });
}

#[test]
fn waker_can_be_dropped_after_the_runtime() {
    let kept: Rc<RefCell<Option<Waker>>> = Default::default();
    {
        let rt = Runtime::new().unwrap();
        let kept = kept.clone();
        rt.block_on(poll_fn(move |cx| {
            *kept.borrow_mut() = Some(cx.waker().clone());
            Poll::Ready(())
        }));
    }
    let waker = kept.borrow_mut().take().unwrap();
    std::thread::spawn(move || waker.wake()).join().unwrap();
}

/// Takes the waker of the task that polls it, then stays pending once.
fn grab_waker(slot: Rc<RefCell<Option<Waker>>>) -> impl std::future::Future<Output = ()> {
    let mut polled = false;
    poll_fn(move |cx| {
        if polled {
            return Poll::Ready(());
        }
        polled = true;
        *slot.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    })
}

#[test]
fn duplicate_wakes_from_another_thread_are_counted_on_the_tasks_runtime() {
    let rt = Runtime::new().unwrap();
    let slot = Rc::new(RefCell::new(None));
    let task = rt.spawn(grab_waker(slot.clone()));
    rt.block_on(spindle::yield_now()); // the task parks its waker
    let waker = slot.borrow_mut().take().unwrap();
    let before = rt.metrics().wakes_deduplicated;
    // Three wakes from another thread before the task runs again: the
    // first schedules it, the other two are duplicates.
    std::thread::spawn(move || {
        for _ in 0..3 {
            waker.wake_by_ref();
        }
    })
    .join()
    .unwrap();
    assert_eq!(rt.metrics().wakes_deduplicated - before, 2);
    rt.block_on(task).unwrap();
}

#[test]
fn a_duplicate_wake_from_inside_another_runtime_counts_on_the_tasks_own() {
    let rt = Runtime::new().unwrap();
    let other = Runtime::new().unwrap();
    let slot = Rc::new(RefCell::new(None));
    let task = rt.spawn(grab_waker(slot.clone()));
    rt.block_on(spindle::yield_now());
    let waker = slot.borrow_mut().take().unwrap();
    let (mine, theirs) = (
        rt.metrics().wakes_deduplicated,
        other.metrics().wakes_deduplicated,
    );
    other.block_on(async {
        waker.wake_by_ref();
        waker.wake_by_ref(); // a duplicate, fired inside `other`'s loop
    });
    assert_eq!(rt.metrics().wakes_deduplicated - mine, 1);
    assert_eq!(other.metrics().wakes_deduplicated - theirs, 0);
    rt.block_on(task).unwrap();
}
