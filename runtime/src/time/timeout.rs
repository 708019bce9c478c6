//! `timeout`: race a future against a deadline.
//!
//! [`Timeout`] polls the inner future first and the [`Sleep`] second, so a
//! future that is ready at the deadline still wins. The `Sleep` is polled
//! outside the task's budget (`executor/coop.rs`), so a timeout fires even around a
//! future that always finds data ready: that future spends the budget and
//! returns `Pending`, and the timer still gets its say.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use crate::executor::coop;
use crate::time::sleep::{sleep, sleep_until, Sleep};

/// Runs `future` for at most `duration`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use spindle::time::{sleep, timeout};
///
/// spindle::block_on(async {
///     assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
///     let slow = sleep(Duration::from_secs(60));
///     assert!(timeout(Duration::from_millis(5), slow).await.is_err());
/// });
/// ```
///
/// # Errors
///
/// The returned future yields [`Elapsed`] if the duration passes first; the
/// inner future is then dropped with the `Timeout`.
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
    }
}

/// Runs `future` until `deadline` at the latest.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// spindle::block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(5);
///     let out = spindle::time::timeout_at(deadline, std::future::pending::<()>()).await;
///     assert!(out.is_err());
/// });
/// ```
///
/// # Errors
///
/// The returned future yields [`Elapsed`] if the deadline passes first.
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep_until(deadline),
    }
}

pin_project! {
    /// Future returned by [`timeout`] and [`timeout_at`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// spindle::block_on(async {
    ///     let t: spindle::time::Timeout<_> =
    ///         spindle::time::timeout(Duration::from_millis(1), async { "done" });
    ///     assert_eq!(t.await.unwrap(), "done");
    /// });
    /// ```
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

impl<F> Timeout<F> {
    /// The inner future.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = spindle::time::timeout(std::time::Duration::from_secs(1), async { 1 });
    /// let _inner = t.into_inner();
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // The timer is polled without a budget: if the inner future spent
        // it (it always finds data ready), the deadline must still be able
        // to end it. See `executor/coop.rs`.
        match coop::without_budget(|| Pin::new(this.sleep).poll(cx)) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The error of a [`timeout`] whose deadline passed first.
///
/// Converts into an `io::Error` of kind `TimedOut`, so `?` works in I/O code.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// spindle::block_on(async {
///     let err = spindle::time::timeout(Duration::ZERO, std::future::pending::<()>())
///         .await
///         .unwrap_err();
///     assert_eq!(err.to_string(), "deadline has elapsed");
///     assert_eq!(std::io::Error::from(err).kind(), std::io::ErrorKind::TimedOut);
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(err: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, err)
    }
}
