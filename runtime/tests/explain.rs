//! The explain trace: a scripted scenario narrates the expected lines in
//! the expected order; the trace is silent when off; `SPINDLE_EXPLAIN=1`
//! turns it on, `explain(false)` wins over it, and without a `tracing`
//! subscriber the lines reach stderr.

use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};

mod support;
use support::trace::{assert_in_order, Recorder};

#[test]
fn spawn_poll_and_join_are_narrated() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let rt = spindle::Runtime::builder().explain(true).build().unwrap();
        rt.block_on(async {
            spindle::spawn(async {}).await.unwrap();
        });
    });
    assert_in_order(
        &recorder.lines(),
        &[
            "turn 1: 1 runnable",
            "spawn task 1",
            "poll block_on -> Pending",
            // Lines written during a poll come before its result.
            "task 1 wakes block_on",
            "poll task 1 -> Ready",
            "poll block_on -> Ready",
        ],
    );
}

#[test]
fn a_sleep_and_a_read_are_narrated_in_order() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let rt = spindle::Runtime::builder().explain(true).build().unwrap();
        rt.block_on(scenario());
    });
    let trace = recorder.lines();
    assert_in_order(
        &trace,
        &[
            "spawn task 1",
            "spawn task 2",
            "poll block_on -> Pending",
            "task 1 waits: timer at +*ms",
            "poll task 1 -> Pending",
            "task 2 waits: token 2 read",
            "poll task 2 -> Pending",
            "block in poll: up to *ms (next timer)",
            "timer fired -> wake task 1",
            "poll task 1 -> Ready",
            "event token 2: READABLE* -> wake task 2",
            "task 2 wakes block_on",
            "poll task 2 -> Ready",
            "poll block_on -> Ready",
        ],
    );
}

/// One task sleeps 10 ms then writes to a socket; another reads from it.
/// Tokens, in order of registration: listener 0, client 1, server 2.
async fn scenario() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    let sleeper = spindle::spawn(async move {
        spindle::time::sleep(Duration::from_millis(10)).await;
        client.write_all(b"ping").await.unwrap();
        client
    });
    let reader = spindle::spawn(async move {
        let mut buf = [0; 4];
        server.read_exact(&mut buf).await.unwrap();
        buf
    });
    assert_eq!(&reader.await.unwrap(), b"ping");
    drop(sleeper.await.unwrap());
}

#[test]
fn the_trace_is_silent_when_off() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let rt = spindle::Runtime::builder().explain(false).build().unwrap();
        rt.block_on(scenario());
    });
    assert_eq!(recorder.lines(), Vec::<String>::new());
}

#[test]
#[cfg(unix)]
fn the_trace_names_the_blocking_reason() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let rt = spindle::Runtime::builder().explain(true).build().unwrap();
        rt.block_on(async {
            spindle::yield_now().await;
            let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
            let mut b = spindle::net::UnixStream::from_std(b).unwrap();
            let reader = spindle::spawn(async move {
                let mut buf = [0; 1];
                b.read(&mut buf).await.unwrap()
            });
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(5));
                std::io::Write::write_all(&mut &a, b"x").unwrap();
            });
            assert_eq!(reader.await.unwrap(), 1);
        });
    });
    assert_in_order(
        &recorder.lines(),
        &[
            "block_on yields: runnable again after the reactor turn",
            "no block: 1 runnable",
            "block in poll: no timeout (nothing to wait for but I/O)",
            "poll returned 1 event after *",
            "event token 0: READABLE* -> wake task 1",
        ],
    );
}

/// Run only as a child process by the tests below: builds a runtime with
/// no `explain` call (so `SPINDLE_EXPLAIN` decides), or with
/// `explain(false)` when `SPINDLE_TEST_FORCE_OFF` is set.
#[test]
#[ignore = "run as a child process by the env tests"]
fn child_runs_a_scenario() {
    let mut builder = spindle::Runtime::builder();
    if std::env::var_os("SPINDLE_TEST_FORCE_OFF").is_some() {
        builder.explain(false);
    }
    let rt = builder.build().unwrap();
    rt.block_on(scenario());
}

/// Runs `child_runs_a_scenario` in a child process and returns its stderr.
fn child_stderr(envs: &[(&str, &str)]) -> String {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_runs_a_scenario",
            "--ignored",
            "--nocapture",
        ])
        .env_remove("SPINDLE_EXPLAIN")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn env_var_turns_it_on_and_lines_reach_stderr_without_a_subscriber() {
    let stderr = child_stderr(&[("SPINDLE_EXPLAIN", "1")]);
    let lines: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("spindle::explain: "))
        .map(str::to_owned)
        .collect();
    assert_in_order(
        &lines,
        &[
            "turn 1: 1 runnable",
            "timer fired -> wake task 1",
            "poll block_on -> Ready",
        ],
    );
}

