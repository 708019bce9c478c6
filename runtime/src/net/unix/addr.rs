//! Unix socket addresses: a filesystem path, or (Linux) an abstract name.
//!
//! A Unix socket is usually named by a file: `bind` creates it, `connect`
//! opens it. Linux (and Android) also have an *abstract* namespace: a name
//! whose first byte is NUL lives in the kernel only, with no file to create
//! or clean up, and disappears with the last socket bound to it
//! (`unix(7)`, "Abstract sockets"). spindle takes the usual spelling for
//! it: a path that starts with `"\0"`, so `UnixListener::bind("\0name")`
//! binds the abstract name `name`. Messages show such a name as `@name`,
//! the way `ss -x` does, since a NUL byte would print as nothing.

use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;
use std::path::Path;

/// The address `bind` or `connect` uses for `path`.
///
/// # Errors
///
/// A path that is too long for `sockaddr_un`, or an abstract name on a
/// system that has none (`InvalidInput`).
pub(crate) fn socket_addr(path: &Path) -> io::Result<SocketAddr> {
    match abstract_name(path) {
        Some(name) => from_abstract_name(name),
        None => SocketAddr::from_pathname(path),
    }
}

/// The name after the leading NUL, if `path` names an abstract socket.
pub(crate) fn abstract_name(path: &Path) -> Option<&[u8]> {
    path.as_os_str().as_bytes().strip_prefix(b"\0")
}

/// `path` the way messages show it: abstract names as `@name`.
pub(crate) fn describe(path: &Path) -> String {
    match abstract_name(path) {
        Some(name) => format!("@{}", String::from_utf8_lossy(name)),
        None => path.display().to_string(),
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn from_abstract_name(name: &[u8]) -> io::Result<SocketAddr> {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    SocketAddr::from_abstract_name(name)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn from_abstract_name(_name: &[u8]) -> io::Result<SocketAddr> {
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "abstract Unix socket names (a path starting with NUL) exist on Linux and Android only",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_paths_and_abstract_names() {
        assert_eq!(describe(Path::new("/tmp/s")), "/tmp/s");
        assert_eq!(describe(Path::new("\0spindle")), "@spindle");
        assert_eq!(abstract_name(Path::new("\0x")), Some(&b"x"[..]));
        assert_eq!(abstract_name(Path::new("x")), None);
    }
}
