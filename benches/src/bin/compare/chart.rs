//! `chart.svg`: throughput and p99 latency against connections, one line
//! per contender, one row of panels per mode, with the spread of the rounds.
//!
//! Each point is the median over the rounds of that cell (the figure the
//! tables give); a vertical whisker through it spans the lowest to the
//! highest round, so a reader sees at a glance which differences are
//! larger than the run-to-run noise and which are not. The contenders'
//! points at one connection count are set slightly apart sideways so their
//! whiskers do not hide each other.
//!
//! Drawn with plotters' SVG backend and its font-free text layout (no
//! system fonts or font libraries), so it builds anywhere. Both axes that
//! span orders of magnitude (connections, p99) are logarithmic.

use std::path::Path;

use plotters::prelude::*;
use spindle_benches::Mode;

use crate::report::{median, Outcome, Report};

/// Chart size in pixels.
const SIZE: (u32, u32) = (1400, 1000);

/// Sideways offset between neighbouring contenders' points, as a factor on
/// the (logarithmic) connections axis.
const SPREAD: f64 = 0.035;

/// One plotted point: a contender's cell, its median and its range.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    /// Contender name.
    pub(crate) contender: String,
    /// Connections.
    pub(crate) connections: usize,
    /// Median over the rounds.
    pub(crate) median: f64,
    /// Lowest round.
    pub(crate) min: f64,
    /// Highest round.
    pub(crate) max: f64,
}

/// The points of `metric` for `mode`: one per contender × connection count
/// with at least one successful round, from every round in `report.runs`.
pub(crate) fn points(report: &Report, mode: Mode, metric: Metric) -> Vec<Point> {
    let mut points = Vec::new();
    for row in report.rows.iter().filter(|r| r.mode == mode) {
        let values: Vec<f64> = report
            .runs
            .iter()
            .filter(|r| {
                r.mode == mode && r.connections == row.connections && r.contender == row.contender
            })
            .filter_map(|r| match &r.outcome {
                Outcome::Ok(o) if o.load.requests > 0 => Some(match metric {
                    Metric::Throughput => o.load.req_per_sec,
                    Metric::P99 => o.load.p99_us as f64,
                }),
                _ => None,
            })
            .filter(|v| *v > 0.0)
            .collect();
        let Some(mid) = median(values.clone()) else {
            continue;
        };
        points.push(Point {
            contender: row.contender.clone(),
            connections: row.connections,
            median: mid,
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(0.0, f64::max),
        });
    }
    points
}

/// Draws the chart for `report` into `path`.
pub(crate) fn draw(
    path: &Path,
    report: &Report,
    contenders: &[String],
    modes: &[Mode],
) -> Result<(), String> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let panels = root.split_evenly((modes.len().max(1), 2));
    for (m, &mode) in modes.iter().enumerate() {
        for (k, metric) in [Metric::Throughput, Metric::P99].into_iter().enumerate() {
            let points = points(report, mode, metric);
            panel(&panels[m * 2 + k], &points, contenders, mode, metric)
                .map_err(|e| e.to_string())?;
        }
    }
    root.present().map_err(|e| e.to_string())
}

/// What a panel plots on its y axis.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Metric {
    /// Median requests per second.
    Throughput,
    /// Median p99 latency, µs.
    P99,
}

/// Draws one panel: `metric` against connections for every contender.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    points: &[Point],
    contenders: &[String],
    mode: Mode,
    metric: Metric,
) -> Result<(), Box<dyn std::error::Error>> {
    let max_conns = points
        .iter()
        .map(|p| p.connections)
        .max()
        .unwrap_or(1)
        .max(2) as f64;
    let max_y = points.iter().map(|p| p.max).fold(1.0, f64::max) * 1.2;
    let min_y = points.iter().map(|p| p.min).fold(max_y, f64::min).max(1.0) / 1.5;
    let (title, y_desc) = match metric {
        Metric::Throughput => (
            format!("{}: requests/s (median, min–max of rounds)", mode.name()),
            "req/s",
        ),
        Metric::P99 => (
            format!("{}: p99 latency (µs, log; median, min–max)", mode.name()),
            "µs",
        ),
    };
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70);
    let x_range = (0.8..max_conns * 1.6).log_scale();
    match metric {
        Metric::Throughput => {
            let mut chart = builder.build_cartesian_2d(x_range, 0.0..max_y)?;
            chart
                .configure_mesh()
                .x_desc("connections")
                .y_desc(y_desc)
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_label_formatter(&|v| format!("{v:.0}"))
                .draw()?;
            series(&mut chart, points, contenders)?;
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
        }
        Metric::P99 => {
            let mut chart = builder.build_cartesian_2d(x_range, (min_y..max_y).log_scale())?;
            chart
                .configure_mesh()
                .x_desc("connections")
                .y_desc(y_desc)
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_label_formatter(&|v| format!("{v:.0}"))
                .draw()?;
            series(&mut chart, points, contenders)?;
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
        }
    }
    Ok(())
}

