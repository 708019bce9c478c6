//! The JSON object `loadgen` prints, which `compare` reads back.
//!
//! One line, one object. The first eight fields are the contract (see the
//! field docs); the rest help explain a bad row.

use serde::{Deserialize, Serialize};

/// The result of one `loadgen` run.
///
/// # Examples
///
/// ```
/// let line = r#"{"requests":10,"errors":0,"timeouts":0,"req_per_sec":5.0,
///     "p50_us":80,"p90_us":90,"p99_us":99,"p999_us":120,
///     "connected":1,"open_loop":false,"duration_s":2.0}"#;
/// let report: spindle_benches::report::LoadReport = serde_json::from_str(line).unwrap();
/// assert_eq!(report.requests, 10);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    /// Requests that completed (full response received) inside the measured
    /// window.
    pub requests: u64,
    /// Connections that failed over the whole run, warmup included: refused
    /// or reset, closed early, or answered with something unexpected.
    pub errors: u64,
    /// Connects or requests that passed their deadline over the whole run,
    /// warmup included, plus requests still waiting past it at the end.
    pub timeouts: u64,
    /// `requests` divided by the window's length in seconds.
    pub req_per_sec: f64,
    /// Median latency, microseconds (0 when no request completed).
    pub p50_us: u64,
    /// 90th percentile latency, microseconds.
    pub p90_us: u64,
    /// 99th percentile latency, microseconds.
    pub p99_us: u64,
    /// 99.9th percentile latency, microseconds.
    pub p999_us: u64,
    /// Connections that got at least one complete response.
    pub connected: u64,
    /// Whether the run was open loop (`--rate`): latencies then count from
    /// each request's intended send time.
    pub open_loop: bool,
    /// The measured window's length in seconds.
    pub duration_s: f64,
}
