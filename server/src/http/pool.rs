//! A per-thread arena for the `Vec` of header ranges a
//! [`Request`](super::Request) owns.
//!
//! A request's head stays in the bytes it was read into; what it owns
//! beside them is the list of where each header is (`request.rs`).
//! Allocating and freeing that list for each request would be a `malloc`
//! and a `free` per request, a large part of what the general
//! `async fn(Request) -> Response` API costs over a handler that parses in
//! place.
//!
//! So a request takes its list from this thread's pool when it is framed
//! and gives it back when it is dropped (`Request`'s `Drop`). In steady
//! state a keep-alive connection allocates nothing per request: the same
//! few lists go round, filled by the parser, read by the handler, returned.
//!
//! ```text
//!   framing ── take() ──► Request { fields } ── handler ──┐
//!      ▲                                                   │
//!      └──────────── give_back() ◄── drop(Request) ◄───────┘
//! ```
//!
//! # Limits
//!
//! The pool keeps at most [`MAX_POOLED`] lists, each of at most
//! [`MAX_KEPT`] entries of capacity, so a burst of many or large requests
//! does not pin its memory to the thread for good: what does not fit is
//! freed as usual. A request dropped on another thread (it is `Send`)
//! fills that thread's pool; nothing is shared between threads. A request
//! built by hand (`Request::new`) also returns its list here.

use std::cell::RefCell;

use crate::http::request::Field;

/// Lists kept per thread: enough for a pipelined batch of 64 requests (the
/// batch list keeps 64, see `connection.rs`) to be framed without
/// allocating.
pub(crate) const MAX_POOLED: usize = 64;

/// Largest capacity kept, in entries: the framing code's header limit, so
/// any request's list is reused.
pub(crate) const MAX_KEPT: usize = 64;

thread_local! {
    /// Spare lists, empty, with capacity.
    static POOL: RefCell<Vec<Vec<Field>>> = const { RefCell::new(Vec::new()) };
}

/// An empty list: a pooled one when there is one, else new (no allocation
/// until written).
pub(crate) fn take() -> Vec<Field> {
    POOL.try_with(|pool| pool.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Returns a request's list to this thread's pool (see "Limits").
pub(crate) fn give_back(mut fields: Vec<Field>) {
    if fields.capacity() == 0 || fields.capacity() > MAX_KEPT {
        return; // nothing worth keeping, or too much
    }
    fields.clear();
    // `try_with`: a request dropped while the thread exits finds the pool
    // gone; its list is then simply freed.
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < MAX_POOLED {
            pool.push(fields);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists in this thread's pool.
    fn pooled() -> usize {
        POOL.with(|p| p.borrow().len())
    }

    #[test]
    fn a_given_back_list_comes_back_empty_with_its_capacity() {
        let mut fields = take();
        fields.push([0, 1, 2, 3]);
        let ptr = fields.as_ptr();
        give_back(fields);
        let again = take();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), ptr);
    }

    #[test]
    fn large_lists_and_empty_ones_are_not_kept() {
        while pooled() > 0 {
            let _ = take();
        }
        give_back(Vec::with_capacity(MAX_KEPT + 1));
        give_back(Vec::new());
        assert_eq!(pooled(), 0);
    }

    #[test]
    fn the_pool_keeps_at_most_max_pooled() {
        for _ in 0..MAX_POOLED + 10 {
            give_back(Vec::with_capacity(8));
        }
        assert_eq!(pooled(), MAX_POOLED);
    }
}
