//! The per-thread scratch buffer, and the per-thread spare `Vec`s.
//!
//! A connection that closes reads and drops what its client still sends
//! (the "lingering close" of `http/connection.rs`), and the echo handler
//! writes what it reads straight back, copying out only what the socket
//! would not take: neither keeps what it read, so they read
//! into this thread's single 16 KiB scratch buffer with a non-blocking
//! `try_read`, without an `.await` in between, and the next connection
//! to read on this thread reuses it. (HTTP requests are read into a
//! buffer the requests then own, `http/buffer.rs`.)
//!
//! A batch of requests and their responses also works in per-thread
//! buffers, [`Spare`]s: the list of requests framed from one read, and the
//! output buffer the responses are encoded into. A batch takes them and
//! gives them back when it is done, so the next batch on the thread reuses
//! their capacity instead of allocating.
//!
//! # Invariants
//!
//! - The buffer is borrowed only inside [`with_scratch`], which takes a
//!   plain closure: it cannot be held across an `.await`, so two tasks never
//!   see it at once.

use std::cell::{Cell, RefCell};
use std::thread::LocalKey;

/// Size of the scratch buffer: 16 KiB holds a few hundred pipelined
/// plaintext requests (or the largest TLS record, for a future TLS layer),
/// and one `read(2)` into it drains most sockets.
pub(crate) const SCRATCH_SIZE: usize = 16 * 1024;

thread_local! {
    /// This thread's buffer; allocated on first use.
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH_SIZE].into_boxed_slice());
}

/// Runs `f` with this thread's scratch buffer.
///
/// # Panics
///
/// Panics if `f` calls `with_scratch` again (the buffer is already lent).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut [u8]) -> R) -> R {
    SCRATCH.with(|scratch| f(&mut scratch.borrow_mut()))
}

/// A per-thread spare `Vec`, taken for a batch and given back after it, so
/// that the next batch on the thread reuses its capacity instead of
/// allocating.
///
/// Unlike the scratch buffer it may be held across an `.await` (a write),
/// so it is moved out of its thread-local rather than borrowed: a second
/// connection that takes it meanwhile finds the slot empty and starts a
/// new, empty `Vec`. Of two given back, the later one stays.
#[derive(Debug)]
pub(crate) struct Spare<T: 'static> {
    /// The thread-local slot; empty (no capacity) while a batch has the
    /// `Vec` or before the first batch.
    slot: &'static LocalKey<Cell<Vec<T>>>,
    /// Largest capacity kept: one burst of large batches should not pin
    /// its memory to the thread for good.
    max_kept: usize,
}

impl<T: 'static> Spare<T> {
    /// A spare kept in `slot`, reused while its capacity is at most
    /// `max_kept` elements.
    pub(crate) const fn new(slot: &'static LocalKey<Cell<Vec<T>>>, max_kept: usize) -> Spare<T> {
        Spare { slot, max_kept }
    }

    /// Takes this thread's spare `Vec`, empty.
    pub(crate) fn take(&self) -> Vec<T> {
        self.slot.with(Cell::take)
    }

    /// Gives `spare` back for the next batch, emptied, unless it grew
    /// larger than `max_kept`.
    pub(crate) fn give_back(&self, mut spare: Vec<T>) {
        if spare.capacity() <= self.max_kept {
            spare.clear();
            self.slot.with(|slot| slot.set(spare));
        }
    }
}

thread_local! {
    /// The slot behind [`OUTPUT`].
    static OUTPUT_SLOT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The per-thread output buffer: a batch of responses is encoded into it
/// and written with one write. Buffers over 64 KiB (large bodies) are not
/// kept.
pub(crate) static OUTPUT: Spare<u8> = Spare::new(&OUTPUT_SLOT, 64 * 1024);

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// A slot for the tests, apart from the server's.
        static TEST_SLOT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    }

    /// A spare that keeps up to 64 bytes.
    static TEST: Spare<u8> = Spare::new(&TEST_SLOT, 64);

    #[test]
    fn a_given_back_vec_comes_back_empty_with_its_capacity() {
        let mut spare = TEST.take();
        spare.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
        let capacity = spare.capacity();
        TEST.give_back(spare);
        let again = TEST.take();
        assert!(again.is_empty());
        assert_eq!(again.capacity(), capacity);
        // Taken: the slot stays empty until it is given back.
        assert_eq!(TEST.take().capacity(), 0);
    }

    #[test]
    fn a_vec_over_the_limit_is_not_kept() {
        TEST.give_back(Vec::with_capacity(65));
        assert_eq!(TEST.take().capacity(), 0);
    }
}
