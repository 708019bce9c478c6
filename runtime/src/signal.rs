//! Unix signals as futures: `ctrl_c().await`, or a stream of deliveries of
//! any signal.
//!
//! A signal handler may do almost nothing safely, so spindle does not run
//! user code in one. signal-hook installs a handler that writes the signal
//! number into a self-pipe; signal-hook-mio makes the pipe's read end a mio
//! source, registered with the reactor under `SIGNAL_TOKEN`. A signal that
//! arrives while the loop is blocked in `epoll_wait`/`kevent` therefore makes
//! the poll return at once, like any socket event. The loop then drains the
//! pipe (`SignalDriver::dispatch`, in `reactor/signal.rs`), adds one to each delivered signal's
//! counter, and wakes every [`Signal`] waiting on it.
//!
//! Each `Signal` remembers the counter value it last saw, so several
//! listeners for the same signal each see every delivery, and a delivery that
//! happens between two `recv` calls is not lost. Deliveries that arrive
//! faster than the loop drains the pipe are coalesced into one (the kernel
//! and signal-hook coalesce them too).
//!
//! # Notes
//!
//! Once a signal has been listened for, signal-hook's handler stays
//! installed for the life of the process, also after every `Signal` is
//! dropped: the default action (for `SIGINT`, terminating) no longer
//! happens. This is how signal-hook (and tokio) work.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::executor::context;
use crate::reactor::signal::SignalDriver;

/// A kind of Unix signal to listen for.
///
/// # Examples
///
/// ```
/// use spindle::signal::SignalKind;
///
/// assert_eq!(SignalKind::terminate().as_raw_value(), libc_sigterm());
/// # fn libc_sigterm() -> i32 { 15 }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(i32);

impl SignalKind {
    /// `SIGINT`: Ctrl-C in a terminal.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = spindle::signal::SignalKind::interrupt();
    /// ```
    pub fn interrupt() -> SignalKind {
        SignalKind(signal_hook::consts::SIGINT)
    }

    /// `SIGTERM`: the polite request to stop (what `kill` and service
    /// managers send).
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = spindle::signal::SignalKind::terminate();
    /// ```
    pub fn terminate() -> SignalKind {
        SignalKind(signal_hook::consts::SIGTERM)
    }

    /// `SIGHUP`: the terminal went away; daemons often reload on it.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = spindle::signal::SignalKind::hangup();
    /// ```
    pub fn hangup() -> SignalKind {
        SignalKind(signal_hook::consts::SIGHUP)
    }

    /// `SIGQUIT`: Ctrl-\ in a terminal.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = spindle::signal::SignalKind::quit();
    /// ```
    pub fn quit() -> SignalKind {
        SignalKind(signal_hook::consts::SIGQUIT)
    }

    /// `SIGUSR1`, free for the application's own use.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = spindle::signal::SignalKind::user_defined1();
    /// ```
    pub fn user_defined1() -> SignalKind {
        SignalKind(signal_hook::consts::SIGUSR1)
    }

    /// `SIGUSR2`, free for the application's own use.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = spindle::signal::SignalKind::user_defined2();
    /// ```
    pub fn user_defined2() -> SignalKind {
        SignalKind(signal_hook::consts::SIGUSR2)
    }

    /// `SIGCHLD`: a child process stopped or exited.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = spindle::signal::SignalKind::child();
    /// ```
    pub fn child() -> SignalKind {
        SignalKind(signal_hook::consts::SIGCHLD)
    }

    /// `SIGWINCH`: the terminal was resized.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = spindle::signal::SignalKind::window_change();
    /// ```
    pub fn window_change() -> SignalKind {
        SignalKind(signal_hook::consts::SIGWINCH)
    }

    /// Any signal by number. Listening for one that cannot be caught
    /// (`SIGKILL`, `SIGSTOP`) or must not be (`SIGSEGV`, `SIGILL`, `SIGFPE`)
    /// fails in [`signal`].
    ///
    /// # Examples
    ///
    /// ```
    /// let usr1 = spindle::signal::SignalKind::from_raw(10);
    /// assert_eq!(usr1.as_raw_value(), 10);
    /// ```
    pub fn from_raw(signum: i32) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal number.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(spindle::signal::SignalKind::interrupt().as_raw_value(), 2);
    /// ```
    pub fn as_raw_value(self) -> i32 {
        self.0
    }
}

/// Listens for deliveries of `kind` on the current runtime.
///
/// # Examples
///
/// ```no_run
/// use spindle::signal::{signal, SignalKind};
///
/// spindle::block_on(async {
///     let mut hangups = signal(SignalKind::hangup())?;
///     while hangups.recv().await.is_some() {
///         println!("reloading configuration");
///     }
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// Fails for signals that cannot or must not be caught (`SIGKILL`,
/// `SIGSTOP`, `SIGSEGV`, `SIGILL`, `SIGFPE`), with the signal number in the
/// message, or if the self-pipe cannot be created or registered.
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let core = context::expect_core("spindle::signal::signal");
    let driver = core.signal_driver()?;
    driver.listen(kind.0)?;
    let seen = driver.count(kind.0);
    Ok(Signal { driver, kind, seen })
}

/// Waits for the next Ctrl-C (`SIGINT`).
///
/// # Examples
///
/// ```no_run
/// spindle::block_on(async {
///     spindle::signal::ctrl_c().await?;
///     println!("Ctrl-C: shutting down");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// As [`signal`].
///
/// # Panics
///
/// Panics if called outside a spindle runtime.
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupts = signal(SignalKind::interrupt())?;
    interrupts.recv().await;
    Ok(())
}

/// A stream of deliveries of one signal; see [`signal`].
///
/// It also implements [`futures::Stream`], yielding `()` per delivery.
///
/// # Examples
///
/// ```no_run
/// use spindle::signal::{signal, SignalKind};
///
/// spindle::block_on(async {
///     let mut term = signal(SignalKind::terminate())?;
///     term.recv().await;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Signal {
    /// The runtime's signal driver, shared by every `Signal` of the runtime.
    driver: Rc<SignalDriver>,
    /// Which signal.
    kind: SignalKind,
    /// The driver's delivery count for `kind` when this listener last
    /// returned (or was created).
    seen: u64,
}

impl Signal {
    /// Waits for the next delivery. Always `Some(())`: a signal stream does
    /// not end.
    ///
    /// # Examples
    ///
    /// See [`signal`].
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery; the building block of
    /// [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::future::poll_fn;
    ///
    /// spindle::block_on(async {
    ///     let mut sig = spindle::signal::signal(spindle::signal::SignalKind::user_defined1())?;
    ///     poll_fn(|cx| sig.poll_recv(cx)).await;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let count = self.driver.count(self.kind.0);
        if count != self.seen {
            self.seen = count;
            return Poll::Ready(Some(()));
        }
        self.driver.park(self.kind.0, cx.waker());
        Poll::Pending
    }

    /// The signal this stream listens for.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::signal::{signal, SignalKind};
    ///
    /// spindle::block_on(async {
    ///     let sig = signal(SignalKind::user_defined2())?;
    ///     assert_eq!(sig.kind(), SignalKind::user_defined2());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn kind(&self) -> SignalKind {
        self.kind
    }
}

impl futures::Stream for Signal {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().poll_recv(cx)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .field("seen", &self.seen)
            .finish()
    }
}
