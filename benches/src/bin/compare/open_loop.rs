//! The open-loop latency scenario: every contender at half of tokio's peak.
//!
//! Closed-loop cells ask "how fast can it go?"; this one asks "how does it
//! answer at a load it can comfortably carry?". The project's goal reads:
//! p99 at 50% of tokio's maximum rate (open loop) ≤ tokio's p99.
//!
//! For each mode, at one connection count (`--open-loop-connections`,
//! default 100):
//!
//! 1. the rate is [`OPEN_LOOP_FRACTION`] of tokio-current-thread's median
//!    closed-loop req/s in that cell ([`rate_from_rows`]); when the cell was
//!    not run, `compare` measures tokio's closed-loop peak there first;
//! 2. every contender except blocking-iterative (which serves one
//!    connection at a time and would starve the rest) runs under
//!    `loadgen --rate R --connections N`, interleaved in rounds, a fresh
//!    pinned server per cell;
//! 3. [`summarize`] takes the medians over rounds and each p99's ratio to
//!    tokio's; [`table`] renders them.
//!
//! `loadgen` counts each request's latency from its *scheduled* send time,
//! so a server that stalls is charged for every request that queued up
//! behind the stall (no coordinated omission).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use spindle_benches::Mode;

use crate::report::{self, num, ratio, CellRun, Outcome, Row};

/// The share of tokio's closed-loop peak the open-loop cells are offered:
/// the goal is stated at 50%, a load every event-loop contender carries
/// without queueing, so the figure is latency, not saturation.
pub(crate) const OPEN_LOOP_FRACTION: f64 = 0.5;

/// The reference contender whose peak sets the rate and whose p99 is the bar.
pub(crate) const REFERENCE: &str = "tokio-current-thread";

/// The contender left out: it serves one connection at a time, so with N
/// connections N − 1 of them time out and its p99 would only measure the
/// deadline.
pub(crate) const EXCLUDED: &str = "blocking-iterative";

/// One mode's open-loop table, as written to `report.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OpenLoopTable {
    /// Protocol.
    pub(crate) mode: Mode,
    /// Connections `loadgen` opened.
    pub(crate) connections: usize,
    /// tokio's closed-loop req/s the rate was taken from, if known.
    pub(crate) tokio_peak: Option<f64>,
    /// Where `tokio_peak` came from, in words (or why it is missing).
    pub(crate) basis: String,
    /// The offered rate, requests per second over all connections.
    pub(crate) rate: Option<f64>,
    /// Medians per contender, in contender order.
    pub(crate) rows: Vec<OpenLoopRow>,
    /// Every round of every open-loop cell.
    pub(crate) runs: Vec<CellRun>,
    /// tokio's closed-loop rounds measured for this table when the matrix
    /// had no cell to take the peak from; empty otherwise.
    pub(crate) peak_runs: Vec<CellRun>,
}

/// The medians of one contender's open-loop cell.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OpenLoopRow {
    /// Medians over rounds; `req_per_sec` is the achieved rate. Its
    /// throughput ratios are left empty: at a fixed offered rate they say
    /// nothing.
    pub(crate) summary: Row,
    /// This p99 divided by tokio's p99 in the same table; ≤ 1 meets the goal.
    pub(crate) p99_vs_tokio: Option<f64>,
}

/// The offered rate for `mode` at `connections`: [`OPEN_LOOP_FRACTION`] of
/// tokio's median closed-loop req/s in that cell, or `None` when that cell
/// has no figure (not run, or it failed every round).
pub(crate) fn rate_from_rows(rows: &[Row], mode: Mode, connections: usize) -> Option<f64> {
    peak_from_rows(rows, mode, connections).map(|peak| peak * OPEN_LOOP_FRACTION)
}

/// tokio's median closed-loop req/s for `mode` at `connections`, if positive.
pub(crate) fn peak_from_rows(rows: &[Row], mode: Mode, connections: usize) -> Option<f64> {
    rows.iter()
        .find(|r| r.contender == REFERENCE && r.mode == mode && r.connections == connections)
        .and_then(|r| r.req_per_sec)
        .filter(|&rps| rps > 0.0)
}

