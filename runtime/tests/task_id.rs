//! Task ids (`spindle::task::id`, `try_id`, `JoinHandle::id`) and the
//! runtime's name.

use spindle::task::{self, JoinSet};

#[test]
fn a_task_sees_the_id_its_handle_reports() {
    spindle::block_on(async {
        let handle = spindle::spawn(async {
            spindle::yield_now().await; // still the same task after an await
            task::id()
        });
        let id = handle.id();
        assert_eq!(handle.await.unwrap(), id);
    });
}

#[test]
fn ids_are_distinct_across_tasks() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..100 {
            set.spawn(async { task::id() });
        }
        let mut ids = Vec::new();
        while let Some(id) = set.join_next().await {
            ids.push(id.unwrap());
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 100);
    });
}

#[test]
fn outside_a_task_there_is_no_id() {
    assert_eq!(task::try_id(), None);
    spindle::block_on(async {
        assert_eq!(task::try_id(), None, "the block_on future is not a task");
        let inner = spindle::spawn(async { task::try_id() }).await.unwrap();
        assert!(inner.is_some());
        assert_eq!(task::try_id(), None, "cleared after the task's poll");
    });
    let panicked = std::panic::catch_unwind(task::id);
    assert!(panicked.is_err());
}

#[test]
fn the_runtime_keeps_its_name() {
    let rt = spindle::Runtime::builder()
        .name("worker-3")
        .build()
        .unwrap();
    assert_eq!(rt.name(), Some("worker-3"));
    assert!(format!("{rt:?}").contains("worker-3"));
    assert_eq!(spindle::Runtime::new().unwrap().name(), None);
}
