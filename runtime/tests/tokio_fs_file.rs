//! tokio's `File` tests, translated to spindle's `fs::File`.
//!
//! Translated from tokio's `tokio/tests/fs_file.rs` at commit ea91b33ca.
//! Each test keeps tokio's name and assertions; what changed:
//!
//! - `#[tokio::test]` → `#[spindle::test]`, `tokio::fs::File` →
//!   `spindle::fs::File`, tokio's I/O extension traits → futures-io's, as
//!   `spindle::io` re-exports them: `shutdown()` → `close()`, `rewind()` →
//!   `seek(SeekFrom::Start(0))` (futures' `AsyncSeekExt` has no `rewind`).
//!   `SeekFrom` comes from `spindle::io`, as from `tokio::io`.
//! - `write_vectored` and `write_vectored_and_shutdown` found that
//!   spindle's `File` wrote only the first slice (futures-io's default
//!   `poll_write_vectored`); fixed in `fs/file.rs`.
//! - tempfile's `NamedTempFile` → a file in the tests' own `TempDir`
//!   ([`tempfile`] below); `tempfile.write_all(..)` → `std::fs::write`.
//! - `coop`: tokio_test's `task::spawn(..).poll()` → polling the pinned
//!   future with a no-op waker, the same 1,000 times.
//! - `write_into_std`, `write_into_std_immediate`, `read_file_from_std`
//!   and `unix_fd_is_valid` found that spindle's `File` had no
//!   `into_std`, `try_into_std`, `From<std::fs::File>` or `AsRawFd`; it
//!   has them now.
//!
//! Left out, and why (spindle's `File` has no such method):
//!
//! - `write_to_clone` (`try_clone`: the `std` file is lent to pool jobs
//!   between operations, and a clone would share the offset that
//!   read-ahead moves), `read_file_from_unix_fd` (`FromRawFd`, whose
//!   `from_raw_fd` is `unsafe`; spindle has no `unsafe` outside a
//!   measured need).
//! - `set_max_buf_size_read`, `set_max_buf_size_write`
//!   (`set_max_buf_size`: spindle's chunk size is fixed, 128 KiB to 1 MiB).
//! - `file_debug_fmt` (compares the start of tokio's `Debug` text,
//!   `tokio::fs::File { std: File { fd:`; spindle's says `File { path: ..,
//!   state: .. }`).
//! - `windows_handle` and the Windows `file_debug_fmt` (Windows).
#![cfg(unix)]

mod support;

use std::future::Future;
use std::io::prelude::*;
use std::io::IoSlice;
use std::path::PathBuf;
use std::pin::pin;
use std::task::{Context, Poll};

use futures::future::FutureExt;
use spindle::fs::File;
use spindle::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};
use support::TempDir;

const HELLO: &[u8] = b"hello world...";

/// tempfile's `NamedTempFile`: a path in a fresh directory that is removed
/// (with the file) on drop.
struct NamedTempFile {
    /// Removes the file with its directory when dropped.
    _dir: TempDir,
    /// The file's path; the file itself is created by the test.
    path: PathBuf,
}

impl NamedTempFile {
    fn path(&self) -> &std::path::Path {
        &self.path
    }
}

fn tempfile() -> NamedTempFile {
    let dir = TempDir::new();
    let path = dir.path("tempfile");
    std::fs::write(&path, b"").unwrap();
    NamedTempFile { _dir: dir, path }
}

#[spindle::test]
async fn basic_read() {
    let tempfile = tempfile();
    std::fs::write(tempfile.path(), HELLO).unwrap();

    let mut file = File::open(tempfile.path()).await.unwrap();

    let mut buf = [0; 1024];
    let n = file.read(&mut buf).await.unwrap();

    assert_eq!(n, HELLO.len());
    assert_eq!(&buf[..n], HELLO);
}

#[spindle::test]
async fn basic_write() {
    let tempfile = tempfile();

    let mut file = File::create(tempfile.path()).await.unwrap();

    file.write_all(HELLO).await.unwrap();
    file.flush().await.unwrap();

    let file = std::fs::read(tempfile.path()).unwrap();
    assert_eq!(file, HELLO);
}

#[spindle::test]
async fn basic_write_and_shutdown() {
    let tempfile = tempfile();

    let mut file = File::create(tempfile.path()).await.unwrap();

    file.write_all(HELLO).await.unwrap();
    file.close().await.unwrap();

    let file = std::fs::read(tempfile.path()).unwrap();
    assert_eq!(file, HELLO);
}

