//! What a task's destructors see: its future's and its output's `Drop` run
//! with the task's id current and (for the future) its task-locals set,
//! whether the task completed, was aborted, panicked or was dropped with
//! its runtime; a future whose poll panics is dropped during the unwind;
//! a `spawn_blocking` closure runs with its task's id.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use spindle::task::{self, Id};
use spindle::{PanicPolicy, Runtime};

spindle::task_local! {
    static NAME: &'static str;
}

/// What one destructor saw.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    id: Option<Id>,
    name: Option<&'static str>,
    panicking: bool,
}

fn look() -> Seen {
    Seen {
        id: task::try_id(),
        name: NAME.try_with(|name| *name).ok(),
        panicking: std::thread::panicking(),
    }
}

/// Records what its `Drop` saw into a shared log.
struct Probe(Arc<Mutex<Vec<Seen>>>);

impl Drop for Probe {
    fn drop(&mut self) {
        self.0.lock().unwrap().push(look());
    }
}

/// A future whose poll panics and which holds a probe: unlike an `async`
/// block, whose locals drop as the panic leaves it, this one drops only
/// when the task drops it.
struct PanicsWhenPolled {
    _probe: Probe,
}

impl std::future::Future for PanicsWhenPolled {
    type Output = ();

    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        panic!("boom")
    }
}

fn log() -> Arc<Mutex<Vec<Seen>>> {
    Arc::default()
}

fn seen(log: &Arc<Mutex<Vec<Seen>>>) -> Vec<Seen> {
    log.lock().unwrap().clone()
}

#[test]
fn an_aborted_tasks_future_is_dropped_with_its_id_and_task_locals() {
    let log = log();
    let id = spindle::block_on({
        let log = log.clone();
        async move {
            let probe = Probe(log);
            let handle = spindle::spawn(NAME.scope("aborted", async move {
                let _probe = probe;
                std::future::pending::<()>().await;
            }));
            spindle::yield_now().await;
            handle.abort();
            let id = handle.id();
            assert!(handle.await.unwrap_err().is_cancelled());
            id
        }
    });
    assert_eq!(
        seen(&log),
        [Seen {
            id: Some(id),
            name: Some("aborted"),
            panicking: false
        }]
    );
}

#[test]
fn a_completed_tasks_future_is_dropped_with_its_id() {
    let log = log();
    let id = spindle::block_on({
        let log = log.clone();
        async move {
            let probe = Probe(log);
            let handle = spindle::spawn(async move {
                let _probe = probe;
                spindle::yield_now().await;
            });
            let id = handle.id();
            handle.await.unwrap();
            id
        }
    });
    assert_eq!(seen(&log)[0].id, Some(id));
}

#[test]
fn an_output_dropped_with_its_handle_sees_the_tasks_id() {
    let log = log();
    let id = spindle::block_on({
        let log = log.clone();
        async move {
            let handle = spindle::spawn(async move { Probe(log) });
            let id = handle.id();
            while !handle.is_finished() {
                spindle::yield_now().await;
            }
            drop(handle);
            id
        }
    });
    assert_eq!(seen(&log).len(), 1);
    assert_eq!(seen(&log)[0].id, Some(id));
}

#[test]
fn an_output_nobody_will_take_is_dropped_with_the_tasks_id() {
    let log = log();
    let id = spindle::block_on({
        let log = log.clone();
        async move {
            let handle = spindle::spawn(async move {
                spindle::yield_now().await;
                Probe(log)
            });
            let id = handle.id();
            drop(handle); // detached before it finishes
            for _ in 0..4 {
                spindle::yield_now().await;
            }
            id
        }
    });
    assert_eq!(seen(&log).len(), 1);
    assert_eq!(seen(&log)[0].id, Some(id));
}

#[test]
fn tasks_dropped_with_their_runtime_see_their_ids_and_task_locals() {
    let log = log();
    let rt = Runtime::new().unwrap();
    let id = rt.block_on({
        let log = log.clone();
        async move {
            let probe = Probe(log);
            let handle = spindle::spawn(NAME.scope("shutdown", async move {
                let _probe = probe;
                std::future::pending::<()>().await;
            }));
            spindle::yield_now().await;
            handle.id()
        }
    });
    drop(rt);
    assert_eq!(
        seen(&log),
        [Seen {
            id: Some(id),
            name: Some("shutdown"),
            panicking: false
        }]
    );
}

#[test]
fn a_future_whose_poll_panics_is_dropped_during_the_unwind() {
    let log = log();
    let id = spindle::block_on({
        let log = log.clone();
        async move {
            let probe = Probe(log);
            let handle = spindle::spawn(NAME.scope("panicked", PanicsWhenPolled { _probe: probe }));
            let id = handle.id();
            assert!(handle.await.unwrap_err().is_panic());
            id
        }
    });
    assert_eq!(
        seen(&log),
        [Seen {
            id: Some(id),
            name: Some("panicked"),
            panicking: true
        }]
    );
}

#[test]
fn under_fail_fast_the_panicking_future_is_dropped_during_the_unwind_too() {
    let log = log();
    let rt = Runtime::builder()
        .panic_policy(PanicPolicy::FailFast)
        .build()
        .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on({
            let log = log.clone();
            async move {
                let probe = Probe(log);
                let handle = spindle::spawn(PanicsWhenPolled { _probe: probe });
                let _ = handle.await;
            }
        })
    }));
    assert!(result.is_err(), "the panic reaches block_on's caller");
    let seen = seen(&log);
    assert_eq!(seen.len(), 1);
    assert!(seen[0].panicking);
    assert!(seen[0].id.is_some());
}

#[test]
fn a_blocking_closure_runs_with_its_tasks_id() {
    spindle::block_on(async {
        let handle = spindle::spawn_blocking(task::try_id);
        let id = handle.id();
        assert_eq!(handle.await.unwrap(), Some(id));
    });
}

#[test]
fn the_id_is_gone_again_after_a_destructor() {
    // The destructor's context is entered and left: code after a task's
    // drop (here the `block_on` future) has no task id again.
    let order = Rc::new(RefCell::new(Vec::new()));
    spindle::block_on({
        let order = order.clone();
        async move {
            let handle = spindle::spawn(std::future::pending::<()>());
            spindle::yield_now().await;
            handle.abort();
            let _ = handle.await;
            order.borrow_mut().push(task::try_id());
        }
    });
    assert_eq!(*order.borrow(), [None]);
}
