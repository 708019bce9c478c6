//! Host names to socket addresses, off the loop: [`lookup_host`] and the
//! [`ToSocketAddrs`] trait that `TcpStream::connect` takes.
//!
//! Resolving a name (`getaddrinfo(3)`) is a blocking call that may wait on
//! a DNS server for seconds; on the loop's thread it would stop every task.
//! So a name is resolved on the blocking pool (`blocking/`), and the task
//! awaits the answer. An address that is already an IP literal
//! (`"127.0.0.1:8080"`, a `SocketAddr`, `(Ipv4Addr, u16)`) is parsed right
//! here, synchronously, with no thread hop: that is the common case for
//! servers and tests, and it costs nothing.
//!
//! ```text
//!   lookup_host(addr)
//!     addr.resolve():
//!       ├─ an IP literal or a SocketAddr ── Ready(addresses): no hop
//!       └─ a host name ──────────────────── unblock(getaddrinfo) ── await on the pool
//! ```
//!
//! [`ToSocketAddrs`] is spindle's own trait (as in tokio) rather than
//! std's, because std's trait resolves inside `to_socket_addrs()` with no
//! way to tell beforehand whether a call will block. It is implemented for
//! the same types as std's, and sealed: the split between "literal" and
//! "name" is spindle's to make.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::blocking::unblock;

/// Something that names one or more socket addresses: a `SocketAddr`, an
/// `(ip, port)` pair, `"host:port"`, or `("host", port)`. Host names are
/// resolved on the blocking pool, IP literals at once.
///
/// This trait is sealed: it is implemented for the types std's
/// `ToSocketAddrs` is implemented for, and cannot be implemented outside
/// spindle.
///
/// # Examples
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
///
/// fn takes(_: impl spindle::net::ToSocketAddrs) {}
/// takes("127.0.0.1:80");
/// takes(("localhost", 80));
/// takes(SocketAddr::from((Ipv4Addr::LOCALHOST, 80)));
/// takes(String::from("[::1]:80"));
/// ```
pub trait ToSocketAddrs: sealed::Resolve {}

/// Resolves `host` (`"name:port"`, `("name", port)`, or an address) to the
/// socket addresses it names, in the order the resolver returned them.
///
/// A host name is resolved on the blocking pool, so the loop keeps
/// running while the resolver waits; an IP literal is returned at once,
/// without a thread hop.
///
/// # Examples
///
/// ```
/// spindle::block_on(async {
///     let addrs: Vec<_> = spindle::net::lookup_host("localhost:80").await?.collect();
///     assert!(addrs.iter().all(|addr| addr.ip().is_loopback() && addr.port() == 80));
///
///     let literal: Vec<_> = spindle::net::lookup_host("127.0.0.1:8080").await?.collect();
///     assert_eq!(literal, ["127.0.0.1:8080".parse().unwrap()]);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// Fails, naming the host, if it does not resolve (or resolves to no
/// address), or if a string is not of the form `host:port`.
///
/// # Panics
///
/// Panics if a host name must be resolved outside a spindle runtime.
pub async fn lookup_host(
    host: impl ToSocketAddrs,
) -> io::Result<impl Iterator<Item = SocketAddr> + std::fmt::Debug> {
    let addrs = match host.resolve()? {
        sealed::Resolved::Ready(addrs) => addrs,
        sealed::Resolved::Name(name) => {
            unblock("spindle::net::lookup_host", move || name.lookup()).await??
        }
    };
    Ok(addrs.into_iter())
}

/// Resolves `host` and runs `op` on each address in turn until one
/// succeeds: the body of every constructor that takes an address
/// (`TcpStream::connect`, `TcpListener::bind`, `UdpSocket::bind` and
/// `UdpSocket::connect`). When all fail, the error is the last address's,
/// its message prefixed with `what` and that address (`could not connect
/// to 127.0.0.1:1: Connection refused`).
pub(crate) async fn try_each_addr<T, F>(
    host: impl ToSocketAddrs,
    what: &str,
    mut op: impl FnMut(SocketAddr) -> F,
) -> io::Result<T>
where
    F: Future<Output = io::Result<T>>,
{
    let mut last_err = None;
    for addr in lookup_host(host).await? {
        match op(addr).await {
            Ok(value) => return Ok(value),
            Err(err) => {
                last_err = Some(io::Error::new(err.kind(), format!("{what} {addr}: {err}")))
            }
        }
    }
    Err(last_err.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}

/// The sealed half of [`ToSocketAddrs`].
mod sealed {
    use super::*;

    /// Splits an address into "known now" and "needs the resolver".
    #[allow(
        unreachable_pub,
        reason = "sealed-trait pattern: public so that it can bound the public \
                  `ToSocketAddrs`, in a private module so nothing outside implements it"
    )]
    pub trait Resolve {
        /// Parses an IP literal at once, or returns the name to look up.
        fn resolve(&self) -> io::Result<Resolved>;
    }

    /// What [`Resolve::resolve`] found.
    #[derive(Debug)]
    #[allow(unreachable_pub, reason = "returned by the sealed trait above")]
    pub enum Resolved {
        /// Addresses known without a lookup.
        Ready(Vec<SocketAddr>),
        /// A name for the resolver.
        Name(Name),
    }

    /// A host name to resolve on the pool, owned so it can move there.
    #[derive(Debug)]
    #[allow(unreachable_pub, reason = "carried by `Resolved` above")]
    pub enum Name {
        /// `"host:port"`.
        HostPort(String),
        /// `("host", port)`.
        Host(String, u16),
    }
}

use sealed::{Name, Resolved};

