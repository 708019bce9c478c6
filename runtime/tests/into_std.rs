//! `into_std` on every socket type: the socket leaves the reactor, keeps
//! its connection and its data, and comes back non-blocking (as tokio's).

use std::io::{ErrorKind, Read, Write};

use spindle::io::AsyncWriteExt;
use spindle::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream};

#[test]
fn tcp_stream_keeps_its_connection_and_unread_data() {
    spindle::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.write_all(b"queued before").await.unwrap();
        let mut server = server.into_std().unwrap();
        server.set_nonblocking(false).unwrap();
        let mut buf = [0; 13];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"queued before");
        server.write_all(b"back").unwrap();
        let client = client.into_std().unwrap();
        let mut client = client;
        let mut buf = [0; 4];
        // Still non-blocking: either the bytes are there or WouldBlock.
        loop {
            match client.read(&mut buf) {
                Ok(n) => {
                    assert_eq!(&buf[..n], &b"back"[..n]);
                    break;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::yield_now(),
                Err(e) => panic!("{e}"),
            }
        }
    });
}

#[test]
fn tcp_listener_accepts_after_into_std() {
    spindle::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .into_std()
            .unwrap();
        assert_eq!(listener.accept().unwrap_err().kind(), ErrorKind::WouldBlock);
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        listener.set_nonblocking(false).unwrap();
        listener.accept().unwrap();
    });
}

#[test]
fn a_socket_moved_back_into_spindle_works_again() {
    spindle::block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let std_a = a.into_std().unwrap();
        let a = UdpSocket::from_std(std_a).unwrap();
        a.send_to(b"again", a.local_addr().unwrap()).await.unwrap();
        let mut buf = [0; 8];
        assert_eq!(a.recv_from(&mut buf).await.unwrap().0, 5);
    });
}

#[test]
fn unix_sockets_into_std() {
    let dir = std::env::temp_dir().join(format!("spindle-into-std-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("listener");
    spindle::block_on(async {
        let listener = UnixListener::bind(&path).unwrap();
        let client = UnixStream::connect(&path).await.unwrap();
        let listener = listener.into_std().unwrap();
        listener.set_nonblocking(false).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        let mut client = client.into_std().unwrap();
        client.set_nonblocking(false).unwrap();
        client.write_all(b"unix").unwrap();
        let mut buf = [0; 4];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"unix");

        let (a, b) = UnixDatagram::pair().unwrap();
        let a = a.into_std().unwrap();
        a.send(b"dgram").unwrap();
        let mut buf = [0; 8];
        assert_eq!(b.recv(&mut buf).await.unwrap(), 5);
    });
    std::fs::remove_dir_all(&dir).unwrap();
}
