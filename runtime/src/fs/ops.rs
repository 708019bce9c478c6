//! The one-call file system operations: each runs its `std::fs` namesake on
//! the blocking pool and names the path in its error.
//!
//! They all have the same three steps: copy the path (the closure must own
//! what it touches, since it runs on another thread), call `std::fs` inside
//! [`unblock`](crate::blocking::unblock), and wrap the error with
//! [`path_error`]. `read` and `write` move the whole file in one call on the
//! pool thread, so they cost a single hop however large the file is.

use std::io;
use std::path::Path;

use crate::blocking::unblock;

/// Reads the whole file at `path`.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let bytes = spindle::fs::read("Cargo.toml").await?;
///     assert!(!bytes.is_empty());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::read`], with the path in the message: for example
/// `NotFound` for a missing file, or an "Is a directory" error for a
/// directory.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::read", move || {
        std::fs::read(&path).map_err(|err| path_error(err, "could not read", &path))
    })
    .await
}

/// Reads the whole file at `path` as UTF-8 text.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let text = spindle::fs::read_to_string("Cargo.toml").await?;
///     assert!(text.contains("[package]"));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`read`], and `InvalidData` if the file is not UTF-8.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::read_to_string", move || {
        std::fs::read_to_string(&path).map_err(|err| path_error(err, "could not read", &path))
    })
    .await
}

/// Writes `contents` to the file at `path`, creating it or replacing what
/// it held.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-write-doc-{}", std::process::id()));
///     spindle::fs::write(&path, "text").await?;
///     assert_eq!(std::fs::read(&path)?, b"text");
///     std::fs::remove_file(&path)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::write`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    // The pool thread needs its own copy: `contents` is borrowed.
    let contents = contents.as_ref().to_owned();
    run("spindle::fs::write", move || {
        std::fs::write(&path, contents).map_err(|err| path_error(err, "could not write", &path))
    })
    .await
}

/// Reads the metadata (size, type, permissions, times) of `path`,
/// following symbolic links.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let meta = spindle::fs::metadata("Cargo.toml").await?;
///     assert!(meta.is_file());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::metadata`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::metadata", move || {
        std::fs::metadata(&path).map_err(|err| path_error(err, "could not read metadata of", &path))
    })
    .await
}

/// Removes the file at `path`.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-rm-doc-{}", std::process::id()));
///     std::fs::write(&path, "x")?;
///     spindle::fs::remove_file(&path).await?;
///     assert!(!path.exists());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::remove_file`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::remove_file", move || {
        std::fs::remove_file(&path).map_err(|err| path_error(err, "could not remove", &path))
    })
    .await
}

/// Removes the empty directory at `path`.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let dir = std::env::temp_dir().join(format!("spindle-rmdir-doc-{}", std::process::id()));
///     std::fs::create_dir(&dir)?;
///     spindle::fs::remove_dir(&dir).await?;
///     assert!(!dir.exists());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::remove_dir`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::remove_dir", move || {
        std::fs::remove_dir(&path)
            .map_err(|err| path_error(err, "could not remove directory", &path))
    })
    .await
}

/// Removes the directory at `path` and everything in it (the symbolic
/// links in it are removed, not followed).
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let top = std::env::temp_dir().join(format!("spindle-rm-rf-doc-{}", std::process::id()));
///     std::fs::create_dir_all(top.join("a/b"))?;
///     std::fs::write(top.join("a/b/file"), "x")?;
///     spindle::fs::remove_dir_all(&top).await?;
///     assert!(!top.exists());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::remove_dir_all`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::remove_dir_all", move || {
        std::fs::remove_dir_all(&path)
            .map_err(|err| path_error(err, "could not remove directory", &path))
    })
    .await
}

/// Whether something exists at `path` (following symbolic links): `false`
/// only when the OS says it does not; any other failure to look (no
/// permission to search a directory on the way) is an error, where
/// `Path::exists` would say `false`.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     assert!(spindle::fs::try_exists("Cargo.toml").await?);
///     assert!(!spindle::fs::try_exists("spindle-no-such-file").await?);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`Path::try_exists`]: `metadata` failing with any kind but
/// `NotFound` (for example `PermissionDenied`), with the path in the
/// message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::try_exists", move || {
        // `Path::try_exists` (stable since 1.63): `metadata`, with
        // `NotFound` mapped to `false`.
        path.try_exists()
            .map_err(|err| path_error(err, "could not look for", &path))
    })
    .await
}

