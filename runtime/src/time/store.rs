//! The timer store: which timers exist, and which one is due next.
//!
//! Time is counted in whole milliseconds ("ticks") since the runtime was
//! built. A deadline is rounded **up** to a tick and the current time
//! **down**, so a timer never fires before its deadline.
//!
//! The store is a binary min-heap of `(tick, seq, slot)` entries over a slab
//! of timer slots. Cancelling removes the slot and leaves its heap entry
//! behind; the entry is recognised as stale when it reaches the top (its
//! `seq` no longer matches a live slot) and dropped then. Resetting a timer
//! to a *later* deadline — what a server's idle timeout does on every
//! request — only writes the new tick into the slot: when the old entry
//! comes up, it is pushed again at the new tick. So the hot reset is O(1),
//! arm and cancel are O(log n), and when stale entries outnumber live ones
//! the heap is rebuilt so that memory stays proportional to live timers.
//!
//! tokio uses a hierarchical timing wheel with intrusive lists instead: O(1)
//! for everything, at the cost of unsafe pointer juggling this file avoids.
//!
//! # Invariants
//!
//! - An armed slot has exactly one *canonical* heap entry: the one whose
//!   `seq` equals the slot's and whose tick equals the slot's `queued`. Its
//!   tick is never later than the slot's deadline tick.
//! - A slot fires only when the current tick has reached its deadline tick.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::rc::Rc;
use std::task::Waker;
use std::time::{Duration, Instant};

use slab::Slab;

use crate::explain::{self, Explain};

/// Names a timer in the store: slab slot plus the sequence number that
/// tells it from a later timer in the same slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerKey {
    /// Index of the slot in `TimerStore::slots`.
    index: usize,
    /// Unique per timer; heap entries carry it too.
    seq: u64,
}

/// One timer.
#[derive(Debug)]
struct Slot {
    /// This timer's sequence number (see [`TimerKey`]).
    seq: u64,
    /// The deadline, in ticks. Written by `insert` and `reset`.
    deadline: u64,
    /// The tick of the canonical heap entry, or `None` once fired.
    queued: Option<u64>,
    /// The waker to wake when the timer fires; updated by `poll`.
    waker: Option<Waker>,
    /// The task that left `waker`, for the explain trace; written with the
    /// waker, only while the trace is on.
    task: Option<u64>,
}

/// All timers of one runtime.
#[derive(Debug)]
pub(crate) struct TimerStore {
    /// Tick zero.
    origin: Instant,
    /// The latest tick passed to `advance`; timers at or before it have fired.
    now: u64,
    /// Min-heap of `(tick, seq, index)`, some of them stale.
    heap: BinaryHeap<Reverse<(u64, u64, usize)>>,
    /// Live timers.
    slots: Slab<Slot>,
    /// The next sequence number to hand out.
    next_seq: u64,
    /// The runtime's explain trace: names the task that parks a waker here
    /// and narrates the timers that fire.
    explain: Rc<Explain>,
    /// The host runtime's waker while a hosted loop is idle (feature
    /// `tokio`, `tokio/host.rs`): a timer armed or moved from a tokio task
    /// then wakes the host, which re-arms its tokio timer for the new
    /// deadline. Set by `Core::set_host_waker`, taken by the first arm.
    #[cfg(feature = "tokio")]
    pub(crate) host_waker: Option<Waker>,
}

impl TimerStore {
    /// The extra heap entries tolerated before a rebuild, so small stores
    /// never bother.
    const REBUILD_SLACK: usize = 64;

    /// Creates an empty store whose tick zero is `origin`, with the
    /// explain trace off.
    #[cfg(test)]
    pub(crate) fn new(origin: Instant) -> TimerStore {
        TimerStore::with_explain(origin, Rc::new(Explain::new(false)))
    }

    /// Creates an empty store whose tick zero is `origin`, narrating into
    /// `explain`.
    pub(crate) fn with_explain(origin: Instant, explain: Rc<Explain>) -> TimerStore {
        TimerStore {
            origin,
            now: 0,
            heap: BinaryHeap::new(),
            slots: Slab::new(),
            next_seq: 0,
            explain,
            #[cfg(feature = "tokio")]
            host_waker: None,
        }
    }

