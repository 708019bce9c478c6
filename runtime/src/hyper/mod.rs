//! hyper 1.x on spindle (cargo feature `hyper`): the I/O traits, an
//! executor and a timer, so `hyper::server::conn::http1` serves HTTP on
//! spindle's loop; and [`serve`], which does the rest for a whole server.
//!
//! [`serve`]`(listener, service)` is spindle's `axum::serve`: it accepts
//! from a [`TcpListener`](crate::net::TcpListener) or `UnixListener` (any
//! [`Listener`]), runs each connection as a spindle task with HTTP/1 (and
//! upgrades) or HTTP/2 picked per connection, serves any cloneable tower
//! service or axum `Router`, retries accept errors after a short wait
//! instead of ending, and with [`.with_graceful_shutdown(signal)`](Serve::with_graceful_shutdown)
//! stops accepting when `signal` completes and returns once the open
//! connections have finished:
//!
//! ```
//! use axum::{routing::get, Router};
//! use std::time::Duration;
//!
//! spindle::block_on(async {
//!     let app = Router::new().route("/", get(|| async { "hello" }));
//!     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
//!     // A real server would wait for `spindle::signal::ctrl_c()`.
//!     let stop = spindle::time::sleep(Duration::from_millis(10));
//!     spindle::hyper::serve(listener, app)
//!         .with_graceful_shutdown(stop)
//!         .await
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The building blocks, for a server that needs its own accept loop: hyper
//! 1.x does not depend on any runtime. It asks for I/O traits, an executor
//! and a timer, hyper-util's client for a connector; this file provides
//! each, and `hyper/serve.rs` puts them together:
//!
//! | hyper wants | spindle gives | how |
//! | --- | --- | --- |
//! | `hyper::rt::Read` + `Write` on the connection | [`TcpStream`] | the same `poll_io_sized` reads and writes as its futures-io impls |
//! | `hyper::rt::Executor` for background futures (HTTP/2, upgrades) | [`SpindleExecutor`] | [`spawn`](crate::spawn): the futures need not be `Send` |
//! | `hyper::rt::Timer` (for `header_read_timeout`, keep-alive timers) | [`SpindleTimer`] | a [`SpindleSleep`] that is `Send + Sync`, driven by a spindle task |
//! | `Read` + `Write` on `UnixStream`, or on any futures-io stream (TLS) | `UnixStream`, [`Io`] | the same reads as TCP; `Io<T>` for any `AsyncRead + AsyncWrite` |
//! | a connector for hyper-util's pooled client | [`SpindleConnector`] | a `tower::Service<Uri>` that opens a spindle [`TcpStream`] |
//! | a server: accept loop, HTTP/1 + HTTP/2, graceful shutdown | [`serve`] | hyper-util's `auto` connection per accepted stream, one task each (`hyper/serve.rs`) |
//!
//! Since spindle's sockets are `Send + Sync`, they satisfy hyper's `Send`
//! bounds too: `serve_connection(..).with_upgrades()` (WebSockets,
//! `CONNECT`) and `legacy::Client` work, and an axum handler whose future
//! awaits a spindle timer or socket is `Send`, as axum requires
//! (`examples/axum_on_spindle.rs`).
//!
//! ```
//! use std::convert::Infallible;
//! use http_body_util::Full;
//! use hyper::body::Bytes;
//! use spindle::hyper::SpindleTimer;
//! use spindle::io::{AsyncReadExt, AsyncWriteExt};
//! use spindle::net::{TcpListener, TcpStream};
//!
//! spindle::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     spindle::spawn(async move {
//!         let (stream, _) = listener.accept().await.unwrap();
//!         let service = hyper::service::service_fn(|_req| async {
//!             Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from("hi"))))
//!         });
//!         hyper::server::conn::http1::Builder::new()
//!             .timer(SpindleTimer::new())
//!             .serve_connection(stream, service)
//!             .await
//!     });
//!     let mut client = TcpStream::connect(addr).await?;
//!     client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await?;
//!     let mut response = String::new();
//!     client.read_to_string(&mut response).await?;
//!     assert!(response.starts_with("HTTP/1.1 200 OK"));
//!     assert!(response.ends_with("hi"));
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Where it sits in the loop
//!
//! A connection served by hyper is one spindle task running hyper's
//! connection future. When hyper reads, the read goes through the socket's
//! `Registration::poll_io_sized` like any `TcpStream` read: `WouldBlock`
//! parks the task's waker in the socket's reactor slot, and the reactor's
//! event wakes it. When hyper waits for a timeout, a small driver task
//! (below) waits on a spindle timer and wakes hyper's task. With the
//! explain trace on, both show up as ordinary `waits: token` and `waits:
//! timer` lines.
//!
//! # Reading into hyper's buffer
//!
//! hyper hands `poll_read` a [`ReadBufCursor`]: the spare, uninitialised
//! capacity of its read buffer. Zero-filling it before every read (the
//! safe route, `initialize_unfilled`) would cost a `memset` of the whole
//! spare capacity per read, so the read goes straight into it: socket2's
//! `recv` takes `&mut [MaybeUninit<u8>]` safely, and only the two cursor
//! calls that hand out and then commit the uninitialised bytes are
//! `unsafe`. These are the only `unsafe` blocks in the runtime, and only
//! with this feature on; see `# Safety` on `read_uninit`. tokio's
//! `TokioIo` adapter does the same. `.ci/run` runs `tests/hyper.rs` under
//! valgrind, which reports any read of uninitialised memory. What it saves
//! is one `memset` of the buffer's spare capacity per read; the
//! `uninit_read` benchmark in `benches/` measures it: reading a 64-byte
//! request costs 2.11 µs with 8 KiB zeroed first against 2.05 µs without
//! (3%), and 3.23 µs against 2.10 µs (54%) once hyper's buffer has grown to
//! 64 KiB (`cargo bench -p spindle-benches --bench uninit_read`).
//!
//! The `recv` runs inside mio's `TcpStream::try_io`, which is mio's hook for
//! syscalls it does not make itself: on mio's `poll(2)` backend it re-arms
//! the socket after a `WouldBlock`, as mio's own `read` would.
//!
//! # The timer: a `Send + Sync` sleep on a single-threaded runtime
//!
//! hyper requires its `Sleep` to be `Send + Sync`. Spindle's own
//! [`Sleep`](crate::time::Sleep) is too, but hyper may also reset it from
//! its `Timer`, so [`SpindleSleep`] keeps the deadline in an `Arc<Mutex<..>>` with the
//! deadline, two wakers and three flags. On its first `Pending` poll (which
//! happens on the runtime's thread, inside the task hyper runs in) it spawns
//! a small *driver* task that owns a real spindle `Sleep`:
//!
//! ```text
//!   SpindleSleep::poll ──(first Pending)──► spawn driver ── sleep_until(deadline)
//!         ▲                                                    │ timer fires
//!         └──────────── wake hyper's waker, set `fired` ◄──────┘
//!   Timer::reset ── new deadline in the state, wake driver ── driver resets its Sleep
//!   drop(SpindleSleep) ── set `cancelled`, wake driver ── driver ends, timer cancelled
//! ```
//!
//! Cost per armed hyper sleep: one `Arc` and one spawned task (two small
//! allocations) and one spindle timer; a reset is an uncontended lock plus
//! one extra poll of the driver. The mutex is never contended (everything
//! runs on the runtime's thread); it is there because hyper's bound says
//! the sleep may cross threads. A sleep whose deadline has already passed
//! completes without spawning anything.
//!
//! # Invariants
//!
//! - At most one driver task per `SpindleSleep` runs at a time (`started`).
//! - A dropped `SpindleSleep` leaves no timer behind: its driver is woken
//!   and ends.
//! - A reset to a later deadline after the sleep fired re-arms it: `fired`
//!   is cleared and the next poll starts a new driver.

