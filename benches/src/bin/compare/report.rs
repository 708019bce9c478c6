//! Turning runs into the report: medians, ratios, Markdown and JSON.
//!
//! Each contender × mode × connection count ran once per round; a [`Row`]
//! holds the median of its successful rounds for every figure, the sum of
//! errors and timeouts over all rounds, and the ratio of its median
//! throughput to tokio-current-thread's and raw-mio's in the same cell.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use spindle_benches::Mode;

use crate::fairness::{self, FairnessTable};
use crate::open_loop::{self, OpenLoopTable};
use crate::pipelined::{self, PipelinedTable};
use crate::scenarios::{CellOutcome, IdleOutcome, MemoryOutcome};

/// How one attempt at a measurement ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", content = "detail", rename_all = "lowercase")]
pub(crate) enum Outcome<T> {
    /// It ran; here are the figures.
    Ok(T),
    /// The contender's binary does not exist (not built yet).
    Missing,
    /// It could not be measured; why.
    Failed(String),
}

impl<T> Outcome<T> {
    /// Runs `cell` with a contender's binary: `Missing` when it was not
    /// built (`exe` is `None`), else what the cell returned.
    pub(crate) fn of(
        exe: Option<std::path::PathBuf>,
        cell: impl FnOnce(&std::path::Path) -> Result<T, String>,
    ) -> Outcome<T> {
        match exe {
            None => Outcome::Missing,
            Some(exe) => match cell(&exe) {
                Ok(figures) => Outcome::Ok(figures),
                Err(why) => Outcome::Failed(why),
            },
        }
    }
}

/// One round of one cell.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CellRun {
    /// Contender name.
    pub(crate) contender: String,
    /// Protocol.
    pub(crate) mode: Mode,
    /// Connections `loadgen` opened.
    pub(crate) connections: usize,
    /// Round number, from 1.
    pub(crate) round: usize,
    /// The figures, or why there are none.
    pub(crate) outcome: Outcome<CellOutcome>,
}

/// The medians of one cell over its rounds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Row {
    /// Contender name.
    pub(crate) contender: String,
    /// Protocol.
    pub(crate) mode: Mode,
    /// Connections.
    pub(crate) connections: usize,
    /// `ok`, `missing`, or the first failure's message.
    pub(crate) status: String,
    /// Rounds that produced figures.
    pub(crate) rounds_ok: usize,
    /// Median requests per second.
    pub(crate) req_per_sec: Option<f64>,
    /// Median of the rounds' p50 latencies, µs.
    pub(crate) p50_us: Option<f64>,
    /// Median of the rounds' p99 latencies, µs.
    pub(crate) p99_us: Option<f64>,
    /// Median of the rounds' p99.9 latencies, µs.
    pub(crate) p999_us: Option<f64>,
    /// Median server CPU per request, µs.
    pub(crate) cpu_us_per_req: Option<f64>,
    /// Median server CPU use over the window, percent of one CPU.
    pub(crate) cpu_percent: Option<f64>,
    /// Median server system calls per request.
    pub(crate) syscalls_per_req: Option<f64>,
    /// Median server peak RSS, KiB.
    pub(crate) peak_rss_kib: Option<f64>,
    /// Median CPU taken by other processes on the server's CPU, percent.
    pub(crate) other_cpu_percent: Option<f64>,
    /// Errors over all rounds.
    pub(crate) errors: u64,
    /// Timeouts over all rounds.
    pub(crate) timeouts: u64,
    /// Fewest connections that got an answer, over the rounds.
    pub(crate) connected_min: Option<u64>,
    /// Throughput relative to tokio-current-thread in the same cell.
    pub(crate) vs_tokio: Option<f64>,
    /// Throughput relative to raw-mio in the same cell.
    pub(crate) vs_raw_mio: Option<f64>,
}

/// The idle-CPU figure of one contender.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IdleRow {
    /// Contender name.
    pub(crate) contender: String,
    /// Connections asked for.
    pub(crate) connections: usize,
    /// What happened.
    pub(crate) outcome: Outcome<IdleOutcome>,
}

/// The memory figure of one contender.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MemoryRow {
    /// Contender name.
    pub(crate) contender: String,
    /// Connections asked for.
    pub(crate) connections: usize,
    /// What happened.
    pub(crate) outcome: Outcome<MemoryOutcome>,
}

