//! Timers: an interval ticking, a timeout firing, and a sleep being pushed
//! back with `reset`, the way a server's idle timeout works.
//!
//! Run with `cargo run -p spindle --example timers`.

use std::time::{Duration, Instant};

use spindle::time::{interval, sleep, timeout, MissedTickBehavior};

#[spindle::main]
async fn main() {
    let start = Instant::now();
    let mut every = interval(Duration::from_millis(25));
    every.set_missed_tick_behavior(MissedTickBehavior::Skip);
    for _ in 0..3 {
        every.tick().await;
        println!("tick at {:?}", start.elapsed());
    }

    match timeout(Duration::from_millis(20), sleep(Duration::from_secs(10))).await {
        Ok(()) => println!("the sleep won (unexpected)"),
        Err(elapsed) => println!("timeout: {elapsed} at {:?}", start.elapsed()),
    }

    let mut idle = sleep(Duration::from_millis(20));
    for _ in 0..3 {
        // "A request arrived": push the idle deadline back.
        idle.reset(Instant::now() + Duration::from_millis(20));
        sleep(Duration::from_millis(10)).await;
    }
    (&mut idle).await;
    println!("idle timeout fired at {:?}", start.elapsed());
}
