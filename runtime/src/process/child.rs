//! `Child`: a running child process, its pipes, and its exit.
//!
//! The process itself is a `std::process::Child`; spindle adds an
//! asynchronous [`wait`](Child::wait) (through `SIGCHLD`, `reaper.rs`) and
//! a `Drop` that never leaves a zombie: a child dropped before its exit was
//! collected is killed if `kill_on_drop` was set, and in any case handed to
//! the orphan list to be reaped when it exits.

use std::fmt;
use std::io;
use std::process::ExitStatus;

use crate::process::pipe::{ChildStderr, ChildStdin, ChildStdout};
use crate::process::reaper;

/// A child process started by [`Command::spawn`](super::Command::spawn).
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let mut child = spindle::process::Command::new("sleep").arg("10").spawn()?;
///     child.kill()?;
///     let status = child.wait().await?;
///     assert!(!status.success());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Child {
    /// The child's stdin, if it was [`Stdio::piped()`](super::Stdio::piped).
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, if it was piped.
    pub stderr: Option<ChildStderr>,
    /// The process. `None` only while `Drop` hands it to the orphan list.
    std: Option<std::process::Child>,
    /// See [`Command::kill_on_drop`](super::Command::kill_on_drop).
    kill_on_drop: bool,
}

impl Child {
    /// Wraps a freshly spawned process (its pipes taken out by the caller).
    pub(crate) fn new(std: std::process::Child, kill_on_drop: bool) -> Child {
        Child {
            stdin: None,
            stdout: None,
            stderr: None,
            std: Some(std),
            kill_on_drop,
        }
    }

    /// The child's process id.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut child = spindle::process::Command::new("true").spawn()?;
    ///     assert!(child.id() > 0);
    ///     child.wait().await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn id(&self) -> u32 {
        self.process().id()
    }

    /// Waits until the child exits and returns its status. Closes the
    /// child's stdin first (if piped), so a child that reads until EOF can
    /// finish. Calling it again returns the same status.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut child = spindle::process::Command::new("sh").args(["-c", "exit 3"]).spawn()?;
    ///     assert_eq!(child.wait().await?.code(), Some(3));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the exit cannot be collected (another part of the program
    /// reaped the child itself: `ECHILD`).
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        let std = self.std.as_mut().expect("a live Child has its process");
        reaper::wait(std).await
    }

    /// Returns the exit status if the child has exited, without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut child = spindle::process::Command::new("sleep").arg("10").spawn()?;
    ///     assert!(child.try_wait()?.is_none());
    ///     child.kill()?;
    ///     child.wait().await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`wait`](Self::wait).
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.std
            .as_mut()
            .expect("a live Child has its process")
            .try_wait()
    }

    /// Kills the child (`SIGKILL` on Unix). It does not wait: call
    /// [`wait`](Self::wait) to collect the exit. Killing a child that has
    /// already exited does nothing.
    ///
    /// # Examples
    ///
    /// See [`Child`].
    ///
    /// # Errors
    ///
    /// Fails if the signal cannot be sent.
    pub fn kill(&mut self) -> io::Result<()> {
        self.std
            .as_mut()
            .expect("a live Child has its process")
            .kill()
    }

    /// The process, for the accessors.
    fn process(&self) -> &std::process::Child {
        self.std.as_ref().expect("a live Child has its process")
    }
}

impl Drop for Child {
    /// Kills the child if `kill_on_drop` was set; then, unless its exit was
    /// already collected, hands it to the orphan list, so it is reaped when
    /// it exits instead of staying a zombie.
    fn drop(&mut self) {
        let Some(mut std) = self.std.take() else {
            return;
        };
        if let Ok(Some(_)) = std.try_wait() {
            return; // exited and collected (now, or by an earlier wait)
        }
        if self.kill_on_drop {
            let _ = std.kill();
        }
        reaper::adopt(std);
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("id", &self.std.as_ref().map(std::process::Child::id))
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
