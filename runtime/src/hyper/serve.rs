//! [`serve`]: a listener and a service in, an HTTP server out.
//!
//! One accept loop; one spindle task per connection, each running
//! hyper-util's `auto` connection (HTTP/1 with upgrades, or HTTP/2 when
//! the client opens with the HTTP/2 preface) with [`SpindleExecutor`] and
//! [`SpindleTimer`]. Graceful shutdown is two channels: a shared oneshot
//! that every connection task watches (dropping its sender tells them all
//! to shut down), and an mpsc channel whose senders the connection tasks
//! hold (the receiver's `next()` yields `None` once the last one ends).

use std::error::Error as StdError;
use std::fmt;
use std::future::{pending, Future, IntoFuture, Pending};
use std::io;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use ::hyper::body::{Body, Incoming};
use ::hyper::rt::{Read, Write};
use ::hyper::{Request, Response};
use futures::channel::{mpsc, oneshot};
use futures::future::{self, Either, FutureExt};
use futures::StreamExt;
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;

use super::{SpindleExecutor, SpindleTimer};
use crate::net::{TcpListener, TcpStream};
#[cfg(unix)]
use crate::net::{UnixListener, UnixStream};

/// The error type hyper accepts from services and bodies.
type BoxError = Box<dyn StdError + Send + Sync>;

/// How long the accept loop waits after an accept error that is not about
/// one connection (`EMFILE`, `ENFILE`, `ENOBUFS`, ...) before it tries
/// again, so that it does not spin while the process is out of a resource.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// A listener that [`serve`] can accept hyper-ready connections from.
///
/// Implemented for spindle's [`TcpListener`] and `UnixListener`; implement
/// it for anything else that hands out streams with hyper's I/O traits (a
/// TLS acceptor, a listener that counts connections, a test double).
///
/// # Examples
///
/// ```
/// use spindle::hyper::Listener;
///
/// spindle::block_on(async {
///     let mut listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
///     let addr = Listener::local_addr(&listener)?;
///     let _client = spindle::net::TcpStream::connect(addr).await?;
///     let (_stream, peer) = Listener::accept(&mut listener).await?;
///     assert_eq!(peer.ip(), addr.ip());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait Listener: 'static {
    /// The connection type: a stream hyper can read and write.
    type Io: Read + Write + Unpin + Send + 'static;
    /// The peer's address, as the listener reports it.
    type Addr: fmt::Debug;

    /// Waits for the next connection.
    ///
    /// # Errors
    ///
    /// The listener's accept error. [`serve`] does not stop on one: it
    /// logs it and, unless it concerns only that connection, waits 10 ms
    /// before accepting again.
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Io, Self::Addr)>>;

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// The error of the underlying `getsockname(2)`.
    fn local_addr(&self) -> io::Result<Self::Addr>;
}

impl Listener for TcpListener {
    type Io = TcpStream;
    type Addr = std::net::SocketAddr;

    /// Accepts a connection and sets `TCP_NODELAY` on it (responses are
    /// written whole; Nagle's algorithm would only delay them).
    async fn accept(&mut self) -> io::Result<(TcpStream, std::net::SocketAddr)> {
        let (stream, addr) = TcpListener::accept(self).await?;
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(?addr, "TCP_NODELAY: {err}");
        }
        Ok((stream, addr))
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        TcpListener::local_addr(self)
    }
}

#[cfg(unix)]
impl Listener for UnixListener {
    type Io = UnixStream;
    type Addr = std::os::unix::net::SocketAddr;

    async fn accept(&mut self) -> io::Result<(UnixStream, std::os::unix::net::SocketAddr)> {
        UnixListener::accept(self).await
    }

    fn local_addr(&self) -> io::Result<std::os::unix::net::SocketAddr> {
        UnixListener::local_addr(self)
    }
}

