//! Idle: a runtime with nothing to do sleeps in the kernel instead of
//! spinning, the point of the seed's kqueue loop.

mod support;

use std::time::{Duration, Instant};

use support::cpu_time;

#[test]
fn sleeping_one_second_uses_almost_no_cpu() {
    let cpu_before = cpu_time();
    let wall = Instant::now();
    let rt = spindle::Runtime::new().unwrap();
    rt.block_on(spindle::time::sleep(Duration::from_secs(1)));
    let cpu = cpu_time() - cpu_before;
    assert!(wall.elapsed() >= Duration::from_secs(1));
    assert!(
        cpu < Duration::from_millis(200),
        "used {cpu:?} of CPU while idle"
    );
    let m = rt.metrics();
    assert!(
        m.reactor_turns < 10,
        "the loop blocked instead of spinning: {m:?}"
    );
}

#[test]
fn idle_listener_uses_almost_no_cpu() {
    let cpu_before = cpu_time();
    spindle::block_on(async {
        let listener = spindle::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let accept = listener.accept();
        let out = spindle::time::timeout(Duration::from_millis(500), accept).await;
        assert!(out.is_err(), "nobody connected");
    });
    let cpu = cpu_time() - cpu_before;
    assert!(
        cpu < Duration::from_millis(200),
        "used {cpu:?} of CPU while idle"
    );
}
