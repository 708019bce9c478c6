//! `Handle`: spawning onto a runtime from other threads, and a handle whose
//! runtime is gone.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use spindle::{Handle, Runtime};
use support::within;

#[test]
fn handle_is_send_sync_clone() {
    fn assert<T: Send + Sync + Clone>() {}
    assert::<Handle>();
}

#[test]
fn spawn_from_another_thread_wakes_a_runtime_blocked_in_poll() {
    within(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let handle = rt.handle();
        let (tx, rx) = futures::channel::oneshot::channel();
        let spawner = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50)); // the loop is asleep
            let task = handle.spawn(async { 40 + 2 });
            tx.send(task).unwrap();
        });
        // The loop blocks in epoll_wait with nothing to do but wait.
        let task = rt.block_on(rx).unwrap();
        assert_eq!(rt.block_on(task).unwrap(), 42);
        spawner.join().unwrap();
        assert!(rt.metrics().reactor_blocked_turns >= 1);
    });
}

#[test]
fn many_threads_spawn_onto_one_runtime() {
    within(Duration::from_secs(60), || {
        let rt = Runtime::new().unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (handle, count) = (rt.handle(), count.clone());
                std::thread::spawn(move || {
                    (0..250)
                        .map(|i| {
                            let count = count.clone();
                            handle.spawn(async move {
                                count.fetch_add(1, Ordering::Relaxed);
                                i
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let handles: Vec<_> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        let sum: usize = rt.block_on(async {
            let mut sum = 0;
            for handle in handles {
                sum += handle.await.unwrap();
            }
            sum
        });
        assert_eq!(count.load(Ordering::Relaxed), 1000);
        assert_eq!(sum, 4 * (0..250).sum::<usize>());
    });
}

#[test]
fn current_handle_spawns_on_the_running_runtime() {
    spindle::block_on(async {
        let handle = Handle::current();
        let id = handle
            .spawn(async { spindle::task::consume_budget().await })
            .id();
        let other = spindle::spawn(async {});
        assert!(other.id() > id, "ids come from the same runtime counter");
        other.await.unwrap();
    });
}

#[test]
fn a_handle_whose_runtime_is_gone_gives_cancelled_handles() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    drop(rt);
    assert!(handle.is_closed());
    let err = spindle::block_on(handle.spawn(async { 1 })).unwrap_err();
    assert!(err.is_cancelled(), "{err}");
}

#[test]
fn a_spawn_the_runtime_never_started_is_cancelled_when_it_drops() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let task = std::thread::spawn(move || handle.spawn(async { 1 }))
        .join()
        .unwrap();
    drop(rt); // never ran a `block_on` after the spawn
    assert!(spindle::block_on(task).unwrap_err().is_cancelled());
}

#[test]
fn a_remote_task_is_aborted_before_it_starts() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let task = std::thread::spawn(move || handle.spawn(std::future::pending::<()>()))
        .join()
        .unwrap();
    task.abort();
    assert!(rt.block_on(task).unwrap_err().is_cancelled());
}

#[test]
fn try_current_outside_a_runtime_is_none() {
    assert!(Handle::try_current().is_none());
}
