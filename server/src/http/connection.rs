//! One HTTP/1.1 connection: read, frame, call the handler, write, repeat.
//!
//! The connection is a loop over four steps, in one task:
//!
//! ```text
//!        ┌──────────────────────────────────────────────────────────┐
//!        ▼                                                          │
//!   1. wait: readable │ timer │ (idle only) shutdown                │
//!        │                                                          │
//!   2. try_read into the read buffer the requests will own; frame   │
//!      every complete request from where the last read stopped      │
//!        │                                                          │
//!   3. call the handler for each request, in order; encode every    │
//!      response into the thread's output buffer; ONE write for the  │
//!      whole batch                                                  │
//!        │                                                          │
//!   4. close (Connection: close, HTTP/1.0, a reject, draining)  ────┴─ or loop
//! ```
//!
//! A client that sent a complete head with `Expect: 100-continue` and waits
//! before sending the body gets `HTTP/1.1 100 Continue` first (curl does
//! this for large uploads; without it, curl waits a second).
//!
//! Pipelined requests that arrive in one read are answered in order and
//! their responses leave in one `write(2)`: the client sent them together
//! because it wants them fast.
//!
//! # Timers
//!
//! One [`Sleep`](spindle::time::Sleep) per connection, reset rather than
//! re-created. While no byte of a next request has arrived the connection is
//! *idle*, and the timer runs to the idle timeout, after which the connection
//! is closed without a word. Once the first byte of a request is there, the
//! timer is moved to the header timeout: a client that stalls mid-request
//! gets `408 Request Timeout` and the connection is closed.
//!
//! The idle timer is not moved after every request: a keep-alive
//! connection answering back-to-back requests would reset it thousands of
//! times a second, and a reset costs more than parsing the request. The
//! connection only notes when it last became idle (`idle_since`); the timer
//! keeps the deadline it had and, when it fires, the connection checks that
//! deadline against `idle_since` and, if a later request has pushed it back,
//! re-arms the timer once for the real deadline. The connection still
//! closes one idle timeout after its last request, not earlier. (nginx
//! saves the same cost differently: it does not move a timer by less than
//! 300 ms, `NGX_TIMER_LAZY_DELAY`.)
//!
//! While it writes, the connection does not read (that is its
//! back-pressure: a client that does not read its answers stops being read
//! from), and this timer does not run. The write has its own limit
//! instead (`send.rs`): a client that takes no byte of its answers for an
//! idle timeout is closed, so one that never reads cannot hold the
//! connection, its fd and its output buffer forever.
//!
//! # Memory while idle
//!
//! An idle connection owns no read buffer: it waits for readiness without
//! one, and when it has read and answered everything it gives its buffer
//! to the thread's spare slot (`buffer.rs`), from which the next
//! connection to read on the thread takes it. A connection in the middle
//! of a request keeps its buffer and its decoder's place (`framing.rs`).
//! The response buffer lives only while a batch is written, and is the
//! thread's, reused from batch to batch (see `scratch.rs`). What is left is
//! this future's state (the socket, the timer, the shutdown wait, the
//! handler, the empty buffer and the decoder) and the task around it.
//!
//! # Closing
//!
//! Closing a socket that still has unread input makes the kernel send a
//! reset, and a reset can destroy a response the client has not read yet
//! (RFC 9112 §9.6). So after the last response the connection shuts down
//! its write side (the client reads the end of the stream) and reads and
//! drops what the client still sends, for up to a second, before it closes:
//! nginx's "lingering close".

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::io;
use std::net::Shutdown as TcpShutdown;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use spindle::net::TcpStream;

use crate::config::Config;
use crate::http::buffer::{ReadBuf, MIN_ROOM};
use crate::http::date;
use crate::http::framing::{Decoder, Limits, Parsed, Reject};
use crate::http::request::Version;
use crate::http::response::ConnectionHeader;
use crate::http::{Request, Response};
use crate::metrics::Counters;
use crate::scratch::{with_scratch, Spare, OUTPUT};
use crate::send::send_all;
use crate::shutdown::{Phase, Shutdown};
use crate::worker;

/// How long a closing connection keeps reading (and dropping) what the
/// client still sends, so that the close does not reset the connection
/// before the client has read the last response.
const LINGER: Duration = Duration::from_secs(1);

thread_local! {
    /// The slot behind [`REQUESTS`].
    static REQUESTS_SLOT: Cell<Vec<Parsed>> = const { Cell::new(Vec::new()) };
}

/// The per-thread list a batch's requests are framed into. 64 requests
/// (about 8 KiB) are kept; a longer pipelined burst gives its list up.
static REQUESTS: Spare<Parsed> = Spare::new(&REQUESTS_SLOT, 64);

