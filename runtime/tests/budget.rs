//! The cooperative budget: a task that always finds its socket ready gives
//! the thread back, so other tasks' timers and sockets keep their turn.

mod support;

use std::cell::Cell;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream, UnixStream};
use spindle::time::{sleep, timeout};
use spindle::Runtime;
use support::within;

/// A socket that always has data: a thread keeps the other end's buffer
/// full until `stop` is set or the reader goes away.
fn flooded_socket() -> (std::os::unix::net::UnixStream, Arc<AtomicBool>) {
    let (reader, mut writer) = std::os::unix::net::UnixStream::pair().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    std::thread::spawn(move || {
        let chunk = vec![7u8; 64 * 1024];
        // Bounded: stops when told, when the reader is dropped (EPIPE), or
        // after a few GiB at most.
        for _ in 0..100_000 {
            if stopped.load(Ordering::Relaxed) || writer.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    (reader, stop)
}

/// The same over loopback TCP: the reading end, and the writer's stop flag.
fn flooded_tcp() -> (std::net::TcpStream, Arc<AtomicBool>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut writer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (reader, _) = listener.accept().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    std::thread::spawn(move || {
        let chunk = vec![7u8; 64 * 1024];
        for _ in 0..100_000 {
            if stopped.load(Ordering::Relaxed) || writer.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    (reader, stop)
}

/// Counts the polls of a future and the most `reads` that happened in one.
struct PollStats<F> {
    /// The future being measured.
    inner: Pin<Box<F>>,
    /// Bumped by the future once per completed read.
    reads: Rc<Cell<u64>>,
    /// Polls so far.
    polls: Rc<Cell<u64>>,
    /// The most reads completed in a single poll.
    max_reads_per_poll: Rc<Cell<u64>>,
}

impl<F: Future> Future for PollStats<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let before = self.reads.get();
        let result = self.inner.as_mut().poll(cx);
        let done = self.reads.get() - before;
        self.polls.set(self.polls.get() + 1);
        if done > self.max_reads_per_poll.get() {
            self.max_reads_per_poll.set(done);
        }
        result
    }
}

/// A one-shot TCP echo round trip on this runtime.
async fn tcp_round_trip() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = spindle::spawn(async move {
        let (mut conn, _) = listener.accept().await?;
        let mut buf = [0; 4];
        conn.read_exact(&mut buf).await?;
        conn.write_all(&buf).await?;
        Ok::<(), std::io::Error>(())
    });
    let mut client = TcpStream::connect(addr).await?;
    client.write_all(b"ping").await?;
    let mut back = [0; 4];
    client.read_exact(&mut back).await?;
    assert_eq!(&back, b"ping");
    server.await??;
    Ok(())
}

#[test]
fn flooded_reader_yields_so_a_timer_and_a_round_trip_still_happen() {
    within(Duration::from_secs(60), || {
        let rt = Runtime::new().unwrap();
        let (socket, stop) = flooded_socket();
        let reads = Rc::new(Cell::new(0));
        let polls = Rc::new(Cell::new(0));
        let max_reads = Rc::new(Cell::new(0));
        let (flood_live_at_timer, flood_live_after_trip) = rt.block_on(async {
            let mut socket = UnixStream::from_std(socket).unwrap();
            let counted = reads.clone();
            let flood = spindle::spawn(PollStats {
                inner: Box::pin(async move {
                    let mut buf = [0u8; 64];
                    // Every read is full (64 of 64 bytes): the socket never
                    // proves drained, so without the budget this loop would
                    // never return `Pending`. It ends only when the reader
                    // is told to stop, through the budget's yields.
                    loop {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(_) => counted.set(counted.get() + 1),
                        }
                    }
                }),
                reads: reads.clone(),
                polls: polls.clone(),
                max_reads_per_poll: max_reads.clone(),
            });
            sleep(Duration::from_millis(10)).await;
            let live_at_timer = !flood.is_finished();
            tcp_round_trip().await.unwrap();
            let live_after_trip = !flood.is_finished();
            // Stop the flood: the reader sees EOF once the writer is gone.
            stop.store(true, Ordering::Relaxed);
            flood.abort();
            let _ = flood.await;
            (live_at_timer, live_after_trip)
        });
        let m = rt.metrics();
        assert!(flood_live_at_timer, "the timer fired while the flood ran");
        assert!(flood_live_after_trip, "the round trip ran during the flood");
        assert!(reads.get() > 128, "the flood read: {}", reads.get());
        // No poll of the flooded reader did more than a budget's worth.
        assert_eq!(max_reads.get(), 128, "the budget bounds every poll");
        assert!(m.budget_yields >= 1, "{m:?}");
        // Each budget yield is deferred past a reactor turn, so the loop
        // turned the reactor at least once per yield (and once per poll
        // of the flooded reader after the first).
        assert!(m.reactor_turns >= m.budget_yields, "{m:?}");
        assert!(
            m.reactor_turns + 1 >= polls.get(),
            "{m:?} polls {}",
            polls.get()
        );
    });
}

#[test]
fn timeout_fires_around_a_future_that_is_always_ready() {
    within(Duration::from_secs(60), || {
        let rt = Runtime::new().unwrap();
        let (socket, stop) = flooded_socket();
        let out = rt.block_on(async {
            let mut socket = UnixStream::from_std(socket).unwrap();
            // Wait until the flood flows, so the reads below are all ready.
            let mut first = vec![0u8; 1 << 20];
            socket.read_exact(&mut first).await.unwrap();
            let mut buf = [0u8; 64];
            timeout(Duration::from_millis(20), async {
                loop {
                    socket.read_exact(&mut buf).await.unwrap();
                }
            })
            .await
        });
        stop.store(true, Ordering::Relaxed);
        assert!(out.is_err(), "the timeout elapsed");
        assert!(rt.metrics().budget_yields >= 1);
    });
}

#[test]
fn consume_budget_yields_after_the_budget() {
    let rt = Runtime::builder().budget(10).build().unwrap();
    rt.block_on(async {
        let other_ran = Rc::new(Cell::new(false));
        let flag = other_ran.clone();
        spindle::spawn(async move { flag.set(true) });
        for _ in 0..10 {
            spindle::task::consume_budget().await;
        }
        assert!(!other_ran.get(), "ten units: no yield yet");
        spindle::task::consume_budget().await;
        assert!(
            other_ran.get(),
            "the eleventh unit yields to the other task"
        );
    });
    assert_eq!(rt.metrics().budget_yields, 1);
}

#[test]
fn unconstrained_never_yields_for_the_budget() {
    let rt = Runtime::builder().budget(4).build().unwrap();
    rt.block_on(spindle::task::unconstrained(async {
        for _ in 0..1_000 {
            spindle::task::consume_budget().await;
        }
    }));
    assert_eq!(rt.metrics().budget_yields, 0);
    assert_eq!(rt.metrics().polls, 1);
}

#[test]
fn ready_join_handles_and_due_timers_take_units() {
    let rt = Runtime::builder().budget(8).build().unwrap();
    rt.block_on(async {
        let handles: Vec<_> = (0..20).map(|i| spindle::spawn(async move { i })).collect();
        spindle::yield_now().await; // every task finishes
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        assert_eq!(sum, 190);
    });
    let after_joins = rt.metrics().budget_yields;
    assert!(
        after_joins >= 2,
        "20 ready joins on a budget of 8: {after_joins}"
    );
    let past = std::time::Instant::now();
    rt.block_on(async {
        sleep(Duration::from_millis(2)).await; // the timer store moves past `past`
        for _ in 0..20 {
            spindle::time::sleep_until(past).await; // already due
        }
    });
    assert!(rt.metrics().budget_yields >= after_joins + 2);
}

#[test]
fn readable_and_try_read_loop_yields() {
    within(Duration::from_secs(60), || {
        let rt = Runtime::builder().budget(16).build().unwrap();
        let (socket, stop) = flooded_tcp();
        rt.block_on(async {
            let socket = TcpStream::from_std(socket).unwrap();
            let mut buf = [0u8; 64];
            // The server's style: wait for readiness, then `try_read`.
            for _ in 0..1_000 {
                socket.readable().await.unwrap();
                let _ = socket.try_read(&mut buf);
            }
        });
        stop.store(true, Ordering::Relaxed);
        // Two units per iteration on a budget of 16: a yield every 8.
        assert!(rt.metrics().budget_yields >= 100, "{:?}", rt.metrics());
    });
}

#[test]
fn budget_yield_is_narrated_in_the_explain_trace() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_spends_its_budget",
            "--nocapture",
        ])
        .env("SPINDLE_EXPLAIN", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("spindle::explain: block_on spent its budget (3) -> yield"),
        "{stderr}"
    );
}

