//! Timers: ordering, never early, cancel, reset, timeout, intervals.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use spindle::time::{interval, interval_at, sleep, sleep_until, timeout, MissedTickBehavior};
use spindle::Runtime;

/// A tiny deterministic pseudo-random generator (xorshift), so the test needs
/// no extra crate and is reproducible.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn thousand_random_timers_fire_in_deadline_order_and_never_early() {
    let rt = Runtime::new().unwrap();
    let fired: Rc<RefCell<Vec<(Instant, Instant)>>> = Default::default();
    rt.block_on(async {
        let start = Instant::now();
        let mut seed = 0x2545_F491_4F6C_DD1D;
        let mut handles = Vec::new();
        for _ in 0..1_000 {
            // At least 50 ms ahead, so every timer is armed before any fires.
            let deadline = start + Duration::from_millis(50 + xorshift(&mut seed) % 200);
            let fired = fired.clone();
            handles.push(spindle::spawn(async move {
                sleep_until(deadline).await;
                fired.borrow_mut().push((deadline, Instant::now()));
            }));
        }
        for handle in handles {
            handle.await.unwrap();
        }
    });
    let fired = fired.borrow();
    assert_eq!(fired.len(), 1_000);
    for (deadline, at) in fired.iter() {
        assert!(at >= deadline, "fired {:?} early", *deadline - *at);
        // Loose upper bound: a loaded CI machine may be late, never hours.
        assert!(*at - *deadline < Duration::from_secs(5));
    }
    // Deadline order: the wake order follows the deadlines, millisecond by
    // millisecond (timers in the same millisecond may fire in any order).
    for pair in fired.windows(2) {
        let (a, b) = (pair[0].0, pair[1].0);
        assert!(
            b + Duration::from_millis(1) >= a,
            "a timer for {b:?} fired after one for {a:?}"
        );
    }
    // Every deadline was in the future when first polled: all were armed.
    assert_eq!(rt.metrics().timers_fired, 1_000);
}

#[test]
fn sleep_never_ends_early() {
    spindle::block_on(async {
        for ms in [1, 2, 5, 13] {
            let start = Instant::now();
            sleep(Duration::from_millis(ms)).await;
            let elapsed = start.elapsed();
            assert!(
                elapsed >= Duration::from_millis(ms),
                "{elapsed:?} < {ms} ms"
            );
            assert!(elapsed < Duration::from_secs(5));
        }
    });
}

#[test]
fn dropping_a_sleep_cancels_its_timer() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let mut long = sleep(Duration::from_millis(10));
        // Arm it (first poll), then drop it.
        assert!((&mut long).now_or_never().is_none());
        drop(long);
        sleep(Duration::from_millis(30)).await;
    });
    assert_eq!(rt.metrics().timers_fired, 1, "only the 30 ms sleep fired");
}

#[test]
fn reset_moves_the_deadline_later_and_earlier() {
    spindle::block_on(async {
        let start = Instant::now();
        let mut s = sleep(Duration::from_millis(5));
        assert!((&mut s).now_or_never().is_none()); // armed
        s.reset(start + Duration::from_millis(40));
        (&mut s).await;
        assert!(start.elapsed() >= Duration::from_millis(40));

        let start = Instant::now();
        let mut s = sleep(Duration::from_secs(3600));
        assert!((&mut s).now_or_never().is_none());
        s.reset(start + Duration::from_millis(10));
        (&mut s).await;
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(10) && elapsed < Duration::from_secs(5));
    });
}

#[test]
fn timeout_returns_the_output_or_elapsed() {
    spindle::block_on(async {
        let ok = timeout(Duration::from_secs(5), async {
            sleep(Duration::from_millis(1)).await;
            "in time"
        })
        .await;
        assert_eq!(ok, Ok("in time"));

        let start = Instant::now();
        let late = timeout(Duration::from_millis(10), sleep(Duration::from_secs(3600))).await;
        assert!(late.is_err());
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(10) && elapsed < Duration::from_secs(5));
    });
}

/// Blocks the runtime's thread to simulate a task that was busy.
fn busy(d: Duration) {
    std::thread::sleep(d);
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

#[test]
fn interval_burst_catches_up_missed_ticks() {
    spindle::block_on(async {
        let start = Instant::now() + Duration::from_millis(1);
        let mut every = interval_at(start, Duration::from_millis(20));
        every.set_missed_tick_behavior(MissedTickBehavior::Burst);
        assert_eq!(every.tick().await, start);
        busy(Duration::from_millis(70)); // misses the ticks due at 20, 40, 60
        let t = Instant::now();
        let due: Vec<u128> = [every.tick().await, every.tick().await, every.tick().await]
            .iter()
            .map(|d| ms(*d - start))
            .collect();
        assert_eq!(due, [20, 40, 60]);
        assert!(
            t.elapsed() < Duration::from_millis(15),
            "burst ticks come at once"
        );
        assert_eq!(ms(every.tick().await - start), 80);
    });
}

#[test]
fn interval_delay_restarts_from_the_late_tick() {
    spindle::block_on(async {
        let start = Instant::now() + Duration::from_millis(1);
        let mut every = interval_at(start, Duration::from_millis(20));
        every.set_missed_tick_behavior(MissedTickBehavior::Delay);
        every.tick().await;
        busy(Duration::from_millis(50));
        let asked = Instant::now();
        let late = every.tick().await; // due at 20, served at ~50
        assert_eq!(ms(late - start), 20);
        let next = every.tick().await;
        assert!(
            next >= asked + Duration::from_millis(20),
            "delay: a full period after the late tick"
        );
    });
}

#[test]
fn interval_skip_drops_missed_ticks_and_stays_on_the_grid() {
    spindle::block_on(async {
        let start = Instant::now() + Duration::from_millis(1);
        let mut every = interval_at(start, Duration::from_millis(20));
        every.set_missed_tick_behavior(MissedTickBehavior::Skip);
        every.tick().await;
        busy(Duration::from_millis(50));
        assert_eq!(ms(every.tick().await - start), 20);
        let next = ms(every.tick().await - start);
        assert_eq!(next % 20, 0, "on the grid");
        assert!(next >= 60, "missed ticks skipped: {next}");
    });
}

#[test]
fn interval_first_tick_is_immediate() {
    spindle::block_on(async {
        let start = Instant::now();
        let mut every = interval(Duration::from_secs(3600));
        every.tick().await;
        assert!(start.elapsed() < Duration::from_secs(5));
    });
}
