//! The per-thread read buffer.
//!
//! A server with 10,000 idle keep-alive connections must not hold 10,000
//! read buffers. So connections do not own one: they wait for readiness
//! without a buffer (`TcpStream::readable`), then read into this thread's
//! single 16 KiB scratch buffer with a non-blocking `try_read`, take what
//! they need out of it (a complete request is copied into its `Request`,
//! an incomplete tail into the connection's small pending buffer), and let
//! it go, all without an `.await` in between. The next connection to read
//! on this thread reuses it.
//!
//! # Invariants
//!
//! - The buffer is borrowed only inside [`with_scratch`], which takes a
//!   plain closure: it cannot be held across an `.await`, so two tasks never
//!   see it at once.

use std::cell::RefCell;

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