/// One `--scaling` point: spindle-server with N threads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ScalingRow {
    /// Server threads (and CPUs).
    pub(crate) threads: usize,
    /// Connections.
    pub(crate) connections: usize,
    /// What happened.
    pub(crate) outcome: Outcome<CellOutcome>,
}

/// Everything `compare` measured, as written to `report.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Report {
    /// How the run was set up, in words (machine, pinning, perf, settings).
    pub(crate) setup: Vec<String>,
    /// Per-cell medians.
    pub(crate) rows: Vec<Row>,
    /// Idle CPU per contender.
    pub(crate) idle: Vec<IdleRow>,
    /// Memory per connection per contender.
    pub(crate) memory: Vec<MemoryRow>,
    /// `--scaling` results.
    pub(crate) scaling: Vec<ScalingRow>,
    /// The open-loop latency tables, one per mode.
    pub(crate) open_loop: Vec<OpenLoopTable>,
    /// The pipelined scenario, unless skipped (absent from older reports).
    #[serde(default)]
    pub(crate) pipelined: Option<PipelinedTable>,
    /// The fairness scenario, unless skipped (absent from older reports).
    #[serde(default)]
    pub(crate) fairness: Option<FairnessTable>,
    /// Every round of every cell.
    pub(crate) runs: Vec<CellRun>,
}

/// Builds one [`Row`] per contender × mode × connections from the runs.
pub(crate) fn summarize(
    runs: &[CellRun],
    contenders: &[String],
    modes: &[Mode],
    conns: &[usize],
) -> Vec<Row> {
    let mut rows = Vec::new();
    for &mode in modes {
        for &connections in conns {
            for contender in contenders {
                if !crate::server::speaks(contender, mode) {
                    continue;
                }
                let cell: Vec<&CellRun> = runs
                    .iter()
                    .filter(|r| {
                        r.mode == mode && r.connections == connections && &r.contender == contender
                    })
                    .collect();
                rows.push(row(contender, mode, connections, &cell));
            }
        }
    }
    // Ratios, once every row of a cell is known.
    let snapshot = rows.clone();
    for row in &mut rows {
        let base = |name: &str| {
            snapshot
                .iter()
                .find(|r| {
                    r.contender == name && r.mode == row.mode && r.connections == row.connections
                })
                .and_then(|r| r.req_per_sec)
                .filter(|&rps| rps > 0.0)
        };
        row.vs_tokio = row
            .req_per_sec
            .zip(base("tokio-current-thread"))
            .map(|(a, b)| a / b);
        row.vs_raw_mio = row.req_per_sec.zip(base("raw-mio")).map(|(a, b)| a / b);
    }
    rows
}

/// Summarizes the rounds of one cell.
fn row(contender: &str, mode: Mode, connections: usize, cell: &[&CellRun]) -> Row {
    let ok: Vec<&CellOutcome> = cell
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
    let med =
        |f: &dyn Fn(&CellOutcome) -> Option<f64>| median(ok.iter().filter_map(|o| f(o)).collect());
    Row {
        contender: contender.to_string(),
        mode,
        connections,
        status,
        rounds_ok: ok.len(),
        req_per_sec: med(&|o| Some(o.load.req_per_sec)),
        p50_us: med(&|o| (o.load.requests > 0).then_some(o.load.p50_us as f64)),
        p99_us: med(&|o| (o.load.requests > 0).then_some(o.load.p99_us as f64)),
        p999_us: med(&|o| (o.load.requests > 0).then_some(o.load.p999_us as f64)),
        cpu_us_per_req: med(&|o| o.cpu_us_per_req),
        cpu_percent: med(&|o| o.cpu_percent),
        syscalls_per_req: med(&|o| o.syscalls_per_req),
        peak_rss_kib: med(&|o| o.peak_rss_kib.map(|k| k as f64)),
        other_cpu_percent: med(&|o| o.other_cpu_percent),
        errors: ok.iter().map(|o| o.load.errors).sum(),
        timeouts: ok.iter().map(|o| o.load.timeouts).sum(),
        connected_min: ok.iter().map(|o| o.load.connected).min(),
        vs_tokio: None,
        vs_raw_mio: None,
    }
}

/// The median of `values` (mean of the middle two for an even count).
pub(crate) fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

/// Formats an optional number with `decimals` places, or `n/a`.
pub(crate) fn num(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| format!("{v:.decimals$}"))
}

/// Formats a ratio as `1.23×`, or `–`.
pub(crate) fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.2}×"))
}

