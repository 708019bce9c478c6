//! Pinning the calling thread, and so the processes it spawns, to CPUs.
//!
//! `compare` puts the server on one CPU and `loadgen` on the others, so the
//! two never fight over a core and the server's figures are the work of
//! exactly one CPU. On Linux a child process (and every thread it creates)
//! inherits the CPU mask of the thread that forked it, so `compare` pins
//! *itself* to the server's CPU, spawns the server, then pins itself to the
//! load generator's CPUs and spawns `loadgen`. The child is pinned from its
//! first instruction, with no window in which it runs elsewhere.
//!
//! This needs `sched_getaffinity(2)` and `sched_setaffinity(2)` through
//! `libc`; the crates that wrap them either pin to one core only
//! (`core_affinity`) or pull in much more (`nix`). The `unsafe` is limited to
//! the two calls and the `cpu_set_t` macros, each with its `SAFETY:` note.
//!
//! # Portability
//!
//! Linux only. Elsewhere [`allowed_cpus`] reports nothing and [`pin_current_thread`]
//! returns an `Unsupported` error, and `compare` runs unpinned and says so.

use std::io;

/// The CPUs this thread may run on, in ascending order.
///
/// # Examples
///
/// ```
/// let cpus = spindle_benches::affinity::allowed_cpus();
/// # #[cfg(target_os = "linux")]
/// assert!(!cpus.is_empty());
/// ```
pub fn allowed_cpus() -> Vec<usize> {
    imp::allowed_cpus()
}

/// Restricts the calling thread to `cpus`. Threads and processes it creates
/// afterwards inherit the restriction.
///
/// # Errors
///
/// `InvalidInput` if `cpus` is empty or names a CPU past `CPU_SETSIZE`; any
/// error from `sched_setaffinity` (for instance a CPU outside this process's
/// cpuset); `Unsupported` off Linux.
///
/// # Examples
///
/// ```
/// use spindle_benches::affinity::{allowed_cpus, pin_current_thread};
///
/// let all = allowed_cpus();
/// # #[cfg(target_os = "linux")] {
/// pin_current_thread(&all[..1])?;
/// assert_eq!(allowed_cpus(), &all[..1]);
/// pin_current_thread(&all)?;
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn pin_current_thread(cpus: &[usize]) -> io::Result<()> {
    imp::pin_current_thread(cpus)
}

/// Gives the calling thread the lowest scheduling priority (nice 19), so a
/// busy helper thread (`compare`'s flooding client) does not delay the
/// wake-up of a latency-measuring thread on the same CPU. Best effort: a
/// failure is ignored, the thread then keeps its priority.
///
/// On Linux a nice value belongs to a thread, so only the caller changes.
///
/// # Examples
///
/// ```
/// std::thread::spawn(spindle_benches::affinity::lower_current_thread_priority)
///     .join()
///     .unwrap();
/// ```
pub fn lower_current_thread_priority() {
    imp::lower_current_thread_priority()
}

#[cfg(target_os = "linux")]
mod imp {
    use std::io;
    use std::mem;

    /// CPUs a `cpu_set_t` can name.
    const SETSIZE: usize = libc::CPU_SETSIZE as usize;

    pub(super) fn allowed_cpus() -> Vec<usize> {
        // SAFETY: `cpu_set_t` is a plain array of integers, for which all
        // zero bits is a valid (empty) value.
        let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
        // SAFETY: pid 0 means the calling thread; the size and pointer
        // describe `set`, which lives across the call.
        let rc = unsafe { libc::sched_getaffinity(0, mem::size_of::<libc::cpu_set_t>(), &mut set) };
        if rc != 0 {
            return Vec::new();
        }
        // SAFETY: every index is below `CPU_SETSIZE`, the bit count of `set`.
        (0..SETSIZE)
            .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
            .collect()
    }

    pub(super) fn pin_current_thread(cpus: &[usize]) -> io::Result<()> {
        if cpus.is_empty() || cpus.iter().any(|&cpu| cpu >= SETSIZE) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot pin to CPUs {cpus:?}"),
            ));
        }
        // SAFETY: as in `allowed_cpus`, all zeros is an empty set.
        let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
        for &cpu in cpus {
            // SAFETY: `cpu < CPU_SETSIZE` was checked above.
            unsafe { libc::CPU_SET(cpu, &mut set) };
        }
        // SAFETY: pid 0 means the calling thread; the size and pointer
        // describe `set`, which lives across the call.
        let rc = unsafe { libc::sched_setaffinity(0, mem::size_of::<libc::cpu_set_t>(), &set) };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    pub(super) fn lower_current_thread_priority() {
        // SAFETY: no pointers; `who` 0 is the calling thread on Linux
        // (setpriority(2), "BUGS": nice values are per thread).
        let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::io;

    pub(super) fn allowed_cpus() -> Vec<usize> {
        Vec::new()
    }

    pub(super) fn pin_current_thread(_cpus: &[usize]) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }

    pub(super) fn lower_current_thread_priority() {}
}