#[test]
fn builder_explain_false_overrides_the_env_var() {
    let stderr = child_stderr(&[("SPINDLE_EXPLAIN", "1"), ("SPINDLE_TEST_FORCE_OFF", "1")]);
    assert!(!stderr.contains("spindle::explain"), "{stderr}");
}

#[test]
fn no_env_var_means_off() {
    let stderr = child_stderr(&[]);
    assert!(!stderr.contains("spindle::explain"), "{stderr}");
}

#[test]
fn a_wake_from_another_thread_is_narrated() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let rt = spindle::Runtime::builder().explain(true).build().unwrap();
        rt.block_on(async {
            let (tx, rx) = futures::channel::oneshot::channel();
            let waiter = spindle::spawn(async move { rx.await.unwrap() });
            spindle::yield_now().await; // let the waiter park its waker
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                tx.send(5).unwrap();
            });
            assert_eq!(waiter.await.unwrap(), 5);
        });
    });
    let trace = recorder.lines();
    assert_in_order(
        &trace,
        &[
            "spawn task 1",
            "poll task 1 -> Pending",
            "remote wake -> task 1",
            "poll task 1 -> Ready",
        ],
    );
    // The `mio::Waker` interrupted the poll (usually a blocked one; the
    // order against the drain depends on when the other thread ran).
    assert_in_order(&trace, &["event waker: wake from another thread"]);
}

#[test]
#[cfg(unix)]
fn signal_listeners_and_deliveries_are_narrated() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let rt = spindle::Runtime::builder().explain(true).build().unwrap();
        rt.block_on(async {
            use spindle::signal::{signal, SignalKind};
            let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(10));
                // SAFETY: kill(2) with our own pid and a valid signal number
                // has no memory-safety preconditions.
                assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) }, 0);
            });
            usr2.recv().await;
        });
    });
    let usr2 = libc::SIGUSR2;
    assert_in_order(
        &recorder.lines(),
        &[
            &format!("block_on waits: signal {usr2}"),
            "poll block_on -> Pending",
            "event signals: a signal arrived",
            &format!("signal {usr2} delivered -> wake 1 listener"),
            "poll block_on -> Ready",
        ],
    );
}

/// Records the trace of `future` at `level` on a fresh runtime, with the
/// builder's other settings from `configure`.
fn record_at<F: std::future::Future>(
    level: u8,
    configure: impl FnOnce(&mut spindle::Builder),
    future: F,
) -> Recorder {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let mut builder = spindle::Runtime::builder();
        builder.explain_level(level);
        configure(&mut builder);
        let rt = builder.build().unwrap();
        rt.block_on(future);
    });
    recorder
}

/// A client writes 4 bytes; the server reads them into a 1024-byte buffer
/// with `read` (short), then 4 more with `read_exact` (not short), then
/// reads again and finds nothing. Tokens: listener 0, client 1, server 2.
async fn reads_short_full_and_empty() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    client.write_all(b"ping").await.unwrap();
    let mut buf = [0; 1024];
    assert_eq!(server.read(&mut buf).await.unwrap(), 4);
    client.write_all(b"pong").await.unwrap();
    let mut four = [0; 4];
    server.read_exact(&mut four).await.unwrap();
    let reader = spindle::spawn(async move {
        let mut buf = [0; 16];
        server.read(&mut buf).await.unwrap()
    });
    spindle::yield_now().await;
    client.write_all(b"!").await.unwrap();
    assert_eq!(reader.await.unwrap(), 1);
}

#[test]
#[cfg_attr(
    mio_unsupported_force_poll_poll,
    ignore = "poll(2) needs the WouldBlock: short reads keep READABLE there (see the next test)"
)]
fn level_two_narrates_each_socket_operation() {
    let trace = record_at(2, |_| {}, reads_short_full_and_empty()).lines();
    assert_in_order(
        &trace,
        &[
            "register token 0 (generation 0) for block_on",
            "register token 1 (generation 1) for block_on",
            "read token 0: ok",
            "register token 2 (generation 2) for block_on",
            "write token 1: 4 of 4",
            "read token 2: 4 of 1024 bytes (short: READABLE cleared)",
            "write token 1: 4 of 4",
            "read token 2: 4 of 4 bytes",
            "read token 2: WouldBlock -> READABLE cleared",
            "task 1 waits: token 2 read",
            "read token 2: 1 of 16 bytes (short: READABLE cleared)",
            "deregister token 2 (generation 2): dropped by task 1",
        ],
    );
    // Level 1 says none of it.
    let quiet = record_at(1, |_| {}, reads_short_full_and_empty()).lines();
    assert!(
        !quiet
            .iter()
            .any(|l| l.starts_with("read token") || l.starts_with("register")),
        "{quiet:#?}"
    );
}

