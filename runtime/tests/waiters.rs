//! Any number of waiters per socket and direction: a readiness event wakes
//! every task parked on it, and a waiter whose future was dropped is gone.

mod support;

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::FutureExt;
use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use spindle::time::sleep;
use support::within;

#[test]
fn fifty_tasks_accepting_on_one_listener_accept_fifty_connections() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
            let addr = listener.local_addr().unwrap();
            let acceptors: Vec<_> = (0..50)
                .map(|_| {
                    let listener = listener.clone();
                    spindle::spawn(async move {
                        let (mut conn, _) = listener.accept().await.unwrap();
                        let mut byte = [0];
                        conn.read_exact(&mut byte).await.unwrap();
                        byte[0]
                    })
                })
                .collect();
            spindle::yield_now().await; // all 50 park on the listener
            let mut clients = Vec::new();
            for i in 0..50u8 {
                let mut client = TcpStream::connect(addr).await.unwrap();
                client.write_all(&[i]).await.unwrap();
                clients.push(client);
            }
            let mut got = Vec::new();
            for acceptor in acceptors {
                got.push(acceptor.await.unwrap());
            }
            got.sort_unstable();
            assert_eq!(got, (0..50).collect::<Vec<u8>>());
        });
    });
}

#[test]
fn several_readers_and_readable_waiters_on_one_socket_are_all_woken() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let server = Arc::new(server);
            let woken = Rc::new(Cell::new(0));
            let mut tasks = Vec::new();
            for _ in 0..5 {
                let (server, woken) = (server.clone(), woken.clone());
                tasks.push(spindle::spawn(async move {
                    server.readable().await.unwrap();
                    woken.set(woken.get() + 1);
                }));
            }
            for _ in 0..5 {
                let (server, woken) = (server.clone(), woken.clone());
                tasks.push(spindle::spawn(async move {
                    let mut byte = [0];
                    // A `poll_read` waiter: reads one byte each.
                    (&*server).read_exact(&mut byte).await.unwrap();
                    woken.set(woken.get() + 1);
                }));
            }
            spindle::yield_now().await; // all ten park on the socket
            assert_eq!(woken.get(), 0);
            client.write_all(b"12345").await.unwrap();
            for task in tasks {
                task.await.unwrap();
            }
            assert_eq!(woken.get(), 10);
        });
    });
}

/// Counts the polls of a future.
struct Polls<F> {
    inner: Pin<Box<F>>,
    polls: Rc<Cell<u32>>,
}

impl<F: Future> Future for Polls<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.set(self.polls.get() + 1);
        self.inner.as_mut().poll(cx)
    }
}

#[test]
fn a_cancelled_readable_waiter_is_removed_from_the_socket() {
    within(Duration::from_secs(60), || {
        spindle::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let server = Arc::new(server);
            let polls = Rc::new(Cell::new(0));
            let gave_up = spindle::spawn(Polls {
                inner: Box::pin({
                    let server = server.clone();
                    async move {
                        // Waits for readability for 5 ms, then gives up:
                        // the `readable()` future is dropped.
                        futures::select! {
                            _ = server.readable().fuse() => panic!("nothing was sent yet"),
                            _ = sleep(Duration::from_millis(5)).fuse() => {}
                        }
                        sleep(Duration::from_secs(3600)).await;
                    }
                }),
                polls: polls.clone(),
            });
            let reader = spindle::spawn({
                let server = server.clone();
                async move { server.readable().await.unwrap() }
            });
            sleep(Duration::from_millis(30)).await;
            let before = polls.get(); // its first poll, and the timer's wake
            client.write_all(b"x").await.unwrap();
            reader.await.unwrap();
            sleep(Duration::from_millis(10)).await;
            // The data woke the reader only: the cancelled waiter was gone.
            assert_eq!(polls.get(), before, "the cancelled waiter was not woken");
            gave_up.abort();
        });
    });
}
