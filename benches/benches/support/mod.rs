//! What every micro-benchmark shares: criterion settings small enough that
//! the whole suite runs in a few minutes, and the three runtimes compared.
//!
//! - **spindle**: a [`spindle::Runtime`], reused across iterations.
//! - **tokio**: a `current_thread` runtime with I/O and time enabled, the
//!   industry's single-threaded reference.
//! - **async-executor**: smol's `LocalExecutor`, driven by
//!   `async_io::block_on` (which also runs async-io's reactor for timers and
//!   sockets): the other well-known small runtime built from parts.

use std::time::Duration;

use criterion::Criterion;

/// Criterion with short runs: 1 s warm-up, 3 s of measurement, 20 samples
/// per benchmark. Differences below a few percent are noise at this size;
/// the micro-benchmarks are for the large gaps.
pub(crate) fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args()
}

/// A spindle runtime with default settings.
pub(crate) fn spindle() -> spindle::Runtime {
    spindle::Runtime::new().expect("spindle runtime")
}

/// A tokio current_thread runtime with I/O and timers.
pub(crate) fn tokio() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
