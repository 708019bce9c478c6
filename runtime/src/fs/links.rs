//! Links and names: hard links, symbolic links, and what a path resolves
//! to.
//!
//! Each function runs its `std::fs` namesake on the blocking pool, as the
//! one-call operations of `ops.rs` do (same three steps: own the paths,
//! call `std::fs` inside [`run`], name the paths in the error). They are
//! kept apart because they are about *names* rather than contents: a hard
//! link is a second name for the same file, a symbolic link is a file
//! whose content is a path the kernel follows, and
//! [`symlink_metadata`] and [`read_link`] are the two calls that look at
//! the link itself instead of following it.

use std::io;
use std::path::{Path, PathBuf};

use crate::fs::ops::{path_error, run, two_path_error};

/// Creates `link`, a new name (a hard link) for the file `original`: both
/// names then reach the same file, and writing through one shows through
/// the other.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let dir = std::env::temp_dir();
///     let original = dir.join(format!("spindle-link-a-{}", std::process::id()));
///     let link = dir.join(format!("spindle-link-b-{}", std::process::id()));
///     std::fs::write(&original, "one file")?;
///     spindle::fs::hard_link(&original, &link).await?;
///     assert_eq!(std::fs::read_to_string(&link)?, "one file");
///     std::fs::remove_file(&original)?;
///     std::fs::remove_file(&link)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::hard_link`], naming both paths: `NotFound` when
/// `original` does not exist, `AlreadyExists` when `link` does, and an
/// error for a directory (most file systems refuse to link one).
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    run("spindle::fs::hard_link", move || {
        std::fs::hard_link(&original, &link)
            .map_err(|err| two_path_error(err, "hard-link", &original, &link))
    })
    .await
}

/// Creates `link`, a symbolic link whose target is `original` (Unix only).
/// The target is stored as given, so a relative one is resolved from the
/// link's directory, and it need not exist.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let link = std::env::temp_dir().join(format!("spindle-symlink-doc-{}", std::process::id()));
///     spindle::fs::symlink("/", &link).await?;
///     assert_eq!(spindle::fs::read_link(&link).await?, std::path::Path::new("/"));
///     std::fs::remove_file(&link)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::os::unix::fs::symlink`], naming both paths: `AlreadyExists`
/// when `link` does.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
#[cfg(unix)]
pub async fn symlink(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    run("spindle::fs::symlink", move || {
        std::os::unix::fs::symlink(&original, &link)
            .map_err(|err| two_path_error(err, "symlink", &original, &link))
    })
    .await
}

/// Reads the target of the symbolic link at `path`, as it was stored (not
/// resolved).
///
/// # Examples
///
/// See [`symlink`].
///
/// # Errors
///
/// As [`std::fs::read_link`], with the path in the message: an
/// `InvalidInput` error when `path` is not a symbolic link, `NotFound`
/// when it does not exist.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::read_link", move || {
        std::fs::read_link(&path).map_err(|err| path_error(err, "could not read link", &path))
    })
    .await
}

/// Reads the metadata of `path` itself, without following a symbolic link
/// (where [`metadata`](super::metadata) describes the link's target).
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let link = std::env::temp_dir().join(format!("spindle-lstat-doc-{}", std::process::id()));
///     spindle::fs::symlink("Cargo.toml", &link).await?;
///     assert!(spindle::fs::symlink_metadata(&link).await?.file_type().is_symlink());
///     std::fs::remove_file(&link)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::symlink_metadata`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::symlink_metadata", move || {
        std::fs::symlink_metadata(&path)
            .map_err(|err| path_error(err, "could not read metadata of", &path))
    })
    .await
}

/// The absolute form of `path`, with every `.`, `..` and symbolic link
/// resolved.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     assert_eq!(spindle::fs::canonicalize("/.").await?, std::path::Path::new("/"));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::canonicalize`], with the path in the message: `NotFound`
/// when a part of it does not exist.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::canonicalize", move || {
        std::fs::canonicalize(&path).map_err(|err| path_error(err, "could not resolve", &path))
    })
    .await
}
