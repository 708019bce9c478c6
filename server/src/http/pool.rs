//! A per-thread arena for the buffers a [`Request`](super::Request) owns.
//!
//! Every request the connection frames is copied out of the thread's shared
//! read buffer into two buffers of its own: the target, and the packed
//! headers (see `request.rs`). Allocating and freeing them for each request
//! is a large part of what the general `async fn(Request) -> Response` API
//! costs over a handler that parses in place: two `malloc`s and two `free`s
//! per request.
//!
//! So a request takes its pair of buffers from this thread's pool when it
//! is framed and gives them back when it is dropped (`Request`'s `Drop`).
//! In steady state a keep-alive connection allocates nothing per request:
//! the same few buffers go round, framed into, read by the handler,
//! returned. The two buffers travel as a pair, so each request touches the
//! thread-local once to take and once to give back.
//!
//! ```text
//!   framing::parse ── take() ──► Request { target, headers } ── handler ──┐
//!        ▲                                                                 │
//!        └───────────────── give_back() ◄────── drop(Request) ◄────────────┘
//! ```
//!
//! # Limits
//!
//! The pool keeps at most [`MAX_POOLED`] pairs, each buffer of at most
//! [`MAX_KEPT`] bytes of capacity, so a burst of many or large requests
//! does not pin its memory to the thread for good: what does not fit is
//! freed as usual. A request dropped on another thread (it is `Send`)
//! fills that thread's pool; nothing is shared between threads. A request
//! built by hand (`Request::new`) also returns its buffers here.

use std::cell::RefCell;

/// Pairs kept per thread: enough for a pipelined batch of 64 requests (the
/// batch list keeps 64, see `connection.rs`) to be framed without
/// allocating.
pub(crate) const MAX_POOLED: usize = 64;

/// Largest capacity kept, in bytes: the common request's headers fit in a
/// few hundred bytes; a rare 8 KiB head is freed rather than kept.
pub(crate) const MAX_KEPT: usize = 2048;

thread_local! {
    /// Spare (target, packed headers) pairs, empty, with capacity.
    static POOL: RefCell<Vec<(String, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
}

/// An empty (target, packed headers) pair: a pooled one when there is one,
/// else new (no allocation until written).
pub(crate) fn take() -> (String, Vec<u8>) {
    POOL.try_with(|pool| pool.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Returns a request's buffers to this thread's pool (see "Limits").
pub(crate) fn give_back(mut target: String, mut headers: Vec<u8>) {
    let keep = |capacity: usize| capacity <= MAX_KEPT;
    if !keep(target.capacity()) || !keep(headers.capacity()) {
        return;
    }
    if target.capacity() == 0 && headers.capacity() == 0 {
        return; // nothing worth keeping
    }
    target.clear();
    headers.clear();
    // `try_with`: a request dropped while the thread exits finds the pool
    // gone; its buffers are then simply freed.
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < MAX_POOLED {
            pool.push((target, headers));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs in this thread's pool.
    fn pooled() -> usize {
        POOL.with(|p| p.borrow().len())
    }

    #[test]
    fn a_given_back_pair_comes_back_empty_with_its_capacity() {
        let (mut target, mut headers) = take();
        target.push_str("/plaintext");
        headers.extend_from_slice(b"packed");
        let (target_ptr, headers_ptr) = (target.as_ptr(), headers.as_ptr());
        give_back(target, headers);
        let (again_target, again_headers) = take();
        assert!(again_target.is_empty() && again_headers.is_empty());
        assert_eq!(again_target.as_ptr(), target_ptr);
        assert_eq!(again_headers.as_ptr(), headers_ptr);
    }

    #[test]
    fn large_buffers_and_empty_ones_are_not_kept() {
        while pooled() > 0 {
            let _ = take();
        }
        give_back(String::with_capacity(MAX_KEPT + 1), Vec::with_capacity(8));
        give_back(String::new(), Vec::new());
        assert_eq!(pooled(), 0);
    }

    #[test]
    fn the_pool_keeps_at_most_max_pooled() {
        for _ in 0..MAX_POOLED + 10 {
            give_back(String::with_capacity(8), Vec::with_capacity(8));
        }
        assert_eq!(pooled(), MAX_POOLED);
    }
}