/// The settings one HTTP connection needs, copied out of [`Config`] into
/// every connection's future, so kept small: timeouts in milliseconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpConfig {
    /// Largest head, in bytes (see [`Config::max_head_size`]).
    max_head: u32,
    /// Largest body, in bytes (see [`Config::max_body_size`]).
    max_body: u32,
    /// See [`Config::idle_timeout`], in milliseconds.
    idle_ms: u32,
    /// See [`Config::header_timeout`], in milliseconds.
    header_ms: u32,
}

impl HttpConfig {
    /// The HTTP part of a server's configuration. Values too large for 32
    /// bits (4 GiB, 49 days) are capped there.
    pub(crate) fn from_config(config: &Config) -> HttpConfig {
        let bytes = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let millis = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
        HttpConfig {
            max_head: bytes(config.max_head_size),
            max_body: bytes(config.max_body_size),
            idle_ms: millis(config.idle_timeout),
            header_ms: millis(config.header_timeout),
        }
    }

    /// The size limits, for the framing code.
    fn limits(&self) -> Limits {
        Limits {
            max_head: self.max_head as usize,
            max_body: self.max_body as usize,
        }
    }

    /// The idle deadline for a connection that became idle at `since`.
    fn idle_deadline(&self, since: Instant) -> Instant {
        since + Duration::from_millis(self.idle_ms.into())
    }

    /// The longest a write may wait without progress: the idle timeout.
    fn stall_limit(&self) -> Option<Duration> {
        Some(Duration::from_millis(self.idle_ms.into()))
    }

    /// The request deadline for a request that starts now.
    fn header_deadline(&self) -> Instant {
        Instant::now() + Duration::from_millis(self.header_ms.into())
    }
}

/// What ended a wait in step 1.
enum Wake {
    /// The socket may have bytes (or an EOF, or an error).
    Readable,
    /// The idle or header timer fired.
    Timer,
    /// The server is draining and this connection is idle.
    Shutdown,
}

/// The requests framed from one read, and what ended the framing.
#[derive(Default)]
struct Batch {
    /// Complete requests, in order; the thread's [`REQUESTS`] spare, given
    /// back when the batch is answered. Only a `Vec` (24 bytes) is moved
    /// around and kept in the connection's future, not the requests.
    requests: Vec<Parsed>,
    /// Set if the bytes after the last complete request are invalid.
    reject: Option<Reject>,
}

