//! Spawn a few tasks that sleep for different times and watch them finish in
//! deadline order, not spawn order.
//!
//! Run with `cargo run -p spindle --example hello`.

use std::time::{Duration, Instant};

#[spindle::main]
async fn main() {
    let start = Instant::now();
    let mut handles = Vec::new();
    for (name, ms) in [("slow", 30), ("fast", 10), ("medium", 20)] {
        handles.push(spindle::spawn(async move {
            spindle::time::sleep(Duration::from_millis(ms)).await;
            println!("{name:>6} woke after {:?}", start.elapsed());
            name
        }));
    }
    for handle in handles {
        let name = handle.await.expect("the task does not panic");
        println!("joined {name}");
    }
}
