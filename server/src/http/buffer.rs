//! `ReadBuf`: where a connection's reads land, and what its requests keep.
//!
//! A request owns the bytes of its head: its target and headers are index
//! ranges into them (`request.rs`), as in hyper, which keeps the head in a
//! `bytes::Bytes`. So the read must land in memory the request can take
//! away without a copy. A `ReadBuf` is a [`BytesMut`] the socket reads
//! into; when the framing code has found a whole request at its start, it
//! splits those bytes off (`split_to`, no copy: both halves share the
//! allocation, counted by a reference count) and hands them to the request
//! as a frozen [`Bytes`]. The rest stays in the `ReadBuf`, ready for the
//! next request and the next read.
//!
//! ```text
//!   allocation:  [ req 1 │ req 2 │ partial req 3 │ room for the next read ]
//!                  Bytes   Bytes  └───────── ReadBuf ──────────────────┘
//!                                  0 ........ filled ........... len
//! ```
//!
//! The socket reads into `&mut [u8]`, which must be initialised, so the
//! whole allocation is zeroed once when it is made (`BytesMut::zeroed`)
//! and a `ReadBuf` keeps `len` at its capacity, with its own `filled` mark
//! for the bytes received. Splitting keeps both halves initialised, so no
//! read ever zeroes memory again. (tokio's `ReadBuf` tracks an
//! initialised mark instead and can read into fresh memory; that takes
//! `unsafe`, which the server crate forbids.)
//!
//! # Memory
//!
//! An idle connection keeps no `ReadBuf`: it gives its buffer to the
//! thread's spare slot ([`ReadBuf::give_back`]) and takes one back when it
//! has something to read, so one allocation is read into by every
//! connection of the thread in turn, until its room runs out; a new one is
//! then made. A request kept alive (moved into a spawned task, say) keeps
//! its allocation alive, a few KiB; hyper has the same property.

use std::cell::RefCell;

use bytes::{Buf, Bytes, BytesMut};

/// Size of a fresh buffer: a few dozen small requests, or one read of a
/// large body. Small enough that a connection holding a partial request
/// (a slow client) holds at most this plus what it has received.
pub(crate) const BUFFER_SIZE: usize = 4 * 1024;

/// Least room a read is given: below it a fresh buffer is made, so that a
/// read is never tiny (each read is a system call).
pub(crate) const MIN_ROOM: usize = 1024;

thread_local! {
    /// This thread's spare buffer, given back by the last connection that
    /// went idle; empty (no allocation) when a connection holds it.
    static SPARE: RefCell<ReadBuf> = RefCell::new(ReadBuf::new());
}

/// A connection's read buffer; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct ReadBuf {
    /// The memory, initialised up to `len`, which always equals its
    /// capacity; bytes `..filled` are received and not yet framed.
    bytes: BytesMut,
    /// How many bytes at the start of `bytes` were received. Grows with
    /// each read (`filled`), shrinks as requests are split off.
    filled: usize,
}

impl ReadBuf {
    /// An empty buffer, with no allocation.
    pub(crate) fn new() -> ReadBuf {
        ReadBuf {
            bytes: BytesMut::new(),
            filled: 0,
        }
    }

    /// A buffer holding a copy of `data`, for tools and tests.
    pub(crate) fn from_slice(data: &[u8]) -> ReadBuf {
        let mut buf = ReadBuf::new();
        buf.make_room(data.len());
        buf.spare()[..data.len()].copy_from_slice(data);
        buf.filled(data.len());
        buf
    }

    /// The received bytes not yet framed.
    pub(crate) fn data(&self) -> &[u8] {
        &self.bytes[..self.filled]
    }

    /// How many received bytes are not yet framed.
    pub(crate) fn len(&self) -> usize {
        self.filled
    }

    /// Whether every received byte was framed.
    pub(crate) fn is_empty(&self) -> bool {
        self.filled == 0
    }

