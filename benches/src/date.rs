//! The `Date:` header value, formatted at most once per second.
//!
//! HTTP/1.1 wants a `Date:` header on every response (RFC 9110 §6.6.1), in
//! IMF-fixdate form: `Fri, 27 Nov 2026 23:40:00 GMT`. Formatting a date for
//! every request would cost more than the rest of the response, so each
//! thread keeps the last formatted value and the second it was made for, and
//! formats again only when the clock has moved to another second. This is
//! what every fast plaintext server does (hyper, actix, may-minihttp).
//!
//! Reading the clock itself is cheap on Linux (`clock_gettime` through the
//! vDSO, no system call), and a [`Session`](crate::Session) reads it once
//! per batch of requests, not once per request.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate: `Fri, 27 Nov 2026 23:40:00 GMT`.
pub const DATE_LEN: usize = 29;

thread_local! {
    /// This thread's cache: the second it was formatted for and the bytes.
    /// Written by [`http_date`] when the second changes, read by every call.
    static CACHE: RefCell<(u64, [u8; DATE_LEN])> = const { RefCell::new((u64::MAX, [0; DATE_LEN])) };
}

/// Returns the current time as an IMF-fixdate, reformatted only when the
/// second has changed since this thread last asked.
///
/// # Examples
///
/// ```
/// let date = spindle_benches::date::http_date();
/// let text = std::str::from_utf8(&date).unwrap();
/// assert!(text.ends_with(" GMT"));
/// assert_eq!(text.len(), 29);
/// ```
pub fn http_date() -> [u8; DATE_LEN] {
    let now = SystemTime::now();
    let second = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.0 != second {
            let text = httpdate::fmt_http_date(now);
            // IMF-fixdate has a fixed width for years 1000..=9999.
            cache.1.copy_from_slice(&text.as_bytes()[..DATE_LEN]);
            cache.0 = second;
        }
        cache.1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_back_as_an_http_date() {
        let date = http_date();
        let text = std::str::from_utf8(&date).unwrap();
        assert!(httpdate::parse_http_date(text).is_ok(), "{text}");
    }

    #[test]
    fn second_call_in_the_same_second_is_equal() {
        let a = http_date();
        let b = http_date();
        // Equal unless the second ticked between the two calls; allow that.
        let parse = |d: &[u8]| httpdate::parse_http_date(std::str::from_utf8(d).unwrap()).unwrap();
        let gap = parse(&b).duration_since(parse(&a)).unwrap();
        assert!(gap.as_secs() <= 1);
    }
}
