//! `task_local!`: a value seen across a task's awaits, not by other tasks,
//! and not inherited by the tasks it spawns.

use std::time::Duration;

use spindle::task::JoinSet;

spindle::task_local! {
    static REQUEST: u32;
    static NAME: String;
}

#[test]
fn value_is_seen_across_awaits() {
    spindle::block_on(REQUEST.scope(7, async {
        assert_eq!(REQUEST.get(), 7);
        spindle::yield_now().await;
        assert_eq!(REQUEST.get(), 7);
        spindle::time::sleep(Duration::from_millis(2)).await;
        assert_eq!(REQUEST.get(), 7);
    }));
}

#[test]
fn interleaved_tasks_each_see_only_their_own_value() {
    spindle::block_on(async {
        let mut set = JoinSet::new();
        for i in 0..20u32 {
            set.spawn(REQUEST.scope(i, async move {
                let mut seen = Vec::new();
                for _ in 0..5 {
                    seen.push(REQUEST.get());
                    spindle::yield_now().await; // the others run here
                }
                (i, seen)
            }));
        }
        while let Some(result) = set.join_next().await {
            let (i, seen) = result.unwrap();
            assert_eq!(seen, vec![i; 5], "task {i} saw another task's value");
        }
    });
}

#[test]
fn value_does_not_leak_into_a_task_without_a_scope() {
    spindle::block_on(async {
        let plain = spindle::spawn(async {
            let mut seen = Vec::new();
            for _ in 0..3 {
                seen.push(REQUEST.try_with(|v| *v).ok());
                spindle::yield_now().await;
            }
            seen
        });
        let scoped = spindle::spawn(REQUEST.scope(1, async {
            for _ in 0..3 {
                spindle::yield_now().await;
            }
        }));
        scoped.await.unwrap();
        assert_eq!(plain.await.unwrap(), vec![None, None, None]);
    });
}

#[test]
fn spawned_tasks_do_not_inherit_the_value() {
    spindle::block_on(REQUEST.scope(3, async {
        let child = spindle::spawn(async { REQUEST.try_with(|v| *v).ok() });
        assert_eq!(child.await.unwrap(), None, "tokio's rule: no inheritance");
        let scoped_child = spindle::spawn(REQUEST.scope(REQUEST.get(), async { REQUEST.get() }));
        assert_eq!(scoped_child.await.unwrap(), 3, "passed on explicitly");
    }));
}

#[test]
fn outside_any_scope_try_with_fails_and_with_panics() {
    assert!(REQUEST.try_with(|_| ()).is_err());
    let panicked = std::panic::catch_unwind(|| REQUEST.with(|_| ()));
    assert!(panicked.is_err());
    spindle::block_on(async {
        REQUEST.scope(1, async {}).await;
        assert!(REQUEST.try_with(|_| ()).is_err(), "the scope ended");
    });
}

#[test]
fn nested_scopes_shadow_and_restore() {
    spindle::block_on(NAME.scope("outer".into(), async {
        NAME.scope("inner".into(), async {
            spindle::yield_now().await;
            assert_eq!(NAME.get(), "inner");
        })
        .await;
        assert_eq!(NAME.get(), "outer");
    }));
}

#[test]
fn a_panic_inside_a_scope_leaves_the_key_empty() {
    spindle::block_on(async {
        let err = spindle::spawn(REQUEST.scope(9, async { panic!("inside") }))
            .await
            .unwrap_err();
        assert!(err.is_panic());
        assert!(REQUEST.try_with(|_| ()).is_err());
    });
}

#[test]
fn two_keys_are_independent() {
    spindle::block_on(REQUEST.scope(
        1,
        NAME.scope("n".into(), async {
            assert_eq!((REQUEST.get(), NAME.get()), (1, "n".to_string()));
        }),
    ));
}

#[test]
fn sync_scope_sets_the_value_for_the_closure() {
    assert_eq!(REQUEST.sync_scope(4, || REQUEST.get() + 1), 5);
    assert!(REQUEST.try_with(|_| ()).is_err());
}