/// Renders the whole report as Markdown.
pub(crate) fn markdown(report: &Report, chart: &str) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# spindle: compare\n");
    for line in &report.setup {
        let _ = writeln!(md, "- {line}");
    }
    let _ = writeln!(
        md,
        "\nChart: `{chart}` (throughput and p99 against connections).\n"
    );
    let _ = writeln!(md, "## Load (closed loop, medians over rounds)\n");
    md.push_str(&table(&report.rows));
    for t in &report.open_loop {
        md.push_str(&open_loop::table(t));
    }
    if let Some(t) = &report.pipelined {
        md.push_str(&pipelined::table(t));
    }
    if let Some(t) = &report.fairness {
        md.push_str(&fairness::table(t));
    }
    if !report.idle.is_empty() {
        let _ = writeln!(
            md,
            "\n## Idle connections: server CPU while they sit silent\n"
        );
        let _ = writeln!(
            md,
            "| contender | connections | held | server CPU | status |"
        );
        let _ = writeln!(md, "| --- | ---: | ---: | ---: | --- |");
        for row in &report.idle {
            let (held, cpu, status) = match &row.outcome {
                Outcome::Ok(o) => (
                    o.held.to_string(),
                    format!("{}%", num(o.cpu_percent, 1)),
                    if o.survived {
                        "ok".to_string()
                    } else {
                        "crashed".to_string()
                    },
                ),
                Outcome::Missing => ("–".into(), "–".into(), "missing".into()),
                Outcome::Failed(msg) => ("–".into(), "–".into(), format!("failed: {msg}")),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {held} | {cpu} | {status} |",
                row.contender, row.connections
            );
        }
    }
    if !report.memory.is_empty() {
        let _ = writeln!(
            md,
            "\n## Memory: idle keep-alive connections held open (one request each)\n"
        );
        let _ = writeln!(md, "| contender | connections | held | RSS before (KiB) | RSS with (KiB) | bytes / connection | status |");
        let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        for row in &report.memory {
            let cells = match &row.outcome {
                Outcome::Ok(o) => [
                    o.held.to_string(),
                    o.rss_before_kib.map_or("n/a".into(), |k| k.to_string()),
                    o.rss_with_kib.map_or("n/a".into(), |k| k.to_string()),
                    num(o.bytes_per_conn, 0),
                    if !o.survived {
                        "crashed".to_string()
                    } else if (o.held as usize) < row.connections {
                        "did not hold them all".to_string()
                    } else {
                        "ok".to_string()
                    },
                ],
                Outcome::Missing => [
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    "missing".into(),
                ],
                Outcome::Failed(msg) => [
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    format!("failed: {msg}"),
                ],
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                row.contender,
                row.connections,
                cells.join(" | ")
            );
        }
    }
    if !report.scaling.is_empty() {
        let _ = writeln!(
            md,
            "\n## Scaling: spindle-server --threads N on N CPUs (http)\n"
        );
        let _ = writeln!(md, "| threads | connections | req/s | p99 µs | status |");
        let _ = writeln!(md, "| ---: | ---: | ---: | ---: | --- |");
        for row in &report.scaling {
            let (rps, p99, status) = match &row.outcome {
                Outcome::Ok(o) => (
                    format!("{:.0}", o.load.req_per_sec),
                    o.load.p99_us.to_string(),
                    "ok".to_string(),
                ),
                Outcome::Missing => ("–".into(), "–".into(), "missing".into()),
                Outcome::Failed(msg) => ("–".into(), "–".into(), format!("failed: {msg}")),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {rps} | {p99} | {status} |",
                row.threads, row.connections
            );
        }
    }
    md.push_str(NOTES);
    md
}

/// The main table: one line per contender × mode × connections.
pub(crate) fn table(rows: &[Row]) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| mode | conns | contender | req/s | ×tokio | ×raw-mio | p50 µs | p99 µs | p99.9 µs | CPU µs/req | syscalls/req | peak RSS KiB | answered conns | errors | timeouts | noise % | status |"
    );
    let _ = writeln!(md, "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.mode.name(),
            r.connections,
            r.contender,
            num(r.req_per_sec, 0),
            ratio(r.vs_tokio),
            ratio(r.vs_raw_mio),
            num(r.p50_us, 0),
            num(r.p99_us, 0),
            num(r.p999_us, 0),
            num(r.cpu_us_per_req, 2),
            num(r.syscalls_per_req, 2),
            num(r.peak_rss_kib, 0),
            r.connected_min.map_or("–".into(), |c| c.to_string()),
            r.errors,
            r.timeouts,
            num(r.other_cpu_percent, 0),
            r.status,
        );
    }
    md
}