use std::fmt;
use std::future::{poll_fn, Future};
use std::io::{self, IoSlice};
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{ready, Context, Poll, Waker};
use std::time::{Duration, Instant};

use ::hyper::rt::{Read, ReadBufCursor, Sleep, Timer, Write};
use futures::io::{AsyncRead, AsyncWrite};

use crate::net::TcpStream;
#[cfg(unix)]
use crate::net::UnixStream;

mod serve;

use crate::reactor::Direction;
use crate::reactor::IoSource;
pub use serve::{serve, Listener, Serve, ServeFuture, WithGracefulShutdown};

impl Read for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let source = self.source();
        read_uninit(source, cx, buf, |unfilled| {
            source.try_io(|| socket2::SockRef::from(&**source).recv(unfilled))
        })
    }
}

#[cfg(unix)]
impl Read for UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let source = self.source();
        read_uninit(source, cx, buf, |unfilled| {
            source.try_io(|| socket2::SockRef::from(&**source).recv(unfilled))
        })
    }
}

/// Reads from `source` straight into hyper's uninitialised buffer, with
/// `recv` (a `recv(2)` on the socket, through mio's `try_io`).
///
/// # Safety
///
/// No `unsafe fn` here; the two `unsafe` blocks inside rely on this:
/// `recv(2)` writes the first `n` bytes of the slice it is given and never
/// reads or de-initialises any of it, so after it returns `Ok(n)` exactly
/// those `n` bytes are initialised. `ReadBufCursor::as_mut` requires that
/// we never de-initialise bytes (we only let the kernel write them), and
/// `ReadBufCursor::advance(n)` requires that the first `n` are initialised.
/// `recv` must be such a call: both callers pass socket2's `recv`.
fn read_uninit<S: mio::event::Source>(
    source: &IoSource<S>,
    cx: &mut Context<'_>,
    mut buf: ReadBufCursor<'_>,
    mut recv: impl FnMut(&mut [MaybeUninit<u8>]) -> io::Result<usize>,
) -> Poll<io::Result<()>> {
    // SAFETY: the slice is only handed to `recv`, which writes into it and
    // never de-initialises (see `# Safety` above).
    let unfilled: &mut [MaybeUninit<u8>] = unsafe { buf.as_mut() };
    let asked = unfilled.len();
    if asked == 0 {
        return Poll::Ready(Ok(()));
    }
    let result = source
        .registration()
        .poll_io_sized(Direction::Read, cx, asked, || recv(&mut *unfilled));
    match result {
        Poll::Ready(Ok(n)) => {
            // SAFETY: `recv` returned `Ok(n)`: it initialised the first `n`
            // bytes of `unfilled`, which are the first `n` of the cursor.
            unsafe { buf.advance(n) };
            Poll::Ready(Ok(()))
        }
        Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
        Poll::Pending => Poll::Pending,
    }
}

