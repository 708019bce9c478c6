//! `Interval`: a timer that ticks every period.
//!
//! An interval is a [`Sleep`] that resets itself after each tick. What it
//! does when ticks were missed (the task was busy, or the machine asleep) is
//! chosen with [`MissedTickBehavior`].

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::time::sleep::{far_future, sleep_until, Sleep};

/// Creates an interval whose first tick completes at once and then every
/// `period`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// spindle::block_on(async {
///     let start = Instant::now();
///     let mut every = spindle::time::interval(Duration::from_millis(10));
///     every.tick().await; // at once
///     every.tick().await; // 10 ms later
///     every.tick().await; // 20 ms later
///     assert!(start.elapsed() >= Duration::from_millis(20));
/// });
/// ```
///
/// # Panics
///
/// Panics if `period` is zero.
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Creates an interval whose first tick completes at `start`, then every
/// `period`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// spindle::block_on(async {
///     let start = Instant::now() + Duration::from_millis(5);
///     let mut every = spindle::time::interval_at(start, Duration::from_millis(5));
///     assert_eq!(every.tick().await, start);
/// });
/// ```
///
/// # Panics
///
/// Panics if `period` is zero.
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "spindle::time::interval: the period must be greater than zero"
    );
    Interval {
        sleep: sleep_until(start),
        period,
        missed: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does when ticks were missed.
///
/// Say the period is 10 ms, ticks are due at 0, 10, 20, 30, 40 ms, and the
/// task only asks for the tick due at 10 ms at 35 ms.
///
/// # Examples
///
/// ```
/// use spindle::time::MissedTickBehavior;
///
/// let mut every = spindle::time::interval(std::time::Duration::from_millis(10));
/// every.set_missed_tick_behavior(MissedTickBehavior::Skip);
/// assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Skip);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Catch up: the ticks due at 20 and 30 ms complete at once, one after
    /// the other, then 40 ms is back on schedule. The default.
    #[default]
    Burst,
    /// Start over from now: the next tick is due at 35 + 10 = 45 ms, then
    /// every 10 ms from there.
    Delay,
    /// Drop the missed ticks and stay on the grid: the next tick is due at
    /// 40 ms.
    Skip,
}

impl MissedTickBehavior {
    /// The deadline of the tick after one that was due at `due`, when it
    /// completed at `now`.
    fn next(self, due: Instant, now: Instant, period: Duration) -> Instant {
        let on_time = due.checked_add(period).unwrap_or_else(|| far_future(due));
        if now < on_time {
            return on_time;
        }
        match self {
            MissedTickBehavior::Burst => on_time,
            MissedTickBehavior::Delay => now + period,
            MissedTickBehavior::Skip => {
                let behind = now.duration_since(due).as_nanos();
                let periods = behind / period.as_nanos() + 1;
                let skip = Duration::from_nanos(
                    u64::try_from(periods.saturating_mul(period.as_nanos())).unwrap_or(u64::MAX),
                );
                due.checked_add(skip).unwrap_or_else(|| far_future(due))
            }
        }
    }
}

/// A stream of ticks, one per period; see [`interval`].
///
/// It also implements [`futures::Stream`], yielding the deadline of each
/// tick.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use std::time::Duration;
///
/// spindle::block_on(async {
///     let ticks = spindle::time::interval(Duration::from_millis(1)).take(3);
///     assert_eq!(ticks.count().await, 3);
/// });
/// ```
#[derive(Debug)]
pub struct Interval {
    /// Sleeps until the next tick is due; its deadline is that tick's.
    sleep: Sleep,
    /// Time between ticks.
    period: Duration,
    /// What to do after missed ticks.
    missed: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was due.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut every = spindle::time::interval(std::time::Duration::from_millis(1));
    ///     let first = every.tick().await;
    ///     let second = every.tick().await;
    ///     assert_eq!(second - first, std::time::Duration::from_millis(1));
    /// });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; the building block of [`tick`](Self::tick)
    /// for hand-written futures.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    ///
    /// spindle::block_on(async {
    ///     let mut every = spindle::time::interval(std::time::Duration::from_millis(1));
    ///     poll_fn(|cx| every.poll_tick(cx)).await;
    /// });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let due = self.sleep.deadline();
        let next = self.missed.next(due, Instant::now(), self.period);
        self.sleep.reset(next);
        Poll::Ready(due)
    }

    /// Sets what happens after missed ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut every = spindle::time::interval(std::time::Duration::from_secs(1));
    /// every.set_missed_tick_behavior(spindle::time::MissedTickBehavior::Delay);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed = behavior;
    }

    /// The current missed-tick behaviour.
    ///
    /// # Examples
    ///
    /// ```
    /// let every = spindle::time::interval(std::time::Duration::from_secs(1));
    /// assert_eq!(every.missed_tick_behavior(), spindle::time::MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed
    }

    /// The period between ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let every = spindle::time::interval(Duration::from_secs(2));
    /// assert_eq!(every.period(), Duration::from_secs(2));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Makes the next tick due one period from now.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut every = spindle::time::interval(std::time::Duration::from_secs(1));
    /// every.reset();
    /// ```
    pub fn reset(&mut self) {
        self.sleep.reset(Instant::now() + self.period);
    }
}

impl futures::Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Duration = Duration::from_millis(10);

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn on_time_ticks_follow_the_grid_whatever_the_behaviour() {
        let t0 = Instant::now();
        for b in [
            MissedTickBehavior::Burst,
            MissedTickBehavior::Delay,
            MissedTickBehavior::Skip,
        ] {
            assert_eq!(b.next(at(t0, 10), at(t0, 12), P), at(t0, 20));
        }
    }

    #[test]
    fn late_ticks_follow_each_behaviour() {
        let t0 = Instant::now();
        let (due, now) = (at(t0, 10), at(t0, 35));
        assert_eq!(MissedTickBehavior::Burst.next(due, now, P), at(t0, 20));
        assert_eq!(MissedTickBehavior::Delay.next(due, now, P), at(t0, 45));
        assert_eq!(MissedTickBehavior::Skip.next(due, now, P), at(t0, 40));
    }
}
