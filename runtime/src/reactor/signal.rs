//! The signal driver: one runtime's signal-hook self-pipe, registered with
//! the reactor under `SIGNAL_TOKEN`, and the delivery count and parked
//! listeners of each signal. The loop calls [`SignalDriver::dispatch`] when
//! the pipe has an event; [`Signal`](crate::signal::Signal) (`signal.rs`,
//! the public side) reads the counts and parks its waker here. Signals are
//! named by their raw number, so this file knows nothing of the public
//! types.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::rc::Rc;
use std::task::Waker;

use mio::Interest;
use signal_hook_mio::v1_0::Signals;

use crate::explain::{self, Explain};
use crate::reactor::SIGNAL_TOKEN;

/// What the driver knows about one signal.
#[derive(Debug, Default)]
struct Deliveries {
    /// How many times the loop saw it delivered.
    count: u64,
    /// Listeners waiting for the next delivery; all woken on one.
    waiters: Vec<Waker>,
}

/// One runtime's signal machinery: the registered self-pipe and the
/// per-signal delivery counts. Created by the first
/// [`signal`](crate::signal::signal) call.
pub(crate) struct SignalDriver {
    /// signal-hook's self-pipe, registered with the reactor under
    /// `SIGNAL_TOKEN`; drained by `dispatch`.
    signals: RefCell<Signals>,
    /// The reactor's registry, to re-arm the pipe after each drain.
    registry: mio::Registry,
    /// Delivery counts and parked listeners, by signal number.
    deliveries: RefCell<HashMap<i32, Deliveries>>,
    /// The runtime's explain trace: who waits for which signal, and which
    /// deliveries woke how many listeners.
    explain: Rc<Explain>,
}

impl SignalDriver {
    /// Creates the self-pipe (listening to no signal yet) and registers it.
    pub(crate) fn new(registry: &mio::Registry, explain: Rc<Explain>) -> io::Result<SignalDriver> {
        let mut signals = Signals::new(std::iter::empty::<i32>())?;
        registry.register(&mut signals, SIGNAL_TOKEN, Interest::READABLE)?;
        Ok(SignalDriver {
            signals: RefCell::new(signals),
            registry: registry.try_clone()?,
            deliveries: RefCell::new(HashMap::new()),
            explain,
        })
    }

    /// Installs the handler for signal `signum`, once.
    pub(crate) fn listen(&self, signum: i32) -> io::Result<()> {
        let mut deliveries = self.deliveries.borrow_mut();
        if deliveries.contains_key(&signum) {
            return Ok(());
        }
        // signal-hook panics, rather than erroring, for the forbidden
        // signals; check first so the caller gets an error.
        if signal_hook::consts::FORBIDDEN.contains(&signum) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("signal {} cannot be listened for", signum),
            ));
        }
        self.signals
            .borrow()
            .add_signal(signum)
            .map_err(|err| io::Error::new(err.kind(), format!("signal {}: {err}", signum)))?;
        deliveries.insert(signum, Deliveries::default());
        Ok(())
    }

    /// Deliveries of signal `signum` seen so far.
    pub(crate) fn count(&self, signum: i32) -> u64 {
        self.deliveries.borrow().get(&signum).map_or(0, |d| d.count)
    }

    /// Parks a listener's waker until the next delivery of signal `signum`.
    pub(crate) fn park(&self, signum: i32, waker: &Waker) {
        let mut deliveries = self.deliveries.borrow_mut();
        let waiters = &mut deliveries.entry(signum).or_default().waiters;
        if !waiters.iter().any(|w| w.will_wake(waker)) {
            waiters.push(waker.clone());
        }
        if self.explain.on {
            explain::signal_wait(&self.explain, signum);
        }
    }

    /// Drains the self-pipe after a `SIGNAL_TOKEN` event: counts each
    /// delivered signal and wakes its listeners. Called by the loop.
    pub(crate) fn dispatch(&self) {
        let mut to_wake = Vec::new();
        {
            let mut signals = self.signals.borrow_mut();
            let mut deliveries = self.deliveries.borrow_mut();
            for signum in signals.pending() {
                let entry = deliveries.entry(signum).or_default();
                entry.count += 1;
                if self.explain.on {
                    explain::signal_delivered(&self.explain, signum, entry.waiters.len());
                }
                to_wake.append(&mut entry.waiters);
            }
            // signal-hook reads the pipe itself, not through mio, so mio's
            // `poll(2)` backend never sees the `WouldBlock` that re-arms an
            // fd. Re-arm explicitly; signals are rare, so the extra
            // `epoll_ctl` on the other backends costs nothing that matters.
            let _ = self
                .registry
                .reregister(&mut *signals, SIGNAL_TOKEN, Interest::READABLE);
        }
        to_wake.into_iter().for_each(Waker::wake);
    }
}

impl fmt::Debug for SignalDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalDriver")
            .field("deliveries", &self.deliveries.borrow())
            .finish_non_exhaustive()
    }
}
