//! `File`: a file read, written and seeked through the blocking pool, with
//! a buffer so that a large read costs few thread hops.
//!
//! A `File` is a small state machine around a `std::fs::File` and one
//! buffer. The `std` file and the buffer (together: `Parts`) are either
//! here, or lent to a job running on the pool, which gives them back with
//! its result:
//!
//! ```text
//!            ┌──────────────── job done: take Parts back ◄──────────────┐
//!            ▼                                                          │
//!   Idle(Parts, mode) ── poll_read, read-ahead empty ─── read a chunk ──┤ Busy(job)
//!       │    │        ── poll_write, buffer full ─────── write it out ──┤
//!       │    │        ── poll_flush, buffer not empty ── write it out ──┤
//!       │    │        ── poll_seek ───────────────────── seek ──────────┘
//!       │    └─ poll_read with read-ahead: copy from the buffer, no hop
//!       └────── poll_write with room: copy into the buffer, no hop
//! ```
//!
//! - **Reading** asks the pool for a chunk of between 128 KiB and 1 MiB
//!   (the size of the caller's buffer, clamped), then serves `poll_read`s
//!   from it. `read_to_end` of a large file thus costs one hop per MiB.
//! - **Writing** copies into the buffer and returns at once; the buffer is
//!   written out when it holds 1 MiB, on `flush`/`close`, or before a read
//!   or a seek. So an error of a write shows up at a later write or at
//!   `flush`: call `flush` (or `close`) to learn it. On drop, buffered bytes
//!   are still written, in the background, with the error lost.
//! - **Seeking** first writes out pending bytes, and accounts for the
//!   read-ahead: the `std` file's offset is ahead of the caller's position
//!   by the unread bytes, so `SeekFrom::Current(n)` becomes
//!   `Current(n - unread)`.
//!
//! Where spindle is simpler: tokio's `File` also starts a write in the
//! background at every `poll_write` (so the copy and the syscall overlap);
//! spindle waits for the buffer to fill.

use std::fmt;
use std::future::{poll_fn, Future};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures::io::{AsyncRead, AsyncSeek, AsyncWrite};

use crate::blocking::unblock;
use crate::context;
use crate::fs::ops::{path_error, run};

/// The smallest chunk one read job fetches: small reads still cost one hop
/// per 128 KiB, not one per call.
const MIN_CHUNK: usize = 128 * 1024;
/// The largest chunk one job reads or writes: 1 MiB is where the cost of a
/// hop (a few microseconds) is below 1% of the copy, and it bounds the
/// memory one `File` keeps.
const MAX_CHUNK: usize = 1024 * 1024;

/// An open file on the file system, read and written without blocking the
/// loop.
///
/// It implements futures-io's [`AsyncRead`], [`AsyncWrite`] and
/// [`AsyncSeek`], so the extension methods of [`spindle::io`](crate::io)
/// work on it. See the module doc (`fs/file.rs`) for the buffering.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
///
/// spindle::block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-file-doc-{}", std::process::id()));
///     let mut file = spindle::fs::File::create(&path).await?;
///     file.write_all(b"hello, file").await?;
///     file.close().await?;
///
///     let mut text = String::new();
///     spindle::fs::File::open(&path).await?.read_to_string(&mut text).await?;
///     assert_eq!(text, "hello, file");
///     std::fs::remove_file(&path)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct File {
    /// The path it was opened with, for error messages.
    path: Arc<Path>,
    /// Where the `std` file and the buffer are now.
    state: State,
}

/// Where a `File`'s parts are.
enum State {
    /// Here, with nothing running.
    Idle(Box<Parts>),
    /// Lent to a job on the pool; it gives them back with what it did.
    Busy(Job),
    /// A job could not be started or lost the parts (the pool failed to
    /// start a thread); every operation fails from now on.
    Broken,
}

/// A job running on the pool: it gives the parts back with what it did
/// (an error only if the pool could not run it at all).
type Job = Pin<Box<dyn Future<Output = io::Result<(Box<Parts>, Done)>> + Send>>;

/// The `std` file and its buffer: what a job borrows.
struct Parts {
    /// The file itself.
    std: std::fs::File,
    /// Read-ahead (`buf[pos..end]` not yet returned) or bytes written by the
    /// caller and not yet in the file (`buf[..]`), depending on `mode`. Its
    /// allocation is kept across chunks; its length is only meaningful in
    /// `Writing` mode (a read chunk leaves it at the chunk size).
    buf: Vec<u8>,
    /// Next unread byte of the read-ahead.
    pos: usize,
    /// End of the read-ahead.
    end: usize,
    /// What `buf` holds.
    mode: Mode,
}