/// Serves HTTP/1.1 on `stream` with `handler` until either side closes.
///
/// # Errors
///
/// Socket errors (a reset peer, say); the caller logs them at debug level.
// Not an `async fn` on purpose; see the comment in the body.
#[allow(clippy::manual_async_fn)]
pub(crate) fn serve<H, Fut>(
    mut stream: TcpStream,
    handler: H,
    config: HttpConfig,
) -> impl Future<Output = io::Result<()>>
where
    H: Fn(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    // An `async move` block rather than an `async fn`: the block captures
    // the arguments once, where an `async fn` would keep a second copy of
    // each in every connection's state (rust-lang/rust#62958).
    async move {
        // Outside a server worker (a user's own accept loop) there is no
        // shutdown to watch and nothing to count.
        let (mut draining, counters) = match worker::current() {
            Some(worker) => (worker.shutdown.wait(Phase::Draining), Some(worker.counters)),
            None => (Shutdown::new().wait(Phase::Draining), None),
        };
        // When the connection last became idle (opened, or answered its
        // last request with nothing pending): the idle timeout counts from
        // here. Written after each batch, read when the timer fires.
        let mut idle_since = Instant::now();
        let mut timer = spindle::time::sleep_until(config.idle_deadline(idle_since));
        // Whether `timer` runs to an idle deadline (possibly an earlier one
        // than `idle_since` gives, see "Timers") rather than a header
        // deadline. Set where the timer is reset.
        let mut timer_is_idle = true;
        // The bytes received and not yet framed (no allocation while
        // idle), and where the framing stopped in them.
        let mut buf = ReadBuf::new();
        let mut decoder = Decoder::new();

        loop {
            // Step 1: wait, without a buffer.
            let idle = buf.is_empty() && decoder.at_start();
            let wake = {
                let mut readable = pin!(stream.readable());
                poll_fn(|cx| {
                    if idle && Pin::new(&mut draining).poll(cx).is_ready() {
                        return Poll::Ready(Wake::Shutdown);
                    }
                    if readable.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Wake::Readable);
                    }
                    if Pin::new(&mut timer).poll(cx).is_ready() {
                        return Poll::Ready(Wake::Timer);
                    }
                    Poll::Pending
                })
                .await
            };
            match wake {
                Wake::Readable => {}
                Wake::Shutdown => return Ok(()),
                Wake::Timer if idle => {
                    // The timer may hold the deadline of an earlier request;
                    // close only at the one the latest request set.
                    let deadline = config.idle_deadline(idle_since);
                    if Instant::now() >= deadline {
                        return Ok(());
                    }
                    timer.reset(deadline);
                    continue;
                }
                Wake::Timer => {
                    return Box::pin(reject_and_close(stream, Reject::Timeout, &config)).await
                }
            }

            // Step 2: read straight into the buffer the requests will own,
            // and frame from where the last read stopped.
            buf.make_room(MIN_ROOM);
            let n = match stream.try_read(buf.spare()) {
                Ok(0) => return Ok(()), // the client closed
                Ok(n) => n,
                // Stale readiness: nothing to read after all.
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => 0,
                Err(err) => return Err(err),
            };
            buf.filled(n);
            let mut batch = Batch {
                requests: REQUESTS.take(),
                reject: None,
            };
            frame(&mut decoder, &mut buf, &config.limits(), &mut batch);
            let at_start = buf.is_empty() && decoder.at_start();
            if at_start {
                buf.give_back(); // nothing kept while idle
            } else if batch.requests.is_empty() && decoder.take_continue() {
                // The head is in and the client waits for our go-ahead
                // before it sends the body. Boxed (rare) so that the
                // write's state is not part of every idle connection's.
                Box::pin(send_all(
                    &mut stream,
                    b"HTTP/1.1 100 Continue\r\n\r\n",
                    config.stall_limit(),
                ))
                .await?;
            }

            // Step 3: answer the batch.
            let answered = !batch.requests.is_empty() || batch.reject.is_some();
            if answered {
                // Boxed: the state of a batch in progress (the handler's
                // future, the write) is allocated only while a batch is in
                // progress, not in every idle connection's future. Inline,
                // it would add about 300 bytes to each (see the test below).
                let (close, answered_at) = Box::pin(respond(
                    &mut stream,
                    &handler,
                    &mut batch,
                    draining.shutdown(),
                    counters.as_ref(),
                    &config,
                ))
                .await?;
                // Step 4.
                if close {
                    Box::pin(linger_close(stream)).await;
                    return Ok(());
                }
                // The idle timeout counts from the batch's one clock
                // reading, the one that dated its responses.
                if at_start {
                    idle_since = answered_at;
                    // An idle timer stays as it is (see "Timers"); a header
                    // timer must give way to the idle deadline.
                    if !timer_is_idle {
                        timer.reset(config.idle_deadline(idle_since));
                        timer_is_idle = true;
                    }
                }
            }
            REQUESTS.give_back(batch.requests);

            // A request begun: the header timeout runs from its first byte.
            if !at_start && (answered || idle) {
                timer.reset(config.header_deadline());
                timer_is_idle = false;
            }
        }
    }
}

/// Frames every complete request in `buf` into `batch`. Stops after a
/// request that closes the connection: what follows it will not be
/// answered.
fn frame(decoder: &mut Decoder, buf: &mut ReadBuf, limits: &Limits, batch: &mut Batch) {
    loop {
        match decoder.decode(buf, limits) {
            Ok(Some(parsed)) => {
                let keep_alive = parsed.keep_alive;
                batch.requests.push(parsed);
                if !keep_alive {
                    return;
                }
            }
            Ok(None) => return,
            Err(reject) => {
                batch.reject = Some(reject);
                return;
            }
        }
    }
}