    /// Makes sure a read has at least `want` bytes of room (at least
    /// [`MIN_ROOM`]): takes the thread's spare buffer if this one has no
    /// allocation, or moves the unframed bytes to a fresh allocation, at
    /// least twice their size, so a request that grows over many reads is
    /// copied a bounded number of times in all (doubling).
    pub(crate) fn make_room(&mut self, want: usize) {
        let want = want.max(MIN_ROOM);
        if self.bytes.len() - self.filled >= want {
            return;
        }
        if self.filled == 0 && self.bytes.is_empty() {
            let spare = SPARE
                .try_with(|spare| std::mem::take(&mut *spare.borrow_mut()))
                .unwrap_or_default();
            if spare.bytes.len() >= want {
                *self = spare;
                return;
            }
        }
        let size = (2 * self.filled + want).max(BUFFER_SIZE);
        let mut fresh = BytesMut::zeroed(size);
        fresh[..self.filled].copy_from_slice(self.data());
        self.bytes = fresh;
    }

    /// The room after the received bytes, for a read.
    pub(crate) fn spare(&mut self) -> &mut [u8] {
        &mut self.bytes[self.filled..]
    }

    /// Records that a read put `n` bytes into [`spare`](Self::spare).
    pub(crate) fn filled(&mut self, n: usize) {
        debug_assert!(self.filled + n <= self.bytes.len());
        self.filled += n;
    }

    /// Splits off the first `n` received bytes (a whole request), without
    /// copying them.
    pub(crate) fn split(&mut self, n: usize) -> Bytes {
        debug_assert!(n <= self.filled);
        self.filled -= n;
        self.bytes.split_to(n).freeze()
    }

    /// Drops the first `n` received bytes (framing the decoder consumed).
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.filled);
        self.filled -= n;
        self.bytes.advance(n);
    }

    /// Gives an empty buffer's room to the thread's spare slot, for the
    /// next connection that reads, unless the slot holds more room; leaves
    /// this one with no allocation.
    pub(crate) fn give_back(&mut self) {
        debug_assert!(self.is_empty());
        let mine = std::mem::take(self);
        if mine.bytes.len() < MIN_ROOM {
            return;
        }
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.bytes.len() < mine.bytes.len() {
                *spare = mine;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_requests_share_the_allocation_and_keep_their_bytes() {
        let mut buf = ReadBuf::from_slice(b"GET /a\r\nGET /b\r\nGE");
        let first = buf.split(8);
        let second = buf.split(8);
        assert_eq!(&first[..], b"GET /a\r\n");
        assert_eq!(&second[..], b"GET /b\r\n");
        assert_eq!(buf.data(), b"GE");
        // The next read lands after the partial request.
        buf.make_room(4);
        buf.spare()[..4].copy_from_slice(b"T /c");
        buf.filled(4);
        assert_eq!(buf.data(), b"GET /c");
        assert_eq!(&first[..], b"GET /a\r\n");
    }

    #[test]
    fn a_request_larger_than_the_room_moves_to_a_larger_allocation() {
        let mut buf = ReadBuf::new();
        let mut sent = Vec::new();
        for i in 0..100u8 {
            buf.make_room(1000);
            let piece = [i; 1000];
            buf.spare()[..1000].copy_from_slice(&piece);
            buf.filled(1000);
            sent.extend_from_slice(&piece);
        }
        assert_eq!(buf.data(), &sent[..]);
        buf.consume(sent.len());
        assert!(buf.is_empty());
    }

    #[test]
    fn an_idle_buffer_goes_to_the_spare_slot_and_comes_back() {
        let mut buf = ReadBuf::new();
        buf.make_room(MIN_ROOM);
        let room = buf.spare().len();
        buf.give_back();
        assert_eq!(buf.bytes.len(), 0);
        let mut again = ReadBuf::new();
        again.make_room(MIN_ROOM);
        assert_eq!(again.spare().len(), room);
    }
}