    /// Takes the waker of every armed timer: the runtime is shutting down,
    /// and whoever waits on one of its timers must be told (its next poll
    /// panics with a message saying the runtime is gone).
    pub(crate) fn take_all_wakers(&mut self, into: &mut Vec<Waker>) {
        for (_, slot) in self.slots.iter_mut() {
            into.extend(slot.waker.take());
        }
    }

    /// The tick at or after `deadline` (rounded up: never early).
    pub(crate) fn deadline_tick(&self, deadline: Instant) -> u64 {
        let nanos = deadline.saturating_duration_since(self.origin).as_nanos();
        u64::try_from(nanos.div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }

    /// The tick that `now` falls in (rounded down).
    #[inline]
    pub(crate) fn now_tick(&self, now: Instant) -> u64 {
        let millis = now.saturating_duration_since(self.origin).as_millis();
        u64::try_from(millis).unwrap_or(u64::MAX)
    }

    /// The last tick the store advanced to.
    pub(crate) fn current_tick(&self) -> u64 {
        self.now
    }

    /// Arms a timer for `deadline` ticks.
    pub(crate) fn insert(&mut self, deadline: u64, waker: Waker) -> TimerKey {
        #[cfg(feature = "tokio")]
        self.wake_host();
        let seq = self.next_seq;
        self.next_seq += 1;
        let task = if self.explain.on {
            self.explain_wait(deadline)
        } else {
            None
        };
        let index = self.slots.insert(Slot {
            seq,
            deadline,
            queued: Some(deadline),
            waker: Some(waker),
            task,
        });
        self.heap.push(Reverse((deadline, seq, index)));
        TimerKey { index, seq }
    }

    /// Moves a timer's deadline, re-arming it if it had fired.
    pub(crate) fn reset(&mut self, key: TimerKey, deadline: u64) {
        #[cfg(feature = "tokio")]
        self.wake_host();
        let Some(slot) = self.slot_mut(key) else {
            return;
        };
        slot.deadline = deadline;
        match slot.queued {
            // Later (or equal): the canonical entry surfaces first and is
            // pushed again then. Nothing to do now.
            Some(queued) if queued <= deadline => {}
            // Earlier, or fired: queue a new canonical entry.
            _ => {
                slot.queued = Some(deadline);
                self.heap.push(Reverse((deadline, key.seq, key.index)));
                self.maybe_rebuild();
            }
        }
    }

    /// Removes a timer; its heap entry goes stale.
    pub(crate) fn cancel(&mut self, key: TimerKey) {
        if self.slot_mut(key).is_some() {
            self.slots.remove(key.index);
            self.maybe_rebuild();
        }
    }

    /// Whether the timer fired; if not, remembers `waker` to wake when it
    /// does.
    pub(crate) fn poll(&mut self, key: TimerKey, waker: &Waker) -> bool {
        let Some(slot) = self.slot_mut(key) else {
            return true;
        };
        if slot.queued.is_none() {
            return true;
        }
        match &mut slot.waker {
            Some(old) if old.will_wake(waker) => {}
            other => *other = Some(waker.clone()),
        }
        let deadline = slot.deadline;
        if self.explain.on {
            let task = self.explain_wait(deadline);
            if let Some(slot) = self.slot_mut(key) {
                slot.task = task;
            }
        }
        false
    }

    /// Explain trace: says that the task being polled waits for a timer at
    /// `deadline` ticks, and returns that task for the slot.
    #[cold]
    #[inline(never)]
    fn explain_wait(&self, deadline: u64) -> Option<u64> {
        let left = Duration::from_millis(deadline).saturating_sub(self.origin.elapsed());
        explain::wait_timer(&self.explain, left)
    }

    /// Whether the timer fired (without touching its waker).
    pub(crate) fn is_fired(&self, key: TimerKey) -> bool {
        match self.slots.get(key.index) {
            Some(slot) if slot.seq == key.seq => slot.queued.is_none(),
            _ => true,
        }
    }

    /// Advances the clock to tick `now` and fires every due timer, pushing
    /// its waker onto `fired`. Returns how many timers fired.
    pub(crate) fn advance(&mut self, now: u64, fired: &mut Vec<Waker>) -> usize {
        self.now = self.now.max(now);
        let mut count = 0;
        while let Some(&Reverse((tick, seq, index))) = self.heap.peek() {
            if tick > self.now {
                break;
            }
            self.heap.pop();
            let Some(slot) = self.slots.get_mut(index) else {
                continue;
            };
            if slot.seq != seq || slot.queued != Some(tick) {
                continue; // stale: cancelled, or superseded by a reset
            }
            if slot.deadline > self.now {
                // Reset to later since it was queued: queue it again.
                slot.queued = Some(slot.deadline);
                self.heap.push(Reverse((slot.deadline, seq, index)));
                continue;
            }
            slot.queued = None;
            count += 1;
            if self.explain.on {
                explain::timer_fired(&self.explain, slot.waker.is_some(), slot.task);
            }
            fired.extend(slot.waker.take());
        }
        count
    }

    /// The earliest tick at which a timer may fire, dropping stale entries
    /// from the top of the heap on the way.
    #[inline]
    pub(crate) fn next_tick(&mut self) -> Option<u64> {
        while let Some(&Reverse((tick, seq, index))) = self.heap.peek() {
            match self.slots.get(index) {
                Some(slot) if slot.seq == seq && slot.queued == Some(tick) => return Some(tick),
                _ => {
                    self.heap.pop();
                }
            }
        }
        None
    }

    /// How long the loop may sleep from `now` before the next timer is due;
    /// `None` when no timer is armed.
    #[inline]
    pub(crate) fn next_timeout(&mut self, now: Instant) -> Option<Duration> {
        let tick = self.next_tick()?;
        let at = self
            .origin
            .checked_add(Duration::from_millis(tick))
            .unwrap_or(now + Duration::from_secs(86_400 * 365));
        Some(at.saturating_duration_since(now))
    }

    /// Wakes an idle host loop: the next deadline may have moved.
    #[cfg(feature = "tokio")]
    #[inline]
    fn wake_host(&mut self) {
        if let Some(waker) = self.host_waker.take() {
            waker.wake();
        }
    }

    /// The slot named by `key`, if that timer still exists.
    fn slot_mut(&mut self, key: TimerKey) -> Option<&mut Slot> {
        self.slots.get_mut(key.index).filter(|s| s.seq == key.seq)
    }

    /// Rebuilds the heap from the live slots when stale entries pile up.
    fn maybe_rebuild(&mut self) {
        if self.heap.len() <= 2 * self.slots.len() + Self::REBUILD_SLACK {
            return;
        }
        let live = self.slots.iter_mut().filter_map(|(index, slot)| {
            let tick = slot.queued?;
            Some(Reverse((tick, slot.seq, index)))
        });
        self.heap = live.collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    /// A waker that counts its wakes.
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    #[test]
    fn deadlines_round_up_and_now_rounds_down() {
        let origin = Instant::now();
        let store = TimerStore::new(origin);
        let d = origin + Duration::from_micros(1500);
        assert_eq!(store.deadline_tick(d), 2);
        assert_eq!(store.now_tick(d), 1);
        assert_eq!(store.deadline_tick(origin + Duration::from_millis(3)), 3);
    }

    #[test]
    fn fires_in_deadline_order_and_only_when_due() {
        let mut store = TimerStore::new(Instant::now());
        let (a, wa) = waker();
        let (b, wb) = waker();
        let ka = store.insert(10, wa);
        let kb = store.insert(5, wb);
        let mut fired = Vec::new();
        assert_eq!(store.advance(4, &mut fired), 0);
        assert_eq!(store.advance(5, &mut fired), 1);
        fired.drain(..).for_each(Waker::wake);
        assert_eq!(b.0.load(Ordering::SeqCst), 1);
        assert!(store.is_fired(kb) && !store.is_fired(ka));
        assert_eq!(store.next_tick(), Some(10));
        assert_eq!(store.advance(10, &mut fired), 1);
        fired.drain(..).for_each(Waker::wake);
        assert_eq!(a.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn reset_later_moves_the_deadline_without_a_new_entry() {
        let mut store = TimerStore::new(Instant::now());
        let (_c, w) = waker();
        let k = store.insert(5, w);
        store.reset(k, 50);
        assert_eq!(store.heap.len(), 1);
        let mut fired = Vec::new();
        assert_eq!(store.advance(5, &mut fired), 0);
        assert_eq!(store.next_tick(), Some(50));
        assert_eq!(store.advance(50, &mut fired), 1);
    }

    #[test]
    fn reset_earlier_and_after_firing_rearms() {
        let mut store = TimerStore::new(Instant::now());
        let (_c, w) = waker();
        let k = store.insert(50, w);
        store.reset(k, 5);
        let mut fired = Vec::new();
        assert_eq!(store.advance(5, &mut fired), 1);
        assert!(store.is_fired(k));
        store.reset(k, 8);
        assert!(!store.is_fired(k));
        assert_eq!(store.advance(7, &mut fired), 0);
        assert_eq!(
            store.advance(50, &mut fired),
            1,
            "the stale tick-50 entry must not fire again"
        );
    }

    #[test]
    fn cancelled_timers_never_fire_and_stale_entries_are_compacted() {
        let mut store = TimerStore::new(Instant::now());
        for i in 0..10_000 {
            let (_c, w) = waker();
            let k = store.insert(1_000 + i, w);
            store.cancel(k);
        }
        assert!(store.heap.len() <= TimerStore::REBUILD_SLACK + 1);
        let mut fired = Vec::new();
        assert_eq!(store.advance(u64::MAX, &mut fired), 0);
        assert_eq!(store.next_tick(), None);
    }

    /// One step of a random timer workload.
    #[derive(Debug, Clone)]
    enum Op {
        Insert(u64),
        Reset(usize, u64),
        Cancel(usize),
        Advance(u64),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (0u64..200).prop_map(Op::Insert),
            (any::<usize>(), 0u64..200).prop_map(|(i, d)| Op::Reset(i, d)),
            any::<usize>().prop_map(Op::Cancel),
            (0u64..50).prop_map(Op::Advance),
        ]
    }

    proptest::proptest! {
        /// Any sequence of insert / reset / cancel / advance fires exactly
        /// the due timers, each once, in deadline order, compared against a
        /// plain model (a list of live timers).
        #[test]
        fn fires_exactly_the_due_timers_in_order(ops in proptest::collection::vec(op(), 1..200)) {
            let mut store = TimerStore::new(Instant::now());
            // The model: (key, deadline, fired) of every live timer.
            let mut model: Vec<(TimerKey, u64, bool)> = Vec::new();
            let mut now = 0u64;
            for op in ops {
                match op {
                    Op::Insert(d) => {
                        let deadline = now + d;
                        let (_c, w) = waker();
                        model.push((store.insert(deadline, w), deadline, false));
                    }
                    Op::Reset(i, d) if !model.is_empty() => {
                        let i = i % model.len();
                        let deadline = now + d;
                        store.reset(model[i].0, deadline);
                        model[i].1 = deadline;
                        model[i].2 = false;
                    }
                    Op::Cancel(i) if !model.is_empty() => {
                        let (key, _, _) = model.remove(i % model.len());
                        store.cancel(key);
                    }
                    Op::Advance(by) => {
                        now += by;
                        let mut fired = Vec::new();
                        let count = store.advance(now, &mut fired);
                        let mut expected: Vec<u64> = model
                            .iter_mut()
                            .filter(|(_, deadline, fired)| !*fired && *deadline <= now)
                            .map(|(_, deadline, fired)| {
                                *fired = true;
                                *deadline
                            })
                            .collect();
                        expected.sort_unstable();
                        proptest::prop_assert_eq!(count, expected.len());
                        // A timer reset after it fired has no waker until it
                        // is polled again, so wakers can be fewer.
                        proptest::prop_assert!(fired.len() <= expected.len());
                    }
                    _ => {}
                }
                for (key, deadline, fired) in &model {
                    proptest::prop_assert_eq!(store.is_fired(*key), *fired, "deadline {}", deadline);
                }
            }
        }

        /// Fired timers come out of one `advance` in deadline order.
        #[test]
        fn one_advance_fires_in_deadline_order(deadlines in proptest::collection::vec(0u64..100, 1..100)) {
            let mut store = TimerStore::new(Instant::now());
            let order = Arc::new(std::sync::Mutex::new(Vec::new()));
            for &d in &deadlines {
                struct Record(u64, Arc<std::sync::Mutex<Vec<u64>>>);
                impl Wake for Record {
                    fn wake(self: Arc<Self>) {
                        self.1.lock().unwrap().push(self.0);
                    }
                }
                store.insert(d, Waker::from(Arc::new(Record(d, order.clone()))));
            }
            let mut fired = Vec::new();
            store.advance(1_000, &mut fired);
            fired.into_iter().for_each(Waker::wake);
            let order = order.lock().unwrap().clone();
            let mut sorted = deadlines.clone();
            sorted.sort_unstable();
            proptest::prop_assert_eq!(order, sorted);
        }
    }
}
