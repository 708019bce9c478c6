//! One `loadgen` thread: a mio loop over its share of the connections.
//!
//! Each turn of the loop:
//!
//! 1. `epoll_wait` for at most [`TICK`] (less if the next open-loop request
//!    is due sooner), so the stop flag and deadlines are checked often;
//! 2. handle the events: finish connects, write the rest of requests, read
//!    responses, record latencies, and (closed loop) send the next request;
//! 3. open loop: queue every request whose scheduled time has come and hand
//!    queued requests, oldest first, to the connections that have been idle
//!    longest, so the load is spread over all of them;
//! 4. every [`SCAN`], fail connects and requests past their deadline;
//! 5. reconnect slots that are down and whose back-off has passed.
//!
//! Reconnects happen only in step 5, after the batch of events, so an event
//! left over for a socket closed earlier in the same batch can never be
//! mistaken for its replacement's (they share the slot's `Token`).

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use mio::{Events, Poll, Token};
use spindle_benches::Mode;

use crate::conn::{Conn, Failure, ReadOutcome, State, HTTP_REQUEST};

/// The longest `epoll_wait`: how quickly a worker notices the stop flag.
const TICK: Duration = Duration::from_millis(10);

/// How often deadlines are checked. Scanning 10,000 slots takes a few
/// microseconds; every 50 ms is plenty for deadlines of a second or more.
const SCAN: Duration = Duration::from_millis(50);

/// Wait before reconnecting after an error, so a refused port costs a
/// connect every 10 ms per slot rather than a spin.
const BACKOFF: Duration = Duration::from_millis(10);

/// Bytes read per `read` call. Larger than any response, so a short read
/// reliably means "drained".
const SCRATCH: usize = 64 * 1024;

/// Everything a worker needs to know, fixed before it starts.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The server.
    pub(crate) addr: SocketAddr,
    /// The protocol.
    pub(crate) mode: Mode,
    /// This worker's number of connections.
    pub(crate) connections: usize,
    /// Echo message size.
    pub(crate) payload: usize,
    /// Requests per batch (1: no pipelining). A batch is written at once
    /// and complete when every one of its responses has arrived.
    pub(crate) pipeline: usize,
    /// Open loop: this worker's requests per second.
    pub(crate) rate: Option<f64>,
    /// Deadline for each connect and request.
    pub(crate) timeout: Duration,
    /// One request per connection, then silence.
    pub(crate) idle: bool,
    /// Never sleep in `epoll_wait`: poll with a zero timeout, burning this
    /// thread's CPU so that a response is seen without a wake-up.
    pub(crate) spin: bool,
    /// The measured window `[start, end)`; only completions inside count.
    pub(crate) window: (Instant, Instant),
    /// Set by the main thread when the run is over.
    pub(crate) stop: Arc<AtomicBool>,
    /// Connections (over all workers) that have had a first response; the
    /// main thread watches it in idle mode.
    pub(crate) answered: Arc<AtomicUsize>,
}

/// A worker's counts, merged by the main thread.
#[derive(Debug)]
pub(crate) struct Totals {
    /// Responses completed inside the window (a batch of N counts N).
    pub(crate) requests: u64,
    /// Connections torn down by errors.
    pub(crate) errors: u64,
    /// Connects and requests past their deadline.
    pub(crate) timeouts: u64,
    /// Live connections that have had at least one response, at the end.
    pub(crate) connected: u64,
    /// Latencies in microseconds of the requests counted in `requests`.
    pub(crate) latency_us: Histogram<u64>,
}

impl Totals {
    /// Empty totals with a histogram from 1 µs to 100 s, 3 significant digits.
    pub(crate) fn new() -> Totals {
        Totals {
            requests: 0,
            errors: 0,
            timeouts: 0,
            connected: 0,
            latency_us: Histogram::new_with_bounds(1, 100_000_000, 3)
                .expect("static histogram bounds are valid"),
        }
    }

    /// Adds `other` into `self`.
    pub(crate) fn merge(&mut self, other: Totals) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        self.connected += other.connected;
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.latency_us.add(&other.latency_us);
    }
}

