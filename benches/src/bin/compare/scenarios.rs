//! The measurements `compare` makes, each on a fresh server process.
//!
//! - [`load_cell`]: one contender × mode × connection count under closed-loop
//!   load (or open loop at a fixed rate, or pipelined): throughput, latency, server CPU
//!   per request, system calls per request, peak RSS.
//! - [`idle_cpu`]: the server's CPU use while N connections sit open and
//!   silent (an event loop sleeps; a busy-poll loop burns a core).
//! - [`memory`]: resident memory per held keep-alive connection.

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use spindle_benches::report::LoadReport;
use spindle_benches::Mode;

use crate::loadgen::{self, Marker};
use crate::perf;
use crate::procfs;
use crate::server::{Cpus, Server};

/// What every scenario needs: where things are and how long to run.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// The `loadgen` binary.
    pub(crate) loadgen: PathBuf,
    /// CPU assignment.
    pub(crate) cpus: Cpus,
    /// Threads `loadgen` runs (one per load CPU).
    pub(crate) loadgen_threads: usize,
    /// Measured window per cell, seconds.
    pub(crate) duration: f64,
    /// Warmup per cell, seconds.
    pub(crate) warmup: f64,
    /// `loadgen`'s per-request deadline, seconds.
    pub(crate) timeout: f64,
    /// Whether `perf stat` can count system calls.
    pub(crate) perf: bool,
    /// Whether `loadgen` busy-polls during load cells (`--spin`).
    pub(crate) spin: bool,
}

/// How `loadgen` drives a [`load_cell`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Load {
    /// Closed loop, one request in flight per connection.
    Closed,
    /// Open loop at this many requests per second over all connections.
    Open(f64),
    /// Closed loop with batches of this many pipelined requests.
    Pipelined(usize),
}

/// The result of one [`load_cell`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CellOutcome {
    /// What `loadgen` saw.
    pub(crate) load: LoadReport,
    /// Server CPU time per completed request, µs.
    pub(crate) cpu_us_per_req: Option<f64>,
    /// Server CPU use over the window, percent of one CPU.
    pub(crate) cpu_percent: Option<f64>,
    /// Server system calls per completed request.
    pub(crate) syscalls_per_req: Option<f64>,
    /// CPU time that other processes took on the server's CPUs during the
    /// window, percent of the window (noise from a shared machine). `None`
    /// when the server is not pinned.
    pub(crate) other_cpu_percent: Option<f64>,
    /// Server peak RSS (`VmHWM`) at the end of the cell, KiB.
    pub(crate) peak_rss_kib: Option<u64>,
    /// Whether the server was still running at the end.
    pub(crate) survived: bool,
}

/// Runs one cell against a fresh `exe` server, driven as `load` says.
pub(crate) fn load_cell(
    ctx: &Ctx,
    exe: &Path,
    extra: &[String],
    mode: Mode,
    connections: usize,
    load: Load,
    log: &Path,
) -> Result<CellOutcome, String> {
    let mut server = Server::start(exe, mode, extra, &ctx.cpus, log).map_err(|e| e.to_string())?;
    let pid = server.pid();
    let mut args = loadgen_args(
        ctx,
        &server,
        mode,
        connections,
        ctx.warmup,
        ctx.duration,
        false,
    );
    match load {
        Load::Closed => {}
        Load::Open(rate) => args.extend(["--rate".to_string(), format!("{:.0}", rate.max(1.0))]),
        Load::Pipelined(depth) => args.extend(["--pipeline".to_string(), depth.to_string()]),
    }
    let planned = Duration::from_secs_f64(ctx.warmup + ctx.duration);
    let mut cpu = (None, None);
    let mut busy = (None, None);
    let mut times = (Instant::now(), Instant::now());
    let mut perf_count = None;
    let load = loadgen::run(&ctx.loadgen, &args, planned, &mut |marker| match marker {
        Marker::WindowStart => {
            busy.0 = procfs::cpus_busy(&ctx.cpus.server);
            cpu.0 = procfs::cpu_time(pid);
            times.0 = Instant::now();
            if ctx.perf {
                perf_count = perf::start(pid, ctx.duration);
            }
        }
        Marker::WindowEnd => {
            cpu.1 = procfs::cpu_time(pid);
            busy.1 = procfs::cpus_busy(&ctx.cpus.server);
            times.1 = Instant::now();
        }
    })?;
    let window = (times.1 - times.0).as_secs_f64().max(1e-3);
    let other = match (busy, cpu) {
        ((Some(b0), Some(b1)), (Some(c0), Some(c1))) if !ctx.cpus.server.is_empty() => {
            let others = b1.saturating_sub(b0).as_secs_f64() - c1.saturating_sub(c0).as_secs_f64();
            Some((100.0 * others / window).max(0.0))
        }
        _ => None,
    };
    let syscalls = perf_count.and_then(perf::finish);
    let used = match cpu {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    let per_req = |total: f64| (load.requests > 0).then(|| total / load.requests as f64);
    Ok(CellOutcome {
        cpu_us_per_req: used.and_then(|d| per_req(d.as_secs_f64() * 1e6)),
        cpu_percent: used.map(|d| 100.0 * d.as_secs_f64() / window),
        syscalls_per_req: syscalls.and_then(|n| per_req(n as f64)),
        other_cpu_percent: other,
        peak_rss_kib: procfs::peak_rss_kib(pid),
        survived: server.is_alive(),
        load,
    })
}

/// The result of [`idle_cpu`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IdleOutcome {
    /// Connections that were open and answered when the window closed.
    pub(crate) held: u64,
    /// Server CPU over the idle window, percent of one CPU.
    pub(crate) cpu_percent: Option<f64>,
    /// Whether the server was still running at the end.
    pub(crate) survived: bool,
}