/// hyper's `Write` for a spindle stream: the same operations as its
/// futures-io `AsyncWrite`.
macro_rules! hyper_write {
    ($stream:ty) => {
        impl Write for $stream {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.source().poll_write(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                // Writes go straight to the kernel: nothing is buffered here.
                Poll::Ready(Ok(()))
            }

            fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                // Sends a FIN: hyper calls this to end a `Connection: close` reply.
                self.poll_close_priv()
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                self.source().poll_write_vectored(cx, bufs)
            }
        }
    };
}

hyper_write!(TcpStream);
#[cfg(unix)]
hyper_write!(UnixStream);

pin_project_lite::pin_project! {
    /// hyper's I/O traits for any futures-io stream: a TLS stream
    /// (futures-rustls), a compressed or counted stream, anything that is
    /// `AsyncRead + AsyncWrite`.
    ///
    /// Spindle's own [`TcpStream`] and `UnixStream` implement hyper's
    /// traits directly and read straight into hyper's buffer; `Io` reads
    /// into an 8 KiB buffer of its own and copies into hyper's, in safe
    /// code: the price of not knowing what the inner stream does with
    /// uninitialised memory.
    ///
    /// # Examples
    ///
    /// ```
    /// use spindle::hyper::Io;
    /// use spindle::net::{TcpListener, TcpStream};
    ///
    /// spindle::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     // Any `AsyncRead + AsyncWrite` works; a plain stream stands in
    ///     // for a TLS one here.
    ///     let io = Io::new(stream);
    ///     let _stream: TcpStream = io.into_inner();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[derive(Debug)]
    pub struct Io<T> {
        #[pin]
        inner: T,
    }
}

impl<T> Io<T> {
    /// Wraps `inner` for hyper.
    ///
    /// # Examples
    ///
    /// See [`Io`].
    pub fn new(inner: T) -> Io<T> {
        Io { inner }
    }

    /// The stream inside.
    ///
    /// # Examples
    ///
    /// See [`Io`].
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// A reference to the stream inside.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = spindle::hyper::Io::new(futures::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().get_ref(), &[1]);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }
}

impl<T: AsyncRead> Read for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // The safe route: read into an initialised buffer of our own, then
        // copy into hyper's (`put_slice`).
        let mut chunk = [0u8; 8192];
        let n = ready!(self
            .project()
            .inner
            .poll_read(cx, &mut chunk[..buf.remaining().min(8192)]))?;
        buf.put_slice(&chunk[..n]);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite> Write for Io<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }
}

/// Runs hyper's background futures as spindle tasks.
///
/// hyper's HTTP/1 server needs none; HTTP/2 and upgraded connections do.
/// The futures need not be `Send`: they stay on the runtime's thread.
///
/// # Examples
///
/// ```
/// use hyper::rt::Executor;
///
/// spindle::block_on(async {
///     let (tx, rx) = futures::channel::oneshot::channel();
///     spindle::hyper::SpindleExecutor::new().execute(async move {
///         tx.send(7).unwrap();
///     });
///     assert_eq!(rx.await.unwrap(), 7);
/// });
/// ```
///
/// # Panics
///
/// `execute` panics if called outside a spindle runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpindleExecutor {
    /// Keeps construction to [`SpindleExecutor::new`] and `Default`.
    _private: (),
}