/// Run by `budget_yield_is_narrated_in_the_explain_trace` in a child
/// process with `SPINDLE_EXPLAIN=1`; not a test of its own.
#[test]
#[ignore = "run as a child process with SPINDLE_EXPLAIN=1 by budget_yield_is_narrated_in_the_explain_trace"]
fn child_spends_its_budget() {
    let rt = Runtime::builder().budget(3).build().unwrap();
    rt.block_on(async {
        for _ in 0..4 {
            spindle::task::consume_budget().await;
        }
    });
}

#[test]
fn timeout_fires_around_a_loop_over_empty() {
    let timed = spindle::block_on(timeout(Duration::from_millis(1), async {
        let mut buf = [0; 8];
        loop {
            assert_eq!(spindle::io::empty().read(&mut buf).await.unwrap(), 0);
        }
    }));
    assert!(timed.is_err());
}

#[test]
fn loops_over_repeat_and_sink_spend_the_budget() {
    let rt = Runtime::builder().budget(4).build().unwrap();
    rt.block_on(async {
        let mut buf = [0; 2];
        let mut repeat = spindle::io::repeat(1);
        let mut sink = spindle::io::sink();
        for _ in 0..8 {
            repeat.read_exact(&mut buf).await.unwrap();
            assert_eq!(buf, [1, 1]);
            sink.write_all(&buf).await.unwrap();
        }
    });
    // 16 operations on a budget of 4: the task yielded.
    assert!(rt.metrics().budget_yields >= 3, "{:?}", rt.metrics());
}
