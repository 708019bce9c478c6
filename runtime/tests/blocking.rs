//! The blocking pool: `spawn_blocking` runs closures off the loop, delivers
//! their results and panics, respects `max_blocking_threads`, and
//! `shutdown_timeout` waits for outstanding jobs while a plain drop does not.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use support::within;

#[test]
fn spawn_blocking_returns_the_closures_value_from_another_thread() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let loop_thread = std::thread::current().id();
            let (value, thread) = spindle::spawn_blocking(|| (42, std::thread::current().id()))
                .await
                .unwrap();
            assert_eq!(value, 42);
            assert_ne!(thread, loop_thread);
        });
    });
}

#[test]
fn a_panic_in_the_closure_is_a_join_error_with_its_payload() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let err = spindle::spawn_blocking(|| -> u8 { panic!("blocking boom") })
                .await
                .unwrap_err();
            assert!(err.is_panic());
            let payload = err.into_panic().unwrap();
            assert_eq!(*payload.downcast::<&str>().unwrap(), "blocking boom");
            // The runtime and the pool go on.
            assert_eq!(spindle::spawn_blocking(|| 1).await.unwrap(), 1);
        });
    });
}

#[test]
fn timers_and_tasks_run_while_a_blocking_job_holds_a_thread() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let release = Arc::new(Barrier::new(2));
            let job = spindle::spawn_blocking({
                let release = release.clone();
                move || {
                    release.wait();
                    "released"
                }
            });
            // The loop is free: a timer fires and a task runs while the job
            // is parked on the barrier, which only this loop can release.
            let start = Instant::now();
            spindle::time::sleep(Duration::from_millis(20)).await;
            assert!(start.elapsed() >= Duration::from_millis(20));
            assert_eq!(spindle::spawn(async { 5 }).await.unwrap(), 5);
            assert!(!job.is_finished());
            // The barrier wait is a blocking call too: make it on the pool.
            spindle::spawn_blocking(move || {
                release.wait();
            })
            .await
            .unwrap();
            assert_eq!(job.await.unwrap(), "released");
        });
    });
}

#[test]
fn many_jobs_at_once_all_complete() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let handles: Vec<_> = (0..200u64)
                .map(|i| spindle::spawn_blocking(move || i * 2))
                .collect();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await.unwrap();
            }
            assert_eq!(sum, (0..200u64).map(|i| i * 2).sum::<u64>());
        });
    });
}

#[test]
fn max_blocking_threads_bounds_how_many_jobs_of_a_runtime_run_at_once() {
    within(Duration::from_secs(60), || {
        let rt = spindle::Runtime::builder()
            .max_blocking_threads(2)
            .build()
            .unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let running = running.clone();
                    let most = most.clone();
                    spindle::spawn_blocking(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(10));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        });
        let most = most.load(Ordering::SeqCst);
        assert!((1..=2).contains(&most), "{most} jobs ran at once");
        assert_eq!(rt.metrics().blocking_jobs, 8);
    });
}

#[test]
fn shutdown_timeout_waits_for_outstanding_jobs() {
    within(Duration::from_secs(30), || {
        let done = Arc::new(AtomicBool::new(false));
        let rt = spindle::Runtime::new().unwrap();
        rt.block_on(async {
            let done = done.clone();
            // Detached: the handle is dropped at once.
            spindle::spawn_blocking(move || {
                std::thread::sleep(Duration::from_millis(100));
                done.store(true, Ordering::SeqCst);
            });
        });
        rt.shutdown_timeout(Duration::from_secs(20));
        assert!(done.load(Ordering::SeqCst));
    });
}

#[test]
fn shutdown_timeout_gives_up_after_the_timeout_and_drop_does_not_wait() {
    within(Duration::from_secs(30), || {
        let release = Arc::new(Barrier::new(2));
        let done = Arc::new(AtomicBool::new(false));
        let job = |release: Arc<Barrier>, done: Arc<AtomicBool>| {
            move || {
                release.wait();
                done.store(true, Ordering::SeqCst);
            }
        };

        let rt = spindle::Runtime::new().unwrap();
        rt.block_on(async {
            spindle::spawn_blocking(job(release.clone(), done.clone()));
        });
        let start = Instant::now();
        rt.shutdown_timeout(Duration::from_millis(50));
        assert!(start.elapsed() >= Duration::from_millis(50));
        assert!(
            !done.load(Ordering::SeqCst),
            "the job cannot finish before release"
        );
        release.wait();

        let done = Arc::new(AtomicBool::new(false));
        let rt = spindle::Runtime::new().unwrap();
        rt.block_on(async {
            spindle::spawn_blocking(job(release.clone(), done.clone()));
        });
        drop(rt); // returns although the job is parked on the barrier
        assert!(!done.load(Ordering::SeqCst));
        release.wait();
    });
}

#[test]
fn metrics_count_jobs_and_pool_threads() {
    within(Duration::from_secs(30), || {
        let rt = spindle::Runtime::new().unwrap();
        assert_eq!(rt.metrics().blocking_jobs, 0);
        rt.block_on(async {
            spindle::spawn_blocking(|| ()).await.unwrap();
        });
        let m = rt.metrics();
        assert_eq!(m.blocking_jobs, 1);
        // Process-wide figures: other tests share the pool, so only lower
        // bounds hold.
        assert!(m.blocking_jobs_run >= 1);
        assert!(m.blocking_threads >= 1);
        assert!(m.blocking_threads_idle <= m.blocking_threads);
    });
}

#[test]
#[should_panic(expected = "must be called from inside a spindle runtime")]
fn spawn_blocking_outside_a_runtime_panics_with_a_clear_message() {
    drop(spindle::spawn_blocking(|| ()));
}
