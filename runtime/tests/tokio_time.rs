//! tokio's timer tests that need no paused clock, translated to
//! `spindle::time`.
//!
//! Translated from tokio's `tokio/tests/` at commit ea91b33ca:
//! `time_sleep.rs`, `time_timeout.rs`, `time_interval.rs` and
//! `time_rt.rs`. Each test keeps tokio's name and assertions; what
//! changed:
//!
//! - `#[tokio::test]` → `#[spindle::test]`, `tokio::time` →
//!   `spindle::time`, `tokio::time::Instant` → `std::time::Instant`
//!   (spindle's timers take std's), `tokio::pin!` → `std::pin::pin!`,
//!   `tokio::sync::oneshot` → `futures::channel::oneshot`,
//!   `tokio::runtime::Builder::new_current_thread().enable_all().build()`
//!   → `spindle::Runtime::new()`.
//! - tokio_test's `task::spawn(f).poll()` and `assert_ready!` /
//!   `assert_pending!` / `assert_ready_ok!` → one poll with a no-op waker
//!   ([`poll_once`]) and `assert!(..is_ready())` and the like.
//! - `time_rt.rs`'s `rt_combinations()` (a current-thread runtime and two
//!   multi-thread ones) → one spindle runtime: spindle has only the one
//!   kind.
//! - `drop_from_wake` runs on the real clock: tokio pauses its clock only
//!   to make the 10 ms timers fire at once; here they fire after 10 ms of
//!   real time, before the test's own 11 ms sleep ends.
//!
//! Left out, and why:
//!
//! - Everything that calls `time::pause()`, `time::advance()` or uses
//!   `start_paused = true`: spindle has no paused clock yet. From
//!   `time_sleep.rs`: `immediate_sleep`, `is_elapsed`,
//!   `delayed_sleep_level_0`, `sub_ms_delayed_sleep`,
//!   `delayed_sleep_wrapping_level_0`, `reset_future_sleep_before_fire`,
//!   `reset_past_sleep_before_turn`, `reset_past_sleep_before_fire`,
//!   `reset_future_sleep_after_fire`, `reset_sleep_to_past`,
//!   `greater_than_max`, `multi_long_sleeps`, `long_sleeps`,
//!   `exactly_max`, `issue_5183`, `no_out_of_bounds_close_to_max`,
//!   `drop_after_reschedule_at_new_scheduled_time`. From
//!   `time_timeout.rs`: `future_and_deadline_in_future`,
//!   `future_and_timeout_in_future`, `very_large_timeout`,
//!   `deadline_now_elapses`, `deadline_future_elapses`. From
//!   `time_interval.rs`: every test but `interval_zero_duration`. From
//!   `time_rt.rs`: `tickspace`.
//! - `time_sleep.rs`'s `creating_sleep_outside_of_context`: it expects
//!   `sleep_until` to panic outside a runtime; spindle's `Sleep` finds its
//!   runtime at its first poll, so creating one anywhere is fine (a
//!   deliberate difference; see the README's "Where spindle differs from
//!   tokio").
//! - `time_rt.rs`'s `timer_with_threaded_runtime`: it spawns onto a
//!   multi-thread runtime that runs without a `block_on`; a spindle
//!   runtime runs only inside `block_on`.
#![cfg(unix)]

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::task::noop_waker_ref;
use spindle::io::AsyncReadExt;
use spindle::time::{self, sleep_until, timeout, timeout_at};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// tokio_test's `task::spawn(f).poll()`: one poll, with a waker that does
/// nothing.
fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(noop_waker_ref()))
}

// ---- time_sleep.rs ----

#[spindle::test]
async fn short_sleeps() {
    for _ in 0..1000 {
        spindle::time::sleep(std::time::Duration::from_millis(0)).await;
    }
}

#[spindle::test]
async fn reset_after_firing() {
    let timer = spindle::time::sleep(std::time::Duration::from_millis(1));
    let mut timer = pin!(timer);

    let deadline = timer.deadline();

    timer.as_mut().await;
    assert!(poll_once(timer.as_mut()).is_ready());
    timer
        .as_mut()
        .reset(Instant::now() + std::time::Duration::from_secs(600));

    assert_ne!(deadline, timer.deadline());

    assert!(poll_once(timer.as_mut()).is_pending());
    assert!(poll_once(timer.as_mut()).is_pending());
}

