//! `Server`: binds the listeners, runs one runtime per worker thread, and
//! brings them all down together.
//!
//! ```text
//!   Server::bind ── socket2: SO_REUSEADDR (+ SO_REUSEPORT with threads > 1)
//!        │           one std listener per thread, all on the same port
//!        ▼
//!   Server::serve(handler) / serve_http(handler)
//!        │  thread i: Runtime::new ─► TcpListener::from_std ─► Listener::run
//!        │            + a relay task: channel ─► Shutdown::advance
//!        ▼
//!   ServerHandle::shutdown / stop_now (or SIGINT, SIGTERM: signals.rs)
//!        │  one message per thread over a futures unbounded channel;
//!        ▼  the sender never blocks and the relay's waker is Send
//!   every worker drains, returns how many it cut; serve joins them,
//!   logs "thread i accepted N connections" and returns a Report
//! ```
//!
//! With `SO_REUSEPORT` the kernel spreads new connections over the
//! listeners by a hash of the connection's addresses: nothing is shared
//! between worker threads on the hot path, not even an accept queue. The
//! handler is cloned once per thread; its futures need not be `Send`.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::StreamExt;
use socket2::{Domain, Protocol, Socket, Type};
use spindle::net::{TcpListener, TcpStream};

use crate::config::Config;
use crate::http::connection::{self, HttpConfig};
use crate::http::{Request, Response};
use crate::listener::Listener;
use crate::metrics::{Counters, WorkerMetrics};
use crate::shutdown::{Phase, Shutdown};
use crate::signals::SignalThread;
use crate::worker::{self, Worker};

/// A bound server, ready to serve.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use spindle_server::{Config, Server};
///
/// let server = Server::bind(Config { addr: "127.0.0.1:0".parse()?, ..Config::default() })?;
/// let addr = server.local_addr();
/// let handle = server.handle();
/// let thread = std::thread::spawn(move || server.serve_http(spindle_server::http::hello_world));
///
/// let mut client = std::net::TcpStream::connect(addr)?;
/// client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
/// let mut response = String::new();
/// client.read_to_string(&mut response)?;
/// assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(response.ends_with("\r\n\r\nHello, World!"));
///
/// handle.shutdown();
/// let report = thread.join().unwrap()?;
/// assert_eq!(report.accepted, [1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Server {
    /// The configuration it was bound with.
    config: Config,
    /// One listener per worker thread, bound and listening.
    listeners: Vec<std::net::TcpListener>,
    /// The address every listener is bound to (the real port).
    local_addr: SocketAddr,
    /// The cross-thread handle; `serve` hands it out, tests keep clones.
    handle: ServerHandle,
    /// The receiving ends of the handle's channels, one per worker thread.
    receivers: Vec<UnboundedReceiver<Phase>>,
    /// The signal-listening thread, if `config.handle_signals`.
    signals: Option<SignalThread>,
}

/// A handle to a running [`Server`], usable from any thread: shut it down,
/// read its counters.
///
/// # Examples
///
/// ```
/// let server = spindle_server::Server::bind(spindle_server::Config {
///     addr: "127.0.0.1:0".parse()?,
///     ..Default::default()
/// })?;
/// let handle = server.handle();
/// handle.shutdown(); // before it even started: serve returns at once
/// let report = server.serve(spindle_server::echo)?;
/// assert_eq!(report.cut, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ServerHandle {
    /// One channel per worker thread to its relay task.
    senders: Arc<[UnboundedSender<Phase>]>,
    /// Each worker thread's counters, by thread index.
    counters: Arc<[Arc<Counters>]>,
}

/// What a server did, returned by [`Server::serve`] when it has stopped.
///
/// # Examples
///
/// ```
/// let report = spindle_server::Report::default();
/// assert_eq!(report.cut, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Connections accepted by each worker thread, by thread index.
    pub accepted: Vec<u64>,
    /// Connections still open when the shutdown gave up on them (the
    /// shutdown timeout passed, or a second signal came).
    pub cut: usize,
}

impl Server {
    /// Binds one listener per configured thread to `config.addr`.
    ///
    /// With one thread the listener is a plain one (`SO_REUSEADDR` only), so
    /// a port in use is an error. With more, each gets `SO_REUSEPORT` and
    /// the same port: the first binds `config.addr` (port 0 picks a free
    /// port), the others bind the port it got.
    ///
    /// `SO_REUSEPORT` lets any socket of the same user that also sets it
    /// share the port: a second multi-threaded server started on the same
    /// address would not fail but share the connections. A one-thread
    /// server does not set it, so there a port in use is always an error.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = spindle_server::Server::bind(spindle_server::Config {
    ///     addr: "127.0.0.1:0".parse()?,
    ///     threads: 2,
    ///     ..Default::default()
    /// })?;
    /// assert_ne!(server.local_addr().port(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if an address cannot be bound (in use, not local, not
    /// permitted; the error names it), or if `handle_signals` is set and the
    /// signal thread cannot start.
    pub fn bind(config: Config) -> io::Result<Server> {
        let threads = config.threads.max(1);
        let reuse_port = threads > 1;
        let first = bind_listener(config.addr, reuse_port)?;
        let local_addr = first.local_addr()?;
        let mut listeners = vec![first];
        for _ in 1..threads {
            listeners.push(bind_listener(local_addr, reuse_port)?);
        }
        let (senders, receivers): (Vec<_>, Vec<_>) = (0..threads).map(|_| unbounded()).unzip();
        let handle = ServerHandle {
            senders: senders.into(),
            counters: (0..threads).map(|_| Arc::default()).collect(),
        };
        // Install the signal handlers now, before anyone can learn the
        // address and send a signal: the default action would kill us.
        let signals = match config.handle_signals {
            true => Some(SignalThread::start(handle.clone())?),
            false => None,
        };
        Ok(Server {
            config: Config { threads, ..config },
            listeners,
            local_addr,
            handle,
            receivers,
            signals,
        })
    }

