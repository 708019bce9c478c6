//! The blocking pool: threads for work that would otherwise hold the loop.
//!
//! A spindle runtime is one thread. Anything that blocks that thread (a
//! `read` of a file, `getaddrinfo`, a heavy computation, a synchronous
//! library) stops every task, socket and timer of the runtime until it
//! returns. Sockets have readiness, so the reactor can wait on them; regular
//! files and DNS lookups do not, so spindle hands them to other threads and
//! awaits the answer, as tokio and smol do.
//!
//! | file | what |
//! | --- | --- |
//! | `spawn.rs` | [`spawn_blocking`](crate::spawn_blocking), and how the result comes back through the remote wake path |
//! | `pool.rs` | the process-wide threads: started lazily, grown on demand, leaving after 10 s idle |
//! | `jobs.rs` | one runtime's share: `Builder::max_blocking_threads`, its backlog, its outstanding count |
//! | `shutdown.rs` | [`Runtime::shutdown_timeout`](crate::Runtime::shutdown_timeout) |
//!
//! Where spindle is simpler: tokio's pool is per runtime, grows the same
//! way and also hands out threads for `block_in_place`; smol's `blocking`
//! adapts its thread limit to the load. spindle's pool is one `Mutex` and
//! one `Condvar`, with the limit per runtime.

mod jobs;
mod pool;
mod shutdown;
mod spawn;

pub(crate) use jobs::{backlogged, RuntimeJobs};
pub(crate) use pool::global_stats;
pub use spawn::spawn_blocking;
pub(crate) use spawn::unblock;