/// Sets the permissions of the file or directory at `path` (on Unix, its
/// mode bits).
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-chmod-doc-{}", std::process::id()));
///     std::fs::write(&path, "x")?;
///     let mut permissions = spindle::fs::metadata(&path).await?.permissions();
///     permissions.set_readonly(true);
///     spindle::fs::set_permissions(&path, permissions).await?;
///     assert!(spindle::fs::metadata(&path).await?.permissions().readonly());
///     std::fs::remove_file(&path)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::set_permissions`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn set_permissions(
    path: impl AsRef<Path>,
    permissions: std::fs::Permissions,
) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::set_permissions", move || {
        std::fs::set_permissions(&path, permissions)
            .map_err(|err| path_error(err, "could not set permissions of", &path))
    })
    .await
}

/// Renames `from` to `to`, replacing `to` if it is a file.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let dir = std::env::temp_dir();
///     let (a, b) = (dir.join(format!("spindle-mv-a-{}", std::process::id())),
///                   dir.join(format!("spindle-mv-b-{}", std::process::id())));
///     std::fs::write(&a, "x")?;
///     spindle::fs::rename(&a, &b).await?;
///     assert!(b.exists() && !a.exists());
///     std::fs::remove_file(&b)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::rename`], naming both paths.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    run("spindle::fs::rename", move || {
        std::fs::rename(&from, &to).map_err(|err| two_path_error(err, "rename", &from, &to))
    })
    .await
}

/// Creates the directory `path`; its parent must exist.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let dir = std::env::temp_dir().join(format!("spindle-mkdir-doc-{}", std::process::id()));
///     spindle::fs::create_dir(&dir).await?;
///     assert!(dir.is_dir());
///     std::fs::remove_dir(&dir)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::create_dir`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::create_dir", move || {
        std::fs::create_dir(&path)
            .map_err(|err| path_error(err, "could not create directory", &path))
    })
    .await
}

/// Creates the directory `path` and every missing parent; succeeds if it
/// already exists.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let top = std::env::temp_dir().join(format!("spindle-mkdirs-doc-{}", std::process::id()));
///     spindle::fs::create_dir_all(top.join("a/b/c")).await?;
///     assert!(top.join("a/b/c").is_dir());
///     std::fs::remove_dir_all(&top)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::create_dir_all`], with the path in the message.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    run("spindle::fs::create_dir_all", move || {
        std::fs::create_dir_all(&path)
            .map_err(|err| path_error(err, "could not create directory", &path))
    })
    .await
}

/// Copies the contents and permissions of the file `from` to `to`; returns
/// the number of bytes copied.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let to = std::env::temp_dir().join(format!("spindle-cp-doc-{}", std::process::id()));
///     let n = spindle::fs::copy("Cargo.toml", &to).await?;
///     assert_eq!(n, std::fs::metadata("Cargo.toml")?.len());
///     std::fs::remove_file(&to)?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`std::fs::copy`], naming both paths.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    run("spindle::fs::copy", move || {
        std::fs::copy(&from, &to).map_err(|err| two_path_error(err, "copy", &from, &to))
    })
    .await
}

/// Runs a fallible `std::fs` call on the pool; one `io::Result`, whether
/// the call failed or the pool could not start a thread.
pub(crate) async fn run<T: Send + 'static>(
    what: &str,
    op: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    unblock(what, op).await?
}

/// `err` with `what` and `path` in front of its message, its kind kept:
/// `could not open `/tmp/x`: No such file or directory (os error 2)`.
pub(crate) fn path_error(err: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{what} `{}`: {err}", path.display()))
}

/// `err` naming both paths of a two-path operation.
pub(crate) fn two_path_error(err: io::Error, what: &str, from: &Path, to: &Path) -> io::Error {
    io::Error::new(
        err.kind(),
        format!(
            "could not {what} `{}` to `{}`: {err}",
            from.display(),
            to.display()
        ),
    )
}
