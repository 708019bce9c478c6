//! The pipelined scenario: TechEmpower's plaintext load, where the server
//! is the bottleneck.
//!
//! In a closed loop with one request in flight per connection, every
//! request costs the server a read and a write and the client as much, so
//! on a small machine the client often limits the rate. With 16 requests
//! per `write` over 256 connections (TechEmpower's settings), one read
//! brings the server 16 requests and one write takes back 16 answers, the
//! client's share per request falls sixteen-fold, and what is left to
//! measure is the server's own cost per request: parsing, routing,
//! encoding, and the runtime around them.
//!
//! For every contender that speaks HTTP except blocking-iterative (which
//! serves one connection at a time), interleaved in rounds, a fresh pinned
//! server per cell runs under `loadgen --pipeline 16 --connections 256`.
//! The table gives req/s (every response counts), CPU µs per request, and
//! req/s as ratios to tokio-current-thread, raw-mio and hyper-tokio. The
//! latency column is a *batch's* round trip (16 requests), not a request's.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use spindle_benches::Mode;

use crate::report::{self, num, ratio, CellRun, Row};

/// Requests per batch: TechEmpower's plaintext pipeline depth.
pub(crate) const DEPTH: usize = 16;

/// Connections in the full run: TechEmpower's lowest plaintext level.
pub(crate) const CONNECTIONS: usize = 256;

/// The contender left out: it serves one connection at a time, so 255 of
/// 256 connections would only time out.
pub(crate) const EXCLUDED: &str = "blocking-iterative";

/// The HTTP stack the goal compares against.
pub(crate) const HYPER: &str = "hyper-tokio";

/// The pipelined table, as written to `report.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PipelinedTable {
    /// Requests per batch.
    pub(crate) depth: usize,
    /// Connections `loadgen` opened.
    pub(crate) connections: usize,
    /// Medians per contender, in contender order.
    pub(crate) rows: Vec<PipelinedRow>,
    /// Every round of every cell.
    pub(crate) runs: Vec<CellRun>,
}

/// The medians of one contender's pipelined cell.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PipelinedRow {
    /// Medians over rounds, with req/s ratios to tokio and raw-mio.
    pub(crate) summary: Row,
    /// req/s relative to hyper-tokio's in the same table.
    pub(crate) vs_hyper_tokio: Option<f64>,
}

/// The contenders that run pipelined: those of `contenders` that speak
/// HTTP, but [`EXCLUDED`].
pub(crate) fn contenders(contenders: &[String]) -> Vec<String> {
    contenders
        .iter()
        .filter(|c| c.as_str() != EXCLUDED && crate::server::speaks(c, Mode::Http))
        .cloned()
        .collect()
}

/// Fills `table.rows` from `table.runs`.
pub(crate) fn summarize(table: &mut PipelinedTable, contenders: &[String]) {
    let rows = report::summarize(&table.runs, contenders, &[Mode::Http], &[table.connections]);
    let hyper = rows
        .iter()
        .find(|r| r.contender == HYPER)
        .and_then(|r| r.req_per_sec)
        .filter(|&rps| rps > 0.0);
    table.rows = rows
        .into_iter()
        .map(|summary| PipelinedRow {
            vs_hyper_tokio: summary.req_per_sec.zip(hyper).map(|(a, b)| a / b),
            summary,
        })
        .collect();
}

/// Renders the table with its heading.
pub(crate) fn table(t: &PipelinedTable) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "\n## Pipelined: {} requests per write over {} connections (http)\n",
        t.depth, t.connections
    );
    let _ = writeln!(
        md,
        "| contender | req/s | ×tokio | ×raw-mio | ×hyper-tokio | CPU µs/req | syscalls/req | batch p99 µs | errors | timeouts | noise % | status |"
    );
    let _ = writeln!(
        md,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    for row in &t.rows {
        let r = &row.summary;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.contender,
            num(r.req_per_sec, 0),
            ratio(r.vs_tokio),
            ratio(r.vs_raw_mio),
            ratio(row.vs_hyper_tokio),
            num(r.cpu_us_per_req, 2),
            num(r.syscalls_per_req, 3),
            num(r.p99_us, 0),
            r.errors,
            r.timeouts,
            num(r.other_cpu_percent, 0),
            r.status,
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Outcome;
    use crate::scenarios::CellOutcome;
    use spindle_benches::report::LoadReport;

    /// A successful round of `contender` at `rps`.
    fn ok_run(contender: &str, round: usize, rps: f64) -> CellRun {
        CellRun {
            contender: contender.into(),
            mode: Mode::Http,
            connections: 8,
            round,
            outcome: Outcome::Ok(CellOutcome {
                load: LoadReport {
                    requests: 160,
                    req_per_sec: rps,
                    p99_us: 700,
                    ..LoadReport::default()
                },
                cpu_us_per_req: Some(1.5),
                cpu_percent: None,
                syscalls_per_req: Some(0.125),
                other_cpu_percent: Some(0.0),
                peak_rss_kib: None,
                survived: true,
            }),
        }
    }

    #[test]
    fn only_http_speakers_but_the_iterative_server_run_pipelined() {
        let all: Vec<String> = ["blocking-iterative", "raw-mio", "hyper-tokio"]
            .map(String::from)
            .to_vec();
        assert_eq!(contenders(&all), ["raw-mio", "hyper-tokio"]);
    }

    #[test]
    fn table_gives_ratios_to_tokio_raw_mio_and_hyper() {
        let names: Vec<String> = [
            "raw-mio",
            "tokio-current-thread",
            "hyper-tokio",
            "spindle-server",
        ]
        .map(String::from)
        .to_vec();
        let mut t = PipelinedTable {
            depth: 16,
            connections: 8,
            rows: Vec::new(),
            runs: vec![
                ok_run("raw-mio", 1, 1_000_000.0),
                ok_run("tokio-current-thread", 1, 800_000.0),
                ok_run("hyper-tokio", 1, 200_000.0),
                ok_run("spindle-server", 1, 900_000.0),
                ok_run("spindle-server", 2, 1_100_000.0),
                ok_run("spindle-server", 3, 1_000_000.0),
            ],
        };
        summarize(&mut t, &names);
        let spindle = t
            .rows
            .iter()
            .find(|r| r.summary.contender == "spindle-server");
        let spindle = spindle.unwrap();
        assert_eq!(spindle.summary.req_per_sec, Some(1_000_000.0));
        assert_eq!(spindle.vs_hyper_tokio, Some(5.0));
        let md = table(&t);
        assert!(md.contains("## Pipelined: 16 requests per write over 8 connections"));
        assert!(
            md.contains("| spindle-server | 1000000 | 1.25× | 1.00× | 5.00× | 1.50 | 0.125 | 700 | 0 | 0 | 0 | ok |"),
            "{md}"
        );
    }
}
