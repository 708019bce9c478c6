//! The fairness scenario: can one flooding connection hold the thread?
//!
//! A single-threaded server serves every connection from one loop. If the
//! loop keeps serving a connection for as long as it has data, one client
//! that never stops sending takes the thread, and every other client waits.
//! This scenario measures that wait, for every event-loop contender:
//!
//! 1. a fresh server, pinned as in every cell; a **probe** connection does
//!    one small round trip (a 64-byte echo, or one `GET`) every 2 ms for
//!    the phase's length, with nothing else going on: the quiet figures;
//! 2. a **flood** connection starts: one thread writes as fast as the
//!    socket takes it (64 KiB chunks of echo data, or 64 pipelined `GET`s
//!    per write, over and over) and another reads and throws away what the
//!    server sends back; after 100 ms to get it going the probe runs again
//!    for the same length: the flooded figures.
//!
//! The table gives the probe's p50, p99 and max round trip for both
//! phases, and how fast the flood went (MiB/s read back). A probe that
//! waits longer than `compare`'s request deadline fails the cell.
//!
//! # Measurement notes
//!
//! The probe and both flood threads run in `compare`'s own process on the
//! load generator's CPUs. On a 2-core machine they share one CPU, so the
//! flood threads are given the lowest scheduling priority (nice 19) and the
//! probe's wake-up is not queued behind them; what is left in the quiet
//! figures is the client's own floor. A probe round trip is sent at its
//! 2 ms tick or, after a slow one, at once: a stall of T shows as one
//! round trip of about T, not as T / 2 ms queued requests (this is a
//! latency probe, not an open-loop load).

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use spindle_benches::affinity::lower_current_thread_priority;
use spindle_benches::Mode;

use crate::report::{num, Outcome};
use crate::scenarios::Ctx;
use crate::server::{speaks, Server};

/// The contenders measured: the event loops (the blocking servers give each
/// connection its own thread or serve one at a time, and busy-poll is not
/// a loop that sleeps).
pub(crate) const EVENT_LOOPS: [&str; 6] = [
    "raw-mio",
    "tokio-current-thread",
    "hyper-tokio",
    "hyper-spindle",
    "spindle-runtime",
    "spindle-server",
];

/// Time between the starts of two probe round trips.
const PROBE_EVERY: Duration = Duration::from_millis(2);

/// The probe's echo message.
const PROBE_ECHO: &[u8] = &[b'p'; 64];

/// The probe's and the flood's HTTP request.
const GET: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: fairness\r\n\r\n";

/// `GET`s per flood write in HTTP mode.
const FLOOD_PIPELINE: usize = 64;

/// Bytes per flood write in echo mode, and the flood reader's buffer.
const FLOOD_CHUNK: usize = 64 * 1024;

/// Time the flood gets to fill the pipes before the flooded probe starts.
const FLOOD_RAMP: Duration = Duration::from_millis(100);

/// The probe's figures over one phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Probe {
    /// Round trips completed.
    pub(crate) samples: u64,
    /// Median round trip, µs.
    pub(crate) p50_us: u64,
    /// 99th percentile round trip, µs.
    pub(crate) p99_us: u64,
    /// Longest round trip, µs.
    pub(crate) max_us: u64,
}

/// The result of one fairness cell.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FairnessOutcome {
    /// The probe alone.
    pub(crate) quiet: Probe,
    /// The probe while the flood ran.
    pub(crate) flooded: Probe,
    /// What the flood read back, MiB/s, over the flooded phase.
    pub(crate) flood_mib_per_sec: f64,
    /// Whether the server was still running at the end.
    pub(crate) survived: bool,
}

/// One round of one contender × mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FairnessRun {
    /// Contender name.
    pub(crate) contender: String,
    /// Protocol.
    pub(crate) mode: Mode,
    /// Round number, from 1.
    pub(crate) round: usize,
    /// The figures, or why there are none.
    pub(crate) outcome: Outcome<FairnessOutcome>,
}

