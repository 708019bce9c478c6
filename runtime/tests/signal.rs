//! Signals: a signal sent to the process wakes a runtime blocked in poll,
//! and every listener sees it.

mod support;

use std::time::{Duration, Instant};

use spindle::signal::{signal, SignalKind};
use support::within;

/// Sends `signum` to this process from another thread after `delay`.
fn raise_later(signum: i32, delay: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        // SAFETY: kill(2) with our own pid and a valid signal number has no
        // memory-safety preconditions.
        let rc = unsafe { libc::kill(libc::getpid(), signum) };
        assert_eq!(rc, 0);
    });
}

#[test]
fn signal_wakes_a_runtime_blocked_in_poll_and_every_listener_sees_it() {
    within(Duration::from_secs(30), || {
        let rt = spindle::Runtime::new().unwrap();
        rt.block_on(async {
            let mut first = signal(SignalKind::user_defined1()).unwrap();
            let mut second = signal(SignalKind::user_defined1()).unwrap();
            let other = spindle::spawn(async move {
                second.recv().await;
                "second saw it"
            });
            let start = Instant::now();
            raise_later(libc::SIGUSR1, Duration::from_millis(50));
            // Nothing else to do: the loop blocks in poll until the signal.
            assert_eq!(first.recv().await, Some(()));
            assert!(start.elapsed() >= Duration::from_millis(50));
            assert_eq!(other.await.unwrap(), "second saw it");

            // A second delivery is seen again.
            raise_later(libc::SIGUSR1, Duration::from_millis(10));
            first.recv().await;
        });
        assert!(rt.metrics().reactor_blocked_turns > 0);
    });
}

#[test]
fn forbidden_signal_gives_an_error() {
    spindle::block_on(async {
        let err = signal(SignalKind::from_raw(libc::SIGKILL)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("cannot be listened for"), "{err}");
    });
}
