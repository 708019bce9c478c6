//! Tasks: join output, abort, detach, panics, and dropping the runtime.

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use spindle::{JoinHandle, PanicPolicy, Runtime};
use support::DropFlag;

#[test]
fn join_handle_yields_the_output() {
    let out = spindle::block_on(async { spindle::spawn(async { "out" }).await });
    assert_eq!(out.unwrap(), "out");
}

#[test]
fn abort_before_first_poll_drops_future_and_reports_cancelled() {
    spindle::block_on(async {
        let dropped = Rc::new(Cell::new(false));
        let polled = Rc::new(Cell::new(false));
        let handle = spindle::spawn({
            let flag = DropFlag(dropped.clone());
            let polled = polled.clone();
            async move {
                let _flag = flag;
                polled.set(true);
            }
        });
        handle.abort();
        let err = handle.await.unwrap_err();
        assert!(err.is_cancelled(), "{err:?}");
        assert!(dropped.get(), "the future was dropped");
        assert!(!polled.get(), "the future was never polled");
    });
}

#[test]
fn abort_after_first_poll_drops_future_and_reports_cancelled() {
    spindle::block_on(async {
        let dropped = Rc::new(Cell::new(false));
        let polls = Rc::new(Cell::new(0));
        let handle = spindle::spawn({
            let flag = DropFlag(dropped.clone());
            let polls = polls.clone();
            async move {
                let _flag = flag;
                polls.set(polls.get() + 1);
                spindle::time::sleep(Duration::from_secs(3600)).await;
                polls.set(polls.get() + 1);
            }
        });
        spindle::yield_now().await;
        assert_eq!(polls.get(), 1);
        assert!(!handle.is_finished());
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
        assert!(dropped.get());
        assert_eq!(polls.get(), 1, "not polled again after abort");
    });
}

#[test]
fn abort_after_completion_keeps_the_output() {
    spindle::block_on(async {
        let handle = spindle::spawn(async { 3 });
        spindle::yield_now().await;
        assert!(handle.is_finished());
        handle.abort();
        assert_eq!(handle.await.unwrap(), 3);
    });
}

#[test]
fn dropped_handle_detaches_and_the_task_keeps_running() {
    spindle::block_on(async {
        let done = Rc::new(Cell::new(false));
        drop(spindle::spawn({
            let done = done.clone();
            async move {
                spindle::time::sleep(Duration::from_millis(5)).await;
                done.set(true);
            }
        }));
        spindle::time::sleep(Duration::from_millis(30)).await;
        assert!(done.get());
    });
}

#[test]
fn panic_in_task_is_isolated_by_default() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let bad = spindle::spawn(async { panic!("task exploded") });
        let good = spindle::spawn(async { 1 });
        let err = bad.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(
            err.to_string(),
            "task 1 panicked with message \"task exploded\""
        );
        let payload = err.into_panic().unwrap();
        assert_eq!(*payload.downcast::<&str>().unwrap(), "task exploded");
        assert_eq!(good.await.unwrap(), 1);
    });
    // The runtime goes on.
    assert_eq!(
        rt.block_on(async { spindle::spawn(async { 2 }).await.unwrap() }),
        2
    );
}

#[test]
fn panic_in_task_fails_fast_under_the_fail_fast_policy() {
    let rt = Runtime::builder()
        .panic_policy(PanicPolicy::FailFast)
        .build()
        .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            spindle::spawn(async { panic!("fail fast") });
            spindle::time::sleep(Duration::from_secs(3600)).await;
        })
    }));
    let payload = result.unwrap_err();
    assert_eq!(*payload.downcast::<&str>().unwrap(), "fail fast");
}

#[test]
fn panic_in_block_on_future_propagates() {
    let rt = Runtime::new().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("main") })
    }));
    assert!(result.is_err());
    // The runtime is still usable afterwards.
    assert_eq!(rt.block_on(async { 5 }), 5);
}

#[test]
fn dropping_the_runtime_drops_pending_futures() {
    let dropped = Rc::new(Cell::new(false));
    let rt = Runtime::new().unwrap();
    rt.block_on({
        let flag = DropFlag(dropped.clone());
        async move {
            spindle::spawn(async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            });
            spindle::yield_now().await;
        }
    });
    assert!(!dropped.get());
    assert_eq!(rt.metrics().tasks_alive, 1);
    drop(rt);
    assert!(
        dropped.get(),
        "dropping the runtime dropped the task's future"
    );
}