impl Name {
    /// Resolves with std (`getaddrinfo`); runs on a pool thread. The error
    /// names the host; no address at all is an error too.
    fn lookup(self) -> io::Result<Vec<SocketAddr>> {
        #[cfg(test)]
        tests::stand_in_delay();
        use std::net::ToSocketAddrs as _;
        let (shown, result) = match &self {
            Name::HostPort(host_port) => (host_port.clone(), host_port.to_socket_addrs()),
            Name::Host(host, port) => (
                format!("{host}:{port}"),
                (host.as_str(), *port).to_socket_addrs(),
            ),
        };
        let addrs: Vec<SocketAddr> = result
            .map_err(|err| {
                io::Error::new(err.kind(), format!("could not resolve `{shown}`: {err}"))
            })?
            .collect();
        if addrs.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("`{shown}` resolved to no address"),
            ));
        }
        Ok(addrs)
    }
}

/// A string that names an address: a literal, or `host:port` for the
/// resolver. A string without a port is an error, as in std.
fn resolve_str(s: &str) -> io::Result<Resolved> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(Resolved::Ready(vec![addr]));
    }
    match s.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(Resolved::Name(Name::HostPort(s.to_owned())))
        }
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{s}` is not an address of the form host:port"),
        )),
    }
}

/// A `(host, port)` pair: an IP literal host, or a name for the resolver.
fn resolve_host(host: &str, port: u16) -> Resolved {
    match host.parse::<IpAddr>() {
        Ok(ip) => Resolved::Ready(vec![SocketAddr::new(ip, port)]),
        Err(_) => Resolved::Name(Name::Host(host.to_owned(), port)),
    }
}

/// Implements the trait for types that are always literal.
macro_rules! literal {
    ($($ty:ty),*) => {$(
        impl sealed::Resolve for $ty {
            fn resolve(&self) -> io::Result<Resolved> {
                Ok(Resolved::Ready(vec![SocketAddr::from(*self)]))
            }
        }
        impl ToSocketAddrs for $ty {}
    )*};
}

literal!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16)
);

impl sealed::Resolve for [SocketAddr] {
    fn resolve(&self) -> io::Result<Resolved> {
        Ok(Resolved::Ready(self.to_vec()))
    }
}
impl ToSocketAddrs for [SocketAddr] {}

impl sealed::Resolve for str {
    fn resolve(&self) -> io::Result<Resolved> {
        resolve_str(self)
    }
}
impl ToSocketAddrs for str {}

impl sealed::Resolve for String {
    fn resolve(&self) -> io::Result<Resolved> {
        resolve_str(self)
    }
}
impl ToSocketAddrs for String {}

impl sealed::Resolve for (&str, u16) {
    fn resolve(&self) -> io::Result<Resolved> {
        Ok(resolve_host(self.0, self.1))
    }
}
impl ToSocketAddrs for (&str, u16) {}

impl sealed::Resolve for (String, u16) {
    fn resolve(&self) -> io::Result<Resolved> {
        Ok(resolve_host(&self.0, self.1))
    }
}
impl ToSocketAddrs for (String, u16) {}

impl<T: sealed::Resolve + ?Sized> sealed::Resolve for &T {
    fn resolve(&self) -> io::Result<Resolved> {
        (**self).resolve()
    }
}
impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use futures::io::{AsyncReadExt, AsyncWriteExt};

    use super::sealed::Resolve as _;
    use super::*;

    /// Milliseconds every name lookup sleeps first: the slow resolver
    /// stand-in. Only this module's test sets it.
    static DELAY_MS: AtomicU64 = AtomicU64::new(0);

    /// Called by `Name::lookup` in test builds, on the pool thread.
    pub(super) fn stand_in_delay() {
        let ms = DELAY_MS.load(Ordering::SeqCst);
        if ms > 0 {
            std::thread::sleep(Duration::from_millis(ms));
        }
    }

    #[test]
    fn a_slow_lookup_does_not_hold_back_timers_or_tcp() {
        DELAY_MS.store(300, Ordering::SeqCst);
        crate::block_on(async {
            let start = Instant::now();
            let lookup = crate::spawn(async {
                let addrs: Vec<_> = lookup_host("localhost:7").await.unwrap().collect();
                (addrs, Instant::now())
            });
            // A timer and a TCP round trip, both done while the resolver
            // stand-in sleeps.
            crate::time::sleep(Duration::from_millis(10)).await;
            let listener = crate::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = crate::net::TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            client.write_all(b"ping").await.unwrap();
            let mut buf = [0; 4];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
            let round_trip_done = Instant::now();
            assert!(!lookup.is_finished());
            let (addrs, lookup_done) = lookup.await.unwrap();
            assert!(round_trip_done < lookup_done);
            assert!(lookup_done - start >= Duration::from_millis(300));
            assert!(addrs.iter().all(|addr| addr.ip().is_loopback()));
        });
        DELAY_MS.store(0, Ordering::SeqCst);
    }

    #[test]
    fn literals_resolve_without_the_resolver_and_bad_strings_are_errors() {
        assert!(matches!("127.0.0.1:1".resolve(), Ok(Resolved::Ready(_))));
        assert!(matches!("[::1]:1".resolve(), Ok(Resolved::Ready(_))));
        assert!(matches!(("10.0.0.1", 1).resolve(), Ok(Resolved::Ready(_))));
        assert!(matches!("localhost:1".resolve(), Ok(Resolved::Name(_))));
        assert!(matches!(("localhost", 1).resolve(), Ok(Resolved::Name(_))));
        let err = "no-port".resolve().unwrap_err();
        assert!(err.to_string().contains("no-port"));
        assert!("host:notaport".resolve().is_err());
    }
}
