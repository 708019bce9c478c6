//! `Runtime::shutdown_timeout`: drop a runtime, then wait a while for the
//! blocking jobs it started.
//!
//! Dropping a [`Runtime`] drops its tasks but cannot stop a closure that
//! is already running on a pool thread. Usually that is fine: the result is
//! thrown away when the closure returns. A program that must not exit
//! while, say, a file is half written asks for a bounded wait instead. The
//! wait is on this runtime's count of outstanding jobs (`jobs.rs`), which
//! the runners keep alive after the runtime is gone.

use std::time::Duration;

use crate::executor::Runtime;

impl Runtime {
    /// Drops the runtime, then waits up to `timeout` for the blocking jobs
    /// it started (running or queued) to finish. A plain `drop` does not
    /// wait.
    ///
    /// Tasks are dropped first, exactly as by `drop`; then this thread
    /// blocks until the runtime's last job is done or `timeout` passed.
    /// Jobs still running after that go on in the background.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// use std::time::Duration;
    ///
    /// let written = Arc::new(AtomicBool::new(false));
    /// let rt = spindle::Runtime::new()?;
    /// rt.block_on(async {
    ///     let written = written.clone();
    ///     spindle::spawn_blocking(move || {
    ///         std::thread::sleep(Duration::from_millis(20));
    ///         written.store(true, Ordering::SeqCst);
    ///     });
    /// });
    /// rt.shutdown_timeout(Duration::from_secs(10));
    /// assert!(written.load(Ordering::SeqCst));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown_timeout(self, timeout: Duration) {
        let jobs = self.core.blocking.clone();
        drop(self);
        jobs.wait_idle(timeout);
    }
}