/// Serves HTTP/1 and HTTP/2 on `listener` with `service`: spindle's
/// counterpart of `axum::serve`.
///
/// `service` is any cloneable tower `Service<Request<Incoming>>` that
/// answers with a `Response` of some hyper `Body`: an axum `Router` (after
/// `with_state`, if it has state), a tower stack, a `tower::service_fn`.
/// Each connection gets its own clone and runs as its own spindle task;
/// each request calls a clone of that (`poll_ready`, then `call`). The
/// protocol is picked per connection: a client that opens with the HTTP/2
/// preface (prior knowledge, `h2c`) gets HTTP/2, anyone else HTTP/1.1 with
/// upgrades (WebSockets, `CONNECT`). hyper's timers (HTTP/1 header read
/// timeout, HTTP/2 keep-alive) run on [`SpindleTimer`], its HTTP/2 streams
/// on [`SpindleExecutor`]. The service's futures need not be `Send`.
///
/// Nothing runs until the returned [`Serve`] is awaited; the future then
/// runs until it is dropped, or, with [`Serve::with_graceful_shutdown`],
/// until the signal fires and the open connections have finished.
///
/// Accept errors do not end the server. One that concerns a single
/// connection (`ECONNABORTED`, `ECONNRESET`, `ECONNREFUSED`) is logged at
/// `debug` and the loop accepts again; any other (`EMFILE` when the process
/// is out of file descriptors, say) is logged at `error` and the loop waits
/// 10 ms first, so that it does not spin. Connection errors (a client that
/// sent garbage or went away) are logged at `debug`.
///
/// # Errors
///
/// The server's future yields `io::Result<()>`; today it is always `Ok`:
/// accept and connection errors are logged and the server goes on, and
/// with a shutdown signal it returns `Ok(())` once the connections have
/// finished.
///
/// # Examples
///
/// ```
/// use axum::routing::get;
/// use axum::Router;
/// use spindle::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle::net::{TcpListener, TcpStream};
///
/// spindle::block_on(async {
///     let app = Router::new().route("/", get(|| async { "hello" }));
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let (stop, stopped) = futures::channel::oneshot::channel::<()>();
///     let server = spindle::spawn(async move {
///         spindle::hyper::serve(listener, app)
///             .with_graceful_shutdown(async {
///                 let _ = stopped.await;
///             })
///             .await
///     });
///
///     let mut client = TcpStream::connect(addr).await?;
///     client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await?;
///     let mut response = String::new();
///     client.read_to_string(&mut response).await?;
///     assert!(response.starts_with("HTTP/1.1 200 OK"));
///     assert!(response.ends_with("hello"));
///
///     stop.send(()).unwrap();
///     server.await.unwrap()
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn serve<L, S, B>(listener: L, service: S) -> Serve<L, S>
where
    L: Listener,
    S: tower_service::Service<Request<Incoming>, Response = Response<B>> + Clone + 'static,
    S::Future: 'static,
    S::Error: Into<BoxError>,
    B: Body + 'static,
    B::Error: Into<BoxError>,
{
    Serve { listener, service }
}

/// The server [`serve`] returns: await it to run it.
///
/// # Examples
///
/// See [`serve`].
#[must_use = "a server does nothing until it is awaited"]
pub struct Serve<L, S> {
    /// Where connections come from.
    listener: L,
    /// Cloned once per connection.
    service: S,
}

impl<L, S> Serve<L, S> {
    /// Stops accepting when `signal` completes, lets the open connections
    /// finish, then completes.
    ///
    /// On the signal the listener is closed (new connections are refused)
    /// and every connection is asked to shut down gracefully: an HTTP/1
    /// connection finishes the request it is serving and closes instead of
    /// waiting for another, an HTTP/2 connection sends `GOAWAY` and
    /// finishes its open streams, and a connection that has not sent a
    /// byte yet is closed. The server's future completes when the last one
    /// has ended. Upgraded connections (WebSockets) are no longer hyper's
    /// and are not waited for.
    ///
    /// Dropping the server's future before the signal also closes the
    /// listener and asks the open connections to shut down gracefully;
    /// they are tasks of their own and finish without it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use axum::routing::get;
    /// use axum::Router;
    ///
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let app = Router::new().route("/", get(|| async { "hello" }));
    ///     // Stops itself after 10 ms, with no connection open.
    ///     spindle::hyper::serve(listener, app)
    ///         .with_graceful_shutdown(spindle::time::sleep(Duration::from_millis(10)))
    ///         .await
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with_graceful_shutdown<F>(self, signal: F) -> WithGracefulShutdown<L, S, F>
    where
        F: Future<Output = ()> + 'static,
    {
        WithGracefulShutdown {
            listener: self.listener,
            service: self.service,
            signal,
        }
    }

