//! `Send + Sync` resources: which types cross threads, what happens when
//! one is used or dropped on a thread that does not run its runtime, and
//! what a dropped runtime does to the sockets and timers it leaves behind.

mod support;

use std::future::Future;
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream, UdpSocket};
use spindle::Runtime;
use support::within;

/// Compiles only for `Send + Sync` types.
fn send_sync<T: Send + Sync>() {}

#[test]
fn resources_are_send_and_sync() {
    send_sync::<TcpListener>();
    send_sync::<TcpStream>();
    send_sync::<spindle::net::tcp::OwnedReadHalf>();
    send_sync::<spindle::net::tcp::OwnedWriteHalf>();
    send_sync::<UdpSocket>();
    #[cfg(unix)]
    {
        send_sync::<spindle::net::UnixListener>();
        send_sync::<spindle::net::UnixStream>();
    }
    send_sync::<spindle::time::Sleep>();
    send_sync::<spindle::time::Timeout<std::future::Ready<()>>>();
    send_sync::<spindle::time::Interval>();
    send_sync::<spindle::JoinHandle<u32>>();
    send_sync::<spindle::Handle>();
}

#[test]
fn tasks_still_need_not_be_send() {
    spindle::block_on(async {
        let local = std::rc::Rc::new(5);
        let handle = spindle::spawn({
            let local = local.clone();
            async move { *local + 1 }
        });
        assert_eq!(handle.await.unwrap(), 6);
    });
}

#[test]
fn a_socket_used_on_another_thread_gives_an_error() {
    let rt = Runtime::new().unwrap();
    let listener = rt.block_on(async { TcpListener::bind("127.0.0.1:0").await.unwrap() });
    let addr = listener.local_addr().unwrap();
    let (err, listener) = std::thread::spawn(move || {
        // Another runtime on this thread: the socket is not its.
        let err = spindle::block_on(async { listener.accept().await.map(|_| ()).unwrap_err() });
        (err, listener)
    })
    .join()
    .unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::Other);
    assert!(
        err.to_string().contains("not running on this thread"),
        "{err}"
    );
    // Moved back, it works again.
    rt.block_on(async {
        let _client = TcpStream::connect(addr).await.unwrap();
        listener.accept().await.unwrap();
    });
}

#[test]
fn a_socket_dropped_on_another_thread_frees_its_slot_on_its_runtime() {
    let rt = Runtime::new().unwrap();
    let before = rt.metrics().registrations;
    let socket = rt.block_on(async { UdpSocket::bind("127.0.0.1:0").await.unwrap() });
    assert_eq!(rt.metrics().registrations, before + 1);
    std::thread::spawn(move || drop(socket)).join().unwrap();
    assert_eq!(
        rt.metrics().registrations,
        before + 1,
        "freed by the loop only"
    );
    // The loop frees the slot at its next turn.
    rt.block_on(spindle::yield_now());
    assert_eq!(rt.metrics().registrations, before);
}

#[test]
fn a_timer_dropped_on_another_thread_is_cancelled_on_its_runtime() {
    let rt = Runtime::new().unwrap();
    let mut sleep = Box::pin(spindle::time::sleep(Duration::from_secs(3600)));
    rt.block_on(async {
        // Arm it: one poll.
        std::future::poll_fn(|cx| {
            assert!(sleep.as_mut().poll(cx).is_pending());
            std::task::Poll::Ready(())
        })
        .await;
    });
    std::thread::spawn(move || drop(sleep)).join().unwrap();
    // Nothing to wait for any more: the loop does not sleep for an hour.
    rt.block_on(spindle::time::sleep(Duration::from_millis(1)));
}

#[test]
fn a_timer_polled_on_another_thread_panics_with_a_message() {
    let rt = Runtime::new().unwrap();
    let mut sleep = Box::pin(spindle::time::sleep(Duration::from_secs(3600)));
    rt.block_on(std::future::poll_fn(|cx| {
        assert!(sleep.as_mut().poll(cx).is_pending());
        std::task::Poll::Ready(())
    }));
    let result = std::thread::spawn(move || spindle::block_on(sleep)).join();
    let payload = result.unwrap_err();
    let message = support::panic_message(&*payload).unwrap();
    assert!(message.contains("not running its runtime"), "{message}");
}

