//! `Command`: what to run, with which arguments, environment, directory and
//! stdio, and the three ways to run it.
//!
//! It wraps `std::process::Command`, which does the real work: `fork` (or
//! `posix_spawn`) and `exec` are quick and return at once, so they run on
//! the loop's thread. What spindle adds is what happens after: pipes
//! registered in the reactor (`pipe.rs`) and an exit learned through
//! `SIGCHLD` (`reaper.rs`). The builder methods mirror std's one for one.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};

use futures::io::AsyncReadExt;

use crate::process::child::Child;
use crate::process::pipe::{ChildStderr, ChildStdin, ChildStdout};
use crate::process::reaper;

/// A process to start: the program, its arguments, environment, working
/// directory and standard streams.
///
/// # Examples
///
/// ```
/// use spindle::process::Command;
///
/// spindle::block_on(async {
///     let status = Command::new("sh").args(["-c", "exit 3"]).status().await?;
///     assert_eq!(status.code(), Some(3));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Command {
    /// The command itself; every builder method forwards to it.
    std: std::process::Command,
    /// See [`Command::kill_on_drop`].
    kill_on_drop: bool,
    /// Which of stdin, stdout, stderr the caller configured, so `output`
    /// can pick its own defaults (null, piped, piped) for the others, as
    /// std's `output` does.
    configured: [bool; 3],
}

impl Command {
    /// A command to run `program`, found on `PATH` unless it is a path.
    /// By default the child inherits this process's environment, working
    /// directory and standard streams.
    ///
    /// # Examples
    ///
    /// ```
    /// let command = spindle::process::Command::new("ls");
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            std: std::process::Command::new(program),
            kill_on_drop: false,
            configured: [false; 3],
        }
    }

    /// Adds one argument.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::process::Command::new("ls").arg("-l");
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds several arguments.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::process::Command::new("ls").args(["-l", "-a"]);
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets the child's `argv[0]`, the name it sees itself run as,
    /// instead of the program's path.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let out = spindle::process::Command::new("sh")
    ///         .arg0("renamed")
    ///         .args(["-c", "echo $0"])
    ///         .output()
    ///         .await?;
    ///     assert_eq!(out.stdout, b"renamed\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn arg0(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        std::os::unix::process::CommandExt::arg0(&mut self.std, arg);
        self
    }

    /// Sets one environment variable for the child.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::process::Command::new("env").env("LANG", "C");
    /// ```
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, value);
        self
    }

    /// Sets several environment variables for the child.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::process::Command::new("env").envs([("A", "1"), ("B", "2")]);
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes one environment variable from the child's environment.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::process::Command::new("env").env_remove("HOME");
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus what `env` adds
    /// afterwards). With no `PATH`, give the program as a path.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::process::Command::new("/usr/bin/env").env_clear();
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the child's working directory.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::process::Command::new("pwd").current_dir("/");
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Sets the child's stdin: [`Stdio::piped()`] gives a
    /// [`ChildStdin`] in [`Child::stdin`], [`Stdio::inherit()`] (the default
    /// for `spawn` and `status`) shares ours, [`Stdio::null()`] reads
    /// nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::process::{Command, Stdio};
    /// Command::new("cat").stdin(Stdio::piped());
    /// ```
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.configured[0] = true;
        self
    }

    /// Sets the child's stdout; see [`stdin`](Self::stdin).
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::process::{Command, Stdio};
    /// Command::new("ls").stdout(Stdio::null());
    /// ```
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.configured[1] = true;
        self
    }

    /// Sets the child's stderr; see [`stdin`](Self::stdin).
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::process::{Command, Stdio};
    /// Command::new("ls").stderr(Stdio::inherit());
    /// ```
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.configured[2] = true;
        self
    }

    /// Whether dropping the [`Child`] before it exited kills it (`SIGKILL`).
    /// Off by default: a dropped child keeps running, and is reaped when it
    /// exits.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let child = spindle::process::Command::new("sleep").arg("10").kill_on_drop(true).spawn()?;
    ///     drop(child); // killed now, reaped soon
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// Starts the child. Piped streams are registered with the current
    /// runtime's reactor.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let mut child = spindle::process::Command::new("true").spawn()?;
    ///     assert!(child.wait().await?.success());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails, naming the program, if it cannot be started: `NotFound` when
    /// it does not exist, `PermissionDenied` when it is not executable.
    ///
    /// # Panics
    ///
    /// Panics if a stream is piped and no spindle runtime is running on this
    /// thread.
    pub fn spawn(&mut self) -> io::Result<Child> {
        // A good moment to collect children dropped earlier.
        reaper::reap_orphans();
        let mut std = self.std.spawn().map_err(|err| {
            io::Error::new(
                err.kind(),
                format!(
                    "could not spawn `{}`: {err}",
                    self.std.get_program().to_string_lossy()
                ),
            )
        })?;
        // From here on, `child` owns the process: if registering a pipe
        // fails, dropping it handles the process as any dropped child.
        let stdin = std.stdin.take();
        let stdout = std.stdout.take();
        let stderr = std.stderr.take();
        let mut child = Child::new(std, self.kill_on_drop);
        child.stdin = stdin.map(ChildStdin::new).transpose()?;
        child.stdout = stdout.map(ChildStdout::new).transpose()?;
        child.stderr = stderr.map(ChildStderr::new).transpose()?;
        Ok(child)
    }

    /// Runs the child to its exit with the streams as configured (inherited
    /// by default) and returns its exit status.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let status = spindle::process::Command::new("false").status().await?;
    ///     assert_eq!(status.code(), Some(1));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn) and [`Child::wait`].
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }

    /// Runs the child to its exit and collects its stdout and stderr. Unless
    /// configured otherwise, stdin is null and stdout and stderr are piped,
    /// as with std's `output`.
    ///
    /// # Examples
    ///
    /// ```
    /// spindle::block_on(async {
    ///     let out = spindle::process::Command::new("sh")
    ///         .args(["-c", "echo out; echo err >&2; exit 2"])
    ///         .output()
    ///         .await?;
    ///     assert_eq!(out.status.code(), Some(2));
    ///     assert_eq!(out.stdout, b"out\n");
    ///     assert_eq!(out.stderr, b"err\n");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn) and [`Child::wait`], or a read error of a
    /// pipe.
    pub async fn output(&mut self) -> io::Result<Output> {
        if !self.configured[0] {
            self.std.stdin(Stdio::null());
        }
        if !self.configured[1] {
            self.std.stdout(Stdio::piped());
        }
        if !self.configured[2] {
            self.std.stderr(Stdio::piped());
        }
        let mut child = self.spawn()?;
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        // Both at once: a child that fills one pipe while we wait on the
        // other would otherwise never exit.
        let (stdout, stderr) =
            futures::future::try_join(read_all(stdout), read_all(stderr)).await?;
        let status = child.wait().await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }
}

/// Everything a pipe holds until end-of-file; nothing for no pipe.
async fn read_all(pipe: Option<impl futures::io::AsyncRead + Unpin>) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_end(&mut bytes).await?;
    }
    Ok(bytes)
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("std", &self.std)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