/// What a `File`'s buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing.
    Empty,
    /// Read-ahead in `buf[pos..end]`.
    Reading,
    /// Bytes to write, all of `buf`.
    Writing,
}

/// What a job did.
enum Done {
    /// Filled `buf[..end]` with a chunk (`end == 0`: end of file).
    Read(io::Result<()>),
    /// Wrote out all of `buf`.
    Write(io::Result<()>),
    /// Moved the `std` file's offset; the new position.
    Seek(io::Result<u64>),
}

impl File {
    /// Opens the file at `path` for reading.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let file = spindle::fs::File::open("Cargo.toml").await?;
    ///     assert!(file.metadata().await?.len() > 0);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::open`], with the path in the message.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Creates the file at `path` for writing, truncating it if it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-create-doc-{}", std::process::id()));
    ///     let file = spindle::fs::File::create(&path).await?;
    ///     assert_eq!(file.metadata().await?.len(), 0);
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::create`], with the path in the message.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Reads the file's metadata. Pending writes are not flushed first, so
    /// call [`flush`](futures::io::AsyncWriteExt::flush) before asking for
    /// the size of what was written.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let file = spindle::fs::File::open("Cargo.toml").await?;
    ///     assert!(file.metadata().await?.is_file());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::metadata`], with the path in the message; fails
    /// while another operation on this file is half done.
    pub async fn metadata(&self) -> io::Result<std::fs::Metadata> {
        let std = self.try_clone_std()?;
        let path = self.path.clone();
        run("spindle::fs::File::metadata", move || {
            std.metadata()
                .map_err(|err| path_error(err, "could not read metadata of", &path))
        })
        .await
    }

    /// Writes out buffered bytes, then asks the OS to put the file's data
    /// and metadata on disk (`fsync`).
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    ///
    /// spindle::block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-sync-doc-{}", std::process::id()));
    ///     let mut file = spindle::fs::File::create(&path).await?;
    ///     file.write_all(b"durable").await?;
    ///     file.sync_all().await?;
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The error of the buffered write or of `fsync`, with the path.
    pub async fn sync_all(&mut self) -> io::Result<()> {
        poll_fn(|cx| Pin::new(&mut *self).poll_flush(cx)).await?;
        let std = self.try_clone_std()?;
        let path = self.path.clone();
        run("spindle::fs::File::sync_all", move || {
            std.sync_all()
                .map_err(|err| path_error(err, "could not sync", &path))
        })
        .await
    }

    /// A second handle on the `std` file for a metadata-style job that does
    /// not move the offset.
    fn try_clone_std(&self) -> io::Result<std::fs::File> {
        match &self.state {
            State::Idle(parts) => parts
                .std
                .try_clone()
                .map_err(|err| path_error(err, "could not use", &self.path)),
            State::Busy(_) => Err(self.error(io::Error::other(
                "another operation on this file is in progress",
            ))),
            State::Broken => Err(self.broken()),
        }
    }

    /// Starts a job that owns `parts` and gives them back with its result.
    fn start(&mut self, parts: Box<Parts>, job: fn(&mut Parts) -> Done) {
        let future = unblock("spindle::fs::File", move || {
            let mut parts = parts;
            let done = job(&mut parts);
            (parts, done)
        });
        self.state = State::Busy(Box::pin(future));
    }

    /// Starts a seek job to `to`.
    fn start_seek(&mut self, mut parts: Box<Parts>, to: SeekFrom) {
        let future = unblock("spindle::fs::File", move || {
            let done = Done::Seek(parts.std.seek(to));
            (parts, done)
        });
        self.state = State::Busy(Box::pin(future));
    }

    /// Waits for the running job, if any; puts the parts back and returns
    /// what the job did (`None` when nothing was running).
    fn poll_job(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Done>>> {
        let State::Busy(job) = &mut self.state else {
            return Poll::Ready(Ok(None));
        };
        match ready!(job.as_mut().poll(cx)) {
            Ok((parts, done)) => {
                self.state = State::Idle(parts);
                Poll::Ready(Ok(Some(done)))
            }
            Err(err) => {
                self.state = State::Broken;
                Poll::Ready(Err(self.error(err)))
            }
        }
    }

    /// Takes the parts out to start a job; `Err` when broken. Only called
    /// when no job runs.
    fn take_parts(&mut self) -> io::Result<Box<Parts>> {
        match std::mem::replace(&mut self.state, State::Broken) {
            State::Idle(parts) => Ok(parts),
            _ => Err(self.broken()),
        }
    }

    /// `err` naming this file.
    fn error(&self, err: io::Error) -> io::Error {
        path_error(err, "file", &self.path)
    }

    /// The error of a file whose parts were lost.
    fn broken(&self) -> io::Error {
        self.error(io::Error::other(
            "unusable: an earlier operation could not run on the blocking pool",
        ))
    }
}

