//! A guided tour: from a loop that spins to the loop spindle runs.
//!
//! This module has no code; it is a chapter to read. It walks, in five
//! steps, from the program spindle grew out of to spindle itself, and each
//! step fixes what was wrong with the one before. Every code block below is
//! compiled and, except the first, run by `cargo test`, so it stays true.
//!
//! 1. [A loop that spins](#1-a-loop-that-spins): non-blocking `accept` in a
//!    `for (;;)`.
//! 2. [A loop that sleeps until the kernel says "ready"](#2-a-readiness-loop-on-mio):
//!    mio, tokens, events.
//! 3. [Futures and wakers](#3-futures-and-wakers): letting code say "not
//!    yet, call me back" instead of hand-writing state machines.
//! 4. [spindle's loop](#4-spindles-loop): steps 2 and 3 together, and where
//!    each part lives in this crate.
//! 5. [Blocking work needs a pool](#5-blocking-work-needs-a-pool): what a
//!    loop cannot wait on (files, DNS, computation), and the threads that
//!    do it instead.
//!
//! # 1. A loop that spins
//!
//! The seed (`seeds/` next to the design notes) is a C++ program that makes
//! its listening socket non-blocking and then calls `accept` in an endless
//! loop:
//!
//! ```text
//! fcntl(sfd, F_SETFL, O_NONBLOCK);
//! for (;;) {
//!     if (-1 == (conn_fd = accept(sfd, nullptr, nullptr))) {
//!         if (EWOULDBLOCK == errno) continue;   // nobody there: ask again, at once
//!         ...
//!     }
//!     std::cout << "[succ] conn fd=" << conn_fd << std::endl;
//! }
//! ```
//!
//! The same in Rust. It never ends and never sleeps, so it is only compiled
//! here (`no_run`):
//!
//! ```no_run
//! use std::io::ErrorKind;
//! use std::net::TcpListener;
//!
//! let listener = TcpListener::bind("127.0.0.1:8080")?;
//! listener.set_nonblocking(true)?;
//! loop {
//!     match listener.accept() {
//!         Ok((_conn, peer)) => println!("[succ] conn from {peer}"),
//!         Err(e) if e.kind() == ErrorKind::WouldBlock => continue, // spin
//!         Err(e) => return Err(e),
//!     }
//! }
//! # #[allow(unreachable_code)] Ok::<(), std::io::Error>(())
//! ```
//!
//! Non-blocking calls never put the thread to sleep, which is what we want
//! for a server juggling many sockets, but the loop has no way to *wait*:
//! while nobody connects it burns a whole core asking the kernel the same
//! question. This bounded version counts how often it asks in 20 ms:
//!
//! ```
//! use std::io::ErrorKind;
//! use std::net::TcpListener;
//! use std::time::{Duration, Instant};
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! listener.set_nonblocking(true)?;
//! let (start, mut asked) = (Instant::now(), 0u64);
//! while start.elapsed() < Duration::from_millis(20) {
//!     match listener.accept() {
//!         Ok(_) => unreachable!("nobody connects in this example"),
//!         Err(e) if e.kind() == ErrorKind::WouldBlock => asked += 1,
//!         Err(e) => return Err(e),
//!     }
//! }
//! // Typically tens of thousands of syscalls, each answering "not yet".
//! assert!(asked > 100);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! And accepting is only the start: each accepted connection would need the
//! same spinning for its reads and writes.
//!
//! # 2. A readiness loop on mio
//!
//! The seed's second program fixes this with kqueue: register the listening
//! socket once, then call `kevent`, which *sleeps* until the kernel reports
//! that some registered socket is ready, and returns which ones. epoll on
//! Linux is the same idea. [mio](https://docs.rs/mio) wraps both behind one
//! API: a `Poll` (the kqueue/epoll instance), a `Token` per registered
//! socket (what `ident` and `udata` were in the seed), and `Events` (the
//! array `kevent` fills).
//!
//! Here is a complete accept-and-echo server on mio, serving one client
//! (a thread) and stopping when it hangs up:
//!
//! ```
//! use std::collections::HashMap;
//! use std::io::{ErrorKind, Read, Write};
//! use mio::net::TcpListener;
//! use mio::{Events, Interest, Poll, Token};
//!
//! const LISTENER: Token = Token(0);
//!
//! let mut poll = Poll::new()?;
//! let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
//! let addr = listener.local_addr()?;
//! poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
//!
//! let client = std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
//!     let mut stream = std::net::TcpStream::connect(addr)?;
//!     stream.write_all(b"hello")?;
//!     let mut echoed = [0; 5];
//!     stream.read_exact(&mut echoed)?;
//!     Ok(echoed.to_vec()) // dropping the stream hangs up
//! });
//!
//! let mut connections = HashMap::new();
//! let mut next = 1;
//! let mut events = Events::with_capacity(64);
//! 'serve: loop {
//!     // Sleep until something is ready: no spinning, 0% CPU while idle.
//!     poll.poll(&mut events, None)?;
//!     for event in events.iter() {
//!         if event.token() == LISTENER {
//!             // Readiness is edge-triggered: accept until WouldBlock.
//!             loop {
//!                 match listener.accept() {
//!                     Ok((mut conn, _)) => {
//!                         let token = Token(next);
//!                         next += 1;
//!                         poll.registry().register(&mut conn, token, Interest::READABLE)?;
//!                         connections.insert(token, conn);
//!                     }
//!                     Err(e) if e.kind() == ErrorKind::WouldBlock => break,
//!                     Err(e) => return Err(e),
//!                 }
//!             }
//!         } else if let Some(conn) = connections.get_mut(&event.token()) {
//!             let mut buf = [0; 1024];
//!             loop {
//!                 match conn.read(&mut buf) {
//!                     Ok(0) => break 'serve, // the client hung up: done
//!                     // (a real server would also wait for WRITABLE here)
//!                     Ok(n) => conn.write_all(&buf[..n])?,
//!                     Err(e) if e.kind() == ErrorKind::WouldBlock => break,
//!                     Err(e) => return Err(e),
//!                 }
//!             }
//!         }
//!     }
//! }
//! assert_eq!(client.join().unwrap()?, b"hello");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The CPU problem is gone. What remains is a *structure* problem: the
//! state of every conversation ("read the request, then write the reply,
//! then wait for the next") must live in the `HashMap` and be advanced by
//! hand from the event loop. With one protocol step that is fine; with
//! several, every connection becomes a hand-written state machine.
//!
//! # 3. Futures and wakers
//!
//! Rust's `async fn` writes those state machines for us: the compiler turns
//! each `.await` into a state. What it needs from us is the contract of
//! [`std::future::Future`]: `poll` either returns `Ready(value)`, or
//! returns `Pending` **after** storing the `Waker` from its `Context`
//! somewhere that will call `wake()` when progress is possible. Whoever
//! runs the future (an *executor*) polls it again after that wake, and not
//! before.
//!
//! A complete, tiny example: a future that completes when another thread
//! sets a flag, and a one-future executor that parks its thread until woken
//! (the approach of the `pollster` crate):
//!
//! ```
//! use std::future::Future;
//! use std::pin::{pin, Pin};
//! use std::sync::{Arc, Mutex};
//! use std::task::{Context, Poll, Wake, Waker};
//! use std::thread::Thread;
//! use std::time::Duration;
//!
//! /// What the future and the thread that completes it share.
//! #[derive(Default)]
//! struct Flag {
//!     done: bool,
//!     waker: Option<Waker>,
//! }
//!
//! /// Completes once `done` is set.
//! struct WaitForFlag(Arc<Mutex<Flag>>);
//!
//! impl Future for WaitForFlag {
//!     type Output = ();
//!     fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
//!         let mut flag = self.0.lock().unwrap();
//!         if flag.done {
//!             return Poll::Ready(());
//!         }
//!         // Not yet: leave a waker where the completer will find it.
//!         // Checking and storing under one lock prevents the lost wake-up.
//!         flag.waker = Some(cx.waker().clone());
//!         Poll::Pending
//!     }
//! }
//!
//! /// Waking unparks the executor's thread.
//! struct Unpark(Thread);
//! impl Wake for Unpark {
//!     fn wake(self: Arc<Self>) {
//!         self.0.unpark();
//!     }
//! }
//!
//! /// The smallest executor: poll, and park until woken.
//! fn block_on<F: Future>(future: F) -> (F::Output, u32) {
//!     let mut future = pin!(future);
//!     let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
//!     let mut cx = Context::from_waker(&waker);
//!     let mut polls = 0;
//!     loop {
//!         polls += 1;
//!         if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
//!             return (out, polls);
//!         }
//!         std::thread::park(); // may return spuriously; then we just poll again
//!     }
//! }
//!
//! let flag = Arc::new(Mutex::new(Flag::default()));
//! let completer = flag.clone();
//! std::thread::spawn(move || {
//!     std::thread::sleep(Duration::from_millis(10));
//!     let mut flag = completer.lock().unwrap();
//!     flag.done = true;
//!     if let Some(waker) = flag.waker.take() {
//!         waker.wake();
//!     }
//! });
//! let ((), polls) = block_on(WaitForFlag(flag));
//! assert!(polls >= 2); // once Pending, once (or more) after the wake
//! ```
//!
//! Now the two halves fit together: the future that reads a socket stores
//! its waker next to the socket's token; the loop of step 2, instead of
//! calling a hand-written handler for each event, looks up the waker for
//! the event's token and wakes it; and the executor polls the woken
//! futures. That is a runtime.
//!
//! # 4. spindle's loop
//!
//! The mio server of step 2, written on spindle, reads like blocking code;
//! every `.await` is a place where the task may return `Pending`:
//!
//! ```
//! use spindle::io::{AsyncReadExt, AsyncWriteExt};
//! use spindle::net::{TcpListener, TcpStream};
//!
//! spindle::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0")?;
//!     let addr = listener.local_addr()?;
//!     spindle::spawn(async move {
//!         let (mut conn, _) = listener.accept().await?;
//!         let mut buf = [0; 1024];
//!         loop {
//!             let n = conn.read(&mut buf).await?;
//!             if n == 0 {
//!                 return Ok::<(), std::io::Error>(());
//!             }
//!             conn.write_all(&buf[..n]).await?;
//!         }
//!     });
//!     let mut client = TcpStream::connect(addr).await?;
//!     client.write_all(b"hello").await?;
//!     let mut echoed = [0; 5];
//!     client.read_exact(&mut echoed).await?;
//!     assert_eq!(&echoed, b"hello");
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Under it runs the loop of the crate documentation. Each piece of steps
//! 2 and 3 has a home (read the files in this order):
//!
//! | step | in the mio loop / the tiny executor | in spindle |
//! | --- | --- | --- |
//! | run futures, poll the woken ones | `block_on`'s `loop` | `executor.rs`: `Core::run` polls the run queue, at most 61 tasks per turn ([`Runtime`](crate::Runtime), [`spawn`](crate::spawn)) |
//! | a task and its output | — | `task.rs`: the task slab, [`JoinHandle`](crate::JoinHandle) |
//! | `Waker` → "poll me again" | `Unpark` | `waker.rs`: `Header` pushes the task on the run queue, or (from another thread) on a remote queue plus a `mio::Waker` |
//! | `poll.poll(&mut events, timeout)` | `'serve: loop` | `executor.rs`: `Core::turn` picks the timeout; `reactor.rs`: `IoDriver::poll` |
//! | token → connection | the `HashMap` | `reactor.rs`: a slab of `IoSlot`s, each with readiness bits and a reader and a writer waker |
//! | "read until `WouldBlock`" | the inner `loop` | `registration.rs`: `Registration::poll_io`, which every socket operation goes through ([`TcpStream`](crate::net::TcpStream), [`UdpSocket`](crate::net::UdpSocket)) |
//! | never sleep past a deadline | — | `time/`: the timer store gives `Core::turn` its timeout ([`sleep`](crate::time::sleep)) |
//!
//! To watch the loop run, turn on the explain trace
//! ([`Builder::explain`](crate::Builder::explain), or `SPINDLE_EXPLAIN=1`)
//! and run `cargo run -p spindle --example explain`. Each line names one
//! step: a poll and its result, where the task left its waker, how long the
//! loop blocked in `epoll_wait` and why, which events woke whom:
//!
//! ```
//! let rt = spindle::Runtime::builder().explain(true).build()?;
//! rt.block_on(async {
//!     spindle::time::sleep(std::time::Duration::from_millis(5)).await;
//! });
//! // stderr (no tracing subscriber is installed here):
//! //   spindle::explain: turn 1: 1 runnable
//! //   spindle::explain: block_on waits: timer at +6ms
//! //   spindle::explain: poll block_on -> Pending
//! //   spindle::explain: block in poll: up to 6ms (next timer)
//! //   spindle::explain: poll returned 0 events after 6ms
//! //   spindle::explain: timer fired -> wake block_on
//! //   spindle::explain: turn 2: 1 runnable
//! //   spindle::explain: poll block_on -> Ready
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! (5 ms shows as about 6: timers count whole milliseconds and round a
//! deadline up, so a sleep never ends early; see `time/store.rs`.)
//!
//! # 5. Blocking work needs a pool
//!
//! The loop of section 4 has one rule it cannot enforce: a poll must
//! return quickly. Everything the loop does for sockets rests on the kernel
//! telling it, through `epoll_wait`, which sockets will not block. Some
//! calls have no such readiness at all:
//!
//! - **Regular files.** epoll refuses them (`EPERM`) and kqueue calls them
//!   always readable; a `read` that misses the page cache simply blocks
//!   until the disk answers.
//! - **DNS.** `getaddrinfo` is a blocking library call that may wait on a
//!   resolver for seconds.
//! - **Computation and synchronous libraries.** Hashing a password,
//!   compressing a file, a database driver without async support.
//!
//! Done inside a task, any of these stops the whole runtime: no other task
//! is polled, no timer fires, no socket is read, for as long as the call
//! takes. The answer is the one every runtime uses: hand the call to
//! another thread and await its result. [`spawn_blocking`](crate::spawn_blocking)
//! sends the closure to a pool of threads shared by the process; the pool
//! thread runs it and sends the result through a oneshot channel, whose
//! waker, fired from the pool thread, takes the remote wake path of
//! section 4 (the remote queue and the `mio::Waker`), so a loop asleep in
//! `epoll_wait` wakes up for it.
//!
//! ```
//! spindle::block_on(async {
//!     let timer = spindle::spawn(async {
//!         spindle::time::sleep(std::time::Duration::from_millis(5)).await;
//!         "the timer still fired"
//!     });
//!     // 50 ms of blocking work, off the loop's thread.
//!     let slow = spindle::spawn_blocking(|| {
//!         std::thread::sleep(std::time::Duration::from_millis(50));
//!         "done"
//!     });
//!     assert_eq!(timer.await.unwrap(), "the timer still fired");
//!     assert_eq!(slow.await.unwrap(), "done");
//! });
//! ```
//!
//! Why a *pool*, and not a thread per call: starting a thread costs tens of
//! microseconds and a stack; a pool keeps threads that finished a job
//! waiting (10 s, then they leave), so a steady flow of file reads reuses
//! a handful of them. Why a *limit*
//! ([`Builder::max_blocking_threads`](crate::Builder::max_blocking_threads)):
//! a burst of ten thousand file reads should queue, not start ten thousand
//! threads. And why the pool does not make files "async" for free: every
//! job is a thread hop there and back (a few microseconds), so
//! [`spindle::fs::File`](crate::fs::File) reads and writes in chunks of up
//! to 1 MiB, one hop per chunk, and `spindle::fs::read` reads a whole file
//! in one hop. Child processes need no pool: their pipes have readiness
//! like sockets, and their exit arrives as `SIGCHLD` through the signal
//! path ([`spindle::process`](crate::process)).
//!
//! # Where spindle is simpler than tokio, and why
//!
//! spindle aims to be read in an afternoon, so it leaves out what a
//! production runtime needs for scale. Honestly:
//!
//! - **One thread.** A runtime never moves tasks between threads, so its
//!   state is `Cell`s and `RefCell`s and tasks need not be `Send`. tokio's
//!   multi-threaded scheduler has per-worker queues, work stealing and a
//!   global injection queue; its `current_thread` scheduler is the closest
//!   relative of spindle. For more cores, run one spindle runtime per
//!   thread (with `SO_REUSEPORT` listeners), as the server crate does.
//! - **Allocations.** A spindle task is an `Rc` cell holding a boxed
//!   future, plus an `Arc` header for its waker; tokio puts header, future
//!   and output in one allocation, with an intrusive list and a hand-made
//!   waker vtable, which needs `unsafe`. spindle has no `unsafe` outside
//!   the optional hyper adapter.
//! - **Timers.** A binary heap with lazy cancellation (O(log n)) instead of
//!   tokio's hierarchical timing wheel (O(1), intrusive, `unsafe`).
//! - **Fairness.** A fixed 61 polls per reactor turn, like tokio's event
//!   interval, but no per-task cooperative budget: a task that always finds
//!   its socket ready is not forced to yield; it must `yield_now` itself.
//! - **Cross-thread wakes.** A `Mutex<Vec>` plus one `mio::Waker` syscall
//!   per batch, instead of a lock-free queue.
//! - **Blocking pool.** One `Mutex` and one `Condvar` for the whole
//!   process, with the thread limit applied per runtime; child exits
//!   through `SIGCHLD` only, where tokio also uses a Linux `pidfd`.
//! - **Missing pieces.** No `block_in_place`, no `LocalSet`/`select!`
//!   macros of its own (the `futures` crate's work), no I/O driver shared
//!   between threads.
