//! [`IoSlot`]: the reactor's record of one registered socket, shared by
//! the reactor's slab and the socket: its token, its readiness bits, and
//! the wakers parked on it, any number per direction.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;
use std::task::Waker;

use mio::Token;

use super::ready::{Direction, Ready};

/// The reactor's record of one registered socket.
///
/// Shared (`Arc`) between the reactor's slab and the socket's
/// `Registration`, so that a socket is `Send + Sync`. Only the runtime's
/// own thread reads or writes `readiness` and the waiters (every socket
/// operation checks that first, in `registration.rs`), so the atomics are
/// used with `Relaxed` loads and stores: plain moves, no locked
/// instruction on the hot path. The mutex around the waiters is taken only
/// when a task parks or an event wakes, never when an operation finds the
/// socket ready.
#[derive(Debug)]
pub(crate) struct IoSlot {
    /// The token the socket is registered with: slab index and generation.
    pub(crate) token: Token,
    /// What the kernel last reported and no operation has disproved yet,
    /// as `Ready` bits. Set by [`IoDriver::poll`]; cleared by
    /// `Registration::clear`.
    readiness: AtomicU8,
    /// The tasks waiting to read, and to write: any number of each.
    waiters: Mutex<Waiters>,
    /// The next key handed to a keyed waiter (a `readable()` future); 0 is
    /// the shared key of the `poll_*` calls.
    next_key: AtomicU64,
    /// One bit per direction (`Direction as u8`): set when a waker is
    /// parked, cleared when an event takes them. Lets an event for a
    /// direction nobody waits on skip the mutex, which is most events (a
    /// writable edge with no writer waiting). A bit left set by a waiter
    /// that removed itself costs one empty lock, nothing more.
    parked: AtomicU8,
}

/// The wakers parked on one socket, per direction.
///
/// Each entry is `(key, waker, task)`. A future that can remove itself
/// when dropped (`readable()`, `writable()`) parks under a key of its own;
/// the `poll_*` methods, which have nowhere to keep a key, park under key 0
/// and are told apart by `Waker::will_wake`, so a task polling the same
/// socket again replaces its own entry instead of adding one. An event
/// takes every entry of its direction: all the waiting tasks are woken, and
/// each re-parks if it finds the socket drained.
#[derive(Debug, Default)]
struct Waiters {
    /// Parked by tasks waiting to read (or accept, receive, peek).
    read: Vec<Waiter>,
    /// Parked by tasks waiting to write (or connect, send).
    write: Vec<Waiter>,
}

/// One parked waker.
#[derive(Debug)]
struct Waiter {
    /// 0 for `poll_*` callers, else the key of the future that parked it.
    key: u64,
    /// What to wake.
    waker: Waker,
    /// The task that parked it, for the explain trace (`None` when off).
    task: Option<u64>,
}

impl Waiters {
    /// The list for `direction`.
    #[inline]
    fn list(&mut self, direction: Direction) -> &mut Vec<Waiter> {
        match direction {
            Direction::Read => &mut self.read,
            Direction::Write => &mut self.write,
        }
    }
}

impl IoSlot {
    /// A slot for a socket just registered under `token`: no readiness
    /// yet, nobody waiting.
    pub(super) fn new(token: Token) -> IoSlot {
        IoSlot {
            token,
            readiness: AtomicU8::new(Ready::EMPTY.0),
            waiters: Mutex::new(Waiters::default()),
            next_key: AtomicU64::new(1),
            parked: AtomicU8::new(0),
        }
    }

    /// The readiness bits.
    #[inline]
    pub(crate) fn readiness(&self) -> Ready {
        Ready(self.readiness.load(Ordering::Relaxed))
    }

    /// Replaces the readiness bits (runtime thread only; see the type doc).
    #[inline]
    pub(crate) fn set_readiness(&self, ready: Ready) {
        self.readiness.store(ready.0, Ordering::Relaxed);
    }

    /// A key for a waiter that removes itself when dropped.
    pub(crate) fn new_key(&self) -> u64 {
        self.next_key.fetch_add(1, Ordering::Relaxed)
    }

    /// Parks `waker` for `direction` under `key` (0: a `poll_*` caller),
    /// replacing the same waiter's earlier waker.
    #[inline]
    pub(crate) fn park(&self, direction: Direction, key: u64, waker: &Waker, task: Option<u64>) {
        let bit = 1 << direction as u8;
        self.parked
            .store(self.parked.load(Ordering::Relaxed) | bit, Ordering::Relaxed);
        let mut waiters = lock(&self.waiters);
        let list = waiters.list(direction);
        let same = |w: &Waiter| {
            if key == 0 {
                w.key == 0 && w.waker.will_wake(waker)
            } else {
                w.key == key
            }
        };
        match list.iter_mut().find(|w| same(w)) {
            Some(entry) => {
                if !entry.waker.will_wake(waker) {
                    entry.waker = waker.clone();
                }
                entry.task = task;
            }
            None => {
                // Room for one: most sockets never have a second waiter,
                // and an idle connection keeps this allocation while it
                // waits (a plain `push` would reserve four).
                if list.capacity() == 0 {
                    list.reserve_exact(1);
                }
                list.push(Waiter {
                    key,
                    waker: waker.clone(),
                    task,
                });
            }
        }
    }

    /// Removes the waiter parked under `key` (its future was dropped).
    pub(crate) fn unpark(&self, direction: Direction, key: u64) {
        let mut waiters = lock(&self.waiters);
        waiters.list(direction).retain(|w| w.key != key);
    }

    /// Moves every waiter of `direction` into `into`, with the tasks that
    /// parked them (for the explain trace) into `tasks`.
    /// `tasks` is `None` when the trace is off.
    #[inline]
    pub(super) fn take(
        &self,
        direction: Direction,
        into: &mut Vec<Waker>,
        mut tasks: Option<&mut Vec<Option<u64>>>,
    ) {
        let bit = 1 << direction as u8;
        let parked = self.parked.load(Ordering::Relaxed);
        if parked & bit == 0 {
            return;
        }
        self.parked.store(parked & !bit, Ordering::Relaxed);
        let mut waiters = lock(&self.waiters);
        let list = waiters.list(direction);
        if list.len() <= 1 {
            // The common cases: one waiter (or none left), no `Drain`.
            if let Some(waiter) = list.pop() {
                into.push(waiter.waker);
                if let Some(tasks) = tasks {
                    tasks.push(waiter.task);
                }
            }
            return;
        }
        for waiter in list.drain(..) {
            into.push(waiter.waker);
            if let Some(tasks) = tasks.as_deref_mut() {
                tasks.push(waiter.task);
            }
        }
    }

    /// How many waiters are parked for `direction` (tests only).
    #[cfg(test)]
    pub(crate) fn waiting(&self, direction: Direction) -> usize {
        lock(&self.waiters).list(direction).len()
    }
}

/// Locks a slot's waiters. Nothing panics while holding the lock (it only
/// moves wakers in and out of `Vec`s), so poisoning is ignored.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
