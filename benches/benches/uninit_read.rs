//! Uninitialised reads: what spindle's hyper adapter saves by reading
//! straight into hyper's buffer.
//!
//! hyper hands its I/O a `ReadBufCursor` over the spare, *uninitialised*
//! capacity of its read buffer (8 KiB to start with, growing with large
//! messages). A safe adapter must zero that capacity before it can pass it
//! to `read` as a `&mut [u8]`; spindle's adapter (`runtime/src/hyper/mod.rs`)
//! instead gives it to socket2's `recv`, which takes
//! `&mut [MaybeUninit<u8>]`, and needs two small `unsafe` blocks to tell
//! hyper how many bytes the kernel filled. This benchmark measures exactly
//! that difference: a 64-byte request (a small HTTP request head) sent over
//! a loopback TCP pair and read back into 8 KiB and 64 KiB of spare
//! capacity, once zeroed first (`zero_fill`) and once left uninitialised
//! (`uninit`). No runtime is involved: the socket is blocking and the data
//! is already there, so the figures are the `recv` plus, for `zero_fill`,
//! the `memset`.

use std::io::{Read, Write};
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};

use criterion::{BenchmarkId, Criterion};

/// A small HTTP request head's worth of bytes.
const MESSAGE: [u8; 64] = [b'x'; 64];

/// A connected loopback pair, `TCP_NODELAY` on the writer.
fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).expect("bind");
    let writer = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
    writer.set_nodelay(true).expect("nodelay");
    let (reader, _) = listener.accept().expect("accept");
    (writer, reader)
}

/// Zero-filled versus uninitialised spare capacity, at two buffer sizes.
fn uninit_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("read_64_bytes_into_spare_capacity");
    for capacity in [8 * 1024, 64 * 1024] {
        let (mut writer, mut reader) = pair();
        let mut zeroed: Vec<u8> = Vec::with_capacity(capacity);
        group.bench_with_input(
            BenchmarkId::new("zero_fill", capacity),
            &capacity,
            |b, &cap| {
                b.iter(|| {
                    writer.write_all(&MESSAGE).expect("write");
                    // What a safe adapter must do with uninitialised capacity.
                    zeroed.clear();
                    zeroed.resize(cap, 0);
                    let mut got = 0;
                    while got < MESSAGE.len() {
                        got += reader.read(&mut zeroed[got..]).expect("read");
                    }
                    got
                })
            },
        );
        let (mut writer, reader) = pair();
        let mut spare: Vec<u8> = Vec::with_capacity(capacity);
        let socket = socket2::SockRef::from(&reader);
        group.bench_with_input(BenchmarkId::new("uninit", capacity), &capacity, |b, _| {
            b.iter(|| {
                writer.write_all(&MESSAGE).expect("write");
                // What spindle's adapter does: recv into MaybeUninit bytes.
                let buf: &mut [MaybeUninit<u8>] = spare.spare_capacity_mut();
                let mut got = 0;
                while got < MESSAGE.len() {
                    got += socket.recv(&mut buf[got..]).expect("recv");
                }
                got
            })
        });
    }
    group.finish();
}

/// Runs this file's benchmarks (what `criterion_group!` and
/// `criterion_main!` would generate, written out so it can be documented).
fn main() {
    // The other benchmark files' settings (their `support::criterion`),
    // repeated so this file needs none of their runtime helpers.
    let mut criterion = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args();
    uninit_read(&mut criterion);
    criterion.final_summary();
}
