//! `chart.svg`: throughput and p99 latency against connections, one line
//! per contender, one row of panels per mode.
//!
//! Drawn with plotters' SVG backend and its font-free text layout (no
//! system fonts or font libraries), so it builds anywhere. Both axes that
//! span orders of magnitude (connections, p99) are logarithmic.

use std::path::Path;

use plotters::prelude::*;
use spindle_benches::Mode;

use crate::report::Row;

/// Chart size in pixels.
const SIZE: (u32, u32) = (1400, 1000);

/// Draws the chart for `rows` into `path`.
pub(crate) fn draw(
    path: &Path,
    rows: &[Row],
    contenders: &[String],
    modes: &[Mode],
) -> Result<(), String> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let panels = root.split_evenly((modes.len().max(1), 2));
    for (m, &mode) in modes.iter().enumerate() {
        for (k, metric) in [Metric::Throughput, Metric::P99].into_iter().enumerate() {
            panel(&panels[m * 2 + k], rows, contenders, mode, metric).map_err(|e| e.to_string())?;
        }
    }
    root.present().map_err(|e| e.to_string())
}

/// What a panel plots on its y axis.
#[derive(Debug, Clone, Copy)]
enum Metric {
    /// Median requests per second.
    Throughput,
    /// Median p99 latency, µs.
    P99,
}

/// Draws one panel: `metric` against connections for every contender.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    rows: &[Row],
    contenders: &[String],
    mode: Mode,
    metric: Metric,
) -> Result<(), Box<dyn std::error::Error>> {
    let value = |row: &Row| match metric {
        Metric::Throughput => row.req_per_sec,
        Metric::P99 => row.p99_us,
    };
    let points: Vec<(usize, &Row, f64)> = rows
        .iter()
        .filter(|r| r.mode == mode)
        .filter_map(|r| value(r).filter(|v| *v > 0.0).map(|v| (r.connections, r, v)))
        .collect();
    let max_conns = rows.iter().map(|r| r.connections).max().unwrap_or(1).max(2) as f64;
    let max_y = points.iter().map(|p| p.2).fold(1.0, f64::max) * 1.2;
    let min_y = points.iter().map(|p| p.2).fold(max_y, f64::min).max(1.0) / 1.5;
    let (title, y_desc) = match metric {
        Metric::Throughput => (format!("{}: requests/s", mode.name()), "req/s"),
        Metric::P99 => (format!("{}: p99 latency (µs, log)", mode.name()), "µs"),
    };
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70);
    let x_range = (1.0..max_conns * 1.5).log_scale();
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
            series(&mut chart, &points, contenders)?;
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
            series(&mut chart, &points, contenders)?;
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
        }
    }
    Ok(())
}

/// Draws one line with markers per contender onto `chart`.
fn series<'a, Y>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<plotters::coord::combinators::LogCoord<f64>, Y>,
    >,
    points: &[(usize, &Row, f64)],
    contenders: &[String],
) -> Result<(), Box<dyn std::error::Error>>
where
    Y: Ranged<ValueType = f64>,
{
    for (i, contender) in contenders.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let line: Vec<(f64, f64)> = points
            .iter()
            .filter(|(_, row, _)| &row.contender == contender)
            .map(|(conns, _, v)| (*conns as f64, *v))
            .collect();
        if line.is_empty() {
            continue;
        }
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