/// One load-generating thread.
#[derive(Debug)]
pub(crate) struct Worker {
    /// What to do.
    plan: Plan,
    /// This thread's epoll instance.
    poll: Poll,
    /// The connection slots; slot `i` is registered as `Token(i)`.
    conns: Vec<Conn>,
    /// The bytes of one request, or of one batch of `pipeline` requests.
    request: Vec<u8>,
    /// The counts so far.
    totals: Totals,
    /// Open loop: the scheduled times of requests not yet sent, oldest first.
    queue: VecDeque<Instant>,
    /// Open loop: the time the next request is scheduled for.
    next_scheduled: Instant,
    /// Open loop: idle connections ready to take a queued request, in the
    /// order they became idle. A queue, not a stack: taking the connection
    /// that has waited longest spreads the sends over every connection. A
    /// stack would hand nearly every request to the one connection freed
    /// last, and at a modest rate the other connections would sit silent,
    /// so the run would measure one busy connection, not N.
    free: VecDeque<usize>,
}

impl Worker {
    /// Creates the worker's epoll instance and connection slots.
    pub(crate) fn new(plan: Plan) -> io::Result<Worker> {
        let now = Instant::now();
        let one: Vec<u8> = match plan.mode {
            Mode::Http => HTTP_REQUEST.to_vec(),
            Mode::Echo => (0..plan.payload).map(|i| b'a' + (i % 26) as u8).collect(),
        };
        let request = one.repeat(plan.pipeline.max(1));
        Ok(Worker {
            poll: Poll::new()?,
            conns: (0..plan.connections).map(|_| Conn::new(now)).collect(),
            request,
            totals: Totals::new(),
            queue: VecDeque::new(),
            next_scheduled: now,
            free: VecDeque::new(),
            plan,
        })
    }

    /// Runs until the stop flag is set; returns the counts.
    pub(crate) fn run(mut self) -> Totals {
        let mut events = Events::with_capacity(1024);
        let mut scratch = vec![0u8; SCRATCH];
        let mut last_scan = Instant::now();
        self.reconnect(Instant::now());
        while !self.plan.stop.load(Ordering::Relaxed) {
            let mut wait = if self.plan.spin { Duration::ZERO } else { TICK };
            if self.plan.rate.is_some() {
                wait = wait.min(
                    self.next_scheduled
                        .saturating_duration_since(Instant::now()),
                );
                // epoll_wait counts in whole milliseconds (mio rounds up):
                // closer than that to the next send, spin instead of
                // oversleeping, so requests leave on schedule.
                if wait < Duration::from_millis(1) {
                    wait = Duration::ZERO;
                }
            }
            if let Err(err) = self.poll.poll(&mut events, Some(wait)) {
                if err.kind() != io::ErrorKind::Interrupted {
                    eprintln!("loadgen: epoll_wait failed: {err}");
                    self.totals.errors += 1;
                    break;
                }
            }
            for event in events.iter() {
                self.on_event(event.token().0, event.is_read_closed(), &mut scratch);
            }
            let now = Instant::now();
            if self.plan.rate.is_some() {
                self.dispatch_scheduled(now);
            }
            if now - last_scan >= SCAN {
                self.expire(now);
                last_scan = now;
            }
            self.reconnect(now);
        }
        self.finish()
    }

    /// Handles readiness on slot `i`.
    fn on_event(&mut self, i: usize, read_closed: bool, scratch: &mut [u8]) {
        let now = Instant::now();
        let conn = &mut self.conns[i];
        match conn.state {
            State::Down => {}
            State::Connecting => match conn.finish_connect() {
                Ok(true) => self.on_idle(i, now),
                Ok(false) => {}
                Err(_) => self.fail(i, Failure::Error, now),
            },
            State::Idle | State::Busy => {
                if let Err(_e) = conn.write_more(&self.request) {
                    return self.fail(i, Failure::Error, now);
                }
                let (mode, batch) = (self.plan.mode, self.plan.pipeline);
                match conn.read(mode, &self.request, batch, read_closed, scratch) {
                    ReadOutcome::Pending => {}
                    ReadOutcome::Failed => self.fail(i, Failure::Error, now),
                    ReadOutcome::Complete => self.on_complete(i, Instant::now()),
                }
            }
        }
    }