/// The jobs, run on a pool thread.
impl Parts {
    /// Reads one chunk into `buf[..end]`; asked for `end` bytes by the caller.
    fn read_chunk(&mut self) -> Done {
        let want = self.end;
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        self.pos = 0;
        let result = loop {
            match self.std.read(&mut self.buf[..want]) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                result => break result,
            }
        };
        self.end = *result.as_ref().unwrap_or(&0);
        self.mode = Mode::Reading;
        Done::Read(result.map(drop))
    }

    /// Writes all of `buf` out and empties it.
    fn write_out(&mut self) -> Done {
        let result = self.std.write_all(&self.buf);
        self.buf.clear();
        self.mode = Mode::Empty;
        Done::Write(result)
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            match ready!(this.poll_job(cx))? {
                Some(Done::Read(result)) => {
                    result.map_err(|err| this.error(err))?;
                    // A fresh chunk (possibly empty: end of file); serve it.
                    let State::Idle(parts) = &mut this.state else {
                        unreachable!("poll_job put the parts back")
                    };
                    return Poll::Ready(Ok(parts.copy_out(out)));
                }
                Some(Done::Write(result)) => result.map_err(|err| this.error(err))?,
                // A seek whose caller stopped waiting; its position is
                // where the file is now.
                Some(Done::Seek(result)) => drop(result.map_err(|err| this.error(err))?),
                None => {}
            }
            let mut parts = this.take_parts()?;
            match parts.mode {
                Mode::Reading if parts.pos < parts.end => {
                    let n = parts.copy_out(out);
                    this.state = State::Idle(parts);
                    return Poll::Ready(Ok(n));
                }
                Mode::Writing => this.start(parts, Parts::write_out),
                Mode::Reading | Mode::Empty => {
                    parts.end = out.len().clamp(MIN_CHUNK, MAX_CHUNK);
                    this.start(parts, Parts::read_chunk);
                }
            }
        }
    }
}