#[test]
fn a_dropped_runtime_wakes_a_task_of_another_runtime_with_an_error() {
    within(Duration::from_secs(30), || {
        let (socket_tx, socket_rx) = std::sync::mpsc::channel();
        let (drop_tx, drop_rx) = std::sync::mpsc::channel::<()>();
        let owner = std::thread::spawn(move || {
            let rt = Runtime::new().unwrap();
            let listener = rt.block_on(async { TcpListener::bind("127.0.0.1:0").await.unwrap() });
            // Park a waiter of this runtime's on the listener through a
            // future kept after `block_on` returns.
            let listener = std::sync::Arc::new(listener);
            socket_tx.send(listener.clone()).unwrap();
            drop_rx.recv().unwrap();
            drop(rt);
        });
        let listener = socket_rx.recv().unwrap();
        // A future built on this thread, polled after the owner's runtime
        // is gone: an error, not `Pending` forever.
        drop_tx.send(()).unwrap();
        owner.join().unwrap();
        let err = spindle::block_on(async { listener.accept().await.map(|_| ()).unwrap_err() });
        assert!(err.to_string().contains("has shut down"), "{err}");
    });
}

#[test]
fn a_future_parked_on_a_socket_is_woken_when_its_runtime_drops() {
    within(Duration::from_secs(30), || {
        let rt = Runtime::new().unwrap();
        let listener = rt.block_on(async { TcpListener::bind("127.0.0.1:0").await.unwrap() });
        let listener = std::sync::Arc::new(listener);
        // A future that parks in the listener's slot during one poll on its
        // own runtime, then is carried to another thread and awaited there.
        let accept = {
            let listener = listener.clone();
            async move { listener.accept().await.map(|_| ()) }
        };
        let mut accept = Box::pin(accept);
        rt.block_on(std::future::poll_fn(|cx| {
            assert!(accept.as_mut().poll(cx).is_pending());
            std::task::Poll::Ready(())
        }));
        let (woken_tx, woken_rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let out = spindle::block_on(accept);
            woken_tx.send(()).unwrap();
            out
        });
        std::thread::sleep(Duration::from_millis(50));
        drop(rt);
        woken_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("woken");
        let err = waiter.join().unwrap().unwrap_err();
        assert!(
            err.to_string().contains("has shut down") || err.to_string().contains("not running"),
            "{err}"
        );
    });
}

#[test]
fn a_join_handle_is_awaited_on_another_thread() {
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(async {
        spindle::time::sleep(Duration::from_millis(5)).await;
        "from the first runtime"
    });
    let other = std::thread::spawn(move || spindle::block_on(handle).unwrap());
    rt.block_on(spindle::time::sleep(Duration::from_millis(50)));
    assert_eq!(other.join().unwrap(), "from the first runtime");
}

#[test]
fn a_join_handle_aborts_its_task_from_another_thread() {
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(std::future::pending::<()>());
    rt.block_on(spindle::yield_now());
    let handle = std::thread::spawn(move || {
        handle.abort();
        handle
    })
    .join()
    .unwrap();
    assert!(rt.block_on(handle).unwrap_err().is_cancelled());
}

#[test]
fn a_sleep_inside_a_send_future_still_runs() {
    // The shape axum and hyper need: a `Send` future that awaits spindle
    // resources, spawned with a `Send` bound.
    fn assert_send<F: std::future::Future + Send>(f: F) -> F {
        f
    }
    spindle::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let fut = assert_send(async move {
            spindle::time::sleep(Duration::from_millis(1)).await;
            let mut client = TcpStream::connect(addr).await.unwrap();
            let (mut conn, _) = listener.accept().await.unwrap();
            client.write_all(b"send").await.unwrap();
            let mut buf = [0; 4];
            conn.read_exact(&mut buf).await.unwrap();
            buf
        });
        assert_eq!(
            &spindle::Handle::current().spawn(fut).await.unwrap(),
            b"send"
        );
    });
}
