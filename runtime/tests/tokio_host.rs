//! tokio hosted on spindle's thread (feature `tokio`): tokio's timers,
//! tasks and sockets inside spindle tasks, spindle's inside tokio tasks,
//! on one thread, and the edges of nesting one poller in another.

mod support;

use std::cell::Cell;
use std::rc::Rc;
use std::thread;
use std::time::{Duration, Instant};

use spindle::net::{TcpListener, TcpStream};
use support::trace::Recorder;
// tokio's extension traits serve spindle's streams too (`tokio/io.rs`);
// with futures-io's in scope as well, `read_exact` would be ambiguous.
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A runtime hosted in tokio.
fn hosted() -> spindle::Runtime {
    spindle::Runtime::builder().tokio(true).build().unwrap()
}

/// Names of this process's threads that spindle or tokio started (their
/// pools name them `spindle-blocking` and `tokio-runtime-worker`; the kernel
/// keeps 15 bytes of a name).
fn runtime_threads() -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").unwrap() {
        let comm = entry.unwrap().path().join("comm");
        if let Ok(name) = std::fs::read_to_string(comm) {
            let name = name.trim().to_owned();
            if name.starts_with("tokio-runtime") || name.starts_with("spindle-blockin") {
                names.push(name);
            }
        }
    }
    names
}

#[test]
fn tokio_timeout_and_sleep_work_inside_spindle_tasks() {
    hosted().block_on(async {
        let task = spindle::spawn(async {
            let start = Instant::now();
            tokio::time::sleep(Duration::from_millis(20)).await;
            let slept = start.elapsed();
            let late =
                tokio::time::timeout(Duration::from_millis(10), std::future::pending::<()>()).await;
            (slept, late.is_err())
        });
        let (slept, timed_out) = task.await.unwrap();
        assert!(slept >= Duration::from_millis(20), "{slept:?}");
        assert!(slept < Duration::from_secs(5), "{slept:?}");
        assert!(timed_out);
    });
}

#[test]
fn tokio_spawn_from_a_spindle_task_runs_on_the_same_thread() {
    let here = thread::current().id();
    let answer = hosted().block_on(async move {
        spindle::spawn(async move {
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                (thread::current().id() == here, 7)
            })
            .await
            .unwrap()
        })
        .await
        .unwrap()
    });
    assert_eq!(answer, (true, 7));
}

#[test]
fn a_spindle_tcp_stream_works_inside_a_tokio_spawned_task() {
    hosted().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spindle::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0; 5];
            stream.read_exact(&mut buf).await.unwrap();
            stream.write_all(&buf).await.unwrap();
        });
        let client = tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(b"hello").await.unwrap();
            let mut back = [0; 5];
            stream.read_exact(&mut back).await.unwrap();
            back
        });
        assert_eq!(&client.await.unwrap(), b"hello");
        server.await.unwrap();
    });
}

#[test]
fn tokio_sockets_work_inside_spindle_tasks() {
    hosted().block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spindle::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0; 4];
            stream.read_exact(&mut buf).await.unwrap();
            stream.write_all(&buf).await.unwrap();
        });
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"ping").await.unwrap();
        let mut back = [0; 4];
        stream.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"ping");
        server.await.unwrap();
    });
}

#[test]
fn a_spindle_timer_armed_from_a_tokio_task_wakes_an_idle_host() {
    // The host is idle with a 10 s spindle timer armed; a tokio task then
    // arms a 20 ms one: the host must re-arm its tokio timer for it.
    hosted().block_on(async {
        let far = spindle::spawn(spindle::time::sleep(Duration::from_secs(10)));
        let start = Instant::now();
        let near = tokio::spawn(async {
            tokio::task::yield_now().await;
            spindle::time::sleep(Duration::from_millis(20)).await;
        });
        near.await.unwrap();
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(20), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
        far.abort();
    });
}