    /// Records a completed response on slot `i` and decides what it does next.
    fn on_complete(&mut self, i: usize, now: Instant) {
        let conn = &mut self.conns[i];
        if !conn.answered {
            conn.answered = true;
            self.plan.answered.fetch_add(1, Ordering::Relaxed);
        }
        let (start, end) = self.plan.window;
        if !self.plan.idle && now >= start && now < end {
            self.totals.requests += self.plan.pipeline as u64;
            let micros = (now - conn.intended).as_micros().max(1);
            let _ = self
                .totals
                .latency_us
                .record(u64::try_from(micros).unwrap_or(u64::MAX));
        }
        self.on_idle(i, now);
    }

    /// Slot `i` is connected with nothing in flight: give it work.
    fn on_idle(&mut self, i: usize, now: Instant) {
        if self.plan.idle {
            // One request per connection; after that, silence.
            if !self.conns[i].answered {
                self.send(i, now, now);
            }
        } else if self.plan.rate.is_some() {
            match self.queue.pop_front() {
                Some(scheduled) => self.send(i, scheduled, now),
                None => self.free.push_back(i),
            }
        } else {
            self.send(i, now, now); // closed loop: straight away
        }
    }

    /// Sends a request on slot `i`, scheduled for `intended`.
    fn send(&mut self, i: usize, intended: Instant, now: Instant) {
        let deadline = now + self.plan.timeout;
        if self.conns[i]
            .start_request(&self.request, intended, deadline)
            .is_err()
        {
            self.fail(i, Failure::Error, now);
        }
    }

    /// Open loop: queues requests whose time has come and hands them out.
    fn dispatch_scheduled(&mut self, now: Instant) {
        let Some(rate) = self.plan.rate else { return };
        let interval = Duration::from_secs_f64(1.0 / rate);
        while self.next_scheduled <= now {
            self.queue.push_back(self.next_scheduled);
            self.next_scheduled += interval;
        }
        while !self.queue.is_empty() {
            let Some(i) = self.free.pop_front() else {
                break;
            };
            if self.conns[i].state != State::Idle {
                continue; // failed since it was freed
            }
            let scheduled = self.queue.pop_front().expect("queue is not empty");
            self.send(i, scheduled, now);
        }
    }

    /// Fails every connect and request past its deadline.
    fn expire(&mut self, now: Instant) {
        for i in 0..self.conns.len() {
            let conn = &self.conns[i];
            let waiting = matches!(conn.state, State::Connecting | State::Busy);
            if waiting && conn.deadline <= now {
                self.fail(i, Failure::Timeout, now);
            }
        }
    }

    /// Counts a failure on slot `i`, resets its socket and schedules a reconnect.
    fn fail(&mut self, i: usize, failure: Failure, now: Instant) {
        match failure {
            Failure::Error => self.totals.errors += 1,
            Failure::Timeout => self.totals.timeouts += 1,
        }
        let retry = if failure == Failure::Error {
            now + BACKOFF
        } else {
            now
        };
        self.conns[i].close(retry);
    }

    /// Connects every `Down` slot whose back-off has passed.
    fn reconnect(&mut self, now: Instant) {
        for i in 0..self.conns.len() {
            let conn = &mut self.conns[i];
            if conn.state != State::Down || conn.retry_at > now {
                continue;
            }
            let deadline = now + self.plan.timeout;
            if conn
                .connect(self.plan.addr, self.poll.registry(), Token(i), deadline)
                .is_err()
            {
                self.fail(i, Failure::Error, now);
            }
        }
    }

    /// Ends the run: counts live connections and overdue requests, resets
    /// every socket.
    fn finish(mut self) -> Totals {
        let now = Instant::now();
        for conn in &mut self.conns {
            match conn.state {
                State::Idle | State::Busy if conn.answered => self.totals.connected += 1,
                _ => {}
            }
            let waiting = matches!(conn.state, State::Connecting | State::Busy);
            if waiting && conn.deadline <= now {
                self.totals.timeouts += 1;
            }
            conn.close(now);
        }
        self.totals
    }
}
