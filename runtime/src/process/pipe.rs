//! A child's stdin, stdout and stderr as futures-io streams, registered in
//! the reactor.
//!
//! `Stdio::piped()` makes `std::process::Command` create a pipe per stream
//! and keep our end of it. Our end is a plain file descriptor in blocking
//! mode; here it is turned into a `mio::unix::pipe::Sender` (stdin) or
//! `Receiver` (stdout, stderr), switched to `O_NONBLOCK`, and registered
//! with the reactor through `IoSource`. From then on a pipe behaves like a
//! socket: `poll_read`/`poll_write` go through `Registration::poll_io_sized`
//! (`reactor/registration.rs`), so an empty pipe parks the task until the kernel
//! reports it readable, with no thread per pipe.
//!
//! With the feature `tokio` the three implement tokio's `AsyncRead` or
//! `AsyncWrite` as well (`tokio/io.rs`).
//!
//! Only our end is non-blocking; the child's end, a different file
//! descriptor, is untouched, so the child sees an ordinary pipe.

use std::fmt;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};
use mio::unix::pipe;

use crate::reactor::Direction;
use crate::reactor::IoSource;

/// The writing end of a child's stdin, taken from [`Child::stdin`](super::Child::stdin).
///
/// Close it (with [`close`](futures::io::AsyncWriteExt::close) or by
/// dropping it) to send end-of-file to the child.
///
/// # Examples
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle::process::{Command, Stdio};
///
/// spindle::block_on(async {
///     let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
///     let mut stdin = child.stdin.take().unwrap();
///     stdin.write_all(b"through cat").await?;
///     stdin.close().await?;
///     let mut out = String::new();
///     child.stdout.take().unwrap().read_to_string(&mut out).await?;
///     assert_eq!(out, "through cat");
///     assert!(child.wait().await?.success());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ChildStdin {
    /// The registered pipe; `None` once closed.
    pipe: Option<IoSource<pipe::Sender>>,
}

/// The reading end of a child's stdout, taken from [`Child::stdout`](super::Child::stdout).
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncReadExt;
/// use spindle::process::{Command, Stdio};
///
/// spindle::block_on(async {
///     let mut child = Command::new("echo").arg("hi").stdout(Stdio::piped()).spawn()?;
///     let mut out = Vec::new();
///     child.stdout.take().unwrap().read_to_end(&mut out).await?;
///     assert_eq!(out, b"hi\n");
///     child.wait().await?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ChildStdout {
    /// The registered pipe.
    pipe: IoSource<pipe::Receiver>,
}

/// The reading end of a child's stderr, taken from [`Child::stderr`](super::Child::stderr).
///
/// # Examples
///
/// ```
/// use spindle::io::AsyncReadExt;
/// use spindle::process::{Command, Stdio};
///
/// spindle::block_on(async {
///     let mut child = Command::new("sh").args(["-c", "echo oops >&2"]).stderr(Stdio::piped()).spawn()?;
///     let mut err = Vec::new();
///     child.stderr.take().unwrap().read_to_end(&mut err).await?;
///     assert_eq!(err, b"oops\n");
///     child.wait().await?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ChildStderr {
    /// The registered pipe.
    pipe: IoSource<pipe::Receiver>,
}

impl ChildStdin {
    /// Registers our end of the child's stdin pipe.
    pub(crate) fn new(std: std::process::ChildStdin) -> io::Result<ChildStdin> {
        let sender = pipe::Sender::from(std);
        sender.set_nonblocking(true)?;
        Ok(ChildStdin {
            pipe: Some(IoSource::new(sender, "spindle::process::Command::spawn")?),
        })
    }
}

impl ChildStdout {
    /// Registers our end of the child's stdout pipe.
    pub(crate) fn new(std: std::process::ChildStdout) -> io::Result<ChildStdout> {
        Ok(ChildStdout {
            pipe: receiver(pipe::Receiver::from(std))?,
        })
    }
}

impl ChildStderr {
    /// Registers our end of the child's stderr pipe.
    pub(crate) fn new(std: std::process::ChildStderr) -> io::Result<ChildStderr> {
        Ok(ChildStderr {
            pipe: receiver(pipe::Receiver::from(std))?,
        })
    }
}

/// Makes a read end non-blocking and registers it.
fn receiver(receiver: pipe::Receiver) -> io::Result<IoSource<pipe::Receiver>> {
    receiver.set_nonblocking(true)?;
    IoSource::new(receiver, "spindle::process::Command::spawn")
}

/// Reads from a registered pipe, waiting for readiness; an empty `buf`
/// reads nothing and does not wait.
fn poll_read(
    pipe: &IoSource<pipe::Receiver>,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    if buf.is_empty() {
        return Poll::Ready(Ok(0));
    }
    pipe.registration()
        .poll_io_sized(Direction::Read, cx, buf.len(), || (&**pipe).read(buf))
}

impl AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let Some(pipe) = &self.pipe else {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the child's stdin was closed",
            )));
        };
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        pipe.registration()
            .poll_io_sized(Direction::Write, cx, buf.len(), || (&**pipe).write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A pipe has no buffer of ours to flush: `write` hands bytes to the
        // kernel.
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Dropping our end deregisters and closes it: the child reads EOF.
        self.pipe = None;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for ChildStdout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        poll_read(&self.pipe, cx, buf)
    }
}

impl AsyncRead for ChildStderr {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        poll_read(&self.pipe, cx, buf)
    }
}

#[cfg(feature = "tokio")]
crate::tokio::io::async_write! {
    // Not vectored: `ChildStdin` keeps futures-io's default
    // `poll_write_vectored`, which writes the first buffer that is not empty.
    vectored: false;
    ///
    /// Here that closes our end of the pipe, so the child reads EOF; a
    /// write after it fails with `BrokenPipe`.
    ChildStdin,
}
#[cfg(feature = "tokio")]
crate::tokio::io::async_read!(ChildStdout, ChildStderr);

impl fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdin")
            .field("pipe", &self.pipe)
            .finish()
    }
}

impl fmt::Debug for ChildStdout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdout")
            .field("pipe", &self.pipe)
            .finish()
    }
}

impl fmt::Debug for ChildStderr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStderr")
            .field("pipe", &self.pipe)
            .finish()
    }
}
