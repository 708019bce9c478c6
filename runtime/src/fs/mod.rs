//! Files and directories, without blocking the loop.
//!
//! A regular file is always "ready" as far as epoll and kqueue are
//! concerned: the kernel has no readiness to report, and a `read` that
//! misses the page cache simply blocks the thread until the disk answers.
//! So files cannot go through the reactor the way sockets do. Every
//! operation here runs the matching `std::fs` call on the blocking pool
//! (`blocking/`) and awaits its result, as tokio's and smol's (`async-fs`)
//! file systems do.
//!
//! A [`File`] keeps an internal buffer, so a read of a large file costs one
//! thread hop per chunk (128 KiB to 1 MiB), not one per `poll_read`.
//!
//! Every error names the path it is about (`could not open
//! `/etc/missing`: No such file or directory (os error 2)`), with the
//! [`io::ErrorKind`](std::io::ErrorKind) of the original error.
//!
//! | item | file |
//! | --- | --- |
//! | [`read`], [`read_to_string`], [`write()`], [`metadata`], [`remove_file`], [`remove_dir`], [`remove_dir_all`], [`rename`], [`create_dir`], [`create_dir_all`], [`copy`], [`try_exists`], [`set_permissions`] | `ops.rs` |
//! | [`hard_link`], [`symlink`] (Unix), [`read_link`], [`symlink_metadata`], [`canonicalize`] | `links.rs` |
//! | [`File`] | `file.rs` |
//! | [`OpenOptions`] | `open_options.rs` |
//! | [`read_dir`], [`ReadDir`], [`DirEntry`] | `read_dir.rs` |
//!
//! # Examples
//!
//! ```
//! spindle::block_on(async {
//!     let path = std::env::temp_dir().join(format!("spindle-fs-doc-{}", std::process::id()));
//!     spindle::fs::write(&path, b"hello").await?;
//!     assert_eq!(spindle::fs::read_to_string(&path).await?, "hello");
//!     spindle::fs::remove_file(&path).await?;
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod file;
mod links;
mod open_options;
mod ops;
mod read_dir;

pub use file::File;
#[cfg(unix)]
pub use links::symlink;
pub use links::{canonicalize, hard_link, read_link, symlink_metadata};
pub use open_options::OpenOptions;
pub use ops::{
    copy, create_dir, create_dir_all, metadata, read, read_to_string, remove_dir, remove_dir_all,
    remove_file, rename, set_permissions, try_exists, write,
};
pub use read_dir::{read_dir, DirEntry, ReadDir};
pub use std::fs::{FileType, Metadata, Permissions};
