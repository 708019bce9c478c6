//! `loadgen`: the load generator every contender is measured with.
//!
//! It is written on mio and plain threads, deliberately not on spindle or
//! tokio, so it cannot flatter either runtime. Each thread runs one mio loop
//! over its share of the connections (see `worker.rs`); each connection
//! carries one request at a time, or one batch of `--pipeline N` (see
//! `conn.rs`).
//!
//! ```text
//! loadgen --addr HOST:PORT --mode http|echo --connections N --duration S
//!         [--warmup S] [--rate R] [--pipeline N] [--payload BYTES] [--threads T]
//!         [--timeout S] [--idle] [--spin]
//! ```
//!
//! - **Closed loop** (default): each connection sends a request, waits for
//!   the whole response, and sends the next. Throughput is what the server
//!   can sustain with N requests in flight; latency is per request.
//! - **Open loop** (`--rate R`): requests are *scheduled* at R per second in
//!   total, whatever the server does, and a request's latency counts from
//!   its scheduled time, not from when a free connection finally sent it.
//!   Each request goes to the connection that has been idle longest, so the
//!   load is spread over all N connections, not carried by the few that
//!   answered last.
//!   A server that stalls for 100 ms is charged for every request that
//!   should have gone out in those 100 ms: no coordinated omission (Gil
//!   Tene's term; wrk2 does the same).
//! - **Pipelined** (`--pipeline N`, closed loop): each connection writes N
//!   requests in one `write` (TechEmpower's plaintext test uses 16), waits
//!   for all N responses, and sends the next batch. Every response counts
//!   as one request; the latency recorded is the batch's round trip. With
//!   enough connections this makes the server, not the client, the
//!   bottleneck: one read and one write carry N requests.
//! - **Idle** (`--idle`): each connection makes one request, then stays open
//!   and silent; `compare` uses it to measure idle CPU and memory per
//!   connection.
//!
//! It never hangs: every connect and request has a deadline (`--timeout`,
//! default 2 s); one that passes it is counted as a timeout, the socket is
//! reset and reconnected. A server that starves clients (the iterative one
//! with more than one connection) shows up as timeouts, not as a stuck run.
//!
//! Requests are counted, and latencies recorded, only inside the measured
//! window `[warmup, warmup + duration)`. Errors and timeouts are counted
//! over the whole run, so a server that fails during the warmup is not
//! hidden. `loadgen: window start` and `loadgen: window end` are printed on
//! stderr as the window opens and closes, so `compare` can sample the
//! server's CPU time and system calls over exactly that window. The result
//! is one JSON object on stdout (see `spindle_benches::report::LoadReport`).

mod conn;
mod worker;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use spindle_benches::report::LoadReport;
use spindle_benches::{rlimit, Mode};

use crate::worker::{Plan, Totals, Worker};

/// Command line.
#[derive(Debug, Parser)]
#[command(about = "Closed- or open-loop HTTP/echo load generator on mio")]
struct Cli {
    /// The server's address.
    #[arg(long)]
    addr: SocketAddr,
    /// The protocol to speak.
    #[arg(long, value_enum, default_value_t = Mode::Http)]
    mode: Mode,
    /// Connections to open, in total over all threads.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Length of the measured window, seconds.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Seconds of load before the window opens (with `--idle`: the most
    /// time given to open the connections).
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Open loop: total requests per second, scheduled at fixed intervals.
    #[arg(long)]
    rate: Option<f64>,
    /// Requests per batch: each connection writes this many requests at
    /// once and waits for all their responses (closed loop only).
    #[arg(long, default_value_t = 1)]
    pipeline: usize,
    /// Echo message size in bytes.
    #[arg(long, default_value_t = 64)]
    payload: usize,
    /// Threads, each with its own mio loop and share of the connections.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Deadline for a connect or a request, seconds.
    #[arg(long, default_value_t = 2.0)]
    timeout: f64,
    /// One request per connection, then hold the connections idle.
    #[arg(long)]
    idle: bool,
    /// Busy-poll instead of sleeping in epoll_wait. On virtual machines a
    /// sleeping vCPU can take tens of microseconds or more to wake, which
    /// would be charged to the server; spinning keeps loadgen's CPU awake.
    #[arg(long)]
    spin: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = rlimit::raise_nofile() {
        eprintln!("loadgen: cannot raise the open-file limit: {err}");
    }
    if cli.connections == 0
        || cli.threads == 0
        || cli.duration <= 0.0
        || cli.payload == 0
        || cli.pipeline == 0
    {
        eprintln!(
            "loadgen: --connections, --threads, --duration, --payload and --pipeline must be positive"
        );
        return ExitCode::from(2);
    }
    if cli.rate.is_some() && cli.pipeline > 1 {
        eprintln!("loadgen: --pipeline is closed loop only; it cannot be combined with --rate");
        return ExitCode::from(2);
    }
    if cli.rate.is_some_and(|rate| rate <= 0.0) {
        eprintln!("loadgen: --rate must be positive");
        return ExitCode::from(2);
    }
    let report = run(&cli);
    println!(
        "{}",
        serde_json::to_string(&report).expect("a LoadReport always serializes")
    );
    ExitCode::SUCCESS
}

