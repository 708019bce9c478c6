//! Child processes: piped stdio through the reactor, exit statuses through
//! SIGCHLD, kill (`start_kill` sends, `kill` also waits), a pid that is
//! gone once the exit is collected, many children at once, errors naming
//! the program, and no zombie left behind by a dropped child.
#![cfg(unix)]

mod support;

use std::time::{Duration, Instant};

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::process::{Command, Stdio};
use support::within;

/// The state letter of process `pid` from `/proc` (`Z`: zombie), or `None`
/// once the process is gone (reaped). Linux only; elsewhere, `None`.
fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) S ...`: the state follows the last `)`.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Waits (on the loop, bounded) until `pid` is no longer in `/proc`.
async fn until_reaped(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Some(state) = proc_state(pid) {
        assert!(
            Instant::now() < deadline,
            "child {pid} still present in state {state}"
        );
        spindle::time::sleep(Duration::from_millis(5)).await;
    }
}

#[test]
fn cat_echoes_8_mib_through_piped_stdin_and_stdout_byte_exact() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let data: Vec<u8> = (0..8 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
            let mut child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let mut stdout = child.stdout.take().unwrap();
            // Write and read at once: the pipes hold only 64 KiB each.
            let writer = spindle::spawn({
                let data = data.clone();
                async move {
                    stdin.write_all(&data).await.unwrap();
                    stdin.close().await.unwrap();
                }
            });
            let mut echoed = Vec::new();
            stdout.read_to_end(&mut echoed).await.unwrap();
            writer.await.unwrap();
            assert!(
                echoed == data,
                "cat echoed {} bytes, not the same",
                echoed.len()
            );
            assert!(child.wait().await.unwrap().success());
        });
    });
}

#[test]
fn exit_code_3_is_reported() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let status = Command::new("sh")
                .args(["-c", "exit 3"])
                .status()
                .await
                .unwrap();
            assert_eq!(status.code(), Some(3));
            assert!(!status.success());
        });
    });
}

#[test]
fn a_killed_sleep_exits_by_sigkill_without_waiting_10_s() {
    use std::os::unix::process::ExitStatusExt;
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let start = Instant::now();
            let mut child = Command::new("sleep").arg("10").spawn().unwrap();
            assert!(child.try_wait().unwrap().is_none());
            child.start_kill().unwrap();
            let status = child.wait().await.unwrap();
            assert_eq!(status.signal(), Some(9));
            // Loose: far below the 10 s the child would have slept.
            assert!(start.elapsed() < Duration::from_secs(9));
            // Waiting again gives the same status.
            assert_eq!(child.wait().await.unwrap().signal(), Some(9));
        });
    });
}

#[test]
fn a_timer_runs_while_a_child_is_waited_for() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let mut child = Command::new("sleep").arg("10").spawn().unwrap();
            let pid = child.id().unwrap();
            let waiter = spindle::spawn(async move { child.wait().await.unwrap() });
            spindle::time::sleep(Duration::from_millis(20)).await;
            assert!(!waiter.is_finished());
            // SAFETY: kill(2) on our own child's pid has no memory-safety
            // preconditions.
            assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGTERM) }, 0);
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(waiter.await.unwrap().signal(), Some(libc::SIGTERM));
        });
    });
}

#[test]
fn a_hundred_children_at_once_all_report_their_own_status() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let mut children: Vec<_> = (0..100)
                .map(|i| {
                    let code = i % 7;
                    let child = Command::new("sh")
                        .args(["-c", &format!("exit {code}")])
                        .spawn()
                        .unwrap();
                    (code, child)
                })
                .collect();
            let waits = children
                .iter_mut()
                .map(|(code, child)| async move { (*code, child.wait().await.unwrap()) });
            for (code, status) in futures::future::join_all(waits).await {
                assert_eq!(status.code(), Some(code));
            }
        });
    });
}

#[test]
fn output_collects_stdout_and_stderr() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let out = Command::new("sh")
                .args(["-c", "printf out; printf err >&2; exit 4"])
                .output()
                .await
                .unwrap();
            assert_eq!(out.stdout, b"out");
            assert_eq!(out.stderr, b"err");
            assert_eq!(out.status.code(), Some(4));
        });
    });
}

#[test]
fn env_env_clear_and_current_dir_reach_the_child() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let out = Command::new("/bin/sh")
                .args(["-c", "printf '%s|%s|' \"$SPINDLE_A\" \"$HOME\"; pwd"])
                .env_clear()
                .env("SPINDLE_A", "one")
                .envs([("SPINDLE_B", "two")])
                .current_dir("/")
                .output()
                .await
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), "one||/\n");
        });
    });
}

#[test]
fn stdio_null_gives_the_child_an_empty_stdin_and_discards_its_output() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let out = Command::new("sh")
                .args(["-c", "cat; echo discarded"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .output()
                .await
                .unwrap();
            assert!(out.status.success());
            assert!(out.stdout.is_empty());
        });
    });
}

#[test]
fn a_missing_program_is_an_error_naming_it() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let err = Command::new("spindle-no-such-program").spawn().unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
            assert!(err.to_string().contains("spindle-no-such-program"), "{err}");
            let err = Command::new("spindle-no-such-program")
                .output()
                .await
                .unwrap_err();
            assert!(err.to_string().contains("spindle-no-such-program"), "{err}");
        });
    });
}

#[test]
fn a_dropped_child_is_reaped_not_left_a_zombie() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let child = Command::new("sh").args(["-c", "exit 0"]).spawn().unwrap();
            let pid = child.id().unwrap();
            drop(child);
            until_reaped(pid).await;
        });
    });
}

#[test]
fn kill_on_drop_kills_and_reaps_the_child() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let child = Command::new("sleep")
                .arg("10")
                .kill_on_drop(true)
                .spawn()
                .unwrap();
            let pid = child.id().unwrap();
            assert!(proc_state(pid).is_some() || !cfg!(target_os = "linux"));
            drop(child);
            until_reaped(pid).await;
        });
    });
}

#[test]
fn child_id_is_none_after_wait() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let mut child = Command::new("sh").args(["-c", "exit 0"]).spawn().unwrap();
            let pid = child.id().expect("a running child has a pid");
            assert!(pid > 0);
            assert!(child.wait().await.unwrap().success());
            assert_eq!(child.id(), None);
            // Collected once, for good: `wait` and `try_wait` repeat the
            // status, and the pid stays hidden.
            assert!(child.wait().await.unwrap().success());
            assert!(child.try_wait().unwrap().unwrap().success());
            assert_eq!(child.id(), None);
        });
    });
}

#[test]
fn child_id_is_none_after_try_wait_sees_the_exit() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let mut child = Command::new("sh").args(["-c", "exit 5"]).spawn().unwrap();
            let pid = child.id().unwrap();
            // A zombie keeps its pid until collected: poll `try_wait`
            // (bounded) until it collects the exit.
            let deadline = Instant::now() + Duration::from_secs(20);
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                assert_eq!(child.id(), Some(pid), "still running, still its pid");
                assert!(Instant::now() < deadline, "child {pid} did not exit");
                spindle::time::sleep(Duration::from_millis(5)).await;
            };
            assert_eq!(status.code(), Some(5));
            assert_eq!(child.id(), None);
        });
    });
}

#[test]
fn kill_waits_for_exit() {
    use std::os::unix::process::ExitStatusExt;
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let mut child = Command::new("sleep").arg("10").spawn().unwrap();
            let pid = child.id().unwrap();
            child.kill().await.unwrap();
            // Collected by `kill` itself: no pid, the status is there, and
            // the process is gone from the process table.
            assert_eq!(child.id(), None);
            let status = child.try_wait().unwrap().expect("kill collected the exit");
            assert_eq!(status.signal(), Some(libc::SIGKILL));
            assert_eq!(proc_state(pid), None);
        });
    });
}

#[test]
fn start_kill_is_synchronous() {
    use std::os::unix::process::ExitStatusExt;
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let mut child = Command::new("sleep").arg("10").spawn().unwrap();
            // A plain call, no `.await`: the signal is sent, the exit is
            // not collected, so the pid is still the child's.
            let sent: std::io::Result<()> = child.start_kill();
            sent.unwrap();
            assert!(child.id().is_some());
            assert_eq!(child.wait().await.unwrap().signal(), Some(libc::SIGKILL));
            assert_eq!(child.id(), None);
        });
    });
}

#[test]
fn kill_after_the_exit_was_collected_signals_nothing_and_succeeds() {
    within(Duration::from_secs(30), || {
        spindle::block_on(async {
            let mut child = Command::new("sh").args(["-c", "exit 2"]).spawn().unwrap();
            assert_eq!(child.wait().await.unwrap().code(), Some(2));
            child.start_kill().unwrap();
            child.kill().await.unwrap();
            assert_eq!(child.wait().await.unwrap().code(), Some(2));
        });
    });
}