#[spindle::test]
async fn write_vectored() {
    let tempfile = tempfile();

    let mut file = File::create(tempfile.path()).await.unwrap();

    let ret = file
        .write_vectored(&[IoSlice::new(HELLO), IoSlice::new(HELLO)])
        .await
        .unwrap();
    assert_eq!(ret, HELLO.len() * 2);
    file.flush().await.unwrap();

    let file = std::fs::read(tempfile.path()).unwrap();
    assert_eq!(file, [HELLO, HELLO].concat());
}

#[spindle::test]
async fn write_vectored_and_shutdown() {
    let tempfile = tempfile();

    let mut file = File::create(tempfile.path()).await.unwrap();

    let ret = file
        .write_vectored(&[IoSlice::new(HELLO), IoSlice::new(HELLO)])
        .await
        .unwrap();
    assert_eq!(ret, HELLO.len() * 2);
    file.close().await.unwrap();

    let file = std::fs::read(tempfile.path()).unwrap();
    assert_eq!(file, [HELLO, HELLO].concat());
}

#[spindle::test]
async fn rewind_seek_position() {
    let tempfile = tempfile();

    let mut file = File::create(tempfile.path()).await.unwrap();

    file.seek(SeekFrom::Current(10)).await.unwrap();

    file.seek(SeekFrom::Start(0)).await.unwrap();

    assert_eq!(file.stream_position().await.unwrap(), 0);
}

#[spindle::test]
async fn coop() {
    let tempfile = tempfile();
    std::fs::write(tempfile.path(), HELLO).unwrap();

    let mut task = pin!(async {
        let mut file = File::open(tempfile.path()).await.unwrap();

        let mut buf = [0; 1024];

        loop {
            let _ = file.read(&mut buf).await.unwrap();
            file.seek(std::io::SeekFrom::Start(0)).await.unwrap();
        }
    });

    let mut cx = Context::from_waker(futures::task::noop_waker_ref());
    for _ in 0..1_000 {
        let poll: Poll<()> = task.as_mut().poll(&mut cx);
        if poll.is_pending() {
            return;
        }
    }

    panic!("did not yield");
}

#[spindle::test]
async fn empty_read() {
    let tempfile = tempfile();
    std::fs::write(tempfile.path(), HELLO).unwrap();

    let mut file = File::open(tempfile.path()).await.unwrap();

    // Perform an empty read and get a length of zero.
    assert!(matches!(file.read(&mut []).now_or_never(), Some(Ok(0))));

    // Check that we don't get EOF on the next read.
    let mut buf = [0; 1024];
    let n = file.read(&mut buf).await.unwrap();

    assert_eq!(n, HELLO.len());
    assert_eq!(&buf[..n], HELLO);
}

#[spindle::test]
async fn write_into_std() {
    let tempfile = tempfile();

    let file = File::create(tempfile.path()).await.unwrap();
    let mut std_file = file.into_std().await;

    std_file.write_all(HELLO).unwrap();

    let contents = std::fs::read(tempfile.path()).unwrap();
    assert_eq!(contents, HELLO);
}

#[spindle::test]
async fn write_into_std_immediate() {
    let tempfile = tempfile();

    let file = File::create(tempfile.path()).await.unwrap();
    let mut std_file = file.try_into_std().unwrap();

    std_file.write_all(HELLO).unwrap();

    let contents = std::fs::read(tempfile.path()).unwrap();
    assert_eq!(contents, HELLO);
}

#[spindle::test]
async fn read_file_from_std() {
    let tempfile = tempfile();
    std::fs::write(tempfile.path(), HELLO).unwrap();

    let std_file = std::fs::File::open(tempfile.path()).unwrap();
    let mut file = File::from(std_file);

    let mut buf = [0; 1024];
    let n = file.read(&mut buf).await.unwrap();
    assert_eq!(n, HELLO.len());
    assert_eq!(&buf[..n], HELLO);
}

#[spindle::test]
async fn unix_fd_is_valid() {
    use std::os::unix::io::AsRawFd;
    let tempfile = tempfile();

    let file = File::create(tempfile.path()).await.unwrap();
    assert!(file.as_raw_fd() as u64 > 0);
}
