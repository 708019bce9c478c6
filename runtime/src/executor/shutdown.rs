//! Dropping a runtime: close its cross-thread half, drop every task's
//! future (repeating while destructors spawn more), and wake whoever still
//! waits on one of its sockets or timers, so their next poll gets the
//! shut-down error instead of waiting forever.

use super::{Core, TaskEntry};
use crate::explain;

impl Core {
    /// Drops every task's future (the runtime is going away).
    pub(super) fn shutdown(&self) {
        // Close first: from now on this runtime's sockets and timers answer
        // other threads and runtimes with "shut down". Work handed in and
        // not yet run is dropped (a `Handle::spawn` not yet started reports
        // `Cancelled`).
        drop(self.shared.close());
        // Dropping a future may spawn or drop other tasks; repeat until none
        // is left.
        loop {
            let mut entries: Vec<TaskEntry> = self.tasks.borrow_mut().drain().collect();
            if entries.is_empty() {
                break;
            }
            for entry in entries.iter_mut() {
                if self.explain_on {
                    explain::shutdown_drop(&self.explain, entry.id);
                }
                if let Some(task) = entry.task.as_mut() {
                    task.as_mut().cancel();
                }
            }
            let alive = &self.counters.tasks_alive;
            alive.set(alive.get().saturating_sub(entries.len() as u64));
        }
        self.run_queue.borrow_mut().clear();
        self.deferred.borrow_mut().clear();
        // Wake whoever still waits on one of this runtime's sockets or
        // timers (a task of another runtime, a future kept after the drop):
        // their next poll gets the error instead of waiting forever.
        self.io.wake_all();
        let mut wakers = Vec::new();
        self.timers.borrow_mut().take_all_wakers(&mut wakers);
        for waker in wakers {
            waker.wake();
        }
        if self.explain_on {
            self.explain.finish();
        }
    }
}