impl Parts {
    /// Copies read-ahead into `out`; how many bytes.
    fn copy_out(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.end - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        if self.pos == self.end {
            self.mode = Mode::Empty;
        }
        n
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            match ready!(this.poll_job(cx))? {
                Some(Done::Write(result)) => result.map_err(|err| this.error(err))?,
                Some(Done::Seek(result)) => drop(result.map_err(|err| this.error(err))?),
                // Read-ahead of an abandoned read: the loop below seeks back.
                Some(Done::Read(_)) | None => {}
            }
            let mut parts = this.take_parts()?;
            match parts.mode {
                Mode::Reading => {
                    // The `std` offset is past the unread bytes: move it back
                    // to where the caller is before writing there.
                    let unread = (parts.end - parts.pos) as i64;
                    parts.mode = Mode::Empty;
                    this.start_seek(parts, SeekFrom::Current(-unread));
                }
                Mode::Writing if parts.buf.len() >= MAX_CHUNK => {
                    this.start(parts, Parts::write_out)
                }
                _ => {
                    if parts.mode == Mode::Empty {
                        // The buffer may still hold spent read-ahead.
                        parts.buf.clear();
                    }
                    let n = data.len().min(MAX_CHUNK - parts.buf.len());
                    parts.buf.extend_from_slice(&data[..n]);
                    parts.mode = if parts.buf.is_empty() {
                        Mode::Empty
                    } else {
                        Mode::Writing
                    };
                    this.state = State::Idle(parts);
                    return Poll::Ready(Ok(n));
                }
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match ready!(this.poll_job(cx))? {
                Some(Done::Write(result)) => {
                    result.map_err(|err| this.error(err))?;
                }
                Some(Done::Seek(result)) => drop(result.map_err(|err| this.error(err))?),
                Some(Done::Read(_)) | None => {}
            }
            let parts = this.take_parts()?;
            if parts.mode == Mode::Writing {
                this.start(parts, Parts::write_out);
            } else {
                this.state = State::Idle(parts);
                return Poll::Ready(Ok(()));
            }
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The `std` file closes when the `File` drops; closing here means
        // making sure everything written reached it.
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        to: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        loop {
            match ready!(this.poll_job(cx))? {
                Some(Done::Seek(result)) => {
                    return Poll::Ready(result.map_err(|err| this.error(err)));
                }
                Some(Done::Write(result)) => result.map_err(|err| this.error(err))?,
                Some(Done::Read(_)) | None => {}
            }
            let mut parts = this.take_parts()?;
            match parts.mode {
                Mode::Writing => this.start(parts, Parts::write_out),
                Mode::Reading | Mode::Empty => {
                    let to = match to {
                        // The caller is `unread` bytes behind the `std` offset.
                        SeekFrom::Current(n) if parts.mode == Mode::Reading => {
                            SeekFrom::Current(n - (parts.end - parts.pos) as i64)
                        }
                        to => to,
                    };
                    parts.mode = Mode::Empty;
                    parts.pos = 0;
                    parts.end = 0;
                    this.start_seek(parts, to);
                }
            }
        }
    }
}

impl Drop for File {
    /// Writes out bytes still in the buffer, in the background on the pool
    /// when a runtime is running (else here), with errors lost: call
    /// `flush` or `close` to see them.
    fn drop(&mut self) {
        let State::Idle(parts) = std::mem::replace(&mut self.state, State::Broken) else {
            return;
        };
        if parts.mode != Mode::Writing {
            return;
        }
        let mut parts = parts;
        if context::with_core(|_| ()).is_some() {
            // Submitted now; the job runs whether or not the future is polled.
            drop(unblock("spindle::fs::File", move || parts.write_out()));
        } else {
            let _ = parts.write_out();
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Idle(parts) => match parts.mode {
                Mode::Empty => "idle",
                Mode::Reading => "idle, read-ahead buffered",
                Mode::Writing => "idle, writes buffered",
            },
            State::Busy(_) => "busy on the blocking pool",
            State::Broken => "broken",
        };
        f.debug_struct("File")
            .field("path", &self.path)
            .field("state", &state)
            .finish()
    }
}

/// Options for opening a file: which access, create or not, truncate or
/// append. The same options as [`std::fs::OpenOptions`], with an async
/// [`open`](OpenOptions::open).
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncWriteExt;
///
/// spindle::block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-append-doc-{}", std::process::id()));
///     std::fs::write(&path, "one ")?;
///     let mut file = spindle::fs::OpenOptions::new().append(true).open(&path).await?;
///     file.write_all(b"two").await?;
///     file.close().await?;
///     assert_eq!(std::fs::read_to_string(&path)?, "one two");
///     std::fs::remove_file(&path)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The options themselves, handed to the pool thread at `open`.
    std: std::fs::OpenOptions,
}

impl OpenOptions {
    /// No access at all yet; set at least `read` or `write`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut options = spindle::fs::OpenOptions::new();
    /// options.read(true);
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions {
            std: std::fs::OpenOptions::new(),
        }
    }

    /// Opens for reading.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::fs::OpenOptions::new().read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.std.read(read);
        self
    }

    /// Opens for writing.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::fs::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.std.write(write);
        self
    }

    /// Every write goes to the end of the file (implies `write`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::fs::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.std.append(append);
        self
    }

    /// Truncates the file to zero length on open (needs `write`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::fs::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.std.truncate(truncate);
        self
    }

    /// Creates the file if it does not exist (needs `write` or `append`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::fs::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.std.create(create);
        self
    }

    /// Creates the file, failing if it exists (needs `write` or `append`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::fs::OpenOptions::new().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.std.create_new(create_new);
        self
    }

    /// Opens the file at `path` with these options.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let file = spindle::fs::OpenOptions::new().read(true).open("Cargo.toml").await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`std::fs::OpenOptions::open`], with the path in the message:
    /// `NotFound`, `PermissionDenied`, `AlreadyExists` with `create_new`, or
    /// `InvalidInput` for a contradictory set of options.
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path: PathBuf = path.as_ref().to_owned();
        let options = self.std.clone();
        let opened = path.clone();
        let std = run("spindle::fs::OpenOptions::open", move || {
            options
                .open(&opened)
                .map_err(|err| path_error(err, "could not open", &opened))
        })
        .await?;
        Ok(File {
            path: path.into(),
            state: State::Idle(Box::new(Parts {
                std,
                buf: Vec::new(),
                pos: 0,
                end: 0,
                mode: Mode::Empty,
            })),
        })
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}