/// Opens `connections` connections (one request each), then measures the
/// server's CPU while they sit idle for `seconds`.
pub(crate) fn idle_cpu(
    ctx: &Ctx,
    exe: &Path,
    connections: usize,
    seconds: f64,
    log: &Path,
) -> Result<IdleOutcome, String> {
    let mut server =
        Server::start(exe, Mode::Http, &[], &ctx.cpus, log).map_err(|e| e.to_string())?;
    let pid = server.pid();
    // Up to 10 s to open them all; the window opens as soon as they are.
    let args = loadgen_args(ctx, &server, Mode::Http, connections, 10.0, seconds, true);
    let mut cpu = (None, None);
    let mut times = (Instant::now(), Instant::now());
    let load = loadgen::run(
        &ctx.loadgen,
        &args,
        Duration::from_secs_f64(10.0 + seconds),
        &mut |marker| match marker {
            Marker::WindowStart => {
                cpu.0 = procfs::cpu_time(pid);
                times.0 = Instant::now();
            }
            Marker::WindowEnd => {
                cpu.1 = procfs::cpu_time(pid);
                times.1 = Instant::now();
            }
        },
    )?;
    let cpu_percent = match cpu {
        (Some(a), Some(b)) => Some(
            100.0 * b.saturating_sub(a).as_secs_f64() / (times.1 - times.0).as_secs_f64().max(1e-3),
        ),
        _ => None,
    };
    Ok(IdleOutcome {
        held: load.connected,
        cpu_percent,
        survived: server.is_alive(),
    })
}

/// The result of [`memory`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MemoryOutcome {
    /// Connections that were open and answered when the window closed.
    pub(crate) held: u64,
    /// Server RSS before any connection, KiB.
    pub(crate) rss_before_kib: Option<u64>,
    /// Server RSS with the connections held, KiB.
    pub(crate) rss_with_kib: Option<u64>,
    /// `(rss_with - rss_before) / held`, bytes.
    pub(crate) bytes_per_conn: Option<f64>,
    /// Whether the server was still running at the end.
    pub(crate) survived: bool,
}

/// Holds `connections` keep-alive connections open (one request each) and
/// measures the server's resident memory per connection.
pub(crate) fn memory(
    ctx: &Ctx,
    exe: &Path,
    connections: usize,
    log: &Path,
) -> Result<MemoryOutcome, String> {
    let mut server =
        Server::start(exe, Mode::Http, &[], &ctx.cpus, log).map_err(|e| e.to_string())?;
    let pid = server.pid();
    thread::sleep(Duration::from_millis(200)); // let start-up allocations settle
    let rss_before = procfs::rss_kib(pid);
    // Up to 20 s to open them all, then 2 s held; RSS is read 1 s in.
    let args = loadgen_args(ctx, &server, Mode::Http, connections, 20.0, 2.0, true);
    let mut rss_with = None;
    let load = loadgen::run(
        &ctx.loadgen,
        &args,
        Duration::from_secs(22),
        &mut |marker| {
            if marker == Marker::WindowStart {
                thread::sleep(Duration::from_secs(1));
                rss_with = procfs::rss_kib(pid);
            }
        },
    )?;
    let bytes_per_conn = match (rss_before, rss_with) {
        (Some(a), Some(b)) if load.connected > 0 => {
            Some(b.saturating_sub(a) as f64 * 1024.0 / load.connected as f64)
        }
        _ => None,
    };
    Ok(MemoryOutcome {
        held: load.connected,
        rss_before_kib: rss_before,
        rss_with_kib: rss_with,
        bytes_per_conn,
        survived: server.is_alive(),
    })
}

/// The `loadgen` command line for a run against `server`.
pub(crate) fn loadgen_args(
    ctx: &Ctx,
    server: &Server,
    mode: Mode,
    connections: usize,
    warmup: f64,
    duration: f64,
    idle: bool,
) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "--addr".into(),
        server.addr.to_string(),
        "--mode".into(),
        mode.name().into(),
        "--connections".into(),
        connections.to_string(),
        "--warmup".into(),
        warmup.to_string(),
        "--duration".into(),
        duration.to_string(),
        "--timeout".into(),
        ctx.timeout.to_string(),
        "--threads".into(),
        ctx.loadgen_threads.to_string(),
    ];
    if idle {
        args.push("--idle".into());
    } else if ctx.spin {
        args.push("--spin".into());
    }
    args
}
