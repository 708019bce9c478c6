//! The explain trace: a scripted scenario narrates the expected lines in
//! the expected order; the trace is silent when off; `SPINDLE_EXPLAIN=1`
//! turns it on, `explain(false)` wins over it, and without a `tracing`
//! subscriber the lines reach stderr.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A tiny `tracing` subscriber that keeps the message of every event whose
/// target is `spindle::explain`.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Pulls the `message` field out of an event.
struct Message(Option<String>);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "spindle::explain"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut message = Message(None);
        event.record(&mut message);
        self.0.lock().unwrap().extend(message.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Whether `line` matches `pattern`, where `*` stands for any text.
fn matches(pattern: &str, line: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Asserts that `expected` patterns match lines of `trace` in this order
/// (other lines may come between them).
fn assert_in_order(trace: &[String], expected: &[&str]) {
    let mut at = 0;
    for pattern in expected {
        match trace[at..].iter().position(|line| matches(pattern, line)) {
            Some(found) => at += found + 1,
            None => panic!(
                "expected a line matching {pattern:?} after line {at}; the trace:\n{}",
                trace.join("\n")
            ),
        }
    }
}

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
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
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