#[spindle::test]
async fn drop_from_wake() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let panicked = Arc::new(AtomicBool::new(false));
    let list: Arc<Mutex<Vec<Pin<Box<spindle::time::Sleep>>>>> = Arc::new(Mutex::new(Vec::new()));

    let arc_wake = Arc::new(DropWaker(panicked.clone(), list.clone()));
    let arc_wake = futures::task::waker(arc_wake);

    {
        let mut lock = list.lock().unwrap();

        for _ in 0..100 {
            let mut timer = Box::pin(spindle::time::sleep(Duration::from_millis(10)));

            let _ = timer.as_mut().poll(&mut Context::from_waker(&arc_wake));

            lock.push(timer);
        }
    }

    spindle::time::sleep(Duration::from_millis(11)).await;

    assert!(
        !panicked.load(Ordering::SeqCst),
        "panicked when dropping timers"
    );

    #[derive(Clone)]
    struct DropWaker(
        Arc<AtomicBool>,
        Arc<Mutex<Vec<Pin<Box<spindle::time::Sleep>>>>>,
    );

    impl futures::task::ArcWake for DropWaker {
        fn wake_by_ref(arc_self: &Arc<Self>) {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                *arc_self.1.lock().expect("panic in lock") = Vec::new()
            }));

            if result.is_err() {
                arc_self.0.store(true, Ordering::SeqCst);
            }
        }
    }
}

// ---- time_timeout.rs ----

#[spindle::test]
async fn simultaneous_deadline_future_completion() {
    // Create a future that is immediately ready
    let fut = pin!(timeout_at(Instant::now(), async {}));

    // Ready!
    assert!(matches!(poll_once(fut), Poll::Ready(Ok(()))));
}

#[spindle::test]
async fn completed_future_past_deadline() {
    // Wrap it with a deadline
    let fut = pin!(timeout_at(Instant::now() - ms(1000), async {}));

    // Ready!
    assert!(matches!(poll_once(fut), Poll::Ready(Ok(()))));
}

#[spindle::test]
async fn timeout_is_not_exhausted_by_future() {
    let fut = timeout(ms(1), async {
        let mut buffer = [0u8; 1];
        loop {
            let _ = spindle::io::empty().read(&mut buffer).await;
        }
    });

    assert!(fut.await.is_err());
}

// ---- time_interval.rs ----

#[spindle::test]
#[should_panic]
async fn interval_zero_duration() {
    let _ = time::interval_at(Instant::now(), ms(0));
}

// ---- time_rt.rs ----

#[test]
fn timer_with_current_thread_scheduler() {
    let rt = spindle::Runtime::new().unwrap();
    let (tx, rx) = mpsc::channel();

    rt.block_on(async move {
        let when = Instant::now() + Duration::from_millis(10);

        sleep_until(when).await;
        assert!(Instant::now() >= when);

        tx.send(()).unwrap();
    });

    rx.recv().unwrap();
}

#[test]
fn starving() {
    struct Starve<T: Future<Output = ()> + Unpin>(T, u64);

    impl<T: Future<Output = ()> + Unpin> Future for Starve<T> {
        type Output = u64;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
            if Pin::new(&mut self.0).poll(cx).is_ready() {
                return Poll::Ready(self.1);
            }

            self.1 += 1;

            cx.waker().wake_by_ref();

            Poll::Pending
        }
    }

    let rt = spindle::Runtime::new().unwrap();
    rt.block_on(async {
        let when = Instant::now() + Duration::from_millis(10);
        let starve = Starve(Box::pin(sleep_until(when)), 0);

        starve.await;
        assert!(Instant::now() >= when);
    });
}

#[test]
fn timeout_value() {
    use futures::channel::oneshot;

    let rt = spindle::Runtime::new().unwrap();
    rt.block_on(async {
        let (_tx, rx) = oneshot::channel::<()>();

        let now = Instant::now();
        let dur = Duration::from_millis(10);

        let res = timeout(dur, rx).await;
        assert!(res.is_err());
        assert!(Instant::now() >= now + dur);
    });
}