/// The medians of one contender × mode over its rounds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FairnessRow {
    /// Contender name.
    pub(crate) contender: String,
    /// Protocol.
    pub(crate) mode: Mode,
    /// `ok`, `missing`, or the first failure's message.
    pub(crate) status: String,
    /// Rounds that produced figures.
    pub(crate) rounds_ok: usize,
    /// Medians of the quiet phase's p50, p99 and max, µs.
    pub(crate) quiet: [Option<f64>; 3],
    /// Medians of the flooded phase's p50, p99 and max, µs.
    pub(crate) flooded: [Option<f64>; 3],
    /// Median flood rate, MiB/s.
    pub(crate) flood_mib_per_sec: Option<f64>,
}

/// Everything the fairness scenario measured, as written to `report.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct FairnessTable {
    /// Length of each phase, seconds.
    pub(crate) phase_secs: f64,
    /// Medians per contender and mode.
    pub(crate) rows: Vec<FairnessRow>,
    /// Every round.
    pub(crate) runs: Vec<FairnessRun>,
}

/// The fairness contenders among `contenders`, in their order.
pub(crate) fn contenders(contenders: &[String]) -> Vec<String> {
    contenders
        .iter()
        .filter(|c| EVENT_LOOPS.contains(&c.as_str()))
        .cloned()
        .collect()
}

/// Runs one fairness cell against a fresh `exe` server.
pub(crate) fn cell(
    ctx: &Ctx,
    exe: &Path,
    mode: Mode,
    phase: Duration,
    log: &Path,
) -> Result<FairnessOutcome, String> {
    let mut server = Server::start(exe, mode, &[], &ctx.cpus, log).map_err(|e| e.to_string())?;
    let deadline = Duration::from_secs_f64(ctx.timeout);
    let mut probe = connect(server.addr, deadline).map_err(|e| format!("probe connect: {e}"))?;
    let quiet = run_probe(&mut probe, mode, phase).map_err(|e| format!("quiet probe: {e}"))?;

    let flood = Flood::start(server.addr, mode).map_err(|e| format!("flood: {e}"))?;
    thread::sleep(FLOOD_RAMP);
    let read_before = flood.read.load(Ordering::Relaxed);
    let started = Instant::now();
    let flooded = run_probe(&mut probe, mode, phase);
    let flood_bytes = flood.read.load(Ordering::Relaxed) - read_before;
    let elapsed = started.elapsed().as_secs_f64().max(1e-3);
    flood.stop();
    let flooded = flooded.map_err(|e| format!("probe during the flood: {e}"))?;
    Ok(FairnessOutcome {
        quiet,
        flooded,
        flood_mib_per_sec: flood_bytes as f64 / elapsed / (1024.0 * 1024.0),
        survived: server.is_alive(),
    })
}

/// Connects with no Nagle delay and read/write deadlines of `deadline`.
fn connect(addr: SocketAddr, deadline: Duration) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, deadline)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(deadline))?;
    stream.set_write_timeout(Some(deadline))?;
    Ok(stream)
}

/// Does a round trip every [`PROBE_EVERY`] for `phase`; returns the figures.
fn run_probe(stream: &mut TcpStream, mode: Mode, phase: Duration) -> io::Result<Probe> {
    let mut hist: Histogram<u64> =
        Histogram::new_with_bounds(1, 100_000_000, 3).expect("static histogram bounds are valid");
    let mut answer = Vec::new();
    let end = Instant::now() + phase;
    let mut next = Instant::now();
    while next < end {
        let now = Instant::now();
        if next > now {
            thread::sleep(next - now);
        }
        let sent = Instant::now();
        round_trip(stream, mode, &mut answer)?;
        let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
        let _ = hist.record(micros.max(1));
        next += PROBE_EVERY;
        let now = Instant::now();
        if next < now {
            next = now; // behind after a slow round trip: go again at once
        }
    }
    Ok(Probe {
        samples: hist.len(),
        p50_us: hist.value_at_quantile(0.5),
        p99_us: hist.value_at_quantile(0.99),
        max_us: hist.max(),
    })
}