#[test]
fn a_spindle_task_woken_from_tokio_side_runs() {
    hosted().block_on(async {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let waiter = spindle::spawn(async move { rx.await.unwrap() });
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            tx.send("from tokio").unwrap();
        });
        assert_eq!(waiter.await.unwrap(), "from tokio");
    });
}

#[test]
fn a_wake_from_another_thread_reaches_an_idle_host() {
    let rt = hosted();
    let handle = rt.handle();
    rt.block_on(async move {
        let (tx, rx) = futures::channel::oneshot::channel();
        let other = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            let join = handle.spawn(async { 5 });
            tx.send(join).unwrap();
        });
        let join = rx.await.unwrap();
        assert_eq!(join.await.unwrap(), 5);
        other.join().unwrap();
    });
}

#[test]
fn a_full_events_buffer_is_drained_over_several_turns() {
    // One event per turn: ten sockets ready at once take ten turns, none
    // forgotten (the nested poller is edge-triggered).
    let rt = spindle::Runtime::builder()
        .tokio(true)
        .max_events(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut readers = Vec::new();
        let mut writers = Vec::new();
        for _ in 0..10 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            writers.push(client);
            readers.push(spindle::spawn(async move {
                let mut server = server;
                let mut byte = [0; 1];
                server.read_exact(&mut byte).await.unwrap();
                byte[0]
            }));
        }
        // Let every reader park, then make all ten readable at once.
        spindle::time::sleep(Duration::from_millis(10)).await;
        for (i, writer) in writers.iter_mut().enumerate() {
            writer.write_all(&[i as u8]).await.unwrap();
        }
        for (i, reader) in readers.into_iter().enumerate() {
            assert_eq!(reader.await.unwrap(), i as u8);
        }
    });
}

#[test]
fn spindles_budget_still_makes_a_flooding_task_yield() {
    let rt = hosted();
    rt.block_on(async {
        let ticked = Rc::new(Cell::new(false));
        let flag = ticked.clone();
        let flood = spindle::spawn(async move {
            let mut spins = 0u64;
            while !flag.get() {
                spindle::task::consume_budget().await;
                spins += 1;
            }
            spins
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        ticked.set(true);
        assert!(flood.await.unwrap() > 0);
    });
    assert!(rt.metrics().budget_yields > 0);
}

#[test]
fn the_trace_says_when_tokio_had_the_thread() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let rt = spindle::Runtime::builder()
            .tokio(true)
            .explain(true)
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::sleep(Duration::from_millis(5)).await;
        });
    });
    let lines = recorder.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("tokio had the thread for ")),
        "{lines:#?}"
    );
}

#[test]
fn dropping_the_runtime_drops_both_sides_tasks() {
    let rt = hosted();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        // A tokio task parked on a spindle socket, a spindle task parked on
        // a tokio timer: both are dropped with the runtime, no panic.
        tokio::spawn(async move {
            let _ = listener.accept().await;
        });
        spindle::spawn(tokio::time::sleep(Duration::from_secs(60)));
        tokio::task::yield_now().await;
    });
    drop(rt);
}

#[test]
fn hosting_adds_no_thread() {
    let before = runtime_threads();
    hosted().block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = listener.accept().await;
        });
        let _stream = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
        spindle::time::sleep(Duration::from_millis(2)).await;
        let after = runtime_threads();
        // None added (a pool thread of another test may end meanwhile).
        assert!(
            after.iter().all(|name| before.contains(name)),
            "{before:?} -> {after:?}"
        );
        assert!(after.len() <= before.len(), "{before:?} -> {after:?}");
    });
}

#[spindle::test(tokio)]
async fn the_test_attribute_hosts_tokio() {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let task = tokio::spawn(async { 3 });
    assert_eq!(task.await.unwrap(), 3);
}

#[spindle::test(tokio = true, budget = 64)]
async fn the_tokio_option_combines_with_others() {
    let timed = tokio::time::timeout(Duration::from_secs(1), spindle::spawn(async { 4 })).await;
    assert_eq!(timed.unwrap().unwrap(), 4);
}
