//! `File`: a file read, written and seeked through the blocking pool, with
//! buffers so that a large read costs few thread hops, and the next chunk
//! is read while the caller copies the current one.
//!
//! A `File` is a small state machine around a `std::fs::File`. The `std`
//! file and its job buffer (together: `Parts`) are either here, or lent to
//! a job running on the pool, which gives them back with its result. A
//! second buffer, the `front`, holds the chunk the caller is being served
//! from, so serving never waits for a job:
//!
//! ```text
//!            ┌──────────────── job done: take Parts back ◄──────────────┐
//!            ▼                                                          │
//!   Idle(Parts) ── poll_read, front empty ───────── read a chunk ───────┤ Busy(job)
//!       │   │   ── poll_write, buffer full ──────── write it out ───────┤
//!       │   │   ── poll_flush, buffer not empty ─── write it out ───────┤
//!       │   │   ── poll_seek ────────────────────── seek ───────────────┘
//!       │   └─ poll_write with room: copy into the buffer, no hop
//!       └───── a full chunk came back: it becomes the front, and the next
//!              chunk is read into the old front's buffer, in the background
//!   poll_read with front data: copy from the front, no hop, whatever runs
//! ```
//!
//! - **Reading** asks the pool for a chunk of between 128 KiB and 1 MiB
//!   (the size of the caller's buffer, clamped), then serves `poll_read`s
//!   from it. When a chunk comes back full, the next one is requested at
//!   once (read-ahead), so the pool thread reads chunk *k + 1* while the
//!   loop copies chunk *k* out: `read_to_end` of a large file costs one hop
//!   per MiB, mostly hidden behind the copy. A short chunk (the end of the
//!   file) stops the read-ahead. `File::read_to_end` (and `read_to_string`)
//!   instead lends the caller's vector to one job that reads the rest of
//!   the file straight into it: one hop, no extra copy.
//! - **Writing** copies into the job buffer and returns at once; the buffer
//!   is written out when it holds 1 MiB, on `flush`/`close`, or before a
//!   read or a seek. So an error of a write shows up at a later write or at
//!   `flush`: call `flush` (or `close`) to learn it. On drop, buffered
//!   bytes are still written, in the background, with the error lost.
//!   `write_vectored` copies every slice it is given, one after the other,
//!   as far as the buffer has room: gathering buffers costs no extra hop.
//! - **Seeking** first writes out pending bytes, and accounts for what was
//!   read ahead: the `std` file's offset is ahead of the caller's position
//!   by the unread bytes (the front's and a finished read-ahead's), so
//!   `SeekFrom::Current(n)` becomes `Current(n - unread)`, and a write
//!   after a read first seeks back by `unread`.
//!
//! [`File::into_std`] and [`File::try_into_std`] hand the `std` file back
//! with its offset where the caller's reads got to (read-ahead is given
//! back with an `lseek`, which moves the offset and does no I/O);
//! [`File::from_std`] wraps one.
//!
//! Where spindle is simpler: tokio's `File` also starts a write in the
//! background at every `poll_write` (so the copy and the syscall overlap);
//! spindle waits for the buffer to fill.

use std::fmt;
use std::future::{poll_fn, Future};
use std::io::{self, IoSlice, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures::io::{AsyncRead, AsyncSeek, AsyncWrite};

use crate::blocking::unblock;
use crate::executor::context;
use crate::fs::ops::{path_error, run};
use crate::fs::OpenOptions;

/// The smallest chunk one read job fetches: small reads still cost one hop
/// per 128 KiB, not one per call.
const MIN_CHUNK: usize = 128 * 1024;
/// The largest chunk one job reads or writes: 1 MiB is where the cost of a
/// hop (a few microseconds) is below 1% of the copy, and it bounds the
/// memory one `File` keeps (two such buffers while reading).
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
    /// The path it was opened with, for error messages; `None` for a file
    /// made from a `std::fs::File` ([`File::from_std`]).
    path: Option<Arc<Path>>,
    /// The file descriptor, copied at creation for [`AsRawFd`]: the `std`
    /// file itself may be lent to a job when asked.
    #[cfg(unix)]
    fd: std::os::unix::io::RawFd,
    /// Where the `std` file and the job buffer are now.
    state: State,
    /// The chunk being served to `poll_read`: `buf[pos..end]` not yet
    /// returned. Filled by swapping buffers with a finished read job;
    /// emptied by `poll_read`, or dropped (counted as unread) by a write or
    /// a seek.
    front: Front,
    /// Set when `poll_seek` starts its seek job, cleared when it returns
    /// the result: a seek result is `poll_seek`'s only if this is set
    /// (otherwise it is `poll_write`'s seek back over read-ahead).
    seeking: bool,
}

