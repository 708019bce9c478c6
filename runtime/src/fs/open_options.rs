//! [`OpenOptions`]: the options of [`std::fs::OpenOptions`], with an
//! async `open` that runs on the blocking pool and hands back a
//! [`File`](super::File).

use std::io;
use std::path::{Path, PathBuf};

use super::ops::{path_error, run};
use super::File;

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
        Ok(File::with_path(std, path))
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}