/// Calls the handler for each request of `batch` in order, writes every
/// response with one write, and says whether the connection must close
/// and when the batch was answered (the clock reading that dated it).
///
/// This future is part of every connection's future (it is not boxed), so
/// it holds as little as it can across its `.await`s: one handler future,
/// pinned where it is made, and what a response's encoding needs, copied
/// out of the request first ([`Answer`]); the request itself moves straight
/// from the batch into the handler, and each response is encoded and
/// dropped before the next `.await`.
async fn respond<H, Fut>(
    stream: &mut TcpStream,
    handler: &H,
    batch: &mut Batch,
    shutdown: &Shutdown,
    counters: Option<&Arc<Counters>>,
    config: &HttpConfig,
) -> io::Result<(bool, Instant)>
where
    H: Fn(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let mut out = OUTPUT.take();
    // The clock is read once per batch, after the first handler: pipelined
    // responses written together share their date.
    let mut now = None;
    let mut close = false;
    // Taken from the back, with no iterator to keep across the `.await`s.
    batch.requests.reverse();
    while let Some(answer) = batch.requests.last().map(Answer::of) {
        {
            // The request moves from the batch into the handler's future
            // with no local in between: a local would keep a second slot
            // for it in this future's state (rust-lang/rust#62958).
            let mut reply = pin!(handler(next_request(&mut batch.requests)));
            let response = reply.as_mut().await;
            let now = *now.get_or_insert_with(Instant::now);
            // Checked after the handler: a request in flight when draining
            // began still gets its answer, with `Connection: close`.
            close = !answer.keep_alive || shutdown.is_draining();
            let connection = match (close, answer.version) {
                (true, _) => ConnectionHeader::Close,
                (false, Version::Http10) => ConnectionHeader::KeepAlive,
                (false, Version::Http11) => ConnectionHeader::Omit,
            };
            response.encode(&mut out, answer.head_only, connection, &date::at(now));
        }
        if let Some(counters) = counters {
            Counters::bump(&counters.requests);
        }
        // One unit of the runtime's budget per request answered: a read can
        // carry hundreds of pipelined requests, and answering them is the
        // connection's work, so a client that pipelines without pause
        // yields the thread like any other busy task (`consume_budget`
        // is the runtime's own knob for work that is not I/O).
        spindle::task::consume_budget().await;
        if close {
            break;
        }
    }
    batch.requests.clear();
    let now = *now.get_or_insert_with(Instant::now);
    if let (false, Some(reject)) = (close, batch.reject) {
        Response::new(reject.status()).encode(
            &mut out,
            false,
            ConnectionHeader::Close,
            &date::at(now),
        );
        close = true;
    }
    let written = send_all(stream, &out, config.stall_limit()).await;
    OUTPUT.give_back(out);
    written?;
    Ok((close, now))
}

/// The next request of a batch (kept in reverse order), whose [`Answer`]
/// the caller has just read from it.
///
/// # Panics
///
/// Panics if the batch is empty; `respond` only calls it after seeing the
/// request there.
fn next_request(requests: &mut Vec<Parsed>) -> Request {
    requests.pop().expect("the request just looked at").request
}

/// What encoding a request's response needs from the request, copied out
/// before the request moves into the handler.
#[derive(Debug, Clone, Copy)]
struct Answer {
    /// A `HEAD` request: the response goes without its body.
    head_only: bool,
    /// The request's version (an HTTP/1.0 keep-alive is announced).
    version: Version,
    /// Whether the request lets the connection stay open.
    keep_alive: bool,
}

impl Answer {
    /// What the response to `parsed` needs.
    fn of(parsed: &Parsed) -> Answer {
        Answer {
            head_only: parsed.request.method() == "HEAD",
            version: parsed.request.version(),
            keep_alive: parsed.keep_alive,
        }
    }
}

/// Answers with a reject's status and closes the connection.
async fn reject_and_close(
    mut stream: TcpStream,
    reject: Reject,
    config: &HttpConfig,
) -> io::Result<()> {
    let mut out = Vec::new();
    Response::new(reject.status()).encode(&mut out, false, ConnectionHeader::Close, &date::now());
    send_all(&mut stream, &out, config.stall_limit()).await?;
    linger_close(stream).await;
    Ok(())
}

/// Closes the connection without resetting it: FIN first, then read and
/// drop input until the client closes or [`LINGER`] passes.
async fn linger_close(stream: TcpStream) {
    if stream.shutdown(TcpShutdown::Write).is_err() {
        return; // already gone
    }
    let mut deadline = spindle::time::sleep(LINGER);
    loop {
        let mut readable = pin!(stream.readable());
        let timed_out = poll_fn(|cx| {
            if readable.as_mut().poll(cx).is_ready() {
                return Poll::Ready(false);
            }
            Pin::new(&mut deadline).poll(cx).map(|()| true)
        })
        .await;
        if timed_out {
            return;
        }
        match with_scratch(|buf| stream.try_read(buf)) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an idle connection holds, beyond the task around it and the
    /// kernel's socket: this future. A server with 10,000 idle keep-alive
    /// connections holds 10,000 of them, so it is kept under 1 KiB.
    #[test]
    fn an_idle_connection_future_is_under_1_kib() {
        spindle::block_on(async {
            let listener = spindle::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap();
            let client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let config = HttpConfig::from_config(&Config::default());
            let mut other = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let shutdown = Shutdown::new();
            println!(
                "respond {}",
                std::mem::size_of_val(&respond(
                    &mut other,
                    &crate::http::hello_world,
                    &mut Batch::default(),
                    &shutdown,
                    None,
                    &config,
                ))
            );
            let connection = serve(client, crate::http::hello_world, config);
            let size = std::mem::size_of_val(&connection);
            println!("an HTTP connection's future: {size} bytes");
            assert!(size <= 1024, "{size} bytes");
        });
    }
}