/// The chunk `poll_read` serves from.
#[derive(Default)]
struct Front {
    /// The bytes; the allocation goes back and forth with `Parts::buf`.
    buf: Vec<u8>,
    /// Next unread byte.
    pos: usize,
    /// End of the chunk.
    end: usize,
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

/// The `std` file and the job buffer: what a job borrows.
struct Parts {
    /// The file itself.
    std: std::fs::File,
    /// A chunk just read (`buf[..filled]`, in `Reading` mode) or bytes
    /// written by the caller and not yet in the file (all of `buf`, in
    /// `Writing` mode). Its allocation is reused across chunks.
    buf: Vec<u8>,
    /// How much of `buf` the last read job filled.
    filled: usize,
    /// What `buf` holds.
    mode: Mode,
}

/// What a `Parts` buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing.
    Empty,
    /// A chunk read ahead, `buf[..filled]`, not yet moved to the front.
    Reading,
    /// Bytes to write, all of `buf`.
    Writing,
}

/// What a job did.
enum Done {
    /// Filled `buf[..filled]` with a chunk (`filled == 0`: end of file);
    /// whether the chunk was as large as asked.
    Read(io::Result<bool>),
    /// Wrote out all of `buf`.
    Write(io::Result<()>),
    /// Read the rest of the file straight into the caller's vector (taken
    /// by `read_to_end`, handed back here).
    ReadToEnd(Vec<u8>, io::Result<usize>),
    /// Moved the `std` file's offset; the new position.
    Seek(io::Result<u64>),
}

impl File {
    /// Wraps a file just opened on the pool (`OpenOptions::open`).
    pub(super) fn with_path(std: std::fs::File, path: PathBuf) -> File {
        File::new(std, Some(path.into()))
    }

    /// A `File` around `std`, at `std`'s offset.
    fn new(std: std::fs::File, path: Option<Arc<Path>>) -> File {
        File {
            path,
            #[cfg(unix)]
            fd: std::os::unix::io::AsRawFd::as_raw_fd(&std),
            state: State::Idle(Box::new(Parts {
                std,
                buf: Vec::new(),
                filled: 0,
                mode: Mode::Empty,
            })),
            front: Front::default(),
            seeking: false,
        }
    }