    /// The address the server's listener is bound to.
    ///
    /// # Errors
    ///
    /// The listener's [`Listener::local_addr`] error.
    ///
    /// # Examples
    ///
    /// ```
    /// use axum::Router;
    ///
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let server = spindle::hyper::serve(listener, Router::new());
    ///     assert_ne!(server.local_addr()?.port(), 0);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<L::Addr>
    where
        L: Listener,
    {
        self.listener.local_addr()
    }
}

impl<L, S> fmt::Debug for Serve<L, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Serve").finish_non_exhaustive()
    }
}

impl<L, S, B> IntoFuture for Serve<L, S>
where
    L: Listener,
    S: tower_service::Service<Request<Incoming>, Response = Response<B>> + Clone + 'static,
    S::Future: 'static,
    S::Error: Into<BoxError>,
    B: Body + 'static,
    B::Error: Into<BoxError>,
{
    type Output = io::Result<()>;
    type IntoFuture = ServeFuture;

    fn into_future(self) -> ServeFuture {
        ServeFuture(Box::pin(run(
            self.listener,
            self.service,
            None::<Pending<()>>,
        )))
    }
}

/// A [`serve`] server with a shutdown signal, from
/// [`Serve::with_graceful_shutdown`]: await it to run it.
///
/// # Examples
///
/// See [`Serve::with_graceful_shutdown`].
#[must_use = "a server does nothing until it is awaited"]
pub struct WithGracefulShutdown<L, S, F> {
    /// Where connections come from.
    listener: L,
    /// Cloned once per connection.
    service: S,
    /// Completes when the server should stop.
    signal: F,
}

impl<L, S, F> WithGracefulShutdown<L, S, F> {
    /// The address the server's listener is bound to.
    ///
    /// # Errors
    ///
    /// The listener's [`Listener::local_addr`] error.
    ///
    /// # Examples
    ///
    /// ```
    /// use axum::Router;
    ///
    /// spindle::block_on(async {
    ///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let server = spindle::hyper::serve(listener, Router::new())
    ///         .with_graceful_shutdown(async {});
    ///     assert_ne!(server.local_addr()?.port(), 0);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<L::Addr>
    where
        L: Listener,
    {
        self.listener.local_addr()
    }
}

impl<L, S, F> fmt::Debug for WithGracefulShutdown<L, S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithGracefulShutdown")
            .finish_non_exhaustive()
    }
}

impl<L, S, B, F> IntoFuture for WithGracefulShutdown<L, S, F>
where
    L: Listener,
    S: tower_service::Service<Request<Incoming>, Response = Response<B>> + Clone + 'static,
    S::Future: 'static,
    S::Error: Into<BoxError>,
    B: Body + 'static,
    B::Error: Into<BoxError>,
    F: Future<Output = ()> + 'static,
{
    type Output = io::Result<()>;
    type IntoFuture = ServeFuture;

    fn into_future(self) -> ServeFuture {
        ServeFuture(Box::pin(run(
            self.listener,
            self.service,
            Some(self.signal),
        )))
    }
}

/// The running server: what awaiting [`Serve`] or
/// [`WithGracefulShutdown`] polls.
///
/// It is not `Send`: it spawns spindle tasks and stays on the runtime's
/// thread.
///
/// # Errors
///
/// None today: accept and connection errors are logged, not returned. The
/// `io::Result` leaves room for errors that end a server.
///
/// # Examples
///
/// ```
/// use std::future::IntoFuture;
/// use axum::Router;
///
/// spindle::block_on(async {
///     let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
///     let running: spindle::hyper::ServeFuture = spindle::hyper::serve(listener, Router::new())
///         .with_graceful_shutdown(async {})
///         .into_future();
///     running.await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct ServeFuture(Pin<Box<dyn Future<Output = io::Result<()>>>>);

