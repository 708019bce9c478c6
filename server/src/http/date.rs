//! The `Date` header, from a clock read once per batch and a calendar
//! read once per second.
//!
//! Every response carries `Date: Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110
//! §6.6.1, the IMF-fixdate form, always 29 bytes). Its value changes once
//! a second, so each worker thread keeps the last formatted value and the
//! [`Instant`] until which it stays right: the end of the wall-clock second
//! it was formatted in, moved onto the monotonic clock.
//!
//! The connection reads the monotonic clock once per batch of responses
//! anyway (the idle timeout counts from the last answer), and hands that
//! reading to [`at`]: the cached date is still right when the reading is
//! before the cached end of second, a comparison. Only when the second has
//! passed is the wall clock read (`SystemTime::now`) and the date
//! formatted (httpdate), once per second per thread.
//!
//! # Notes
//!
//! The end of the second is computed on the monotonic clock, so a jump of
//! the wall clock (an operator's `date -s`, not NTP's slewing, which moves
//! both clocks alike within 500 ppm) shows in the header up to a second
//! late. Servers such as actix and the TechEmpower entries refresh the
//! date from a timer every 500 ms instead; spindle avoids the timer so that
//! an idle server does not wake up every second.

use std::cell::Cell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate, such as `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) const DATE_LEN: usize = 29;

thread_local! {
    /// The cached date and the instant it stops being right; `None`
    /// before the first response.
    static CACHE: Cell<Option<(Instant, [u8; DATE_LEN])>> = const { Cell::new(None) };
}

/// The date at `now`, a monotonic reading taken within this batch, as an
/// IMF-fixdate, from this thread's cache.
pub(crate) fn at(now: Instant) -> [u8; DATE_LEN] {
    CACHE.with(|cache| {
        if let Some((until, date)) = cache.get() {
            if now < until {
                return date;
            }
        }
        let wall = SystemTime::now();
        let into_second = wall.duration_since(UNIX_EPOCH).map_or(Duration::ZERO, |d| {
            Duration::from_nanos(d.subsec_nanos().into())
        });
        let mut date = [0; DATE_LEN];
        date.copy_from_slice(httpdate::fmt_http_date(wall).as_bytes());
        let until = now + (Duration::from_secs(1) - into_second);
        cache.set(Some((until, date)));
        date
    })
}

/// The date now, reading the clock: for the rare answers outside a batch.
pub(crate) fn now() -> [u8; DATE_LEN] {
    at(Instant::now())
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

    #[test]
    fn the_cached_date_is_kept_within_its_second_and_replaced_after_it() {
        let start = Instant::now();
        let first = at(start);
        assert_eq!(at(start), first, "the same instant reads the cache");
        // The cache is right until the end of the wall-clock second, at
        // most a second away; a little past it, the date has moved on.
        let (until, _) = CACHE.with(Cell::get).unwrap();
        assert!(until > start && until <= start + Duration::from_secs(1));
        let past = until + Duration::from_millis(10);
        std::thread::sleep(past.saturating_duration_since(Instant::now()));
        let later = at(Instant::now());
        let parsed = |d: &[u8]| httpdate::parse_http_date(std::str::from_utf8(d).unwrap()).unwrap();
        assert!(parsed(&later) > parsed(&first));
    }
}
