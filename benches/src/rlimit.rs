//! Raising the open-file limit to what the system allows.
//!
//! Each TCP connection is a file descriptor, and many systems start
//! processes with a soft limit of 1024. The hard limit is usually far higher
//! and a process may raise its own soft limit up to it without privileges
//! (`setrlimit(2)`). `loadgen`, `compare` and the contenders do that at
//! start; children inherit the raised limit, so servers started by
//! `compare` can hold 10,000 connections too.

use std::io;

/// Sets the soft `RLIMIT_NOFILE` to the hard limit and returns the new soft
/// limit.
///
/// # Errors
///
/// Any error from `getrlimit` or `setrlimit`.
///
/// # Examples
///
/// ```
/// let limit = spindle_benches::rlimit::raise_nofile()?;
/// assert!(limit >= 3);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn raise_nofile() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable `rlimit` for the whole call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: `limit` is a valid `rlimit`, read during the call only.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    // `rlim_t` is u64 on Linux but not on every Unix, hence the cast.
    #[allow(clippy::unnecessary_cast)]
    Ok(limit.rlim_cur as u64)
}