/// The contenders that run open loop: all of `contenders` but [`EXCLUDED`].
pub(crate) fn contenders(contenders: &[String]) -> Vec<String> {
    contenders
        .iter()
        .filter(|c| c.as_str() != EXCLUDED)
        .cloned()
        .collect()
}

/// Fills `table.rows` from `table.runs`: medians per contender and each
/// p99's ratio to tokio's.
pub(crate) fn summarize(table: &mut OpenLoopTable, contenders: &[String]) {
    let rows: Vec<Row> =
        report::summarize(&table.runs, contenders, &[table.mode], &[table.connections]);
    let tokio_p99 = rows
        .iter()
        .find(|r| r.contender == REFERENCE)
        .and_then(|r| r.p99_us)
        .filter(|&p| p > 0.0);
    table.rows = rows
        .into_iter()
        .map(|mut summary| {
            summary.vs_tokio = None;
            summary.vs_raw_mio = None;
            let p99_vs_tokio = summary.p99_us.zip(tokio_p99).map(|(a, b)| a / b);
            OpenLoopRow {
                summary,
                p99_vs_tokio,
            }
        })
        .collect();
}

/// Renders one table with its heading.
pub(crate) fn table(t: &OpenLoopTable) -> String {
    let mut md = String::new();
    let rate = num(t.rate, 0);
    let _ = writeln!(
        md,
        "\n## Open loop at {:.0}% of tokio's peak: {rate} req/s over {} connections ({})\n",
        OPEN_LOOP_FRACTION * 100.0,
        t.connections,
        t.mode.name(),
    );
    let _ = writeln!(md, "Rate basis: {}.\n", t.basis);
    if t.rate.is_none() {
        let _ = writeln!(md, "Not run: no rate to offer.");
        return md;
    }
    let _ = writeln!(
        md,
        "| contender | achieved req/s | p50 µs | p99 µs | p99 ×tokio | p99.9 µs | errors | timeouts | noise % | status |"
    );
    let _ = writeln!(
        md,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    for row in &t.rows {
        let r = &row.summary;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.contender,
            num(r.req_per_sec, 0),
            num(r.p50_us, 0),
            num(r.p99_us, 0),
            ratio(row.p99_vs_tokio),
            num(r.p999_us, 0),
            r.errors,
            r.timeouts,
            num(r.other_cpu_percent, 0),
            r.status,
        );
    }
    md
}

/// A table whose rate could not be set, for when tokio's peak is unknown.
pub(crate) fn unmeasured(mode: Mode, connections: usize, basis: String) -> OpenLoopTable {
    OpenLoopTable {
        mode,
        connections,
        tokio_peak: None,
        basis,
        rate: None,
        rows: Vec::new(),
        runs: Vec::new(),
        peak_runs: Vec::new(),
    }
}

