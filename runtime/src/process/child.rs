//! `Child`: a running child process, its pipes, and its exit.
//!
//! The process itself is a `std::process::Child`; spindle adds an
//! asynchronous [`wait`](Child::wait) (through `SIGCHLD`, `reaper.rs`) and
//! a `Drop` that never leaves a zombie: a child dropped before its exit was
//! collected is killed if `kill_on_drop` was set, and in any case handed to
//! the orphan list to be reaped when it exits.
//!
//! # A pid is only meaningful until the exit is collected
//!
//! An exited child stays a zombie, holding its pid, until `waitpid`
//! collects its status; from then on the kernel may give the pid to any new
//! process. So once `wait` or `try_wait` has returned a status, the `Child`
//! remembers it (`status`), [`id`](Child::id) answers `None` and
//! [`start_kill`](Child::start_kill) sends nothing: a stale pid is never
//! shown or signalled. The names and meanings are tokio's: `kill` is
//! `async` and waits for the exit, `start_kill` only sends `SIGKILL`.

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
///     child.start_kill()?;
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
    /// The exit status, once `wait` or `try_wait` collected it; from then
    /// on the pid may belong to another process, so `id` and `start_kill`
    /// check this first. Written by [`Child::collected`], never cleared.
    status: Option<ExitStatus>,
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
            status: None,
            kill_on_drop,
        }
    }

    /// The child's process id, or `None` once its exit was collected (by
    /// [`wait`](Self::wait) or [`try_wait`](Self::try_wait)): after that
    /// the kernel may reuse the pid for another process.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut child = spindle::process::Command::new("true").spawn()?;
    ///     assert!(child.id().is_some());
    ///     child.wait().await?;
    ///     assert_eq!(child.id(), None);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn id(&self) -> Option<u32> {
        match self.status {
            Some(_) => None,
            // `std` is `None` only inside `Drop`, where nobody asks.
            None => self.std.as_ref().map(std::process::Child::id),
        }
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
        if let Some(status) = self.status {
            return Ok(status);
        }
        let std = self.std.as_mut().expect("a live Child has its process");
        let status = reaper::wait(std).await?;
        Ok(self.collected(status))
    }

    /// Returns the exit status if the child has exited, without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut child = spindle::process::Command::new("sleep").arg("10").spawn()?;
    ///     assert!(child.try_wait()?.is_none());
    ///     child.kill().await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`wait`](Self::wait).
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let std = self.std.as_mut().expect("a live Child has its process");
        Ok(std.try_wait()?.map(|status| self.collected(status)))
    }

    /// Sends the child `SIGKILL` and returns at once, without waiting for
    /// it to exit: call [`wait`](Self::wait) (or use [`kill`](Self::kill))
    /// to collect the exit, or the child stays a zombie until this `Child`
    /// is dropped. Once the exit was collected it sends nothing (the pid
    /// may be another process's by then) and returns `Ok`.
    ///
    /// # Examples
    ///
    /// See [`Child`].
    ///
    /// # Errors
    ///
    /// Fails if the signal cannot be sent.
    pub fn start_kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        self.std
            .as_mut()
            .expect("a live Child has its process")
            .kill()
    }

    /// Kills the child (`SIGKILL`) and waits until it has exited, so its
    /// exit is collected when this returns. Killing a child that already
    /// exited only collects that exit.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut child = spindle::process::Command::new("sleep").arg("10").spawn()?;
    ///     child.kill().await?;
    ///     assert_eq!(child.id(), None); // exited and collected
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`start_kill`](Self::start_kill) and [`wait`](Self::wait).
    ///
    /// # Panics
    ///
    /// Panics if called outside a spindle runtime.
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await?;
        Ok(())
    }

    /// Remembers the collected exit `status` (see the module doc) and
    /// returns it.
    fn collected(&mut self, status: ExitStatus) -> ExitStatus {
        self.status = Some(status);
        status
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
        if self.status.is_some() {
            return; // collected by `wait` or `try_wait`
        }
        if let Ok(Some(_)) = std.try_wait() {
            return; // exited, and collected now
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
            .field("id", &self.id())
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
