//! `JoinSet`: results in completion order, abort, abort on drop, detach,
//! and the non-waiting `try_join_next`.

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures::channel::oneshot;
use spindle::task::JoinSet;
use support::DropFlag;

/// A fixed permutation of `0..n` (a multiplicative step coprime to n), so
/// the completion order differs from the spawn order without randomness.
fn permutation(n: usize) -> Vec<usize> {
    let step = 7919; // prime, and not a divisor of any n used here
    (0..n).map(|i| (i * step + 13) % n).collect()
}

#[test]
fn ten_thousand_tasks_are_joined_in_completion_order() {
    const N: usize = 10_000;
    support::within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let mut set = JoinSet::new();
            let mut senders = Vec::with_capacity(N);
            for i in 0..N {
                let (tx, rx) = oneshot::channel::<()>();
                senders.push(Some(tx));
                set.spawn(async move {
                    rx.await.unwrap();
                    i
                });
            }
            assert_eq!(set.len(), N);
            // Let every task start and park on its channel.
            spindle::yield_now().await;
            let order = permutation(N);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..N).collect::<Vec<_>>(), "a permutation");
            // Release the tasks in `order`: each wake queues its task in
            // that order, so that is the order they complete in.
            for &i in &order {
                senders[i].take().unwrap().send(()).unwrap();
            }
            let mut joined = Vec::with_capacity(N);
            while let Some(result) = set.join_next().await {
                joined.push(result.unwrap());
            }
            assert_eq!(joined, order);
            assert!(set.is_empty());
        })
    });
}

#[test]
fn join_next_on_an_empty_set_is_none() {
    spindle::block_on(async {
        let mut set = JoinSet::<()>::new();
        assert!(set.join_next().await.is_none());
        assert!(set.try_join_next().is_none());
    });
}

#[test]
fn join_next_waits_for_a_task_that_finishes_later() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        set.spawn(async {
            spindle::time::sleep(Duration::from_millis(20)).await;
            "late"
        });
        assert_eq!(set.join_next().await.unwrap().unwrap(), "late");
    });
}

#[test]
fn try_join_next_returns_only_finished_tasks() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        let (tx, rx) = oneshot::channel::<()>();
        set.spawn(async move {
            rx.await.unwrap();
            1
        });
        set.spawn(async { 2 });
        assert!(set.try_join_next().is_none(), "nothing ran yet");
        spindle::yield_now().await;
        assert_eq!(set.try_join_next().unwrap().unwrap(), 2);
        assert!(set.try_join_next().is_none(), "the first still waits");
        tx.send(()).unwrap();
        spindle::yield_now().await;
        assert_eq!(set.try_join_next().unwrap().unwrap(), 1);
        assert!(set.is_empty());
    });
}

#[test]
fn abort_all_cancels_every_unfinished_task_and_keeps_finished_results() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        set.spawn(async { Some(1) });
        spindle::yield_now().await; // the first finishes
        for _ in 0..3 {
            set.spawn(async {
                std::future::pending::<()>().await;
                None
            });
        }
        set.abort_all();
        assert_eq!(set.len(), 4);
        let mut ok = 0;
        let mut cancelled = 0;
        while let Some(result) = set.join_next().await {
            match result {
                Ok(v) => {
                    assert_eq!(v, Some(1));
                    ok += 1
                }
                Err(err) => {
                    assert!(err.is_cancelled(), "{err:?}");
                    cancelled += 1
                }
            }
        }
        assert_eq!((ok, cancelled), (1, 3));
    });
}

#[test]
fn dropping_the_set_aborts_its_tasks() {
    spindle::block_on(async {
        let dropped = Rc::new(Cell::new(false));
        let mut set = JoinSet::new();
        let flag = DropFlag(dropped.clone());
        set.spawn(async move {
            let _flag = flag;
            std::future::pending::<()>().await;
        });
        spindle::yield_now().await;
        assert!(!dropped.get());
        drop(set);
        spindle::yield_now().await;
        assert!(dropped.get(), "the task's future was dropped");
    });
}

#[test]
fn detach_all_lets_the_tasks_run_on() {
    spindle::block_on(async {
        let ran = Rc::new(Cell::new(false));
        let mut set = JoinSet::new();
        let flag = ran.clone();
        set.spawn(async move {
            spindle::time::sleep(Duration::from_millis(5)).await;
            flag.set(true);
        });
        set.detach_all();
        assert!(set.is_empty());
        drop(set);
        spindle::time::sleep(Duration::from_millis(30)).await;
        assert!(ran.get(), "the detached task finished");
    });
}

#[test]
fn a_panicking_task_gives_a_panic_error_and_the_rest_go_on() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        set.spawn(async { panic!("boom") });
        set.spawn(async { 5 });
        let mut panics = 0;
        let mut values = Vec::new();
        while let Some(result) = set.join_next().await {
            match result {
                Ok(v) => values.push(v),
                Err(err) => {
                    assert!(err.is_panic());
                    panics += 1
                }
            }
        }
        assert_eq!((panics, values), (1, vec![5]));
    });
}

#[test]
fn slots_reused_after_join_do_not_confuse_results() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        for round in 0..50u32 {
            set.spawn(async move { round });
            let got = set.join_next().await.unwrap().unwrap();
            log.borrow_mut().push(got);
        }
        assert_eq!(*log.borrow(), (0..50).collect::<Vec<_>>());
    });
}

#[test]
fn shutdown_aborts_and_drains_the_set() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..10 {
            set.spawn(std::future::pending::<()>());
        }
        set.shutdown().await;
        assert!(set.is_empty());
    });
}

#[test]
fn spawn_returns_the_task_id() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        let id = set.spawn(async { spindle::task::id() });
        assert_eq!(set.join_next().await.unwrap().unwrap(), id);
    });
}
