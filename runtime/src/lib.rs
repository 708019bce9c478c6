//! spindle: a small, fast, single-threaded async runtime on mio that you can
//! read end to end.
//!
//! It runs `async fn`s and the futures they spawn on one thread, puts that
//! thread to sleep in `epoll_wait` (Linux) or `kevent` (macOS, BSD) when
//! nothing is ready, and wakes exactly the tasks whose sockets or timers
//! became ready.
//!
//! ```
//! use std::time::Duration;
//!
//! spindle::block_on(async {
//!     let task = spindle::spawn(async {
//!         spindle::time::sleep(Duration::from_millis(10)).await;
//!         "slept"
//!     });
//!     assert_eq!(task.await.unwrap(), "slept");
//! });
//! ```
//!
//! # One turn of the loop
//!
//! ```text
//!             spawn(fut) ──► run queue ◄──────────── wake (same thread: push TaskRef)
//!                               │        ◄── remote wake queue + mio::Waker (other thread)
//!                               ▼
//!                       poll task ── Ready ──► store output in JoinHandle, free slot
//!                               │     (up to 61 polls, then the reactor's turn)
//!                            Pending: the future left its Waker in a reactor
//!                               │     slot (socket readiness) or a timer entry
//!                               ▼
//!       every turn: drain remote wakes, then mio::Poll::poll(timeout =
//!                   zero if a task is runnable, else the next timer deadline or none)
//!                               │        (blocks only when nothing is runnable: 0% CPU while idle)
//!                               ▼
//!       events: token ──► reactor slot ──► set readiness bits, wake reader / writer wakers
//!       remote wakes that arrived meanwhile ──► run queue
//!       timers: due entries ──► wake;  tasks that yielded ──► wake
//! ```
//!
//! The reactor is polled on every turn of the loop, not only when the run
//! queue is empty: with tasks runnable it is only peeked at (a zero
//! timeout). And after 61 task polls in a row the turn ends early, so busy
//! tasks cannot starve sockets and timers.
//!
//! New to event loops? Start with the [`guide`]: it walks from a spinning
//! accept loop, through a readiness loop on mio and a hand-written future,
//! to this loop. To watch the loop run, turn on the explain trace with
//! [`Builder::explain`] or `SPINDLE_EXPLAIN=1`: every turn is narrated in
//! plain words (`poll task 3 -> Pending`, `block in poll: up to 20ms (next
//! timer)`, `event token 1: READABLE -> wake task 3`). Level 2
//! ([`Builder::explain_level`], `SPINDLE_EXPLAIN=2`) adds every socket
//! operation (`read token 3: 6 of 4096 bytes (short: READABLE cleared)`),
//! and `SPINDLE_EXPLAIN_HTML=page.html` ([`Builder::explain_html`]) draws
//! the run as a timeline.
//!
//! # Glossary
//!
//! - **task**: a spawned future, stored in the runtime's task slab until it
//!   completes. [`spawn`] creates one; a [`JoinHandle`] awaits its output.
//! - **waker**: the handle a future keeps to say "poll me again". In spindle
//!   it names a task by slab index and id; waking it pushes the task onto
//!   the run queue (at most once until it is polled).
//! - **run queue**: the tasks that are ready to be polled, in wake order.
//! - **reactor**: the part that owns `mio::Poll`, registers sockets and turns
//!   kernel events into wakes.
//! - **token**: the number a socket is registered with; each event carries
//!   it back, and it leads to the socket's slot in the reactor.
//! - **readiness**: what the kernel said a socket can do without blocking
//!   (read, write, closed, error), kept until an operation proves otherwise.
//! - **timer**: a deadline with a waker, kept in the timer store; the loop
//!   never sleeps past the earliest one.
//! - **datagram**: one UDP message; [`net::UdpSocket`] sends and receives
//!   whole datagrams, never merged or split.
//! - **explain trace**: the runtime's narration of its own loop, one line
//!   per step, as `tracing` events with target `spindle::explain` and
//!   structured fields (task, token, direction, bytes, …).
//! - **blocking pool**: threads, shared by every runtime of the process,
//!   that run what would otherwise block the loop ([`spawn_blocking`],
//!   [`fs`], name lookups); a result comes back through the remote wake
//!   path.
//! - **thread hop**: handing a job to a pool thread and getting its result
//!   back; a few microseconds, so [`fs::File`] moves data in chunks.
//! - **host name resolution**: turning `"example.com:80"` into socket
//!   addresses with `getaddrinfo`, a blocking call; [`net::lookup_host`]
//!   does it on the pool, an IP literal needs none.
//! - **pipe**: a one-way byte channel between processes; a child's stdin,
//!   stdout and stderr, registered in the reactor like a socket.
//! - **`SIGCHLD`**: the signal the kernel sends when a child exits; the
//!   runtime's signal path turns it into wakes of the waiting children.
//! - **zombie**: an exited child whose status nobody collected with
//!   `waitpid`; spindle reaps dropped children so none is left.
//! - **attribute macro**: `#[spindle::main]`, `#[spindle::test]`: rewrite
//!   an `async fn` into a plain `fn` that builds a runtime and blocks on it.
//! - **generation**: the high half of a token, new for every registration,
//!   so an event for a socket that is gone never wakes the one that reused
//!   its slot.
//!
//! # Reading order
//!
//! The source is grouped by floor: `executor/` is the loop's core,
//! `reactor/` the kernel's side of it, `task/` what the loop runs and how
//! a wake finds it; the public modules (`net`, `time`, `fs`, `process`,
//! `io`, `task`, `signal`) are where users find them. The first six steps
//! follow one task around the loop, poll → pending → register → event →
//! wake → schedule → poll, in file order:
//!
//! 1. **The loop, and poll.** `executor/runtime.rs`: [`Runtime`] and
//!    [`block_on`]; `executor/builder.rs` and `executor/config.rs`:
//!    [`Builder`], [`PanicPolicy`]; `executor/turn.rs`: the loop, a turn
//!    of the reactor, timers and yields; `executor/poll.rs`: step 1, each
//!    poll with its budget; `executor/spawn.rs`: the task slab.
//! 2. **Pending.** `task/mod.rs`: [`spawn`] and a task's lifecycle;
//!    `task/cell.rs`: the task as the loop holds it, whose poll returns
//!    `Pending`; `task/join.rs`: [`JoinHandle`], [`JoinError`].
//! 3. **Register.** `reactor/registration.rs`: the helper every socket
//!    operation goes through, which parks the waker when the socket is
//!    not ready (its doc draws the life of one read across every
//!    structure); `reactor/io_source.rs`: the socket wrapper;
//!    `reactor/slot.rs`: a socket's slot, its readiness and waiters;
//!    `reactor/ready.rs`: the readiness bits.
//! 4. **Event.** `reactor/mod.rs`: `mio::Poll`, tokens, and the dispatch
//!    that turns an event into wakes.
//! 5. **Wake.** `task/waker.rs`: a waker is the task's header;
//!    `task/remote.rs`: the queue a wake from another thread goes
//!    through; `task/task_ref.rs`: how the loop names a task.
//! 6. **Schedule.** `executor/mod.rs`: the `Core` every part
//!    of the loop owns, and `Core::schedule`, which puts the task back on
//!    the run queue for step 1.
//! 7. Around the loop: `executor/context.rs` (how [`spawn`] finds the
//!    running runtime, and how every resource checks it runs on its own),
//!    `executor/handle.rs` ([`Handle`]), `executor/coop.rs` (the budget),
//!    `executor/stall.rs` (the stall detector), `executor/metrics.rs`
//!    ([`Metrics`]), `executor/shutdown.rs` (what a dropped runtime does).
//! 8. `time/`: [`time::sleep`], [`time::timeout`], [`time::interval`] and
//!    the timer store.
//! 9. `net/`: [`net::TcpListener`], [`net::TcpStream`], their split
//!    halves and [`net::TcpSocket`] (`tcp/`), [`net::UdpSocket`]
//!    (`udp.rs`), `UnixListener`, `UnixStream`, its halves and
//!    `UnixDatagram` (`unix/`, Unix only); `readiness.rs`: what every
//!    socket shares (`ready(Interest)`, `poll_read_ready`, the vectored
//!    `try_*`, `into_std`), thin wrappers over `reactor/registration.rs`.
//! 10. `signal.rs`: [`signal::ctrl_c`] and [`signal::signal`];
//!     `reactor/signal.rs`: the self-pipe behind them.
//! 11. `explain/`: the explain trace and how a waker is traced back to
//!     its task (`mod.rs`), its events (`event.rs`), their text lines
//!     (`line.rs`) and `tracing` fields (`fields.rs`), the hooks the loop
//!     calls (`hooks.rs`), and the timeline: the bounded record
//!     (`record.rs`), the HTML page (`timeline.rs`) and the Chrome JSON
//!     (`chrome.rs`).
//! 12. `task/yield_now.rs`, `task/id.rs`, `task/join_set.rs`,
//!     `task/local.rs`: [`yield_now`], [`task::Id`], [`task::JoinSet`],
//!     [`task_local!`]; `io/`: [`io::Interest`] and [`io::Ready`]
//!     (`ready.rs`), [`io::copy_bidirectional`] (`copy_bidirectional.rs`),
//!     [`io::empty`], [`io::repeat`], [`io::sink`] (`always_ready.rs`).
//! 13. `blocking/`: [`spawn_blocking`] and the process-wide pool
//!     (`pool.rs`), one runtime's share of it (`jobs.rs`),
//!     [`Runtime::shutdown_timeout`] (`shutdown.rs`).
//! 14. `net/lookup.rs`: [`net::lookup_host`] and [`net::ToSocketAddrs`],
//!     host names through the pool.
//! 15. `fs/`: [`fs::read`] and the other one-call operations (`ops.rs`),
//!     links and names, [`fs::hard_link`] to [`fs::canonicalize`]
//!     (`links.rs`), [`fs::File`] and its buffer (`file.rs`),
//!     [`fs::OpenOptions`] (`open_options.rs`), [`fs::read_dir`]
//!     (`read_dir.rs`).
//! 16. `process/` (Unix): [`process::Command`] (`command.rs`),
//!     [`process::Child`] (`child.rs`), pipes in the reactor (`pipe.rs`),
//!     exits through `SIGCHLD` and the orphan list (`reaper.rs`).
//! 17. `macros/` (crate `spindle-macros`, feature `macros`): [`main`] and
//!     [`test`](macro@test).
//! 18. `hyper/` (feature `hyper`): hyper 1.x on spindle (`mod.rs`);
//!     `serve.rs`: `hyper::serve`, a whole HTTP/1 + HTTP/2 server.
//! 19. `tokio/` (feature `tokio`): tokio hosted on spindle's thread
//!     (`host.rs`), and tokio's `AsyncRead` and `AsyncWrite` on spindle's
//!     streams (`io.rs`).
//!
//! The [`guide`] (`guide.rs`) is a chapter to read before all of these.
//!
//! # Dependencies, and why each is here
//!
//! - `mio`: the portable epoll/kqueue layer; spindle is a loop on top of it.
//! - `socket2`: socket options mio does not expose (listen backlog,
//!   `SO_REUSEADDR`, `SO_REUSEPORT`, `SO_LINGER`, keepalive, `IP_TOS`,
//!   buffer sizes), the unconnected socket behind [`net::TcpSocket`], and
//!   `peek_sender`.
//! - `rustix` (Unix): one safe syscall std has not stabilised,
//!   `recv(MSG_PEEK)` on a Unix datagram socket (`UnixDatagram::peek`),
//!   and the `EINPROGRESS` errno that `TcpSocket::connect` expects; it was
//!   already in the workspace's dependency tree, and it keeps spindle free of
//!   `unsafe` for both.
//! - `futures`: the `AsyncRead`/`AsyncWrite` traits and their extension
//!   methods, channels and combinators, so spindle interoperates instead of
//!   inventing its own; and `task::waker_ref`, which lends a task's waker to
//!   a poll without touching its reference count (the one piece of waker
//!   plumbing that needs `unsafe`, kept in that well-kept crate).
//! - `slab`: the task slab, the reactor's registrations and the timer slots:
//!   vectors with free lists, keyed by index.
//! - `pin-project-lite`: safe pin projection for [`time::Timeout`].
//! - `signal-hook`, `signal-hook-mio`: the async-signal-safe handler and
//!   self-pipe that turn Unix signals into reactor events.
//! - `tracing`: the explain trace is emitted as `tracing` events, so an
//!   application that already uses `tracing` can filter, record or ship it
//!   with its own subscriber instead of a spindle-specific logger. Without
//!   the default features it is a small crate, and with the trace off none
//!   of its macros is reached.
//! - `hyper`, `hyper-util`, `tower-service` (optional, feature `hyper`):
//!   only for the adapter in `hyper/mod.rs` and the server in `hyper/serve.rs`
//!   (hyper-util's `auto` connection speaks HTTP/1 and HTTP/2 on one port).
//! - `spindle-macros` (optional, feature `macros`, on by default): this
//!   workspace's own proc-macro crate for `#[spindle::main]` and
//!   `#[spindle::test]` (a proc-macro must live in a crate of its own); it
//!   uses `syn`, `quote` and `proc-macro2`, see its crate doc.
//!
//! The blocking pool, the file system and child processes need no new
//! dependency: `std::thread`, `std::fs` and `std::process` do the work,
//! `futures`' oneshot channel carries results back, mio's `os-ext` pipes
//! put a child's stdio in the reactor, and `signal-hook` delivers
//! `SIGCHLD`.
//!
//! # No task holds the thread
//!
//! Every poll runs with a cooperative budget of 128 operations (`executor/coop.rs`,
//! [`Builder::budget`]): each spindle operation that completes without
//! waiting takes a unit, and when none is left the operation returns
//! `Pending` and the task runs again after the next reactor turn. One
//! connection flooding its socket therefore cannot stall the others; a
//! [`time::timeout`] fires around a future that is always ready; compute
//! loops can call [`task::consume_budget`], and [`task::unconstrained`]
//! opts a future out. What the budget cannot stop (a task that blocks the
//! thread in a syscall or a long computation) the stall detector reports
//! (`executor/stall.rs`, [`Builder::stall_threshold`] or `SPINDLE_STALL_MS=N`): the
//! task, where it was spawned, how long the poll took, how many tasks it
//! kept waiting.
//!
//! # `Send` resources on a single thread
//!
//! Sockets ([`net::TcpStream`] and its owned halves, [`net::TcpListener`],
//! [`net::UdpSocket`], the Unix types), timers ([`time::Sleep`],
//! [`time::Timeout`], [`time::Interval`]), [`JoinHandle<T>`] (for a `Send`
//! `T`) and [`Handle`] are `Send + Sync`, so they satisfy the `Send` bounds
//! of the web ecosystem (axum handlers, hyper's upgrades, pooled clients).
//! Tasks still need not be `Send`, and still run only on their runtime's
//! thread: a resource holds its runtime's id, and each operation checks it
//! against the thread's current runtime (one thread-local load); anywhere
//! else it answers with an `io::Error` (a timer panics with a message),
//! never with undefined behaviour or a hang. A resource dropped on another
//! thread hands its reactor slot or timer to its runtime's loop. When a
//! runtime is dropped, everything still waiting on its sockets and timers
//! is woken, to an error. Any number of tasks may wait on one socket in
//! one direction: an event wakes them all.
//!
//! # Where spindle is simpler than tokio
//!
//! spindle has one thread per runtime and no work stealing; a task's future
//! is boxed separately from its header (tokio puts both in one allocation
//! with unsafe code); timers live in a binary heap rather than a timing
//! wheel; a socket's waiters are a short list in a cell that only its
//! runtime's thread may touch (checked on every access, no lock), where
//! tokio keeps an intrusive linked list behind a mutex; and only socket operations take their
//! budget unit first and give it back on `Pending`, as tokio's all do (the
//! others check first and take the unit when they complete). The stall detector reports after the
//! poll returns, so it names the task and its spawn site but cannot show
//! the stack (glommio's takes a backtrace from a signal handler). Each file
//! says where it simplifies.

#[cfg(all(feature = "tokio", mio_unsupported_force_poll_poll))]
compile_error!(
    "spindle's `tokio` feature needs epoll or kqueue: mio's poll(2) backend \
     has no selector fd for tokio's reactor to watch"
);

mod blocking;
mod executor;
mod explain;
pub mod fs;
pub mod guide;
#[cfg(feature = "hyper")]
pub mod hyper;
pub mod io;
pub mod net;
#[cfg(unix)]
pub mod process;
mod reactor;
#[cfg(unix)]
pub mod signal;
pub mod task;
pub mod time;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use blocking::spawn_blocking;
pub use executor::builder::Builder;
pub use executor::config::PanicPolicy;
pub use executor::handle::Handle;
pub use executor::metrics::Metrics;
pub use executor::{block_on, Runtime};
#[cfg(feature = "macros")]
pub use spindle_macros::{main, test};
pub use task::yield_now::yield_now;
pub use task::{spawn, JoinError, JoinHandle};

/// The README's examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "macros"))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