#[test]
#[cfg_attr(
    not(mio_unsupported_force_poll_poll),
    ignore = "only on mio's poll(2) backend (--cfg mio_unsupported_force_poll_poll)"
)]
fn on_the_poll_backend_a_short_read_keeps_readiness_until_would_block() {
    let trace = record_at(2, |_| {}, reads_short_full_and_empty()).lines();
    assert_in_order(
        &trace,
        &[
            "read token 2: 4 of 1024 bytes (short, READABLE kept: this selector needs the WouldBlock)",
            "read token 2: WouldBlock -> READABLE cleared",
        ],
    );
}

#[test]
fn level_two_lines_carry_structured_fields() {
    let events = record_at(2, |_| {}, reads_short_full_and_empty()).events();
    let read = events
        .iter()
        .find(|e| e.message.starts_with("read token 2: 4 of 1024"))
        .expect("the short read");
    let field = |name: &str| read.fields.get(name).map(String::as_str);
    assert_eq!(field("kind"), Some("\"io\""));
    assert_eq!(field("detail"), Some("2"));
    assert_eq!(field("token"), Some("2"));
    assert_eq!(field("direction"), Some("\"read\""));
    assert_eq!(field("bytes"), Some("4"));
    assert_eq!(field("asked"), Some("1024"));
    let wait = events
        .iter()
        .find(|e| e.message == "task 1 waits: token 2 read")
        .expect("the wait");
    assert_eq!(wait.fields.get("task").map(String::as_str), Some("1"));
    assert_eq!(
        wait.fields.get("kind").map(String::as_str),
        Some("\"wait_io\"")
    );
}

#[test]
fn level_two_narrates_deduplicated_wakes() {
    let trace = record_at(2, |_| {}, async {
        let mut woken = false;
        std::future::poll_fn(|cx| {
            if woken {
                return std::task::Poll::Ready(());
            }
            woken = true;
            cx.waker().wake_by_ref();
            cx.waker().wake_by_ref(); // already scheduled: dropped
            std::task::Poll::Pending
        })
        .await;
    })
    .lines();
    assert_in_order(
        &trace,
        &[
            "block_on wakes block_on",
            "wake block_on: already scheduled, de-duplicated (woken by block_on)",
            "poll block_on -> Pending",
            "poll block_on -> Ready",
        ],
    );
}

#[test]
fn level_two_says_when_the_event_interval_ends_a_turn() {
    let trace = record_at(
        2,
        |b| {
            b.event_interval(1);
        },
        async {
            spindle::spawn(async {});
            spindle::spawn(async {}).await.unwrap();
        },
    )
    .lines();
    assert_in_order(
        &trace,
        &[
            "poll block_on -> Pending",
            "event interval: 1 polls this turn, * still runnable -> reactor turn first",
            "no block: * runnable",
        ],
    );
}

#[test]
fn level_two_names_the_tasks_dropped_at_shutdown() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let rt = spindle::Runtime::builder()
            .explain_level(2)
            .build()
            .unwrap();
        rt.block_on(async {
            spindle::spawn(std::future::pending::<()>());
            spindle::yield_now().await;
        });
        drop(rt);
    });
    assert_in_order(
        &recorder.lines(),
        &[
            "poll task 1 -> Pending",
            "shutdown: drop task 1 (not finished)",
        ],
    );
}

#[test]
fn a_loop_with_no_socket_and_no_timer_says_only_a_remote_wake_can_end_its_wait() {
    let trace = record_at(1, |_| {}, async {
        let (tx, rx) = futures::channel::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.send(()).unwrap();
        });
        rx.await.unwrap();
    })
    .lines();
    assert_in_order(
        &trace,
        &[
            "poll block_on -> Pending",
            "block in poll: no timeout (no socket, no timer: only a wake from another thread, *)",
            "event waker: wake from another thread",
            "poll block_on -> Ready",
        ],
    );
}

#[test]
fn env_var_two_asks_for_the_detailed_level() {
    let stderr = child_stderr(&[("SPINDLE_EXPLAIN", "2")]);
    assert!(
        stderr.contains("spindle::explain: register token 0 (generation 0) for block_on"),
        "{stderr}"
    );
    let stderr = child_stderr(&[("SPINDLE_EXPLAIN", "1")]);
    assert!(!stderr.contains("register token"), "{stderr}");
}