#[test]
fn dropping_the_runtime_drops_never_polled_futures_and_closes_sockets() {
    let dropped = Rc::new(Cell::new(false));
    let rt = Runtime::new().unwrap();
    let (addr, flag) = rt.block_on(async {
        let listener = spindle::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        (
            listener.local_addr().unwrap(),
            (listener, DropFlag(dropped.clone())),
        )
    });
    // Hand the listener to a task that never gets polled.
    rt.spawn(async move {
        let _owned = flag;
        std::future::pending::<()>().await;
    });
    drop(rt);
    assert!(dropped.get());
    // The listener is closed: connecting is refused.
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn task_that_aborts_itself_is_not_polled_again() {
    spindle::block_on(async {
        let slot: Rc<RefCell<Option<JoinHandle<()>>>> = Default::default();
        let dropped = Rc::new(Cell::new(false));
        let handle = spindle::spawn({
            let slot = slot.clone();
            let flag = DropFlag(dropped.clone());
            async move {
                let _flag = flag;
                spindle::yield_now().await;
                slot.borrow().as_ref().unwrap().abort();
                spindle::yield_now().await;
                unreachable!("an aborted task is not polled again");
            }
        });
        *slot.borrow_mut() = Some(handle);
        spindle::time::sleep(Duration::from_millis(5)).await;
        assert!(dropped.get());
        let handle = slot.borrow_mut().take().unwrap();
        assert!(handle.is_finished());
        assert!(handle.await.unwrap_err().is_cancelled());
    });
}

/// The panic hook is process-wide: tests that replace it take turns.
static HOOK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Panics when dropped: a destructor that fails.
struct PanicsOnDrop(&'static str);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("{}", self.0);
        }
    }
}

/// Runs `f` with the panic hook silenced, so expected panics keep the
/// test output readable; the hook is restored after.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let _serial = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(hook);
    out
}

#[test]
fn spawn_outside_a_runtime_reports_the_callers_line() {
    let _serial = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let hook = std::panic::take_hook();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let record = seen.clone();
    // Other tests panic on their own threads meanwhile: record this
    // thread's panic only.
    let this_thread = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == this_thread {
            let location = info.location().map(|l| (l.file().to_owned(), l.line()));
            *record.lock().unwrap() = location;
        }
    }));
    let line = line!() + 1;
    let result = std::panic::catch_unwind(|| spindle::spawn(async {}));
    std::panic::set_hook(hook);
    assert!(result.is_err());
    let (file, at) = seen.lock().unwrap().clone().expect("a location");
    assert!(file.ends_with("tests/task.rs"), "{file}");
    assert_eq!(at, line);
}

#[test]
fn dropping_the_runtime_lets_destructors_spawn_and_open_sockets() {
    /// On drop, uses the runtime: spawns a task and binds a socket.
    struct UsesRuntime(Rc<Cell<bool>>);
    impl Drop for UsesRuntime {
        fn drop(&mut self) {
            let flag = self.0.clone();
            let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let listener = spindle::net::TcpListener::from_std(std_listener);
            assert!(listener.is_ok(), "a socket from a destructor at shutdown");
            drop(spindle::spawn(async move { flag.set(true) }));
            self.0.set(true);
        }
    }
    let dropped = Rc::new(Cell::new(false));
    let rt = Runtime::new().unwrap();
    let guard = UsesRuntime(dropped.clone());
    rt.spawn(async move {
        let _guard = guard;
        std::future::pending::<()>().await
    });
    rt.block_on(spindle::yield_now());
    drop(rt);
    assert!(dropped.get(), "the destructor ran, with no panic");
}

#[test]
fn output_whose_drop_panics_does_not_escape_dropping_the_handle() {
    let rt = Runtime::new().unwrap();
    quietly(|| {
        rt.block_on(async {
            let handle = spindle::spawn(async { PanicsOnDrop("output drop") });
            spindle::yield_now().await;
            assert!(handle.is_finished());
            drop(handle); // the output drops here: contained
                          // And a detached task's output, dropped by the loop.
            drop(spindle::spawn(async {
                PanicsOnDrop("detached output drop")
            }));
            spindle::yield_now().await;
        })
    });
    assert_eq!(rt.metrics().tasks_alive, 0);
}

#[test]
fn aborting_a_task_whose_future_panics_in_drop_reports_the_panic() {
    let rt = Runtime::new().unwrap();
    let err = quietly(|| {
        rt.block_on(async {
            let handle = spindle::spawn(async {
                let _bomb = PanicsOnDrop("future drop");
                std::future::pending::<()>().await
            });
            spindle::yield_now().await; // first poll: `_bomb` is live
            handle.abort();
            handle.await.unwrap_err()
        })
    });
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "task 1 panicked with message \"future drop\""
    );
    let payload = err.into_panic().unwrap();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "future drop");
}

#[test]
fn join_error_names_the_task_id_and_message() {
    spindle::block_on(async {
        let _first = spindle::spawn(async {});
        let cancelled = spindle::spawn(std::future::pending::<()>());
        cancelled.abort();
        let err = cancelled.await.unwrap_err();
        assert_eq!(err.to_string(), "task 2 was cancelled");
        assert_eq!(err.id().to_string(), "2");
        assert_eq!(format!("{err:?}"), "Cancelled(Id(2))");
        let panicked = spindle::spawn(async { panic!("no {}", "luck") });
        let err = panicked.await.unwrap_err();
        assert_eq!(err.to_string(), "task 3 panicked with message \"no luck\"");
        let opaque = spindle::spawn(async { std::panic::panic_any(7u32) });
        let err = opaque.await.unwrap_err();
        assert_eq!(err.to_string(), "task 4 panicked");
    });
}