/// Sends one probe request and reads its whole answer into `answer`.
fn round_trip(stream: &mut TcpStream, mode: Mode, answer: &mut Vec<u8>) -> io::Result<()> {
    let request = match mode {
        Mode::Echo => PROBE_ECHO,
        Mode::Http => GET,
    };
    stream.write_all(request)?;
    answer.clear();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "server closed the probe",
            ));
        }
        answer.extend_from_slice(&buf[..n]);
        let done = match mode {
            Mode::Echo => answer.len() >= request.len(),
            Mode::Http => http_answer_complete(answer)?,
        };
        if done {
            return Ok(());
        }
    }
}

/// Whether `buf` holds one whole HTTP response (headers and
/// `Content-Length` bytes of body).
fn http_answer_complete(buf: &[u8]) -> io::Result<bool> {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(buf) {
        Ok(httparse::Status::Complete(head)) => {
            let body = response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| {
                    std::str::from_utf8(h.value)
                        .ok()?
                        .trim()
                        .parse::<usize>()
                        .ok()
                })
                .unwrap_or(0);
            Ok(buf.len() >= head + body)
        }
        Ok(httparse::Status::Partial) => Ok(false),
        Err(e) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad response: {e}"),
        )),
    }
}

/// The flooding client: a writer and a reader thread on one connection.
#[derive(Debug)]
struct Flood {
    /// The connection, shut down by [`Flood::stop`] to end both threads.
    stream: TcpStream,
    /// Tells both threads to stop.
    stop: Arc<AtomicBool>,
    /// Bytes the reader has read so far.
    read: Arc<AtomicU64>,
    /// The two threads.
    threads: Vec<thread::JoinHandle<()>>,
}

impl Flood {
    /// Connects and starts writing and reading.
    fn start(addr: SocketAddr, mode: Mode) -> io::Result<Flood> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
        stream.set_nodelay(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let read = Arc::new(AtomicU64::new(0));
        let chunk: Vec<u8> = match mode {
            Mode::Echo => vec![b'f'; FLOOD_CHUNK],
            Mode::Http => GET.repeat(FLOOD_PIPELINE),
        };
        let mut writer = stream.try_clone()?;
        let writer_stop = stop.clone();
        let write_thread = thread::spawn(move || {
            lower_current_thread_priority();
            while !writer_stop.load(Ordering::Relaxed) {
                if writer.write_all(&chunk).is_err() {
                    break;
                }
            }
        });
        let mut reader = stream.try_clone()?;
        let (reader_stop, counter) = (stop.clone(), read.clone());
        let read_thread = thread::spawn(move || {
            lower_current_thread_priority();
            let mut buf = vec![0u8; FLOOD_CHUNK];
            while !reader_stop.load(Ordering::Relaxed) {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        counter.fetch_add(n as u64, Ordering::Relaxed);
                    }
                }
            }
        });
        Ok(Flood {
            stream,
            stop,
            read,
            threads: vec![write_thread, read_thread],
        })
    }

    /// Stops both threads: the flag, then a shutdown that wakes a thread
    /// blocked in `read` or `write`.
    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.stream.shutdown(Shutdown::Both);
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

