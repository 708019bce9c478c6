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
//! spindle grew from a short note on kqueue (macOS's event queue) with two
//! C++ programs in it. The note is not part of this repository, so here is
//! what it showed. The first program makes its listening socket
//! non-blocking (`fcntl(O_NONBLOCK)`) and then calls `accept` in an endless
//! loop; the note's verdict is that the CPU is trapped in that `for` loop,
//! polling, and that every accepted connection would need the same polling
//! in user space for its reads and writes:
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
//! The note's second program fixes this with kqueue: create a queue with
//! `kqueue()`, register the listening socket once (`EV_SET(…, sfd,
//! EVFILT_READ, EV_ADD | EV_ENABLE, …)` handed to `kevent` as its
//! "changelist"), then loop on `kevent(kfd, nullptr, 0, events, 1024,
//! &timeout)`, which *sleeps* until the kernel reports that some registered
//! socket is ready (or the 3-second timeout passes, when it prints "no
//! connection"), and returns how many are ready and which (`ready_fd=…`
//! for each). Its last comment says what is left to do: register each
//! accepted socket with the queue too, for its I/O events. epoll on Linux
//! is the same idea. [mio](https://docs.rs/mio) wraps both behind one
//! API: a `Poll` (the kqueue/epoll instance), a `Token` per registered
//! socket (what `ident` and `udata` were in the note), and `Events` (the
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
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
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
//! | run futures, poll the woken ones | `block_on`'s `loop` | `executor/turn.rs`: `Core::run`, the loop; `executor/poll.rs`: step 1 polls the run queue, at most 61 tasks per turn ([`Runtime`](crate::Runtime), [`spawn`](crate::spawn)) |
//! | a task and its output | — | `executor/spawn.rs`: the task slab; `task/cell.rs`: the task as the loop holds it; `task/join.rs`: [`JoinHandle`](crate::JoinHandle) |
//! | "read until `WouldBlock`", else `Pending` | the inner `loop` | `reactor/registration.rs`: `Registration::poll_io`, which every socket operation goes through ([`TcpStream`](crate::net::TcpStream), [`UdpSocket`](crate::net::UdpSocket)); on `Pending` it parks the waker in the socket's slot |
//! | token → connection | the `HashMap` | `reactor/slot.rs`: a slab of `IoSlot`s, each with readiness bits and any number of parked wakers per direction (an event wakes every one) |
//! | `poll.poll(&mut events, timeout)` | `'serve: loop` | `executor/turn.rs`: `Core::turn` picks the timeout; `reactor/mod.rs`: `IoDriver::poll` turns each event into wakes |
//! | `Waker` → "poll me again" | `Unpark` | `task/waker.rs`: `Header` pushes the task on the run queue (`Core::schedule`, `executor/mod.rs`), or (from another thread) on a remote queue plus a `mio::Waker` (`task/remote.rs`) |
//! | never sleep past a deadline | — | `time/`: the timer store gives `Core::turn` its timeout ([`sleep`](crate::time::sleep)) |
//!
//! # The life of one read
//!
//! One `read` that finds nothing, through every structure it touches,
//! then the event that ends the wait (the same picture is in
//! `reactor/registration.rs`):
//!
//! ```text
//!  token (usize, 64-bit):  [ generation: high 32 bits | slab index: low 32 bits ]
//!
//!  1 poll      run queue ──pop TaskRef{index,id}──► task slab[index] ─► TaskCell::poll
//!  2 pending   read(2) = WouldBlock ─► IoSlot.readiness &= !READABLE
//!              IoSlot { readiness: u8 bits, owner thread's cells (no lock):
//!                       waiters {read: Vec, write: Vec}, parked: u8 bits, next_key }
//!  3 register  waker parked in waiters.read, parked |= READ ─► Poll::Pending
//!  4 event     epoll_wait ─► event(token) ─► slab[index], generation checked
//!              ─► readiness |= READABLE, every reader waker taken (parked bit cleared)
//!  5 wake      Header.scheduled: false ─► true (a second wake stops here)
//!  6 schedule  same thread: run queue.push_back(TaskRef)
//!              other thread: RemoteQueue.push, then `notified` false ─► true
//!              fires the mio::Waker (eventfd) ─► the loop's next turn drains
//!              the remote queue onto the run queue
//!  7 poll      back to 1: the read runs again and finds the bytes
//! ```
//!
//! The cross-thread drop runs beside step 6: a socket dropped on another
//! thread deregisters its fd there (`mio::Registry` is thread-safe) and
//! sends its token to the loop (`Inbox::Io` through the same remote queue
//! and eventfd); the loop frees the slot at its next turn, and the slot's
//! next owner gets a new generation, so a late event for the old socket
//! wakes nobody.
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
//! Level 2 ([`Builder::explain_level(2)`](crate::Builder::explain_level),
//! or `SPINDLE_EXPLAIN=2`) also shows what the loop does to each socket:
//! every operation and what it proved (`read token 3: 6 of 1024 bytes
//! (short: READABLE cleared)`, `write token 3: 6 of 6`, `read token 3:
//! WouldBlock -> READABLE cleared`), every registration with its
//! generation, de-duplicated wakes, a turn cut short by the event interval,
//! and the tasks dropped at shutdown. `docs/explain-trace.md` is the
//! `explain` example's whole level-2 trace, annotated turn by turn. To see
//! it drawn, set `SPINDLE_EXPLAIN_HTML=timeline.html` (or call
//! [`Builder::explain_html`](crate::Builder::explain_html)): when the
//! runtime drops it writes one page with a lane per task, polls as bars,
//! the waits in `epoll_wait` as gaps and the wakes as arrows
//! (`docs/explain-timeline.html` is the `explain` example's).
//! `SPINDLE_EXPLAIN_JSON=trace.json` writes the same record for Perfetto or
//! `chrome://tracing`.
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
//! - **Allocations.** A spindle task is a boxed cell in the task slab
//!   holding its future, plus an `Arc` header for its waker and an `Arc`
//!   result slot for its handle; tokio puts header, future and output in
//!   one allocation, with an intrusive list and a hand-made waker vtable,
//!   which needs `unsafe`. spindle has no `unsafe` outside the optional
//!   integrations: the hyper adapter's read into uninitialised memory and
//!   the tokio host's registration of spindle's poller fd.
//! - **Timers.** A binary heap with lazy cancellation (O(log n)) instead of
//!   tokio's hierarchical timing wheel (O(1), intrusive, `unsafe`).
//! - **Fairness.** A fixed 61 polls per reactor turn, like tokio's event
//!   interval, and a cooperative budget of 128 operations per poll, like
//!   tokio's: a task that always finds its socket ready spends it and
//!   yields (`executor/coop.rs`). spindle checks the budget when an
//!   operation starts and takes a unit when it completes; tokio takes the
//!   unit first and gives it back on `Pending`.
//! - **Cross-thread wakes.** A `Mutex<Vec>` plus one `mio::Waker` syscall
//!   per batch, instead of a lock-free queue.
//! - **Blocking pool.** One `Mutex` and one `Condvar` for the whole
//!   process, with the thread limit applied per runtime; child exits
//!   through `SIGCHLD` only, where tokio also uses a Linux `pidfd`.
//! - **Missing pieces.** No `block_in_place`, no `LocalSet`/`select!`
//!   macros of its own (the `futures` crate's work), no I/O driver shared
//!   between threads.
//!
//! # Exercises
//!
//! Each one runs as it stands (`cargo test -p spindle --doc guide` runs
//! them all); the instructions say what to change and what to look for.
//!
//! ## 1. One poll per turn
//!
//! With [`Builder::event_interval(1)`](crate::Builder::event_interval) the
//! loop turns the reactor after every single poll. Two tasks that keep
//! yielding then cost a reactor turn each time; at level 2 the trace says
//! so: `event interval: 1 polls this turn, 2 still runnable -> reactor turn
//! first`, followed by `no block: 2 runnable` (the reactor is only peeked
//! at). Run it, then change the interval to 61 and compare the two counts.
//!
//! ```
//! let rt = spindle::Runtime::builder()
//!     .event_interval(1)
//!     .explain_level(2)
//!     .build()?;
//! rt.block_on(async {
//!     let spinners: Vec<_> = (0..2)
//!         .map(|_| {
//!             spindle::spawn(async {
//!                 for _ in 0..3 {
//!                     spindle::yield_now().await;
//!                 }
//!             })
//!         })
//!         .collect();
//!     for spinner in spinners {
//!         spinner.await.unwrap();
//!     }
//! });
//! let m = rt.metrics();
//! // At most one poll per turn (the last poll, `block_on -> Ready`, ends the
//! // loop before its turn).
//! assert!(m.reactor_turns + 1 >= m.polls, "{m:?}");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## 2. Remove the short-read gate, and watch the hang
//!
//! A read that returns fewer bytes than asked proves the socket drained,
//! so `reactor/registration.rs` clears readiness without the extra `read` that
//! would say `WouldBlock`. It does that only where
//! `SHORT_IO_PROVES_DRAINED` holds: epoll and kqueue. mio's `poll(2)`
//! backend re-arms a socket only when an operation returns `WouldBlock`, so
//! there the rule would leave the socket disarmed and its task asleep for
//! ever. To see it, set the constant to `true` in `reactor/registration.rs` and run
//! this exercise on that backend:
//!
//! ```text
//! CARGO_TARGET_DIR=target/poll-backend RUSTFLAGS="--cfg mio_unsupported_force_poll_poll" \
//!     cargo test -p spindle --doc guide
//! ```
//!
//! The second request then never wakes the server: its trace ends in
//! `read token 2: 4 of 1024 bytes (short: READABLE cleared)`, `block_on
//! waits: token 2 read` and a `block in poll` that only the 2-second
//! timeout below ends (the test fails with "lost wake-up"). Unchanged, the
//! trace on that backend says `(short, READABLE kept: this selector needs
//! the WouldBlock)` instead, and the exercise passes.
//!
//! ```
//! use std::time::Duration;
//! use spindle::io::{AsyncReadExt, AsyncWriteExt};
//! use spindle::net::{TcpListener, TcpStream};
//!
//! let rt = spindle::Runtime::builder().explain_level(2).build()?;
//! rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let mut client = TcpStream::connect(listener.local_addr()?).await?;
//!     let (mut server, _) = listener.accept().await?;
//!     let mut buf = [0; 1024];
//!     for request in [&b"ping"[..], b"pong"] {
//!         client.write_all(request).await?;
//!         // A short read: 4 of the 1024 bytes offered.
//!         let read = spindle::time::timeout(Duration::from_secs(2), server.read(&mut buf)).await;
//!         let n = read.map_err(|_| std::io::Error::other("lost wake-up: the read never woke"))??;
//!         assert_eq!(&buf[..n], request);
//!     }
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## 3. Find the stale token
//!
//! A token is a slot index (low half) and a generation (high half). Run
//! this at level 2 and read the `register` and `deregister` lines: the
//! second socket gets the first one's slot, token 0, with a new
//! generation. Now suppose an event for the first socket were still on its
//! way: which line would the reactor write for it, and why would it wake
//! nobody? (Answer: `event token 0: … -> stale (socket gone), wakes
//! nobody`; `IoDriver::poll` in `reactor/mod.rs` compares the event's whole
//! token, generation included, with the slot's, and generation 0 is not
//! generation 1. spindle deregisters a socket before it closes it, and
//! epoll forgets the queued events of a deregistered descriptor, so you
//! will rarely meet the line itself; the generation is what makes it
//! harmless on every selector.)
//!
//! ```
//! let rt = spindle::Runtime::builder().explain_level(2).build()?;
//! rt.block_on(async {
//!     let first = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
//!     // register token 0 (generation 0) for block_on
//!     drop(first);
//!     // deregister token 0 (generation 0): dropped by block_on
//!     let second = spindle::net::UdpSocket::bind("127.0.0.1:0").await?;
//!     // register token 0 (generation 1) for block_on
//!     drop(second);
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
