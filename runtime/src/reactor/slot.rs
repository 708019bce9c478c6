//! [`IoSlot`]: the reactor's record of one registered socket, shared by
//! the reactor's slab and the socket: its token, its readiness bits, and
//! the wakers parked on it, any number per direction.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::Waker;
use std::thread::ThreadId;

use mio::Token;

use super::ready::{Direction, Ready};
use crate::executor::context;

/// The reactor's record of one registered socket.
///
/// Shared (`Arc`) between the reactor's slab and the socket's
/// `Registration`, so that a socket is `Send + Sync`.
///
/// # Owner thread only
///
/// The waiters live in plain cells ([`Owned`]), with no lock: the one
/// invariant this type rests on is that **only the thread that built the
/// socket's runtime (`owner`) ever reaches them**. [`IoSlot::owned`] is the
/// only way in, and it checks (one thread-local load and a compare) and
/// panics anywhere else, so the invariant does not depend on the callers
/// being right. They are: the reactor, which lives in the `!Send` core on
/// that thread, and `Registration`, which calls in only after its own
/// runtime check (`registration.rs`, "Outside `block_on`"). A `Runtime` is
/// `!Send`, so its thread never changes. What other threads may read is
/// `token` and `readiness`, an atomic (a socket's `Debug` prints it from
/// anywhere); the last `Arc` may be dropped on any thread, and that drop
/// has the slot to itself.
///
/// Inside the cells no foreign code runs while a borrow is held: a waker
/// replaced or removed is dropped after the borrow ends (its `Drop` may
/// drop a task, and the task a socket), and one that re-entered the slot
/// anyway from its `clone` would meet the `RefCell`'s check, a panic, never
/// two `&mut`.
pub(crate) struct IoSlot {
    /// The token the socket is registered with: slab index and generation.
    pub(crate) token: Token,
    /// What the kernel last reported and no operation has disproved yet,
    /// as `Ready` bits. Set by [`IoDriver::poll`]; cleared by
    /// `Registration::clear`. Written on the owner thread only, read
    /// (`Relaxed`: a plain load) also by `Debug` elsewhere.
    readiness: AtomicU8,
    /// The thread that owns everything in `owned`.
    owner: ThreadId,
    /// The waiters and their bookkeeping, for the owner thread only.
    owned: Owned,
}

/// The part of a slot only its owner thread touches (see [`IoSlot`]).
#[derive(Debug)]
struct Owned {
    /// The tasks waiting to read, and to write: any number of each.
    waiters: RefCell<Waiters>,
    /// The next key handed to a keyed waiter (a `readable()` future); 0 is
    /// the shared key of the `poll_*` calls.
    next_key: Cell<u64>,
    /// One bit per direction (`Direction as u8`): set when a waker is
    /// parked, cleared when an event takes them. Lets an event for a
    /// direction nobody waits on skip the list, which is most events (a
    /// writable edge with no writer waiting). A bit left set by a waiter
    /// that removed itself costs one look at an empty list, nothing more.
    parked: Cell<u8>,
}

