//! A socket polled on its runtime's own thread while no `block_on` runs
//! there: it does its I/O and parks, the next `block_on` wakes it, and a
//! dropped runtime wakes it with an error. Anywhere else (another thread,
//! another runtime's `block_on`) the operation answers with an error.

mod support;

use std::future::Future;
use std::io::{ErrorKind, Write};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use spindle::io::AsyncReadExt;
use spindle::net::{TcpListener, TcpStream};
use spindle::Runtime;
use support::within;

/// A waker that counts its wakes: the stand-in for a test harness's
/// executor polling a future by hand.
#[derive(Default)]
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Counter {
    fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A spindle stream connected to a plain `std` one, made inside `block_on`.
fn pair(rt: &Runtime) -> (TcpStream, std::net::TcpStream) {
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        (stream, peer)
    })
}

#[test]
fn a_read_polled_after_block_on_parks_and_the_next_block_on_wakes_it() {
    within(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let (mut stream, mut peer) = pair(&rt);
        let counter = Arc::new(Counter::default());
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);

        let mut buf = [0; 16];
        let mut read = pin!(stream.read(&mut buf));
        assert!(
            read.as_mut().poll(&mut cx).is_pending(),
            "nothing to read yet"
        );
        assert_eq!(counter.wakes(), 0);

        peer.write_all(b"hello").unwrap();
        // The event is dispatched by the runtime's loop, which runs in
        // `block_on`: run it until the parked waker has been woken.
        rt.block_on(async {
            while counter.wakes() == 0 {
                spindle::time::sleep(Duration::from_millis(1)).await;
            }
        });
        assert_eq!(counter.wakes(), 1);
        match read.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(n)) => assert_eq!(&buf[..n], b"hello"),
            other => panic!("expected the bytes, got {other:?}"),
        }
    });
}

#[test]
fn a_read_outside_block_on_finds_data_already_there() {
    within(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let (stream, mut peer) = pair(&rt);
        peer.write_all(b"ready").unwrap();
        // Let the loop see the readable edge, then read without it.
        rt.block_on(stream.readable()).unwrap();
        let mut buf = [0; 16];
        let n = stream.try_read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"ready");
        assert_eq!(
            stream.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    });
}

#[test]
fn a_dropped_runtime_wakes_a_waiter_outside_block_on_with_an_error() {
    within(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let (mut stream, _peer) = pair(&rt);
        let counter = Arc::new(Counter::default());
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);

        let mut buf = [0; 16];
        let mut read = pin!(stream.read(&mut buf));
        assert!(read.as_mut().poll(&mut cx).is_pending());
        drop(rt);
        assert_eq!(counter.wakes(), 1, "shutdown wakes every parked waiter");
        match read.as_mut().poll(&mut cx) {
            Poll::Ready(Err(err)) => {
                assert_eq!(err.kind(), ErrorKind::Other);
                assert!(err.to_string().contains("shut down"), "{err}");
            }
            other => panic!("expected the shut-down error, got {other:?}"),
        }
    });
}

#[test]
fn a_socket_of_another_runtime_on_this_thread_gives_an_error() {
    within(Duration::from_secs(30), || {
        let first = Runtime::new().unwrap();
        let (mut stream, _peer) = pair(&first);
        let second = Runtime::new().unwrap();
        let err = second.block_on(async {
            let mut buf = [0; 16];
            stream.read(&mut buf).await.unwrap_err()
        });
        assert_eq!(err.kind(), ErrorKind::Other);
        assert!(
            err.to_string().contains("another runtime of this thread"),
            "{err}"
        );
        // Its own runtime still runs it.
        assert_eq!(
            first
                .block_on(async { stream.try_read(&mut [0; 1]) })
                .unwrap_err()
                .kind(),
            ErrorKind::WouldBlock
        );
    });
}

#[test]
fn a_socket_outside_block_on_on_another_thread_gives_an_error() {
    within(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let (mut stream, _peer) = pair(&rt);
        let err = std::thread::spawn(move || {
            let counter = Arc::new(Counter::default());
            let waker = Waker::from(counter);
            let mut cx = Context::from_waker(&waker);
            let mut buf = [0; 16];
            let mut read = pin!(stream.read(&mut buf));
            match read.as_mut().poll(&mut cx) {
                Poll::Ready(Err(err)) => err,
                other => panic!("expected an error, got {other:?}"),
            }
        })
        .join()
        .unwrap();
        assert!(
            err.to_string().contains("not running on this thread"),
            "{err}"
        );
    });
}

#[test]
fn a_readable_future_dropped_outside_block_on_leaves_no_wake_behind() {
    within(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let (stream, mut peer) = pair(&rt);
        let counter = Arc::new(Counter::default());
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        {
            let mut readable = pin!(stream.readable());
            assert!(readable.as_mut().poll(&mut cx).is_pending());
        }
        // Dropped on the owner thread: it took its waker with it.
        peer.write_all(b"x").unwrap();
        rt.block_on(stream.readable()).unwrap();
        assert_eq!(counter.wakes(), 0);
    });
}

#[test]
fn a_timer_polled_outside_block_on_panics_with_a_message() {
    // Unlike a socket: the timer store lives in the loop's core.
    let rt = Runtime::new().unwrap();
    let mut sleep = Box::pin(spindle::time::sleep(Duration::from_secs(3600)));
    let counter = Arc::new(Counter::default());
    let waker = Waker::from(counter);
    let mut cx = Context::from_waker(&waker);
    rt.block_on(async { assert!(sleep.as_mut().poll(&mut cx).is_pending()) });
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = sleep.as_mut().poll(&mut cx);
    }))
    .unwrap_err();
    let message = support::panic_message(&*payload).unwrap();
    assert!(message.contains("not running its runtime"), "{message}");
}