impl SpindleExecutor {
    /// Creates the executor (it holds nothing: tasks go to the current
    /// runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// let _executor = spindle::hyper::SpindleExecutor::new();
    /// ```
    pub fn new() -> SpindleExecutor {
        SpindleExecutor { _private: () }
    }
}

impl<F> ::hyper::rt::Executor<F> for SpindleExecutor
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn execute(&self, future: F) {
        // Detached: hyper watches the future's effects, not its handle.
        drop(crate::spawn(future));
    }
}

/// hyper's timer on spindle's loop: makes `header_read_timeout` and the
/// other hyper timeouts work. See the module doc for the design.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use hyper::rt::Timer;
///
/// spindle::block_on(async {
///     let start = Instant::now();
///     spindle::hyper::SpindleTimer::new()
///         .sleep(Duration::from_millis(10))
///         .await;
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SpindleTimer {
    /// Keeps construction to [`SpindleTimer::new`] and `Default`.
    _private: (),
}

impl SpindleTimer {
    /// Creates the timer (it holds nothing: sleeps use the current
    /// runtime's timers).
    ///
    /// # Examples
    ///
    /// ```
    /// let _timer = spindle::hyper::SpindleTimer::new();
    /// ```
    pub fn new() -> SpindleTimer {
        SpindleTimer { _private: () }
    }
}

impl Timer for SpindleTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        let now = Instant::now();
        let deadline = now
            .checked_add(duration)
            .unwrap_or_else(|| crate::time::far_future(now));
        self.sleep_until(deadline)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(SpindleSleep::until(deadline))
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<SpindleSleep>() {
            Some(ours) => ours.reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// What a [`SpindleSleep`] and its driver task share.
#[derive(Debug)]
struct SleepState {
    /// When the sleep completes; written by `reset`, read by the driver.
    deadline: Instant,
    /// Set by the driver when its timer fired at `deadline`; cleared by a
    /// reset.
    fired: bool,
    /// Set when the `SpindleSleep` is dropped; the driver then ends.
    cancelled: bool,
    /// Whether a driver task is running (at most one).
    started: bool,
    /// hyper's waker, from the last `Pending` poll; woken by the driver.
    sleeper: Option<Waker>,
    /// The driver task's waker; woken by `reset` and by drop.
    driver: Option<Waker>,
}

/// The `Send + Sync` future returned by [`SpindleTimer`]'s `sleep`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// spindle::block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(5);
///     spindle::hyper::SpindleSleep::until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// });
/// ```
///
/// # Panics
///
/// Polling it outside a spindle runtime panics (it spawns its driver).
pub struct SpindleSleep {
    /// Shared with the driver task.
    state: Arc<Mutex<SleepState>>,
}

impl SpindleSleep {
    /// A sleep that completes at `deadline`. Nothing is armed until it is
    /// first polled.
    ///
    /// # Examples
    ///
    /// See [`SpindleSleep`].
    pub fn until(deadline: Instant) -> SpindleSleep {
        SpindleSleep {
            state: Arc::new(Mutex::new(SleepState {
                deadline,
                fired: false,
                cancelled: false,
                started: false,
                sleeper: None,
                driver: None,
            })),
        }
    }

    /// Moves the deadline, also after the sleep completed (which re-arms
    /// it).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// spindle::block_on(async {
    ///     let mut sleep = spindle::hyper::SpindleSleep::until(Instant::now());
    ///     (&mut sleep).await;
    ///     let later = Instant::now() + Duration::from_millis(5);
    ///     std::pin::Pin::new(&mut sleep).reset(later);
    ///     sleep.await;
    ///     assert!(Instant::now() >= later);
    /// });
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let mut state = lock(&self.state);
        state.deadline = deadline;
        state.fired = false;
        let driver = state.driver.take();
        drop(state);
        if let Some(driver) = driver {
            driver.wake();
        }
    }
}

impl Future for SpindleSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.state);
        if state.fired || Instant::now() >= state.deadline {
            return Poll::Ready(());
        }
        match &mut state.sleeper {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        if !state.started {
            state.started = true;
            let deadline = state.deadline;
            drop(state);
            drop(crate::spawn(drive(self.state.clone(), deadline)));
        }
        Poll::Pending
    }
}