impl Owned {
    /// The list half of [`IoSlot::take`].
    #[inline(never)]
    fn take(
        &self,
        direction: Direction,
        into: &mut Vec<Waker>,
        mut tasks: Option<&mut Vec<Option<u64>>>,
    ) {
        let mut waiters = self.waiters.borrow_mut();
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
}

// SAFETY: `IoSlot`'s only non-`Sync` fields are the cells in `owned`, and
// every access to them goes through `IoSlot::owned`, which panics unless
// the calling thread is `owner` ("Owner thread only" on the type). So they
// are only ever used from one thread, as if the slot were not shared.
// Everything in them is `Send` (wakers, integers), which the final drop on
// any thread needs.
unsafe impl Sync for IoSlot {}

impl std::fmt::Debug for IoSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only what any thread may read.
        f.debug_struct("IoSlot")
            .field("token", &self.token)
            .field("readiness", &self.readiness())
            .finish_non_exhaustive()
    }
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
    /// A slot for a socket just registered under `token` by the runtime of
    /// thread `owner`: no readiness yet, nobody waiting.
    pub(super) fn new(token: Token, owner: ThreadId) -> IoSlot {
        IoSlot {
            token,
            readiness: AtomicU8::new(Ready::EMPTY.0),
            owner,
            owned: Owned {
                waiters: RefCell::new(Waiters::default()),
                next_key: Cell::new(1),
                parked: Cell::new(0),
            },
        }
    }

    /// The owner thread's part, on the owner thread (the type's invariant).
    ///
    /// # Panics
    ///
    /// Panics on any other thread: a caller broke the invariant.
    #[inline]
    fn owned(&self) -> &Owned {
        assert!(
            context::is_thread(self.owner),
            "spindle: a socket's waiters were reached from a thread that does not own its runtime"
        );
        &self.owned
    }

    /// The readiness bits.
    #[inline]
    pub(crate) fn readiness(&self) -> Ready {
        Ready(self.readiness.load(Ordering::Relaxed))
    }

    /// Replaces the readiness bits (owner thread only; see the type doc).
    #[inline]
    pub(crate) fn set_readiness(&self, ready: Ready) {
        self.readiness.store(ready.0, Ordering::Relaxed);
    }

    /// A key for a waiter that removes itself when dropped.
    pub(crate) fn new_key(&self) -> u64 {
        let owned = self.owned();
        let key = owned.next_key.get();
        owned.next_key.set(key + 1);
        key
    }

    /// Parks `waker` for `direction` under `key` (0: a `poll_*` caller),
    /// replacing the same waiter's earlier waker.
    #[inline]
    pub(crate) fn park(&self, direction: Direction, key: u64, waker: &Waker, task: Option<u64>) {
        let owned = self.owned();
        owned.parked.set(owned.parked.get() | 1 << direction as u8);
        let mut waiters = owned.waiters.borrow_mut();
        let list = waiters.list(direction);
        let same = |w: &Waiter| {
            if key == 0 {
                w.key == 0 && w.waker.will_wake(waker)
            } else {
                w.key == key
            }
        };
        let replaced = match list.iter_mut().find(|w| same(w)) {
            Some(entry) => {
                entry.task = task;
                if entry.waker.will_wake(waker) {
                    None
                } else {
                    Some(std::mem::replace(&mut entry.waker, waker.clone()))
                }
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
                None
            }
        };
        drop(waiters);
        drop(replaced);
    }

    /// Removes the waiter parked under `key` (its future was dropped).
    pub(crate) fn unpark(&self, direction: Direction, key: u64) {
        let mut waiters = self.owned().waiters.borrow_mut();
        let list = waiters.list(direction);
        let removed = list
            .iter()
            .position(|w| w.key == key)
            .map(|at| list.swap_remove(at));
        drop(waiters);
        drop(removed);
    }

    /// Moves every waiter of `direction` into `into`, with the tasks that
    /// parked them (for the explain trace) into `tasks`.
    /// `tasks` is `None` when the trace is off.
    ///
    /// Inlined into the reactor's dispatch down to the `parked` bit: most
    /// events find no waiter for one of their directions, and the call to
    /// the list's half costs more than that check.
    #[inline(always)]
    pub(super) fn take(
        &self,
        direction: Direction,
        into: &mut Vec<Waker>,
        tasks: Option<&mut Vec<Option<u64>>>,
    ) {
        let owned = self.owned();
        let bit = 1 << direction as u8;
        let parked = owned.parked.get();
        if parked & bit != 0 {
            owned.parked.set(parked & !bit);
            owned.take(direction, into, tasks);
        }
    }
    /// How many waiters are parked for `direction` (tests only).
    #[cfg(test)]
    pub(crate) fn waiting(&self, direction: Direction) -> usize {
        self.owned().waiters.borrow_mut().list(direction).len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn waiters_reached_from_another_thread_panic() {
        let slot = Arc::new(IoSlot::new(Token(7), context::this_thread()));
        assert_eq!(slot.new_key(), 1, "the owner thread may");
        let elsewhere = {
            let slot = slot.clone();
            std::thread::spawn(move || slot.new_key())
        };
        let payload = elsewhere.join().unwrap_err();
        let message = payload.downcast_ref::<&str>().copied().unwrap_or_default();
        assert!(message.contains("does not own its runtime"), "{message}");
        // Readiness is for anyone.
        let slot2 = slot.clone();
        let ready = std::thread::spawn(move || slot2.readiness())
            .join()
            .unwrap();
        assert_eq!(ready, Ready::EMPTY);
        assert_eq!(slot.new_key(), 2);
    }
}
