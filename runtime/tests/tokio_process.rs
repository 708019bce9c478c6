//! tokio's child-process tests, translated to `spindle::process`.
//!
//! Translated from tokio's `tokio/tests/` at commit ea91b33ca:
//! `process_smoke.rs`, `process_kill_after_wait.rs`,
//! `process_kill_on_drop.rs`, `process_issue_42.rs`,
//! `process_issue_2174.rs`, `process_issue_7144.rs`, `process_arg0.rs`
//! and `process_change_of_runtime.rs`. Each test keeps tokio's name and
//! assertions; what changed:
//!
//! - `#[tokio::test]` → `#[spindle::test]`, `tokio::process` →
//!   `spindle::process`, `tokio::spawn`/`task::spawn` → `spindle::spawn`,
//!   `tokio::time::sleep` → `spindle::time::sleep`,
//!   `tokio::runtime::Runtime::new()` → `spindle::Runtime::new()`, tokio's
//!   I/O extension traits → futures-io's (`spindle::io`).
//! - `tokio_test::assert_ok!(e)` → `e.unwrap()`, `assert_err!(e)` →
//!   `assert!(e.is_err())`.
//! - `issue_2174`: the writer's `loop` is bounded (8,192 writes of 8 KiB,
//!   64 MiB, far more than a pipe holds), so a write that never failed
//!   would end the task with `Ok` and fail the test instead of hanging it.
//! - `process_spawned_outside_runtime`: the expected panic message is
//!   spindle's (`must be called from inside a spindle runtime`) instead of
//!   tokio's (`there is no reactor running, must be called from the
//!   context of a Tokio 1.x runtime`).
//!
//! These found that spindle's `Child` had std's `id() -> u32` and a
//! synchronous `kill()`; it now has tokio's `id() -> Option<u32>` (`None`
//! once the exit is collected), `async fn kill` and `start_kill`, and
//! `Command::arg0`.
//!
//! Left out: `process_raw_handle.rs` (Windows only).
#![cfg(unix)]

use std::io::ErrorKind;
use std::process::Stdio;
use std::time::Duration;

use futures::future::join_all;
use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::process::Command;
use spindle::time::sleep;

// ---- process_smoke.rs ----

#[spindle::test]
async fn simple() {
    let mut cmd;

    cmd = Command::new("sh");
    cmd.arg("-c");

    let mut child = cmd.arg("exit 2").spawn().unwrap();

    let id = child.id().expect("missing id");
    assert!(id > 0);

    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(2));

    // test that the `.wait()` method is fused just like the stdlib
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(2));

    // Can't get id after process has exited
    assert_eq!(child.id(), None);
    drop(child.kill());
}

// ---- process_kill_after_wait.rs ----

#[spindle::test]
async fn kill_after_wait() {
    let mut cmd;

    cmd = Command::new("sh");
    cmd.arg("-c");

    let mut child = cmd.arg("exit 2").spawn().unwrap();

    child.start_kill().unwrap();

    child.wait().await.unwrap();

    // Kill after `wait` is fine.
    child.start_kill().unwrap();
    child.kill().await.unwrap();
}

// ---- process_kill_on_drop.rs ----

#[spindle::test]
async fn kill_on_drop() {
    let mut cmd = Command::new("bash");
    cmd.args([
        "-c",
        "
       # Fork another child that won't get killed
       sh -c 'sleep 1; echo child ran' &
       disown -a

       # Await our death
       sleep 5
       echo hello from beyond the grave
    ",
    ]);

    let e = cmd.kill_on_drop(true).stdout(Stdio::piped()).spawn();
    if e.is_err() && e.as_ref().unwrap_err().kind() == ErrorKind::NotFound {
        println!("bash not available; skipping test");
        return;
    }
    let mut child = e.unwrap();

    sleep(Duration::from_secs(2)).await;

    let mut out = child.stdout.take().unwrap();
    drop(child);

    let mut msg = String::new();
    out.read_to_string(&mut msg).await.unwrap();

    assert_eq!("child ran\n", msg);
}

// ---- process_issue_42.rs ----

#[spindle::test]
async fn issue_42() {
    // We spawn a many batches of processes which should exit at roughly the
    // same time (modulo OS scheduling delays), to make sure that consuming
    // a readiness event for one process doesn't inadvertently starve another.
    // We then do this many times (in parallel) in an effort to stress test the
    // implementation to ensure there are no race conditions.
    // See alexcrichton/tokio-process#42 for background
    let join_handles = (0..10usize).map(|_| {
        spindle::spawn(async {
            let processes = (0..10usize).map(|i| {
                let mut child = Command::new("echo")
                    .arg(format!("I am spawned process #{i}"))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .kill_on_drop(true)
                    .spawn()
                    .unwrap();

                async move { child.wait().await }
            });

            join_all(processes).await;
        })
    });

    join_all(join_handles).await;
}

// ---- process_issue_2174.rs ----

#[spindle::test]
async fn issue_2174() {
    let mut child = Command::new("sleep")
        .arg("2")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();

    // Writes will buffer up to 65_636. This *should* loop at least 8 times
    // and then register interest.
    let handle = spindle::spawn(async move {
        let data = [0u8; 8192];
        for _ in 0..8192 {
            input.write_all(&data).await?;
        }
        Ok::<(), std::io::Error>(())
    });

    // Sleep enough time so that the child process's stdin's buffer fills.
    sleep(Duration::from_secs(1)).await;

    // Kill the child process.
    child.kill().await.unwrap();

    assert!(handle.await.unwrap().is_err());
}

// ---- process_issue_7144.rs ----

#[spindle::test]
async fn issue_7144() {
    let mut threads = vec![];
    for _ in 0..20 {
        threads.push(spindle::spawn(test_one()));
    }
    for thread in threads {
        thread.await.unwrap();
    }
}

async fn has_strace() -> bool {
    Command::new("strace").arg("-V").output().await.is_ok()
}

async fn test_one() {
    if !has_strace().await {
        return;
    }

    let mut t = Command::new("strace")
        .args("-o /dev/null -D sleep 5".split(' '))
        .spawn()
        .unwrap();
    sleep(Duration::from_millis(100)).await;
    // SAFETY: kill(2) on our own child's pid has no memory-safety
    // preconditions; `id()` is `Some` only while the child is unreaped, so
    // the pid is still the child's.
    unsafe { libc::kill(t.id().unwrap() as _, libc::SIGINT) };
    t.wait().await.unwrap();
}

// ---- process_arg0.rs ----

#[spindle::test]
async fn arg0() {
    let mut cmd = Command::new("sh");
    cmd.arg0("test_string").arg("-c").arg("echo $0");

    let output = cmd.output().await.unwrap();
    assert_eq!(output.stdout, b"test_string\n");
}

// ---- process_change_of_runtime.rs ----

#[test]
fn process_spawned_and_wait_in_different_runtime() {
    let mut child = spindle::Runtime::new().unwrap().block_on(async {
        Command::new("true")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    });
    spindle::Runtime::new().unwrap().block_on(async {
        let _ = child.wait().await.unwrap();
    });
}

#[test]
#[should_panic(expected = "must be called from inside a spindle runtime")]
fn process_spawned_outside_runtime() {
    let _ = Command::new("true")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn();
}
