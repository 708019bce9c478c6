//! The `Date` header, formatted at most once per second per thread.
//!
//! Every response carries `Date: Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110
//! §6.6.1, the IMF-fixdate form, always 29 bytes). Formatting it for each
//! response would cost more than the rest of the response together, and
//! the value only changes once a second, so each worker thread keeps the
//! last formatted value with the second it belongs to. Reading the clock
//! (`SystemTime::now`, a vDSO call on Linux, no syscall) is done once per
//! batch of responses; formatting (httpdate) only when the second changed.
//!
//! # Notes
//!
//! Servers such as actix and the TechEmpower entries refresh the date from
//! a timer every 500 ms instead; spindle avoids the timer so that an idle
//! server does not wake up every second.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate, such as `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) const DATE_LEN: usize = 29;

thread_local! {
    /// The second (since the Unix epoch) of the cached date, and the date.
    /// `u64::MAX` means "never formatted".
    static CACHE: Cell<(u64, [u8; DATE_LEN])> = const { Cell::new((u64::MAX, [0; DATE_LEN])) };
}

/// The current date as an IMF-fixdate, from this thread's cache.
pub(crate) fn now() -> [u8; DATE_LEN] {
    let now = SystemTime::now();
    let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    CACHE.with(|cache| {
        let (cached_second, cached) = cache.get();
        if cached_second == second {
            return cached;
        }
        let mut date = [0; DATE_LEN];
        date.copy_from_slice(httpdate::fmt_http_date(now).as_bytes());
        cache.set((second, date));
        date
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_is_an_imf_fixdate_that_parses_back() {
        let date = now();
        let text = std::str::from_utf8(&date).unwrap();
        assert!(text.ends_with(" GMT"), "{text}");
        let parsed = httpdate::parse_http_date(text).unwrap();
        let age = SystemTime::now().duration_since(parsed).unwrap();
        assert!(age.as_secs() <= 2);
    }
}