/// The figures of one open-loop cell for `compare`'s progress line.
pub(crate) fn progress(outcome: &Outcome<crate::scenarios::CellOutcome>) -> String {
    match outcome {
        Outcome::Ok(o) => format!(
            "{:>9.0} req/s  p50 {:>6} µs  p99 {:>6} µs  p99.9 {:>6} µs  errors {} timeouts {}",
            o.load.req_per_sec,
            o.load.p50_us,
            o.load.p99_us,
            o.load.p999_us,
            o.load.errors,
            o.load.timeouts
        ),
        Outcome::Missing => "missing (binary not built)".to_string(),
        Outcome::Failed(msg) => format!("failed: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::CellOutcome;
    use spindle_benches::report::LoadReport;

    /// A successful round of `contender` at `connections` with `rps` and `p99`.
    fn ok_run(contender: &str, connections: usize, round: usize, rps: f64, p99: u64) -> CellRun {
        CellRun {
            contender: contender.into(),
            mode: Mode::Http,
            connections,
            round,
            outcome: Outcome::Ok(CellOutcome {
                load: LoadReport {
                    requests: 10,
                    req_per_sec: rps,
                    p50_us: p99 / 2,
                    p99_us: p99,
                    p999_us: p99 * 2,
                    open_loop: true,
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

    /// Names as `String`s.
    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rate_is_half_of_tokio_median_in_the_same_cell() {
        let runs = vec![
            ok_run("tokio-current-thread", 100, 1, 40_000.0, 900),
            ok_run("tokio-current-thread", 100, 2, 60_000.0, 900),
            ok_run("tokio-current-thread", 100, 3, 50_000.0, 900),
            ok_run("tokio-current-thread", 1, 1, 10_000.0, 90),
            ok_run("raw-mio", 100, 1, 90_000.0, 500),
        ];
        let contenders = names(&["raw-mio", "tokio-current-thread"]);
        let rows = report::summarize(&runs, &contenders, &[Mode::Http], &[1, 100]);
        assert_eq!(rate_from_rows(&rows, Mode::Http, 100), Some(25_000.0));
        assert_eq!(rate_from_rows(&rows, Mode::Http, 1), Some(5_000.0));
        // A cell that was not run, or a mode that was not: measure first.
        assert_eq!(rate_from_rows(&rows, Mode::Http, 16), None);
        assert_eq!(rate_from_rows(&rows, Mode::Echo, 100), None);
    }

    #[test]
    fn no_rate_when_tokio_is_missing_or_failed() {
        let runs = vec![
            ok_run("raw-mio", 100, 1, 90_000.0, 500),
            CellRun {
                contender: "tokio-current-thread".into(),
                mode: Mode::Http,
                connections: 100,
                round: 1,
                outcome: Outcome::Failed("no".into()),
            },
        ];
        let rows = report::summarize(
            &runs,
            &names(&["raw-mio", "tokio-current-thread"]),
            &[Mode::Http],
            &[100],
        );
        assert_eq!(rate_from_rows(&rows, Mode::Http, 100), None);
        let only_mio = report::summarize(&runs, &names(&["raw-mio"]), &[Mode::Http], &[100]);
        assert_eq!(rate_from_rows(&only_mio, Mode::Http, 100), None);
    }

    #[test]
    fn blocking_iterative_is_left_out() {
        let all = names(&["blocking-iterative", "raw-mio", "tokio-current-thread"]);
        assert_eq!(
            contenders(&all),
            names(&["raw-mio", "tokio-current-thread"])
        );
    }

    #[test]
    fn table_shows_rate_medians_and_p99_ratio_to_tokio() {
        let contenders = names(&["raw-mio", "tokio-current-thread", "spindle-server"]);
        let mut t = OpenLoopTable {
            mode: Mode::Http,
            connections: 100,
            tokio_peak: Some(50_000.0),
            basis: "tokio's closed-loop median".into(),
            rate: Some(25_000.0),
            rows: Vec::new(),
            runs: vec![
                ok_run("raw-mio", 100, 1, 24_990.0, 300),
                ok_run("tokio-current-thread", 100, 1, 25_010.0, 400),
                ok_run("spindle-server", 100, 1, 25_000.0, 380),
                ok_run("spindle-server", 100, 2, 25_000.0, 500),
                ok_run("spindle-server", 100, 3, 25_000.0, 420),
            ],
            peak_runs: Vec::new(),
        };
        summarize(&mut t, &contenders);
        let spindle = &t.rows[2];
        assert_eq!(spindle.summary.contender, "spindle-server");
        assert_eq!(spindle.summary.p99_us, Some(420.0));
        assert_eq!(spindle.p99_vs_tokio, Some(1.05));
        assert_eq!(spindle.summary.vs_tokio, None);
        let md = table(&t);
        assert!(
            md.contains(
                "## Open loop at 50% of tokio's peak: 25000 req/s over 100 connections (http)"
            ),
            "{md}"
        );
        assert!(
            md.contains("| raw-mio | 24990 | 150 | 300 | 0.75× | 600 | 0 | 0 | n/a | ok |"),
            "{md}"
        );
        assert!(md.contains("| tokio-current-thread | 25010 | 200 | 400 | 1.00× |"));
        assert!(md.contains("| spindle-server | 25000 | 210 | 420 | 1.05× |"));
    }

    #[test]
    fn table_without_a_rate_says_why() {
        let t = unmeasured(Mode::Echo, 100, "tokio-current-thread not run".into());
        let md = table(&t);
        assert!(md.contains("n/a req/s over 100 connections (echo)"), "{md}");
        assert!(md.contains("Rate basis: tokio-current-thread not run."));
        assert!(md.contains("Not run"));
    }
}
