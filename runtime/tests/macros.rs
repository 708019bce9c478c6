//! `#[spindle::main]` and `#[spindle::test]`: the function runs on a fresh
//! runtime, its return value comes back, and the options reach the
//! builder; `main` also on methods taking `self` and on `-> !`. (`budget = N` generates `.budget(N)`; it is tested where
//! `Builder::budget` is defined.)

use std::time::{Duration, Instant};

#[spindle::test]
async fn a_test_body_runs_on_a_runtime() {
    let start = Instant::now();
    spindle::time::sleep(Duration::from_millis(5)).await;
    assert!(start.elapsed() >= Duration::from_millis(5));
    assert_eq!(spindle::spawn(async { 2 + 2 }).await.unwrap(), 4);
}

#[spindle::test(event_interval = 1, explain = false)]
async fn options_are_accepted() {
    spindle::yield_now().await;
}

#[spindle::test]
async fn a_test_may_return_a_result() -> std::io::Result<()> {
    let listener = spindle::net::TcpListener::bind("127.0.0.1:0").await?;
    spindle::net::TcpStream::connect(listener.local_addr()?).await?;
    Ok(())
}

#[spindle::test]
#[should_panic(expected = "inside the runtime")]
async fn a_panic_in_the_body_fails_the_test() {
    spindle::yield_now().await;
    panic!("inside the runtime");
}

#[spindle::main]
async fn entry() -> u32 {
    spindle::spawn(async { 40 }).await.unwrap() + 2
}

#[spindle::main(event_interval = 7)]
async fn entry_with_question_mark() -> Result<u8, std::num::ParseIntError> {
    let n: u8 = "41".parse()?;
    Ok(n + 1)
}

#[test]
fn main_makes_a_plain_fn_that_returns_the_body_value() {
    assert_eq!(entry(), 42);
    assert_eq!(entry_with_question_mark(), Ok(42));
}

#[test]
fn main_can_be_called_twice_each_time_on_a_new_runtime() {
    assert_eq!(entry(), 42);
    assert_eq!(entry(), 42);
}

#[spindle::test(budget = 4)]
async fn test_option_budget_reaches_the_builder() {
    use std::cell::Cell;
    use std::rc::Rc;

    let other_ran = Rc::new(Cell::new(false));
    let flag = other_ran.clone();
    spindle::spawn(async move { flag.set(true) });
    for _ in 0..4 {
        spindle::task::consume_budget().await;
    }
    assert!(!other_ran.get(), "four units: no yield yet");
    spindle::task::consume_budget().await;
    assert!(other_ran.get(), "the fifth unit yields: the budget is 4");
}

/// A value whose methods are entry points, by value, by reference and by
/// mutable reference.
struct Counter {
    count: u32,
}

impl Counter {
    #[spindle::main]
    async fn add_on_a_runtime(&mut self, n: u32) -> u32 {
        self.count += spindle::spawn(async move { n }).await.unwrap();
        self.count
    }

    #[spindle::main]
    async fn read_on_a_runtime(&self) -> u32 {
        spindle::yield_now().await;
        self.count
    }

    #[spindle::main]
    async fn into_count(self) -> Result<u32, std::num::ParseIntError> {
        let extra: u32 = "1".parse()?;
        Ok(self.count + extra)
    }
}

#[test]
fn main_on_self_method() {
    let mut counter = Counter { count: 40 };
    assert_eq!(counter.add_on_a_runtime(1), 41);
    assert_eq!(counter.read_on_a_runtime(), 41);
    assert_eq!(counter.into_count(), Ok(42));
}

#[test]
fn main_on_a_trait_method_taking_self() {
    trait Run {
        fn run(self) -> u32;
    }
    impl Run for u32 {
        #[spindle::main]
        async fn run(self) -> u32 {
            spindle::spawn(async move { self * 2 }).await.unwrap()
        }
    }
    assert_eq!(21.run(), 42);
}

#[spindle::main]
async fn diverges_on_a_runtime(reason: &'static str) -> ! {
    // Proof that the body ran on a runtime: a spawned task's result.
    let from_a_task = spindle::spawn(async move { reason }).await.unwrap();
    panic!("{from_a_task}");
}

#[test]
#[should_panic(expected = "never returned")]
fn main_returning_never() {
    diverges_on_a_runtime("never returned")
}

#[spindle::main]
async fn describes_on_a_runtime(n: u32) -> impl std::fmt::Display {
    let doubled = spindle::spawn(async move { n * 2 }).await.unwrap();
    format!("{n} doubled is {doubled}")
}

#[test]
fn main_returning_impl_trait() {
    assert_eq!(describes_on_a_runtime(21).to_string(), "21 doubled is 42");
}
