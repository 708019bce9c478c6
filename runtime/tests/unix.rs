//! Unix-domain streams: echo, EOF, the existing-path error, pairs.
#![cfg(unix)]

mod support;

use std::io::ErrorKind;
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{UnixListener, UnixStream};
use support::{within, TempDir};

#[test]
fn echo_over_a_socket_path() {
    let dir = TempDir::new();
    let path = dir.path("echo.sock");
    within(Duration::from_secs(10), move || {
        spindle::block_on(async {
            let listener = UnixListener::bind(&path).unwrap();
            spindle::spawn(async move {
                let (conn, _) = listener.accept().await.unwrap();
                let (mut r, mut w) = (&conn, &conn);
                spindle::io::copy(&mut r, &mut w).await.unwrap();
                w.close().await.unwrap();
            });
            let mut client = UnixStream::connect(&path).await.unwrap();
            assert_eq!(client.peer_addr().unwrap().as_pathname(), Some(&*path));
            let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
            let (mut r, mut w) = (&client, &client);
            let write = async {
                w.write_all(&data).await.unwrap();
                w.close().await.unwrap();
            };
            let mut echoed = Vec::new();
            let read = async { r.read_to_end(&mut echoed).await.unwrap() };
            futures::join!(write, read);
            assert_eq!(echoed, data);
            // EOF stays EOF.
            let mut buf = [0; 1];
            assert_eq!(client.read(&mut buf).await.unwrap(), 0);
        })
    });
}

#[test]
fn peer_shutdown_gives_eof() {
    spindle::block_on(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        (&a).write_all(b"last words").await.unwrap();
        a.shutdown(std::net::Shutdown::Write).unwrap();
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"last words");
    });
}

#[test]
fn dropping_the_peer_gives_eof() {
    spindle::block_on(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let reader = spindle::spawn(async move {
            let mut buf = [0; 8];
            b.read(&mut buf).await.unwrap()
        });
        spindle::yield_now().await;
        drop(a);
        assert_eq!(reader.await.unwrap(), 0);
    });
}

#[test]
fn vectored_write_sends_every_slice() {
    spindle::block_on(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let bufs = [std::io::IoSlice::new(b"ab"), std::io::IoSlice::new(b"cde")];
        let n = a.write_vectored(&bufs).await.unwrap();
        assert_eq!(n, 5);
        let mut got = [0; 5];
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"abcde");
    });
}