/// Draws, per contender, a line through the medians, a marker on each and
/// a min–max whisker, onto `chart`.
fn series<'a, Y>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<plotters::coord::combinators::LogCoord<f64>, Y>,
    >,
    points: &[Point],
    contenders: &[String],
) -> Result<(), Box<dyn std::error::Error>>
where
    Y: Ranged<ValueType = f64>,
{
    let n = contenders.len().max(1) as f64;
    for (i, contender) in contenders.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let shift = 1.0 + SPREAD * (i as f64 - (n - 1.0) / 2.0);
        let mine: Vec<&Point> = points
            .iter()
            .filter(|p| &p.contender == contender)
            .collect();
        let line: Vec<(f64, f64)> = mine
            .iter()
            .map(|p| (p.connections as f64 * shift, p.median))
            .collect();
        if line.is_empty() {
            continue;
        }
        chart.draw_series(mine.iter().map(|p| {
            let x = p.connections as f64 * shift;
            ErrorBar::new_vertical(x, p.min, p.median, p.max, color.stroke_width(1), 6)
        }))?;
        chart
            .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))?
            .label(contender.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart.draw_series(line.into_iter().map(|p| Circle::new(p, 4, color.filled())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CellRun;
    use crate::scenarios::CellOutcome;
    use spindle_benches::report::LoadReport;

    /// A report with three rounds of one cell at the given req/s.
    fn report(rates: &[f64]) -> Report {
        let runs: Vec<CellRun> = rates
            .iter()
            .enumerate()
            .map(|(i, &rps)| CellRun {
                contender: "raw-mio".into(),
                mode: Mode::Http,
                connections: 100,
                round: i + 1,
                outcome: Outcome::Ok(CellOutcome {
                    load: LoadReport {
                        requests: 10,
                        req_per_sec: rps,
                        p99_us: (rps / 100.0) as u64,
                        ..LoadReport::default()
                    },
                    cpu_us_per_req: None,
                    cpu_percent: None,
                    syscalls_per_req: None,
                    other_cpu_percent: None,
                    peak_rss_kib: None,
                    survived: true,
                }),
            })
            .collect();
        let names = ["raw-mio".to_string()];
        let rows = crate::report::summarize(&runs, &names, &[Mode::Http], &[100]);
        Report {
            setup: Vec::new(),
            rows,
            idle: Vec::new(),
            memory: Vec::new(),
            scaling: Vec::new(),
            open_loop: Vec::new(),
            pipelined: None,
            fairness: None,
            runs,
        }
    }

    #[test]
    fn a_point_is_the_median_with_the_range_of_the_rounds() {
        let r = report(&[200_000.0, 100_000.0, 150_000.0]);
        let got = points(&r, Mode::Http, Metric::Throughput);
        assert_eq!(
            got,
            [Point {
                contender: "raw-mio".into(),
                connections: 100,
                median: 150_000.0,
                min: 100_000.0,
                max: 200_000.0,
            }]
        );
        assert_eq!(points(&r, Mode::Http, Metric::P99)[0].max, 2000.0);
        assert!(points(&r, Mode::Echo, Metric::Throughput).is_empty());
    }

    #[test]
    fn the_chart_draws_a_whisker_per_point() {
        let dir = std::env::temp_dir().join(format!("compare-chart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("chart.svg");
        let r = report(&[200_000.0, 100_000.0, 150_000.0]);
        draw(&path, &r, &["raw-mio".to_string()], &[Mode::Http]).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..100]);
        assert!(svg.contains("min–max"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
