//! The stall detector: a poll that holds the thread too long is reported,
//! naming the task, where it was spawned, and how long it took.

use std::time::Duration;

use spindle::Runtime;

#[test]
fn long_poll_is_counted_as_a_stall() {
    let rt = Runtime::builder()
        .stall_threshold(Duration::from_millis(20))
        .build()
        .unwrap();
    rt.block_on(async {
        let stalling = spindle::spawn(async {
            // Blocks the thread: no spindle operation, no budget to spend.
            std::thread::sleep(Duration::from_millis(60));
        });
        stalling.await.unwrap();
    });
    assert_eq!(rt.metrics().stalls, 1, "{:?}", rt.metrics());
}

#[test]
fn short_polls_are_not_stalls() {
    let rt = Runtime::builder()
        .stall_threshold(Duration::from_secs(30))
        .build()
        .unwrap();
    rt.block_on(async {
        for _ in 0..100 {
            spindle::spawn(async { spindle::yield_now().await })
                .await
                .unwrap();
        }
    });
    assert_eq!(rt.metrics().stalls, 0);
}

#[test]
fn detector_is_off_by_default() {
    // Only when SPINDLE_STALL_MS is not set in this test's environment.
    if std::env::var_os("SPINDLE_STALL_MS").is_some() {
        println!("skipped: SPINDLE_STALL_MS is set in the environment");
        return;
    }
    let rt = Runtime::new().unwrap();
    rt.block_on(async { std::thread::sleep(Duration::from_millis(30)) });
    assert_eq!(rt.metrics().stalls, 0);
}

#[test]
fn warning_names_the_task_and_its_spawn_location() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_stalls", "--nocapture"])
        .env("SPINDLE_STALL_MS", "20")
        .env_remove("SPINDLE_EXPLAIN")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}");
    // The child prints the line it spawned the stalling task on.
    let spawned_at = stdout
        .lines()
        .find_map(|l| l.strip_prefix("spawned at line "))
        .expect("the child says where it spawned");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("spindle::stall: task 1 (spawned at "))
        .unwrap_or_else(|| panic!("no stall warning for task 1 in:\n{stderr}"));
    assert!(
        line.contains(&format!("tests/stall.rs:{spawned_at}:")),
        "{line}"
    );
    assert!(line.contains("held the thread for "), "{line}");
    assert!(line.contains("in one poll (threshold 20ms)"), "{line}");
    // Task 2 was queued behind it, and the `block_on` future that task 1's
    // completion woke.
    assert!(
        line.ends_with("2 other tasks were waiting to run"),
        "{line}"
    );
}

/// Run by `warning_names_the_task_and_its_spawn_location` in a child
/// process with `SPINDLE_STALL_MS=20`; not a test of its own.
#[test]
#[ignore = "run as a child process with SPINDLE_STALL_MS=20 by warning_names_the_task_and_its_spawn_location"]
fn child_stalls() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        println!("spawned at line {}", line!() + 1);
        let stalling = spindle::spawn(async { std::thread::sleep(Duration::from_millis(60)) });
        // Queued behind task 1 while it stalls.
        let quick = spindle::spawn(async {});
        stalling.await.unwrap();
        quick.await.unwrap();
    });
    assert_eq!(rt.metrics().stalls, 1);
}