/// Builds one row per contender × mode from the runs.
pub(crate) fn summarize(table: &mut FairnessTable, contenders: &[String], modes: &[Mode]) {
    let mut rows = Vec::new();
    for &mode in modes {
        for contender in contenders.iter().filter(|c| speaks(c, mode)) {
            let cell: Vec<&FairnessRun> = table
                .runs
                .iter()
                .filter(|r| r.mode == mode && &r.contender == contender)
                .collect();
            let ok: Vec<&FairnessOutcome> = cell
                .iter()
                .filter_map(|r| match &r.outcome {
                    Outcome::Ok(o) => Some(o),
                    _ => None,
                })
                .collect();
            let status = if cell.iter().any(|r| matches!(r.outcome, Outcome::Missing)) {
                "missing".to_string()
            } else if let Some(msg) = cell.iter().find_map(|r| match &r.outcome {
                Outcome::Failed(msg) => Some(msg.clone()),
                _ => None,
            }) {
                format!("failed: {msg}")
            } else if ok.iter().any(|o| !o.survived) {
                "crashed".to_string()
            } else {
                "ok".to_string()
            };
            let med = |f: &dyn Fn(&FairnessOutcome) -> f64| {
                crate::report::median(ok.iter().map(|o| f(o)).collect())
            };
            rows.push(FairnessRow {
                contender: contender.clone(),
                mode,
                status,
                rounds_ok: ok.len(),
                quiet: [
                    med(&|o| o.quiet.p50_us as f64),
                    med(&|o| o.quiet.p99_us as f64),
                    med(&|o| o.quiet.max_us as f64),
                ],
                flooded: [
                    med(&|o| o.flooded.p50_us as f64),
                    med(&|o| o.flooded.p99_us as f64),
                    med(&|o| o.flooded.max_us as f64),
                ],
                flood_mib_per_sec: med(&|o| o.flood_mib_per_sec),
            });
        }
    }
    table.rows = rows;
}

/// Renders the table with its heading.
pub(crate) fn table(t: &FairnessTable) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "\n## Fairness: a probe every 2 ms, alone and beside one flooding connection ({} s each)\n",
        t.phase_secs
    );
    let _ = writeln!(
        md,
        "| mode | contender | quiet p50 µs | quiet p99 µs | quiet max µs | flooded p50 µs | flooded p99 µs | flooded max µs | flood MiB/s | status |"
    );
    let _ = writeln!(
        md,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    for r in &t.rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.mode.name(),
            r.contender,
            num(r.quiet[0], 0),
            num(r.quiet[1], 0),
            num(r.quiet[2], 0),
            num(r.flooded[0], 0),
            num(r.flooded[1], 0),
            num(r.flooded[2], 0),
            num(r.flood_mib_per_sec, 0),
            r.status,
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_answer_is_complete_with_its_body() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";
        assert!(http_answer_complete(ok).unwrap());
        assert!(!http_answer_complete(&ok[..ok.len() - 1]).unwrap());
        assert!(!http_answer_complete(&ok[..10]).unwrap());
        assert!(http_answer_complete(b"nonsense\r\n\r\n").is_err());
    }

    #[test]
    fn only_event_loops_are_probed() {
        let all: Vec<String> = ["blocking-threads", "busy-poll", "raw-mio", "spindle-server"]
            .map(String::from)
            .to_vec();
        assert_eq!(contenders(&all), ["raw-mio", "spindle-server"]);
    }

    #[test]
    fn rows_take_medians_and_table_shows_both_phases() {
        let probe = |p50, p99, max| Probe {
            samples: 100,
            p50_us: p50,
            p99_us: p99,
            max_us: max,
        };
        let run = |round, flooded_p99| FairnessRun {
            contender: "spindle-server".into(),
            mode: Mode::Echo,
            round,
            outcome: Outcome::Ok(FairnessOutcome {
                quiet: probe(30, 60, 90),
                flooded: probe(100, flooded_p99, 2 * flooded_p99),
                flood_mib_per_sec: 500.0,
                survived: true,
            }),
        };
        let mut t = FairnessTable {
            phase_secs: 1.0,
            rows: Vec::new(),
            runs: vec![run(1, 400), run(2, 900), run(3, 500)],
        };
        summarize(&mut t, &["spindle-server".to_string()], &[Mode::Echo]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].flooded[1], Some(500.0));
        let md = table(&t);
        assert!(
            md.contains("| echo | spindle-server | 30 | 60 | 90 | 100 | 500 | 1000 | 500 | ok |"),
            "{md}"
        );
    }
}
