//! Child processes: start a program, talk to it through pipes, learn when
//! it exits, all without blocking the loop (Unix only).
//!
//! Three things make a child process asynchronous, each in its own file:
//!
//! | what | how | file |
//! | --- | --- | --- |
//! | starting it | `std::process::Command` does the `fork`/`exec` (quick, so on the loop's thread) | `command.rs` |
//! | its stdin, stdout, stderr | the pipe ends are switched to `O_NONBLOCK` and registered in the reactor like sockets: a read that would block parks the task, no thread per pipe | `pipe.rs` |
//! | its exit | the kernel sends `SIGCHLD` when a child exits; the runtime's signal path (`reactor/signal.rs`) wakes every waiting [`Child`], which asks `waitpid(WNOHANG)` (`try_wait`) whether it was its own | `reaper.rs` |
//!
//! A child that is dropped before it was waited for would stay a zombie
//! (an exited process whose status nobody collected). spindle keeps such
//! children on a process-wide orphan list and reaps them on the next
//! `SIGCHLD` (see `reaper.rs`).
//!
//! # Examples
//!
//! ```
//! spindle::block_on(async {
//!     let output = spindle::process::Command::new("echo").arg("hello").output().await?;
//!     assert!(output.status.success());
//!     assert_eq!(output.stdout, b"hello\n");
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Where spindle is simpler: async-process and tokio use a `pidfd` on Linux
//! where the kernel has it (one readiness event for exactly the child that
//! exited), and fall back to `SIGCHLD`; spindle always uses `SIGCHLD`, so a
//! `SIGCHLD` wakes every waiting child, each paying one `waitpid`.

mod child;
mod command;
mod pipe;
mod reaper;

pub use child::Child;
pub use command::Command;
pub use pipe::{ChildStderr, ChildStdin, ChildStdout};
pub use std::process::{ExitStatus, Output, Stdio};