#[test]
fn binding_an_existing_path_is_addr_in_use_and_names_it() {
    let dir = TempDir::new();
    let path = dir.path("taken.sock");
    spindle::block_on(async {
        let _first = UnixListener::bind(&path).unwrap();
        let err = UnixListener::bind(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        let message = err.to_string();
        assert!(
            message.contains(&*path.to_string_lossy()),
            "the error names the path: {message}"
        );
    });
    // The file outlives the listener: binding again still fails.
    spindle::block_on(async {
        let err = UnixListener::bind(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        std::fs::remove_file(&path).unwrap();
        UnixListener::bind(&path).unwrap();
    });
}

#[test]
fn connecting_to_a_missing_path_fails_and_names_it() {
    let dir = TempDir::new();
    let path = dir.path("nobody.sock");
    spindle::block_on(async {
        let err = UnixStream::connect(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains(&*path.to_string_lossy()));
    });
}

#[test]
fn accept_waits_for_a_client() {
    let dir = TempDir::new();
    let path = dir.path("wait.sock");
    within(Duration::from_secs(10), move || {
        spindle::block_on(async {
            let listener = UnixListener::bind(&path).unwrap();
            let acceptor = spindle::spawn(async move {
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut buf = [0; 2];
                conn.read_exact(&mut buf).await.unwrap();
                buf
            });
            spindle::time::sleep(Duration::from_millis(10)).await;
            assert!(!acceptor.is_finished());
            let mut client = UnixStream::connect(&path).await.unwrap();
            client.write_all(b"ok").await.unwrap();
            assert_eq!(&acceptor.await.unwrap(), b"ok");
        })
    });
}

#[cfg(target_os = "linux")]
#[test]
fn abstract_names_bind_connect_and_report_their_address() {
    use std::os::linux::net::SocketAddrExt;

    spindle::block_on(async {
        let name = format!("\0spindle-test-{}", std::process::id());
        let listener = spindle::net::UnixListener::bind(&name).unwrap();
        let local = listener.local_addr().unwrap();
        assert_eq!(local.as_abstract_name(), Some(&name.as_bytes()[1..]));
        assert!(local.as_pathname().is_none(), "no file was created");
        let mut client = spindle::net::UnixStream::connect(&name).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        assert_eq!(
            client.peer_addr().unwrap().as_abstract_name(),
            Some(&name.as_bytes()[1..])
        );
        client.write_all(b"abstract").await.unwrap();
        let mut buf = [0; 8];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"abstract");
        // A second bind of the same name is refused, and the message shows
        // it as `@name`.
        let err = spindle::net::UnixListener::bind(&name).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
        assert!(
            err.to_string().contains(&format!("@{}", &name[1..])),
            "{err}"
        );
        // Connecting to a name nobody bound is refused, naming it.
        let missing = format!("\0spindle-missing-{}", std::process::id());
        let err = spindle::net::UnixStream::connect(&missing)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
        assert!(err.to_string().contains("@spindle-missing-"), "{err}");
    });
}

#[test]
fn split_halves_read_and_write_at_once() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (mut a, mut b) = UnixStream::pair().unwrap();
            let (mut reader, mut writer) = UnixStream::split(&mut a);
            let echo = async {
                let mut buf = [0; 5];
                b.read_exact(&mut buf).await.unwrap();
                b.write_all(&buf).await.unwrap();
            };
            let talk = async {
                writer.write_all(b"hello").await.unwrap();
                let mut buf = [0; 5];
                reader.read_exact(&mut buf).await.unwrap();
                buf
            };
            let ((), got) = futures::join!(echo, talk);
            assert_eq!(&got, b"hello");
        })
    });
}

#[test]
fn owned_halves_move_into_tasks_and_reunite() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (a, mut b) = UnixStream::pair().unwrap();
            let (mut reader, mut writer) = a.into_split();
            let reading = spindle::spawn(async move {
                let mut buf = [0; 2];
                reader.read_exact(&mut buf).await.unwrap();
                (reader, buf)
            });
            let writing = spindle::spawn(async move {
                writer.write_all(b"w!").await.unwrap();
                writer
            });
            b.write_all(b"r!").await.unwrap();
            let (reader, buf) = reading.await.unwrap();
            let writer = writing.await.unwrap();
            assert_eq!(&buf, b"r!");
            let mut got = [0; 2];
            b.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"w!");
            // Reunited: no shutdown happened, the stream still writes.
            let mut a = reader.reunite(writer).unwrap();
            a.write_all(b"ok").await.unwrap();
            b.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"ok");
        })
    });
}

#[test]
fn dropping_the_owned_write_half_sends_eof_and_mismatched_halves_do_not_reunite() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (a, mut b) = UnixStream::pair().unwrap();
            let (c, _d) = UnixStream::pair().unwrap();
            let (ra, wa) = a.into_split();
            let (_rc, wc) = c.into_split();
            let spindle::net::unix::ReuniteError(ra, wc) = ra.reunite(wc).unwrap_err();
            drop(wc);
            drop(wa);
            let mut rest = Vec::new();
            b.read_to_end(&mut rest).await.unwrap(); // EOF from the dropped writer
            assert!(rest.is_empty());
            drop(ra);
        })
    });
}

#[test]
fn into_split_reader_sees_peer_close_as_eof() {
    within(Duration::from_secs(10), || {
        spindle::block_on(async {
            let (a, b) = UnixStream::pair().unwrap();
            let (mut reader, _writer) = a.into_split();
            drop(b);
            let mut buf = Vec::new();
            assert_eq!(reader.read_to_end(&mut buf).await.unwrap(), 0);
            assert_eq!(reader.read(&mut [0; 1]).await.unwrap(), 0, "EOF is sticky");
        })
    });
}
