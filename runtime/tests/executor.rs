//! The executor: many tasks, wake de-duplication, fairness, nested block_on.

mod support;

use std::cell::Cell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use spindle::Runtime;
use support::within;

#[test]
fn hundred_thousand_tasks_complete_with_their_outputs() {
    let rt = Runtime::new().unwrap();
    let sum = rt.block_on(async {
        let handles: Vec<_> = (0..100_000u64)
            .map(|i| spindle::spawn(async move { i * 2 }))
            .collect();
        let mut sum = 0;
        for (i, handle) in handles.into_iter().enumerate() {
            let out = handle.await.unwrap();
            assert_eq!(out, i as u64 * 2);
            sum += out;
        }
        sum
    });
    assert_eq!(sum, 2 * (100_000 * 99_999 / 2));
    let m = rt.metrics();
    assert_eq!(m.tasks_spawned, 100_000);
    assert_eq!(m.tasks_alive, 0);
}

#[test]
fn task_woken_ten_times_before_it_runs_is_polled_once() {
    let rt = Runtime::new().unwrap();
    let polls = Rc::new(Cell::new(0));
    let waker_slot = Rc::new(std::cell::RefCell::new(None));
    rt.block_on({
        let polls = polls.clone();
        let waker_slot = waker_slot.clone();
        async move {
            let task = spindle::spawn({
                let polls = polls.clone();
                let waker_slot = waker_slot.clone();
                poll_fn(move |cx| {
                    polls.set(polls.get() + 1);
                    if polls.get() == 2 {
                        return Poll::Ready(());
                    }
                    *waker_slot.borrow_mut() = Some(cx.waker().clone());
                    Poll::Pending
                })
            });
            spindle::yield_now().await; // first poll: the task parks its waker
            assert_eq!(polls.get(), 1);
            let waker = waker_slot.borrow_mut().take().unwrap();
            for _ in 0..10 {
                waker.wake_by_ref();
            }
            task.await.unwrap();
        }
    });
    assert_eq!(polls.get(), 2, "ten wakes, one poll");
    assert!(rt.metrics().wakes_deduplicated >= 9);
}

#[test]
fn yielding_task_does_not_starve_tcp_echo_or_timers() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            // A task that yields forever.
            let spins = Rc::new(Cell::new(0u64));
            let spinner = spindle::spawn({
                let spins = spins.clone();
                async move {
                    loop {
                        spins.set(spins.get() + 1);
                        spindle::yield_now().await;
                    }
                }
            });

            // A timer still fires, on time give or take.
            let start = Instant::now();
            spindle::time::sleep(Duration::from_millis(20)).await;
            let elapsed = start.elapsed();
            assert!(elapsed >= Duration::from_millis(20));
            assert!(
                elapsed < Duration::from_secs(5),
                "timer starved: {elapsed:?}"
            );

            // A TCP echo still makes progress.
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            spindle::spawn(async move {
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut buf = [0; 64];
                loop {
                    let n = conn.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    conn.write_all(&buf[..n]).await.unwrap();
                }
            });
            let mut client = TcpStream::connect(addr).await.unwrap();
            for round in 0..100u32 {
                let msg = round.to_be_bytes();
                client.write_all(&msg).await.unwrap();
                let mut back = [0; 4];
                client.read_exact(&mut back).await.unwrap();
                assert_eq!(back, msg);
            }
            assert!(spins.get() > 100, "the spinner also ran: {}", spins.get());
            spinner.abort();
        });
    });
}

#[test]
fn nested_block_on_panics_with_a_clear_message() {
    let result = std::panic::catch_unwind(|| {
        spindle::block_on(async {
            spindle::block_on(async {});
        })
    });
    let payload = result.unwrap_err();
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap();
    assert!(msg.contains("already inside `block_on`"), "{msg}");
}

#[test]
fn spawn_outside_a_runtime_panics_with_a_clear_message() {
    let payload = std::panic::catch_unwind(|| spindle::spawn(async {})).unwrap_err();
    let msg = payload.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("must be called from inside a spindle runtime"),
        "{msg}"
    );
}

#[test]
fn runtime_is_reusable_and_keeps_pending_tasks_between_block_ons() {
    let rt = Runtime::new().unwrap();
    #[allow(clippy::async_yields_async)] // the point: the handle outlives this block_on
    let handle = rt.block_on(async {
        spindle::spawn(async {
            spindle::time::sleep(Duration::from_millis(5)).await;
            7
        })
    });
    assert_eq!(rt.block_on(handle).unwrap(), 7);
}

#[test]
fn event_interval_bounds_polls_between_reactor_turns() {
    let rt = Runtime::builder().event_interval(4).build().unwrap();
    rt.block_on(async {
        for _ in 0..100 {
            spindle::spawn(async {});
        }
        spindle::yield_now().await;
    });
    // 100 tasks + the main future twice, 4 polls per turn: at least 25 turns.
    assert!(rt.metrics().reactor_turns >= 25, "{:?}", rt.metrics());
}