/// Runs the workers, opens and closes the window, and merges their totals.
fn run(cli: &Cli) -> LoadReport {
    let threads = cli.threads.min(cli.connections);
    let start = Instant::now();
    let window_start = start + Duration::from_secs_f64(cli.warmup.max(0.0));
    let window_end = window_start + Duration::from_secs_f64(cli.duration);
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));

    let mut handles = Vec::new();
    for t in 0..threads {
        // Spread connections and rate evenly; the first threads take the remainder.
        let connections = cli.connections / threads + usize::from(t < cli.connections % threads);
        let plan = Plan {
            addr: cli.addr,
            mode: cli.mode,
            connections,
            payload: cli.payload,
            pipeline: cli.pipeline,
            rate: cli.rate.map(|rate| rate / threads as f64),
            timeout: Duration::from_secs_f64(cli.timeout),
            idle: cli.idle,
            spin: cli.spin,
            window: (window_start, window_end),
            stop: stop.clone(),
            answered: answered.clone(),
        };
        handles.push(thread::spawn(move || Worker::new(plan).map(Worker::run)));
    }

    // Open the window. In idle mode it opens as soon as every connection
    // has its first answer (or the warmup runs out), then lasts `duration`.
    let window = if cli.idle {
        while answered.load(Ordering::Relaxed) < cli.connections && Instant::now() < window_start {
            thread::sleep(Duration::from_millis(5));
        }
        let opened = Instant::now();
        (opened, opened + Duration::from_secs_f64(cli.duration))
    } else {
        (window_start, window_end)
    };
    sleep_until(window.0);
    eprintln!("loadgen: window start");
    sleep_until(window.1);
    eprintln!("loadgen: window end");
    stop.store(true, Ordering::Relaxed);

    let mut totals = Totals::new();
    for handle in handles {
        match handle.join() {
            Ok(Ok(worker_totals)) => totals.merge(worker_totals),
            Ok(Err(err)) => {
                eprintln!("loadgen: a worker could not start: {err}");
                totals.errors += 1;
            }
            Err(_) => {
                eprintln!("loadgen: a worker panicked");
                totals.errors += 1;
            }
        }
    }
    report(&totals, cli, window.1 - window.0)
}

/// Turns merged totals into the JSON report.
fn report(totals: &Totals, cli: &Cli, window: Duration) -> LoadReport {
    let hist: &Histogram<u64> = &totals.latency_us;
    let pct = |q: f64| {
        if hist.is_empty() {
            0
        } else {
            hist.value_at_quantile(q)
        }
    };
    let seconds = window.as_secs_f64();
    LoadReport {
        requests: totals.requests,
        errors: totals.errors,
        timeouts: totals.timeouts,
        req_per_sec: if cli.idle {
            0.0
        } else {
            totals.requests as f64 / seconds
        },
        p50_us: pct(0.5),
        p90_us: pct(0.9),
        p99_us: pct(0.99),
        p999_us: pct(0.999),
        connected: totals.connected,
        open_loop: cli.rate.is_some(),
        duration_s: seconds,
    }
}

/// Sleeps until `deadline` (returns at once if it has passed).
fn sleep_until(deadline: Instant) {
    let now = Instant::now();
    if deadline > now {
        thread::sleep(deadline - now);
    }
}