    /// Wraps a `std::fs::File` (opened elsewhere, without blocking concerns)
    /// so that it is read and written through the blocking pool. Reads and
    /// writes start at `std`'s offset. Its errors name no path: the `std`
    /// file does not know it.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::io::AsyncReadExt;
    ///
    /// spindle::block_on(async {
    ///     let std = std::fs::File::open("Cargo.toml")?;
    ///     let mut file = spindle::fs::File::from_std(std);
    ///     let mut text = String::new();
    ///     file.read_to_string(&mut text).await?;
    ///     assert!(text.contains("[package]"));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(std: std::fs::File) -> File {
        File::new(std, None)
    }

    /// Finishes what is running, writes out buffered bytes, and returns the
    /// `std` file, its offset where this `File`'s reads and writes had got
    /// to (bytes read ahead are given back with a seek).
    ///
    /// As on drop, an error of that last write is lost: call
    /// [`flush`](futures::io::AsyncWriteExt::flush) first to see it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use spindle::io::AsyncWriteExt;
    ///
    /// spindle::block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-into-std-doc-{}", std::process::id()));
    ///     let mut file = spindle::fs::File::create(&path).await?;
    ///     file.write_all(b"async, ").await?;
    ///     let mut std = file.into_std().await;
    ///     std.write_all(b"then blocking")?;
    ///     assert_eq!(std::fs::read_to_string(&path)?, "async, then blocking");
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if an earlier operation lost the file (the blocking pool could
    /// not start a thread for it: every operation has failed since).
    pub async fn into_std(mut self) -> std::fs::File {
        // Lost with the write's error, as on drop; see the doc.
        let _ = poll_fn(|cx| Pin::new(&mut self).poll_flush(cx)).await;
        match self.take_idle() {
            Some(std) => std,
            None => panic!("{}", self.broken()),
        }
    }

    /// Returns the `std` file at once if nothing is running and no written
    /// bytes wait in the buffer; otherwise gives this `File` back.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let file = spindle::fs::File::open("Cargo.toml").await?;
    ///     let std = file.try_into_std().expect("nothing is running");
    ///     assert!(std.metadata()?.is_file());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// This `File`, unchanged, while a job runs on the pool or written bytes
    /// are still buffered (those need a write, which would block).
    pub fn try_into_std(mut self) -> Result<std::fs::File, File> {
        match &self.state {
            State::Idle(parts) if parts.mode != Mode::Writing => {
                Ok(self.take_idle().expect("checked: idle"))
            }
            _ => Err(self),
        }
    }

    /// Changes the permissions of the file (on Unix, `fchmod`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-fchmod-doc-{}", std::process::id()));
    ///     let file = spindle::fs::File::create(&path).await?;
    ///     let mut permissions = file.metadata().await?.permissions();
    ///     permissions.set_readonly(true);
    ///     file.set_permissions(permissions).await?;
    ///     assert!(std::fs::metadata(&path)?.permissions().readonly());
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::set_permissions`], with the path in the message;
    /// fails while another operation on this file is half done.
    pub async fn set_permissions(&self, permissions: std::fs::Permissions) -> io::Result<()> {
        let std = self.try_clone_std()?;
        let path = self.path.clone();
        run("spindle::fs::File::set_permissions", move || {
            std.set_permissions(permissions)
                .map_err(|err| file_error(err, "could not set permissions of", &path))
        })
        .await
    }

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
                .map_err(|err| file_error(err, "could not read metadata of", &path))
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
                .map_err(|err| file_error(err, "could not sync", &path))
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
                .map_err(|err| file_error(err, "could not use", &self.path)),
            State::Busy(_) => Err(self.error(io::Error::other(
                "another operation on this file is in progress",
            ))),
            State::Broken => Err(self.broken()),
        }
    }

    /// Starts a job that owns `parts` and gives them back with its result.
    fn start(&mut self, parts: Box<Parts>, job: impl FnOnce(&mut Parts) -> Done + Send + 'static) {
        let future = unblock("spindle::fs::File", move || {
            let mut parts = parts;
            let done = job(&mut parts);
            (parts, done)
        });
        self.state = State::Busy(Box::pin(future));
    }

    /// Starts a read job for a chunk sized after a caller's buffer of
    /// `asked` bytes.
    fn start_read(&mut self, parts: Box<Parts>, asked: usize) {
        let want = asked.clamp(MIN_CHUNK, MAX_CHUNK);
        self.start(parts, move |parts| parts.read_chunk(want));
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

    /// Forgets everything read ahead (the front and a chunk in `parts`);
    /// returns how many bytes that was, which is how far the `std` offset
    /// is ahead of the caller's position.
    fn drop_read_ahead(&mut self, parts: &mut Parts) -> i64 {
        let mut unread = self.front.end - self.front.pos;
        self.front.pos = 0;
        self.front.end = 0;
        if parts.mode == Mode::Reading {
            unread += parts.filled;
            parts.mode = Mode::Empty;
        }
        unread as i64
    }

    /// Takes the `std` file out of an idle `File` (leaving it broken, so
    /// its drop does nothing), after giving back what was read ahead: the
    /// `std` offset is then where the caller's reads had got to. `None`
    /// unless idle.
    fn take_idle(&mut self) -> Option<std::fs::File> {
        let State::Idle(mut parts) = std::mem::replace(&mut self.state, State::Broken) else {
            return None;
        };
        let unread = self.drop_read_ahead(&mut parts);
        if unread > 0 {
            // `lseek` only moves the offset, no disk I/O: quick enough for
            // the loop's thread. It cannot fail for a position this `File`
            // has just read past.
            let _ = parts.std.seek(SeekFrom::Current(-unread));
        }
        Some(parts.std)
    }

    /// `err` naming this file.
    fn error(&self, err: io::Error) -> io::Error {
        match &self.path {
            Some(path) => path_error(err, "file", path),
            None => io::Error::new(
                err.kind(),
                format!("a file made from a `std::fs::File`: {err}"),
            ),
        }
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
    /// Reads one chunk of up to `want` bytes into `buf[..filled]`.
    fn read_chunk(&mut self, want: usize) -> Done {
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        let result = loop {
            match self.std.read(&mut self.buf[..want]) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                result => break result,
            }
        };
        self.filled = *result.as_ref().unwrap_or(&0);
        self.mode = Mode::Reading;
        Done::Read(result.map(|n| n == want))
    }

    /// Writes all of `buf` out and empties it.
    fn write_out(&mut self) -> Done {
        let result = self.std.write_all(&self.buf);
        self.buf.clear();
        self.mode = Mode::Empty;
        Done::Write(result)
    }
}

impl Front {
    /// Copies unread bytes into `out`; how many.
    fn copy_out(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.end - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        n
    }
}

impl File {
    /// Makes sure the front holds unread bytes, reading a chunk (sized
    /// after `asked`) if needed; `false` at end of file. The body of
    /// `poll_read`, `read_to_end` and `read_to_string`.
    fn poll_fill(&mut self, cx: &mut Context<'_>, asked: usize) -> Poll<io::Result<bool>> {
        loop {
            // Served from the front, even while a read-ahead job runs.
            if self.front.pos < self.front.end {
                return Poll::Ready(Ok(true));
            }
            let full = match ready!(self.poll_job(cx))? {
                Some(Done::Read(result)) => Some(result.map_err(|err| self.error(err))?),
                Some(Done::Write(result)) => {
                    result.map_err(|err| self.error(err))?;
                    None
                }
                // A seek whose caller stopped waiting; its position is
                // where the file is now.
                Some(Done::Seek(result)) => {
                    self.seeking = false;
                    result.map_err(|err| self.error(err))?;
                    None
                }
                // An abandoned `read_to_end`: the file is at its end now.
                Some(Done::ReadToEnd(..)) | None => None,
            };
            let mut parts = self.take_parts()?;
            match parts.mode {
                Mode::Reading => {
                    // A chunk came back: it becomes the front, and the old
                    // front's buffer goes to the next job.
                    std::mem::swap(&mut self.front.buf, &mut parts.buf);
                    self.front.pos = 0;
                    self.front.end = parts.filled;
                    parts.mode = Mode::Empty;
                    if self.front.end == 0 {
                        self.state = State::Idle(parts);
                        return Poll::Ready(Ok(false)); // end of file
                    }
                    if full == Some(true) {
                        // Read the next chunk while the caller copies this one.
                        self.start_read(parts, asked);
                    } else {
                        self.state = State::Idle(parts);
                    }
                }
                Mode::Writing => self.start(parts, Parts::write_out),
                Mode::Empty => self.start_read(parts, asked),
            }
        }
    }

    /// Reads everything to the end of the file, appending it to `buf`;
    /// returns how many bytes were read.
    ///
    /// What was already read ahead is appended first; then `buf` itself is
    /// lent to one job on the pool, which reads the rest straight into it
    /// with `std`'s `read_to_end` (sized by the file's length): one hop and
    /// no extra copy, however large the file. This inherent method is what
    /// `file.read_to_end(&mut buf)` calls, ahead of futures'
    /// `AsyncReadExt::read_to_end`, which would go through `poll_read` a
    /// chunk at a time (and zero-fills the vector's spare capacity again
    /// after every `Pending`).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut file = spindle::fs::File::open("Cargo.toml").await?;
    ///     let mut bytes = Vec::new();
    ///     let n = file.read_to_end(&mut bytes).await?;
    ///     assert_eq!(n, bytes.len());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A read error, with the path; the bytes read before it stay in `buf`.
    ///
    /// # Cancellation
    ///
    /// If this future is dropped while the job runs, `buf` is left empty:
    /// its bytes went with the job. The file stays usable, positioned at
    /// its end.
    pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let start = buf.len();
        // 1. Finish what runs, and append what was read ahead.
        poll_fn(|cx| loop {
            let front = &mut self.front;
            buf.extend_from_slice(&front.buf[front.pos..front.end]);
            front.pos = front.end;
            match ready!(self.poll_job(cx))? {
                Some(Done::Read(result)) => drop(result.map_err(|err| self.error(err))?),
                Some(Done::Write(result)) => result.map_err(|err| self.error(err))?,
                Some(Done::Seek(result)) => {
                    self.seeking = false;
                    result.map_err(|err| self.error(err))?;
                }
                Some(Done::ReadToEnd(..)) | None => {}
            }
            let mut parts = self.take_parts()?;
            match parts.mode {
                Mode::Writing => self.start(parts, Parts::write_out),
                Mode::Reading => {
                    buf.extend_from_slice(&parts.buf[..parts.filled]);
                    parts.mode = Mode::Empty;
                    self.state = State::Idle(parts);
                }
                Mode::Empty => {
                    self.state = State::Idle(parts);
                    return Poll::Ready(Ok::<(), io::Error>(()));
                }
            }
        })
        .await?;
        // 2. The rest, in one job, straight into `buf`.
        let parts = self.take_parts()?;
        let mut lent = std::mem::take(buf);
        self.start(parts, move |parts| {
            let result = parts.std.read_to_end(&mut lent);
            Done::ReadToEnd(lent, result)
        });
        poll_fn(|cx| match ready!(self.poll_job(cx))? {
            Some(Done::ReadToEnd(back, result)) => {
                *buf = back;
                result.map_err(|err| self.error(err))?;
                Poll::Ready(Ok(buf.len() - start))
            }
            _ => unreachable!("the job just started is a read to end"),
        })
        .await
    }

    /// Reads everything to the end of the file as UTF-8, appending it to
    /// `text`; returns how many bytes were read. Inherent for the same
    /// reason as [`read_to_end`](Self::read_to_end).
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut text = String::new();
    ///     spindle::fs::File::open("Cargo.toml").await?.read_to_string(&mut text).await?;
    ///     assert!(text.contains("[package]"));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A read error, with the path, or `InvalidData` if the bytes are not
    /// UTF-8 (then `text` is left as it was).
    pub async fn read_to_string(&mut self, text: &mut String) -> io::Result<usize> {
        let mut bytes = Vec::new();
        let n = self.read_to_end(&mut bytes).await?;
        let more = String::from_utf8(bytes).map_err(|err| {
            self.error(io::Error::new(io::ErrorKind::InvalidData, err.utf8_error()))
        })?;
        text.push_str(&more);
        Ok(n)
    }
}

impl File {
    /// The body of `poll_write` and `poll_write_vectored`: waits for a
    /// running job, moves the `std` offset back over read-ahead, writes the
    /// buffer out if it is full, then copies as much of `data`, slice after
    /// slice, as fits into it; returns how many bytes it took.
    fn poll_write_slices(
        &mut self,
        cx: &mut Context<'_>,
        data: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        loop {
            match ready!(self.poll_job(cx))? {
                Some(Done::Write(result)) => result.map_err(|err| self.error(err))?,
                Some(Done::Seek(result)) => {
                    self.seeking = false;
                    result.map_err(|err| self.error(err))?;
                }
                // A read-ahead that failed moved nothing; one that worked
                // is counted as unread below.
                Some(Done::Read(_) | Done::ReadToEnd(..)) | None => {}
            }
            let mut parts = self.take_parts()?;
            let unread = self.drop_read_ahead(&mut parts);
            if unread > 0 {
                // The `std` offset is past what was read ahead: move it back
                // to where the caller is before writing there.
                self.start(parts, move |parts| {
                    Done::Seek(parts.std.seek(SeekFrom::Current(-unread)))
                });
                continue;
            }
            if parts.mode == Mode::Writing && parts.buf.len() >= MAX_CHUNK {
                self.start(parts, Parts::write_out);
                continue;
            }
            if parts.mode == Mode::Empty {
                // The buffer may still hold a spent chunk.
                parts.buf.clear();
            }
            let mut taken = 0;
            for slice in data {
                let n = slice.len().min(MAX_CHUNK - parts.buf.len());
                parts.buf.extend_from_slice(&slice[..n]);
                taken += n;
                if n < slice.len() {
                    break; // the buffer is full
                }
            }
            if !parts.buf.is_empty() {
                parts.mode = Mode::Writing;
            }
            self.state = State::Idle(parts);
            return Poll::Ready(Ok(taken));
        }
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if out.is_empty() || !ready!(this.poll_fill(cx, out.len()))? {
            return Poll::Ready(Ok(0));
        }
        Poll::Ready(Ok(this.front.copy_out(out)))
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_slices(cx, &[IoSlice::new(data)])
    }

    /// Copies every buffer into the write buffer, as far as there is room
    /// (futures-io's default would take only the first non-empty one).
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_slices(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match ready!(this.poll_job(cx))? {
                Some(Done::Write(result)) => result.map_err(|err| this.error(err))?,
                Some(Done::Seek(result)) => {
                    this.seeking = false;
                    result.map_err(|err| this.error(err))?;
                }
                Some(Done::Read(_) | Done::ReadToEnd(..)) | None => {}
            }
            let parts = this.take_parts()?;
            if parts.mode == Mode::Writing {
                this.start(parts, Parts::write_out);
            } else {
                // A read-ahead stays where it is: flushing concerns writes.
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
                Some(Done::Seek(result)) if this.seeking => {
                    this.seeking = false;
                    return Poll::Ready(result.map_err(|err| this.error(err)));
                }
                Some(Done::Write(result)) => result.map_err(|err| this.error(err))?,
                // Not ours (a seek a caller stopped waiting for), or a
                // read-ahead, counted as unread below.
                Some(Done::Seek(_)) | Some(Done::Read(_) | Done::ReadToEnd(..)) | None => {}
            }
            let mut parts = this.take_parts()?;
            if parts.mode == Mode::Writing {
                this.start(parts, Parts::write_out);
                continue;
            }
            let unread = this.drop_read_ahead(&mut parts);
            let to = match to {
                // The caller is `unread` bytes behind the `std` offset.
                SeekFrom::Current(n) => SeekFrom::Current(n - unread),
                to => to,
            };
            this.start(parts, move |parts| Done::Seek(parts.std.seek(to)));
            this.seeking = true;
        }
    }
}

impl Drop for File {
    /// Writes out bytes still in the buffer, in the background on the pool
    /// when a runtime is running (else here), with errors lost: call
    /// `flush` or `close` to see them.
    fn drop(&mut self) {
        let State::Idle(mut parts) = std::mem::replace(&mut self.state, State::Broken) else {
            return;
        };
        if parts.mode != Mode::Writing {
            return;
        }
        if context::with_core(|_| ()).is_some() {
            // Submitted now; the job runs whether or not the future is polled.
            drop(unblock("spindle::fs::File", move || parts.write_out()));
        } else {
            let _ = parts.write_out();
        }
    }
}

impl From<std::fs::File> for File {
    /// As [`File::from_std`].
    fn from(std: std::fs::File) -> File {
        File::from_std(std)
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsRawFd for File {
    /// The file's descriptor. It stays open as long as this `File`; while
    /// a job runs, a pool thread is using it.
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.fd
    }
}

/// `err` with `what` and the file's path in front (see `path_error`), or
/// without a path for a file made from a `std::fs::File`.
fn file_error(err: io::Error, what: &str, path: &Option<Arc<Path>>) -> io::Error {
    match path {
        Some(path) => path_error(err, what, path),
        None => io::Error::new(
            err.kind(),
            format!("{what} a file made from a `std::fs::File`: {err}"),
        ),
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Idle(parts) => match parts.mode {
                Mode::Empty => "idle",
                Mode::Reading => "idle, a chunk read ahead",
                Mode::Writing => "idle, writes buffered",
            },
            State::Busy(_) => "busy on the blocking pool",
            State::Broken => "broken",
        };
        f.debug_struct("File")
            .field("path", &self.path.as_deref())
            .field("state", &state)
            .field("front", &(self.front.end - self.front.pos))
            .finish()
    }
}
