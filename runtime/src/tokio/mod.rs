//! tokio hosted on spindle's thread, and tokio's I/O traits on spindle's
//! streams (feature `tokio`).
//!
//! Much of the Rust ecosystem is built on tokio's runtime: reqwest, sqlx's
//! pool, tower's and tower-http's timeouts, `axum::serve` call
//! `tokio::time`, `tokio::spawn` or `tokio::net` and panic with "there is no
//! reactor running" anywhere else. With [`Builder::tokio`] a spindle
//! runtime runs *inside* a tokio current-thread runtime, on the same
//! thread, so those crates work in spindle tasks and spindle's sockets and
//! timers work in `tokio::spawn`ed tasks, with no second thread and no
//! wake that crosses threads.
//!
//! ```
//! # #[cfg(not(mio_unsupported_force_poll_poll))] {
//! use std::time::Duration;
//!
//! let rt = spindle::Runtime::builder().tokio(true).build()?;
//! rt.block_on(async {
//!     // tokio's timer and tokio::spawn, from a spindle task ...
//!     let tokio_task = tokio::spawn(async {
//!         tokio::time::sleep(Duration::from_millis(5)).await;
//!         // ... and spindle's timer from a tokio task.
//!         spindle::time::sleep(Duration::from_millis(5)).await;
//!         "both clocks"
//!     });
//!     let spindle_task = spindle::spawn(async move { tokio_task.await.unwrap() });
//!     assert_eq!(spindle_task.await.unwrap(), "both clocks");
//! });
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # How the two loops share the thread
//!
//! ```text
//!   tokio current_thread runtime ── block_on(host future) ── epoll_wait / kevent
//!      │   watches: spindle's selector fd (AsyncFd, readable = spindle has events)
//!      │            a tokio timer at spindle's next deadline
//!      │            the host waker, for spindle tasks woken from tokio's side
//!      ▼
//!   host future, one poll = one spindle turn (host.rs):
//!      1. the selector fd readable? poll spindle's reactor with a zero timeout
//!         (a full events buffer: stay readable, come back at once)
//!      2. wakes from other threads, due timers, yielded tasks
//!      3. step 1 of spindle's loop: up to 61 polls of spindle's tasks
//!      4. still runnable? wake itself and return Pending: tokio's tasks
//!         and reactor get a turn before spindle's next one
//!         idle? arm the fd, the timer and the host waker, return Pending
//! ```
//!
//! The host future runs under `tokio::task::unconstrained`: tokio's
//! cooperative budget would otherwise count every spindle task polled in one
//! turn as one tokio task and starve them together; spindle's own budget
//! stays in charge of spindle's tasks. spindle's context is entered for the
//! whole of tokio's `block_on`, so a `tokio::spawn`ed task finds spindle's
//! runtime as its thread's current one.
//!
//! # Which design, and why
//!
//! Two designs are known for letting tokio's crates run beside another
//! runtime. async-compat (`async_compat::Compat`) starts a tokio runtime on
//! a second thread and enters its context around every poll: simple, but
//! every tokio timer and socket event then wakes across threads, and
//! `tokio::spawn`ed tasks run on the other thread, where spindle's sockets
//! refuse I/O. compio-compat nests one poller in the other: the guest
//! runtime's selector fd is registered with the host's reactor. spindle
//! does the latter, with tokio as the host: tokio's reactor must own its
//! own epoll (its I/O driver is not pluggable), while spindle's selector is
//! one fd that epoll and kqueue can watch like a socket. mio's poll(2)
//! backend has no such fd, so the feature needs epoll or kqueue.
//!
//! # What stays spindle's
//!
//! The budget, the stall detector, metrics and the explain trace see
//! spindle's tasks as before; the trace adds a line for the time tokio had
//! the thread between two of spindle's turns (`tokio had the thread for
//! 0.2ms`). A spindle task that loops on an always-ready *tokio* operation
//! is not stopped by spindle's budget (it only counts spindle's operations)
//! nor by tokio's (the host is unconstrained): the stall detector reports
//! it.
//!
//! # tokio's I/O traits on spindle's streams
//!
//! [`TcpStream`], [`UnixStream`], their split halves (borrowed and owned)
//! and a child's [`ChildStdin`], [`ChildStdout`] and [`ChildStderr`]
//! implement tokio's `AsyncRead` and `AsyncWrite` beside futures-io's, so
//! crates written against tokio's traits take them directly:
//! tokio-util's codecs (`Framed`, `FramedRead`, `FramedWrite`),
//! tokio-rustls, tokio-tungstenite, h2, `tokio::io::copy_bidirectional`,
//! `BufReader` and the `AsyncReadExt` / `AsyncWriteExt` methods. They need
//! no host: they work on a plain spindle runtime and under
//! [`Builder::tokio`] alike, and run where every spindle socket runs, in
//! its own runtime's `block_on` on its thread (elsewhere they answer with
//! the error of [`net`](crate::net#one-runtime-one-thread)).
//!
//! ```
//! # #[cfg(not(mio_unsupported_force_poll_poll))] {
//! use spindle::net::{TcpListener, TcpStream};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! spindle::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let mut client = TcpStream::connect(listener.local_addr()?).await?;
//!     let (mut server, _) = listener.accept().await?;
//!     client.write_all(b"ping").await?;
//!     // `client.shutdown()` would name the inherent `shutdown(how)`.
//!     AsyncWriteExt::shutdown(&mut client).await?; // a FIN
//!     let mut got = Vec::new();
//!     server.read_to_end(&mut got).await?; // up to the FIN
//!     assert_eq!(got, b"ping");
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Bring one family of extension traits into scope, tokio's or
//! futures-io's ([`spindle::io`](crate::io)): with both, a call like
//! `write_all` is ambiguous. And as above, method syntax finds an inherent
//! method first: `stream.shutdown()` is `TcpStream::shutdown(how)`, so
//! tokio's is called as `AsyncWriteExt::shutdown(&mut stream)`.
//!
//! The impls forward to the futures-io ones (`io.rs` says how, and where
//! the traits differ: a read zeroes the unfilled part of tokio's `ReadBuf`
//! instead of reading into uninitialised memory with `unsafe`, as tokio's
//! own streams do). There is no `AsyncBufRead`: no spindle stream keeps a
//! buffer to lend, so wrap one in `tokio::io::BufReader`, as for tokio's
//! streams.
//!
//! [`Builder::tokio`]: crate::Builder::tokio
//! [`TcpStream`]: crate::net::TcpStream
//! [`UnixStream`]: crate::net::UnixStream
//! [`ChildStdin`]: crate::process::ChildStdin
//! [`ChildStdout`]: crate::process::ChildStdout
//! [`ChildStderr`]: crate::process::ChildStderr

#[cfg(unix)]
pub(crate) mod host;
pub(crate) mod io;
