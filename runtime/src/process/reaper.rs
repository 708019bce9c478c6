//! Learning that a child exited, through `SIGCHLD`, and reaping the
//! children nobody waits for.
//!
//! ```text
//!   wait(child):
//!     listen for SIGCHLD ──(1)── try_wait? exited ── Ready(status)
//!             ▲                       │ still running
//!             │                       ▼
//!             └──(3)── SIGCHLD: the loop wakes every listener ◄──(2)── Pending
//! ```
//!
//! 1. The listener is created *before* the first `try_wait`: an exit after
//!    that check raises a `SIGCHLD` the listener counts (`reactor/signal.rs`), so
//!    it is never lost; an exit before it is seen by the check itself.
//! 2. The task parks on the listener.
//! 3. Any child's exit wakes every listener of the runtime; each asks
//!    `waitpid(pid, WNOHANG)` for its own child and parks again if that one
//!    is still running. `SIGCHLD`s that arrive together are merged by the
//!    kernel, which is harmless for the same reason: every waiter checks.
//!
//! # Orphans
//!
//! A [`Child`](super::Child) dropped while still running (or killed by
//! `kill_on_drop`) is put on [`ORPHANS`], one list for the process. Every
//! `wait`, every `Command::spawn`, and a small reaper task (spawned on the
//! current runtime when the first orphan arrives, ending when none is left)
//! call [`reap_orphans`], which collects each exited orphan's status so the
//! kernel can free it. An orphan dropped outside any runtime waits for the
//! next of those calls.

use std::cell::Cell;
use std::io;
use std::process::ExitStatus;
use std::sync::{Mutex, MutexGuard};

use crate::executor::context;
use crate::signal::{signal, SignalKind};

/// Children dropped before their exit was collected; see the module doc.
/// Pushed by `Child`'s drop, drained by [`reap_orphans`].
static ORPHANS: Mutex<Vec<std::process::Child>> = Mutex::new(Vec::new());

thread_local! {
    /// Whether a reaper task runs on this thread's runtime. Set by
    /// [`adopt`] when it spawns one, cleared by the task's guard when it
    /// ends or is dropped with its runtime.
    static REAPER: Cell<bool> = const { Cell::new(false) };
}

/// Waits, without blocking the thread, until `child` exits; returns its
/// status.
///
/// # Errors
///
/// Fails if `waitpid` fails (the child was already reaped by someone else:
/// `ECHILD`) or the `SIGCHLD` listener cannot be set up.
pub(crate) async fn wait(child: &mut std::process::Child) -> io::Result<ExitStatus> {
    let mut sigchld = signal(SignalKind::child())?;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        reap_orphans();
        sigchld.recv().await;
    }
}

/// Puts a still-running `child` on the orphan list and makes sure this
/// runtime (if any) runs a reaper task for it.
pub(crate) fn adopt(child: std::process::Child) {
    orphans().push(child);
    let in_runtime = context::with_core(|_| ()).is_some();
    if in_runtime && !REAPER.with(Cell::get) {
        REAPER.with(|running| running.set(true));
        // Detached: it ends by itself once no orphan is left. The guard is
        // made here, not inside the task, so that it clears the flag even
        // if the runtime drops the task before its first poll.
        drop(crate::spawn(reap_until_none_left(Running)));
    }
}

/// Collects every exited orphan; returns how many are still running.
pub(crate) fn reap_orphans() -> usize {
    let mut orphans = orphans();
    // `Ok(None)`: still running, keep it. `Ok(Some(_))`: reaped now.
    // `Err(_)`: someone else reaped it; nothing left to do.
    orphans.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
    orphans.len()
}

/// Clears [`REAPER`] when the reaper task ends or is dropped.
struct Running;

impl Drop for Running {
    fn drop(&mut self) {
        let _ = REAPER.try_with(|running| running.set(false));
    }
}

/// The reaper task: reap on every `SIGCHLD` until no orphan is left;
/// `_running` clears the flag however it ends.
async fn reap_until_none_left(_running: Running) {
    // Listen first, then reap: the same order as `wait`, for the same reason.
    let Ok(mut sigchld) = signal(SignalKind::child()) else {
        return;
    };
    while reap_orphans() > 0 {
        sigchld.recv().await;
    }
}

/// Locks the orphan list. Nothing panics while holding it, so a poisoned
/// lock still holds a consistent list.
fn orphans() -> MutexGuard<'static, Vec<std::process::Child>> {
    ORPHANS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