/// How to read the figures, appended to the Markdown report.
const NOTES: &str = "
## How to read this

- Every cell starts a fresh server process on port 0, pinned to its own CPU;
  `loadgen` (mio, not spindle or tokio) runs pinned to the other CPUs.
  Contenders run interleaved (A B C … A B C …) so drift in the machine hits
  all of them alike.
- req/s and latencies come from `loadgen`'s measured window (after the
  warmup). Latency is per request, send to full response, closed loop.
- CPU µs/req: the server's utime + stime over the window (`/proc/PID/stat`,
  10 ms ticks) divided by the requests completed in it.
- syscalls/req: `perf stat -e raw_syscalls:sys_enter -p PID` over a span of
  the window's length starting when it opens, divided by the requests.
  `n/a` where perf is not permitted or not installed.
- peak RSS: `VmHWM` at the end of the cell.
- answered conns: the fewest connections that had received a response at
  the end of a round. Below `conns`, the server starved some clients: the
  iterative server serves one connection at a time, the others wait in the
  backlog until their requests time out (`timeouts`, deadline per request).
- errors and timeouts are summed over all rounds and include the warmup.
- Open loop: `loadgen --rate R` schedules R requests per second in total,
  spread over the connections whatever the server does, and counts each
  latency from the request's *scheduled* send time, so a stall is charged
  to every request queued behind it. R is half of tokio-current-thread's
  median closed-loop req/s at that connection count; the goal is a p99 at
  or below tokio's (p99 ×tokio ≤ 1.00×). blocking-iterative is left out:
  it serves one connection at a time. achieved req/s well below R means the
  server fell behind (or requests timed out).
- Pipelined: `loadgen --pipeline 16` writes 16 requests at once on each
  connection and waits for all 16 answers; every answer counts as a
  request, and the latency columns are a batch's round trip.
- Fairness: a probe connection does one round trip every 2 ms, first
  alone (quiet), then while a second connection floods the server (echo:
  64 KiB writes as fast as they go; http: 64 pipelined GETs per write),
  its answers read and thrown away. A flooded p99 far above the quiet one
  means one connection can hold the thread.
- noise %: CPU time that *other* processes took on the server's CPU during
  the window (`/proc/stat` busy time minus the server's own). Anything
  above a few percent means the machine was shared and the row is suspect.
";

#[cfg(test)]
mod tests {
    use super::*;
    use spindle_benches::report::LoadReport;

    /// A successful run of `contender` at `rps` requests per second.
    fn ok_run(contender: &str, round: usize, rps: f64) -> CellRun {
        CellRun {
            contender: contender.into(),
            mode: Mode::Http,
            connections: 1,
            round,
            outcome: Outcome::Ok(CellOutcome {
                load: LoadReport {
                    requests: 10,
                    req_per_sec: rps,
                    ..LoadReport::default()
                },
                cpu_us_per_req: None,
                cpu_percent: None,
                syscalls_per_req: None,
                other_cpu_percent: None,
                peak_rss_kib: None,
                survived: true,
            }),
        }
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }

    #[test]
    fn rows_take_medians_and_ratios_to_tokio_and_raw_mio() {
        let runs = vec![
            ok_run("raw-mio", 1, 200.0),
            ok_run("tokio-current-thread", 1, 100.0),
            ok_run("busy-poll", 1, 50.0),
            ok_run("busy-poll", 2, 70.0),
            ok_run("busy-poll", 3, 60.0),
            CellRun {
                contender: "spindle-server".into(),
                mode: Mode::Http,
                connections: 1,
                round: 1,
                outcome: Outcome::Missing,
            },
        ];
        let names: Vec<String> = [
            "raw-mio",
            "tokio-current-thread",
            "busy-poll",
            "spindle-server",
        ]
        .map(String::from)
        .to_vec();
        let rows = summarize(&runs, &names, &[Mode::Http], &[1]);
        let busy = rows.iter().find(|r| r.contender == "busy-poll").unwrap();
        assert_eq!(busy.req_per_sec, Some(60.0));
        assert_eq!(busy.vs_tokio, Some(0.6));
        assert_eq!(busy.vs_raw_mio, Some(0.3));
        let spindle = rows
            .iter()
            .find(|r| r.contender == "spindle-server")
            .unwrap();
        assert_eq!(spindle.status, "missing");
        assert!(table(&rows).contains("| spindle-server |"));
    }
}