    /// The address the server listens on, with the real port.
    ///
    /// # Examples
    ///
    /// See [`Server::bind`].
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle to shut the server down and read its counters.
    ///
    /// # Examples
    ///
    /// See [`ServerHandle`].
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Serves every connection with `handler(stream, peer)`, one task per
    /// connection, on every worker thread; returns when the server has shut
    /// down. `handler` is cloned once per thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use spindle::io::AsyncWriteExt;
    /// use spindle_server::{Config, Server};
    ///
    /// let server = Server::bind(Config { addr: "127.0.0.1:0".parse()?, ..Config::default() })?;
    /// let (addr, handle) = (server.local_addr(), server.handle());
    /// let thread = std::thread::spawn(move || {
    ///     server.serve(|mut stream: spindle::net::TcpStream, _peer| async move {
    ///         stream.write_all(b"hello\n").await
    ///     })
    /// });
    /// let mut greeting = String::new();
    /// std::net::TcpStream::connect(addr)?.read_to_string(&mut greeting)?;
    /// assert_eq!(greeting, "hello\n");
    /// handle.shutdown();
    /// thread.join().unwrap()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if a worker thread or its runtime cannot be created (usually:
    /// out of file descriptors or threads); the other workers are stopped.
    ///
    /// # Panics
    ///
    /// Re-raises a panic of a worker thread outside a connection (a panic
    /// inside a connection only closes that connection).
    pub fn serve<F, Fut>(self, handler: F) -> io::Result<Report>
    where
        F: Fn(TcpStream, SocketAddr) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = io::Result<()>> + 'static,
    {
        let Server {
            config,
            listeners,
            handle,
            receivers,
            signals,
            ..
        } = self;
        let mut threads = Vec::with_capacity(listeners.len());
        let mut spawn_error = None;
        for (index, (listener, relay)) in listeners.into_iter().zip(receivers).enumerate() {
            let handler = handler.clone();
            let config = config.clone();
            let worker_handle = handle.clone();
            let spawned = thread::Builder::new()
                .name(format!("spindle-worker-{index}"))
                .spawn(move || {
                    let handle = worker_handle;
                    let counters = handle.counters[index].clone();
                    let result = run_worker(&config, index, listener, relay, counters, handler);
                    if result.is_err() {
                        handle.stop_now(); // do not leave the others running
                    }
                    result
                });
            match spawned {
                Ok(thread) => threads.push(thread),
                Err(err) => {
                    handle.stop_now();
                    spawn_error = Some(err);
                    break;
                }
            }
        }

        let mut report = Report::default();
        let mut first_error = spawn_error;
        for thread in threads {
            match thread.join() {
                Ok(Ok(cut)) => report.cut += cut,
                Ok(Err(err)) => {
                    first_error.get_or_insert(err);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        drop(signals); // stops the signal thread
        for (index, metrics) in handle.metrics().iter().enumerate() {
            tracing::info!("thread {index} accepted {} connections", metrics.accepted);
            report.accepted.push(metrics.accepted);
        }
        if report.cut > 0 {
            tracing::warn!(
                "shutdown: cut {} connections that were still open",
                report.cut
            );
        } else {
            tracing::info!("shutdown complete: every connection finished");
        }
        match first_error {
            Some(err) => Err(err),
            None => Ok(report),
        }
    }

    /// Serves HTTP/1.1 on every connection, answering each request with
    /// `handler(request).await`; returns when the server has shut down.
    ///
    /// The connection does the parsing, limits, keep-alive, pipelining and
    /// timeouts (see the [`http`](crate::http) module); `handler` only maps
    /// a [`Request`] to a [`Response`]. It is cloned once per connection, so
    /// make it cheap to clone (a function, or a closure over `Arc`s).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use spindle_server::http::{Request, Response};
    /// use spindle_server::{Config, Server};
    ///
    /// async fn greet(request: Request) -> Response {
    ///     Response::new(200).with_body(format!("hi {}", request.path()))
    /// }
    ///
    /// let server = Server::bind(Config { addr: "127.0.0.1:0".parse()?, ..Config::default() })?;
    /// let (addr, handle) = (server.local_addr(), server.handle());
    /// let thread = std::thread::spawn(move || server.serve_http(greet));
    /// let mut client = std::net::TcpStream::connect(addr)?;
    /// client.write_all(b"GET /you HTTP/1.0\r\n\r\n")?;
    /// let mut response = String::new();
    /// client.read_to_string(&mut response)?;
    /// assert!(response.ends_with("\r\n\r\nhi /you"));
    /// handle.shutdown();
    /// thread.join().unwrap()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Server::serve`].
    ///
    /// # Panics
    ///
    /// As [`Server::serve`].
    pub fn serve_http<H, Fut>(self, handler: H) -> io::Result<Report>
    where
        H: Fn(Request) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Response> + 'static,
    {
        let config = HttpConfig::from_config(&self.config);
        self.serve(move |stream, _peer| connection::serve(stream, handler.clone(), config))
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ServerHandle {
    /// Starts a graceful shutdown on every worker thread: stop accepting,
    /// close idle connections, finish in-flight requests (answered with
    /// `Connection: close`), give up at the shutdown timeout.
    ///
    /// # Examples
    ///
    /// See [`ServerHandle`].
    pub fn shutdown(&self) {
        self.send(Phase::Draining);
    }

    /// Stops every worker thread now, dropping open connections.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = spindle_server::Server::bind(spindle_server::Config {
    ///     addr: "127.0.0.1:0".parse()?,
    ///     ..Default::default()
    /// })?;
    /// server.handle().stop_now();
    /// server.serve(spindle_server::echo)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stop_now(&self) {
        self.send(Phase::Draining);
        self.send(Phase::Stopping);
    }

    /// A snapshot of every worker thread's counters, by thread index.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = spindle_server::Server::bind(spindle_server::Config {
    ///     addr: "127.0.0.1:0".parse()?,
    ///     threads: 2,
    ///     ..Default::default()
    /// })?;
    /// let metrics = server.handle().metrics();
    /// assert_eq!(metrics.len(), 2);
    /// assert_eq!(metrics[0].accepted, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metrics(&self) -> Vec<WorkerMetrics> {
        self.counters.iter().map(|c| c.snapshot()).collect()
    }

    /// Sends `phase` to every worker's relay task. A worker that already
    /// ended has dropped its receiver; the send error is ignored then.
    fn send(&self, phase: Phase) {
        for sender in self.senders.iter() {
            let _ = sender.unbounded_send(phase);
        }
    }
}

impl fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandle")
            .field("threads", &self.senders.len())
            .finish()
    }
}

/// One worker thread: a runtime, its listener, its relay task, the accept
/// loop. Returns how many connections were cut at shutdown.
fn run_worker<F, Fut>(
    config: &Config,
    index: usize,
    listener: std::net::TcpListener,
    mut relay: UnboundedReceiver<Phase>,
    counters: Arc<Counters>,
    handler: F,
) -> io::Result<usize>
where
    F: Fn(TcpStream, SocketAddr) -> Fut + 'static,
    Fut: Future<Output = io::Result<()>> + 'static,
{
    let mut runtime = spindle::Runtime::builder();
    runtime.budget(config.budget);
    if config.explain {
        runtime.explain(true);
    }
    let runtime = runtime.build()?;
    let limit = config.per_thread_limit(index);
    let shutdown_timeout = config.shutdown_timeout;
    let shutdown = Shutdown::new();
    let worker = Worker {
        index,
        shutdown: shutdown.clone(),
        counters,
        idle_timeout: config.idle_timeout,
    };
    let _enter = worker::enter(worker.clone());
    let cut = runtime.block_on(async move {
        let listener = TcpListener::from_std(listener)?;
        spindle::spawn(async move {
            while let Some(phase) = relay.next().await {
                shutdown.advance(phase);
            }
        });
        Ok(Listener::new(listener, limit, shutdown_timeout, worker)
            .run(handler)
            .await)
    });
    // What the loop did, for an operator: how often a connection had to
    // give the thread back (the budget) or held it too long (stalls, with
    // `SPINDLE_STALL_MS` set).
    let metrics = runtime.metrics();
    tracing::info!(
        thread = index,
        polls = metrics.polls,
        budget_yields = metrics.budget_yields,
        stalls = metrics.stalls,
        "thread {index} runtime: {} polls, {} budget yields, {} stalls",
        metrics.polls,
        metrics.budget_yields,
        metrics.stalls
    );
    cut
    // The runtime drops here, and with it every connection that was cut.
}

/// Creates, binds and listens on one listening socket.
fn bind_listener(addr: SocketAddr, reuse_port: bool) -> io::Result<std::net::TcpListener> {
    let bind = || -> io::Result<std::net::TcpListener> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        // SO_REUSEADDR: restart while old connections sit in TIME_WAIT.
        socket.set_reuse_address(true)?;
        // SO_REUSEPORT: several listeners, one per thread, on one port.
        if reuse_port {
            socket.set_reuse_port(true)?;
        }
        socket.set_nonblocking(true)?;
        socket.bind(&addr.into())?;
        socket.listen(TcpListener::BACKLOG)?;
        Ok(socket.into())
    };
    bind().map_err(|err| io::Error::new(err.kind(), format!("could not bind {addr}: {err}")))
}
