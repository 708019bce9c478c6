//! `read_dir`: a directory's entries as a `Stream`, fetched from the pool in
//! batches.
//!
//! `std::fs::ReadDir` is an iterator whose `next` may block (`readdir(3)`
//! reads the directory from disk). [`ReadDir`] owns it and, when its batch
//! of entries is used up, lends it to a pool job that reads the next
//! [`BATCH`] entries and gives it back with them: one hop per 32 entries,
//! not one per entry. The stream ends when a batch comes back short.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures::Stream;

use crate::blocking::unblock;
use crate::fs::ops::{path_error, run};

/// Entries one job reads: enough that a large directory costs few hops,
/// few enough that the first entries come back quickly.
const BATCH: usize = 32;

/// Starts reading the directory at `path`; its entries come as a
/// [`Stream`] (not including `.` and `..`, in no particular order).
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
///
/// spindle::block_on(async {
///     let mut entries = spindle::fs::read_dir(".").await?;
///     let mut names = Vec::new();
///     while let Some(entry) = entries.next().await {
///         names.push(entry?.file_name());
///     }
///     assert!(names.iter().any(|name| name == "Cargo.toml"));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::read_dir`], with the path in the message: `NotFound`, or
/// "Not a directory" for a file. Each entry may also be an error.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path: Arc<Path> = path.as_ref().into();
    let opened = path.clone();
    let std = run("spindle::fs::read_dir", move || {
        std::fs::read_dir(&opened)
            .map_err(|err| path_error(err, "could not read directory", &opened))
    })
    .await?;
    Ok(ReadDir {
        path,
        state: State::Idle(Some(std)),
        batch: VecDeque::new(),
    })
}

/// The entries of a directory, as a [`Stream`] of `io::Result<DirEntry>`
/// (or one at a time through [`next_entry`](ReadDir::next_entry)); made
/// by [`read_dir`].
///
/// # Examples
///
/// See [`read_dir`].
pub struct ReadDir {
    /// The directory, for error messages.
    path: Arc<Path>,
    /// Where the `std` iterator is.
    state: State,
    /// Entries fetched and not yet returned.
    batch: VecDeque<io::Result<std::fs::DirEntry>>,
}

/// The result of one batch job: the iterator back (`None` once it ended)
/// and the entries.
type Batch = (
    Option<std::fs::ReadDir>,
    VecDeque<io::Result<std::fs::DirEntry>>,
);

/// Where a `ReadDir`'s iterator is.
enum State {
    /// Here; `None` once the directory is exhausted.
    Idle(Option<std::fs::ReadDir>),
    /// Lent to a job reading the next batch.
    Busy(Pin<Box<dyn Future<Output = io::Result<Batch>> + Send>>),
}

impl ReadDir {
    /// The next entry, or `None` at the end: the stream's next item with
    /// the `Option` and `Result` swapped, so `?` and `while let` read as
    /// with tokio's `ReadDir`.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut entries = spindle::fs::read_dir(".").await?;
    ///     let mut found = false;
    ///     while let Some(entry) = entries.next_entry().await? {
    ///         found |= entry.file_name() == "Cargo.toml";
    ///     }
    ///     assert!(found);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An entry that could not be read, with the directory's path.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx))
            .await
            .transpose()
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(entry) = this.batch.pop_front() {
                let path = &this.path;
                return Poll::Ready(Some(
                    entry
                        .map(|entry| DirEntry {
                            std: Arc::new(entry),
                        })
                        .map_err(|err| path_error(err, "could not read directory", path)),
                ));
            }
            match &mut this.state {
                State::Busy(job) => {
                    let (std, batch) = match ready!(job.as_mut().poll(cx)) {
                        Ok(done) => done,
                        Err(err) => {
                            this.state = State::Idle(None);
                            return Poll::Ready(Some(Err(err)));
                        }
                    };
                    this.state = State::Idle(std);
                    this.batch = batch;
                }
                State::Idle(None) => return Poll::Ready(None),
                State::Idle(std) => {
                    let mut std = std.take();
                    this.state =
                        State::Busy(Box::pin(unblock("spindle::fs::ReadDir", move || {
                            let iter = std.as_mut().expect("taken from a Some");
                            let batch: VecDeque<_> = iter.by_ref().take(BATCH).collect();
                            // A short batch: the iterator has ended.
                            let rest = if batch.len() < BATCH { None } else { std };
                            (rest, batch)
                        })));
                }
            }
        }
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir")
            .field("path", &self.path)
            .field("buffered", &self.batch.len())
            .finish_non_exhaustive()
    }
}

/// One entry of a directory, yielded by [`ReadDir`].
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
///
/// spindle::block_on(async {
///     let mut entries = spindle::fs::read_dir(".").await?;
///     while let Some(entry) = entries.next().await {
///         let entry = entry?;
///         if entry.file_name() == "Cargo.toml" {
///             assert!(entry.file_type().await?.is_file());
///         }
///     }
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DirEntry {
    /// The entry; shared so a job on the pool can hold it too.
    std: Arc<std::fs::DirEntry>,
}

impl DirEntry {
    /// The entry's full path: the directory's path joined with its name.
    ///
    /// # Examples
    ///
    /// See [`DirEntry`].
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// The entry's name, without the directory.
    ///
    /// # Examples
    ///
    /// See [`DirEntry`].
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// The entry's metadata, not following a symbolic link.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    ///
    /// spindle::block_on(async {
    ///     let mut entries = spindle::fs::read_dir(".").await?;
    ///     let entry = entries.next().await.unwrap()?;
    ///     let _size = entry.metadata().await?.len();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`std::fs::DirEntry::metadata`], with the path in the message.
    pub async fn metadata(&self) -> io::Result<std::fs::Metadata> {
        let std = self.std.clone();
        run("spindle::fs::DirEntry::metadata", move || {
            std.metadata()
                .map_err(|err| path_error(err, "could not read metadata of", &std.path()))
        })
        .await
    }

    /// The entry's file type, not following a symbolic link. On most Unix
    /// file systems this needs no extra syscall, but it may need a `stat`,
    /// so it runs on the pool.
    ///
    /// # Examples
    ///
    /// See [`DirEntry`].
    ///
    /// # Errors
    ///
    /// As [`std::fs::DirEntry::file_type`], with the path in the message.
    pub async fn file_type(&self) -> io::Result<std::fs::FileType> {
        let std = self.std.clone();
        run("spindle::fs::DirEntry::file_type", move || {
            std.file_type()
                .map_err(|err| path_error(err, "could not read the type of", &std.path()))
        })
        .await
    }
}