impl Future for ServeFuture {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.as_mut().poll(cx)
    }
}

impl fmt::Debug for ServeFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeFuture").finish_non_exhaustive()
    }
}

/// The server: accepts until `signal` (if any) completes, one task per
/// connection, then waits for the connections to end.
async fn run<L, S, B, F>(mut listener: L, service: S, signal: Option<F>) -> io::Result<()>
where
    L: Listener,
    S: tower_service::Service<Request<Incoming>, Response = Response<B>> + Clone + 'static,
    S::Future: 'static,
    S::Error: Into<BoxError>,
    B: Body + 'static,
    B::Error: Into<BoxError>,
    F: Future<Output = ()> + 'static,
{
    let mut builder = Builder::new(SpindleExecutor::new());
    builder.http1().timer(SpindleTimer::new());
    builder.http2().timer(SpindleTimer::new());
    let builder = Rc::new(builder);

    let graceful = signal.is_some();
    // Dropping `shutdown_tx` completes every clone of `shutdown_rx`: the
    // connections' cue to shut down.
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let shutdown_rx = shutdown_rx.shared();
    // Each connection task holds a clone of `closed_tx`; `closed_rx` yields
    // `None` once all of them (and ours) are gone. Nothing is ever sent.
    let (closed_tx, mut closed_rx) = mpsc::channel::<()>(0);

    let mut signal = pin!(async move {
        match signal {
            Some(signal) => signal.await,
            None => pending().await,
        }
    });

    while let Some((io, addr)) = next_connection(&mut listener, signal.as_mut()).await {
        tracing::trace!(?addr, "connection accepted");
        let builder = Rc::clone(&builder);
        let service = TowerToHyperService::new(service.clone());
        let shutdown = graceful.then(|| shutdown_rx.clone());
        let closed = closed_tx.clone();
        drop(crate::spawn(async move {
            let mut conn = pin!(builder.serve_connection_with_upgrades(io, service));
            let result = match shutdown {
                None => conn.await,
                Some(shutdown) => match future::select(conn.as_mut(), shutdown).await {
                    Either::Left((result, _)) => result,
                    Either::Right((_, mut conn)) => {
                        conn.as_mut().graceful_shutdown();
                        conn.await
                    }
                },
            };
            if let Err(err) = result {
                tracing::debug!(?addr, "connection ended with an error: {err}");
            }
            drop(closed);
        }));
    }

    // Refuse new connections from here on, then tell the open ones to
    // finish and wait for the last of them.
    drop(listener);
    drop(shutdown_tx);
    drop(closed_tx);
    let _ = closed_rx.next().await;
    tracing::debug!("server shut down");
    Ok(())
}

/// The next connection from `listener`, or `None` once `signal` completes.
/// Retries accept errors; see [`serve`] for which ones wait first.
async fn next_connection<L: Listener>(
    listener: &mut L,
    mut signal: Pin<&mut impl Future<Output = ()>>,
) -> Option<(L::Io, L::Addr)> {
    loop {
        let accepted = match future::select(pin!(listener.accept()), signal.as_mut()).await {
            Either::Left((accepted, _)) => accepted,
            Either::Right(_) => return None,
        };
        match accepted {
            Ok(conn) => return Some(conn),
            Err(err) if is_connection_error(&err) => {
                tracing::debug!("accept error (one connection): {err}");
            }
            Err(err) => {
                tracing::error!("accept error: {err}; accepting again in {ACCEPT_BACKOFF:?}");
                let backoff = pin!(crate::time::sleep(ACCEPT_BACKOFF));
                if let Either::Right(_) = future::select(backoff, signal.as_mut()).await {
                    return None;
                }
            }
        }
    }
}

/// Whether an accept error concerns only the connection being accepted
/// (the next accept may well succeed at once).
fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