impl Sleep for SpindleSleep {}

impl Drop for SpindleSleep {
    fn drop(&mut self) {
        let mut state = lock(&self.state);
        state.cancelled = true;
        let driver = state.driver.take();
        drop(state);
        if let Some(driver) = driver {
            driver.wake();
        }
    }
}

impl fmt::Debug for SpindleSleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("SpindleSleep")
            .field("deadline", &state.deadline)
            .field("fired", &state.fired)
            .finish()
    }
}

/// The driver task: sleeps on a spindle timer until the shared deadline,
/// following resets, then wakes hyper's waker. Ends when it fired or when
/// the `SpindleSleep` is dropped.
async fn drive(shared: Arc<Mutex<SleepState>>, deadline: Instant) {
    let mut timer = crate::time::sleep_until(deadline);
    poll_fn(|cx| {
        let mut state = lock(&shared);
        if state.cancelled {
            return Poll::Ready(());
        }
        if timer.deadline() != state.deadline {
            timer.reset(state.deadline);
        }
        state.driver = Some(cx.waker().clone());
        drop(state);
        if Pin::new(&mut timer).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let mut state = lock(&shared);
        state.fired = true;
        state.started = false;
        state.driver = None;
        let sleeper = state.sleeper.take();
        drop(state);
        if let Some(sleeper) = sleeper {
            sleeper.wake();
        }
        Poll::Ready(())
    })
    .await;
}

/// Locks the shared state; a panic elsewhere cannot leave it inconsistent
/// (every critical section is a few field writes), so poisoning is ignored.
fn lock(state: &Mutex<SleepState>) -> std::sync::MutexGuard<'_, SleepState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_sleep_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SpindleSleep>();
        assert_send_sync::<SpindleTimer>();
    }
}

/// A connector for hyper-util's pooled client: `legacy::Client` on spindle.
///
/// It opens a spindle [`TcpStream`] to the URI's host and port (port 80 by
/// default; `http` only, no TLS) with `TCP_NODELAY` set. The client keeps
/// idle connections in its pool and reuses them; give it
/// [`SpindleExecutor`] for its connection tasks and [`SpindleTimer`] for
/// its pool's idle timeout.
///
/// # Examples
///
/// ```
/// use http_body_util::{BodyExt, Empty, Full};
/// use hyper::body::Bytes;
/// use hyper_util::client::legacy::Client;
/// use spindle::hyper::{SpindleConnector, SpindleExecutor, SpindleTimer};
///
/// spindle::block_on(async {
///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     spindle::spawn(async move {
///         let (stream, _) = listener.accept().await.unwrap();
///         let service = hyper::service::service_fn(|_req| async {
///             Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from("hi"))))
///         });
///         hyper::server::conn::http1::Builder::new()
///             .serve_connection(stream, service)
///             .await
///     });
///     let client = Client::builder(SpindleExecutor::new())
///         .timer(SpindleTimer::new())
///         .pool_timer(SpindleTimer::new())
///         .build::<_, Empty<Bytes>>(SpindleConnector::new());
///     let uri = format!("http://{addr}/").parse().unwrap();
///     let response = client.get(uri).await.unwrap();
///     let body = response.into_body().collect().await.unwrap().to_bytes();
///     assert_eq!(&body[..], b"hi");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SpindleConnector {
    /// Keeps the type open to options later.
    _private: (),
}

impl SpindleConnector {
    /// A connector for plain `http` URIs.
    ///
    /// # Examples
    ///
    /// ```
    /// let _connector = spindle::hyper::SpindleConnector::new();
    /// ```
    pub fn new() -> SpindleConnector {
        SpindleConnector { _private: () }
    }
}

impl tower_service::Service<::hyper::Uri> for SpindleConnector {
    type Response = TcpStream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: ::hyper::Uri) -> Self::Future {
        Box::pin(async move {
            if uri.scheme_str().is_some_and(|s| s != "http") {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("SpindleConnector speaks plain http only, not {uri}"),
                ));
            }
            let host = uri.host().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("no host in {uri}"))
            })?;
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let port = uri.port_u16().unwrap_or(80);
            let stream = TcpStream::connect((host.as_str(), port)).await?;
            stream.set_nodelay(true)?;
            Ok(stream)
        })
    }
}

/// What the pooled client asks of a connection: nothing beyond the stream
/// itself (no proxy, no negotiated protocol).
impl hyper_util::client::legacy::connect::Connection for TcpStream {
    fn connected(&self) -> hyper_util::client::legacy::connect::Connected {
        hyper_util::client::legacy::connect::Connected::new()
    }
}
