//! The loop: [`Core::run`] alternates step 1 (`poll.rs`: poll what is
//! runnable) with steps 2 and 3 here: drain wakes from other threads,
//! poll the reactor (blocking only when nothing is runnable), dispatch the
//! signal pipe, then fire due timers and wake the tasks that yielded. The
//! hosted loop (`tokio/host.rs`) calls the same pieces, one turn per poll
//! of its host future.

use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::time::{Duration, Instant};

use super::metrics::Counters;
use super::{Core, MainTask};
use crate::explain;
use crate::reactor::SIGNAL_TOKEN;
use crate::task::waker::Inbox;

impl Core {
    /// The loop: runs `future` and the tasks until `future` completes.
    /// `called_at` is where `block_on` was called, for stall reports.
    pub(super) fn run<F: Future>(
        &self,
        future: F,
        called_at: &'static Location<'static>,
    ) -> F::Output {
        let future = pin!(future);
        let mut main = MainTask::new(self, future, called_at);
        loop {
            // Step 1.
            if let Some(output) = self.run_batch(&mut main) {
                return output;
            }
            // Steps 2 and 3.
            self.turn();
        }
    }
    /// Steps 2 and 3 of the loop: one reactor turn, then timers and
    /// yielded tasks. Blocks in the kernel when nothing is runnable.
    fn turn(&self) {
        // Step 2: wakes from other threads, then the kernel.
        self.drain_remote();
        let timeout = if self.has_runnable() {
            Some(Duration::ZERO)
        } else {
            self.timers.borrow_mut().next_timeout(Instant::now())
        };
        self.turn_with(timeout, true);
    }

    /// Whether a task is waiting to be polled: on the run queue, or
    /// yielded and due again after this turn.
    pub(crate) fn has_runnable(&self) -> bool {
        !self.run_queue.borrow().is_empty() || !self.deferred.borrow().is_empty()
    }

    /// The body of a turn: polls the reactor with `timeout` (`None`: until
    /// an event) unless `poll_io` is false (a hosted turn whose poller has
    /// nothing to report), then fires due timers and wakes the tasks that
    /// yielded. Returns the number of events the reactor reported.
    pub(crate) fn turn_with(&self, timeout: Option<Duration>, poll_io: bool) -> usize {
        let mut signalled = false;
        let events = if poll_io {
            self.poll_io(timeout, &mut signalled)
        } else {
            0
        };
        #[cfg(unix)]
        if signalled {
            if let Some(signals) = self.signals.borrow().clone() {
                signals.dispatch();
            }
        }
        self.drain_remote();
        self.fire_timers_and_yields();
        events
    }

    /// Step 2's kernel half: one `mio::Poll::poll`, counted and narrated.
    /// Sets `signalled` if the signal pipe had an event.
    fn poll_io(&self, timeout: Option<Duration>, signalled: &mut bool) -> usize {
        if self.explain_on {
            explain::block(
                &self.explain,
                timeout,
                self.run_queue.borrow().len() + self.deferred.borrow().len(),
                self.io.registrations(),
            );
        }
        Counters::add(&self.counters.reactor_turns, 1);
        if timeout != Some(Duration::ZERO) {
            Counters::add(&self.counters.reactor_blocked_turns, 1);
        }
        self.io.poll(timeout, &self.counters, |token, _| {
            *signalled |= token == SIGNAL_TOKEN;
        })
    }

    /// Step 3: due timers, then the tasks that yielded. One buffer, kept
    /// between turns, collects both so no turn allocates.
    fn fire_timers_and_yields(&self) {
        let mut to_wake = std::mem::take(&mut *self.to_wake.borrow_mut());
        {
            let mut timers = self.timers.borrow_mut();
            // No armed timer: skip reading the clock.
            if timers.next_tick().is_some() {
                let now = timers.now_tick(Instant::now());
                let count = timers.advance(now, &mut to_wake);
                Counters::add(&self.counters.timers_fired, count as u64);
            }
        }
        to_wake.append(&mut self.deferred.borrow_mut());
        for waker in &to_wake {
            waker.wake_by_ref();
        }
        to_wake.clear();
        *self.to_wake.borrow_mut() = to_wake;
    }

    /// Moves tasks woken from other threads onto the run queue.
    #[inline]
    fn drain_remote(&self) {
        if self.shared.has_remote_wakes() {
            self.drain_remote_slow();
        }
    }

    /// The work of [`drain_remote`](Self::drain_remote), out of line: most
    /// turns have nothing from other threads.
    #[inline(never)]
    fn drain_remote_slow(&self) {
        let before = if self.explain_on {
            self.run_queue.borrow().len()
        } else {
            0
        };
        self.shared.drain_remote(&mut *self.run_queue.borrow_mut());
        if self.explain_on {
            let run_queue = self.run_queue.borrow();
            explain::remote_wakes(&self.explain, run_queue.iter().skip(before).map(|t| t.id));
        }
        for work in self.shared.take_inbox() {
            match work {
                Inbox::Io(token) => self.io.release(token),
                Inbox::Timer(key) => self.timers.borrow_mut().cancel(key),
                Inbox::Spawn(spawn) => spawn(self),
            }
        }
    }
}
