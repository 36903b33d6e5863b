//! Server-rendered SVG charts: the geometry is computed here and drawn by
//! askama templates, so the pages need no JavaScript. Shared by every area
//! that draws a histogram or bars.

use crate::convert::{count_f64, i64_f64};

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 240.0;
const PLOT_TOP: f64 = 16.0;
const PLOT_BOTTOM: f64 = 200.0;
const PLOT_LEFT: f64 = 40.0;

pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub label: String,
    pub value: String,
}

/// The score distribution in ten 10-point bands, with the cut-off marked.
pub struct Histogram {
    pub bars: Vec<Bar>,
    pub cutoff_x: f64,
    pub cutoff: f64,
    pub max: i64,
    pub empty: bool,
}

impl Histogram {
    pub fn new(bins: [i64; 10], cutoff: f64) -> Histogram {
        let max = bins.iter().copied().max().unwrap_or(0).max(1);
        let band = (WIDTH - PLOT_LEFT - 8.0) / 10.0;
        let bars = bins
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let height = (PLOT_BOTTOM - PLOT_TOP) * i64_f64(*n) / i64_f64(max);
                Bar {
                    x: PLOT_LEFT + band * count_f64(i) + 2.0,
                    y: PLOT_BOTTOM - height,
                    width: band - 4.0,
                    height,
                    label: format!("{}–{}%", i * 10, i * 10 + 10),
                    value: n.to_string(),
                }
            })
            .collect();
        Histogram {
            bars,
            cutoff_x: PLOT_LEFT + (WIDTH - PLOT_LEFT - 8.0) * cutoff.clamp(0.0, 100.0) / 100.0,
            cutoff,
            max,
            empty: bins.iter().all(|n| *n == 0),
        }
    }
}

/// Horizontal bars: one per label.
pub struct BarChart {
    pub bars: Vec<Bar>,
    pub height: f64,
    pub empty: bool,
}

impl BarChart {
    /// `scale_max` fixes the scale (100 for percents); 0 scales to the data.
    pub fn new(values: Vec<(String, f64)>, scale_max: f64, unit: &str) -> BarChart {
        let max = if scale_max > 0.0 {
            scale_max
        } else {
            values.iter().map(|v| v.1).fold(0.0, f64::max).max(1.0)
        };
        let left = 150.0;
        let row = 28.0;
        let bars = values
            .iter()
            .enumerate()
            .map(|(i, (label, v))| Bar {
                x: left,
                y: 8.0 + row * count_f64(i),
                width: ((WIDTH - left - 60.0) * v.max(0.0) / max).max(1.0),
                height: row - 8.0,
                label: label.clone(),
                value: if unit == "%" {
                    format!("{v:.1}%")
                } else {
                    format!("{v:.0}")
                },
            })
            .collect();
        BarChart {
            empty: values.is_empty(),
            height: 16.0 + row * count_f64(values.len()),
            bars,
        }
    }
}

/// A tick on a line chart's axis.
pub struct Tick {
    /// Position in the SVG's units.
    pub at: f64,
    pub label: String,
}

/// One curve of a line chart.
pub struct Line {
    /// SVG `points`: "x,y x,y …".
    pub points: String,
    pub label: String,
}

/// Curves over a shared x and y range, drawn in the 640 × 240 box.
pub struct LineChart {
    pub lines: Vec<Line>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl LineChart {
    /// `series` are (label, points in data units); `x` and `y` the ranges
    /// shown, with ticks every `x_step` and `y_step`.
    pub fn new(series: Vec<(String, Vec<(f64, f64)>)>, x: (f64, f64), y: (f64, f64), steps: (f64, f64)) -> LineChart {
        let (left, right, top, bottom) = (PLOT_LEFT, WIDTH - 8.0, PLOT_TOP, PLOT_BOTTOM);
        let span = |r: (f64, f64)| if r.1 > r.0 { r.1 - r.0 } else { 1.0 };
        let sx = |v: f64| left + (right - left) * (v - x.0) / span(x);
        let sy = |v: f64| bottom - (bottom - top) * (v.clamp(y.0, y.1) - y.0) / span(y);
        let lines = series
            .into_iter()
            .map(|(label, pts)| Line {
                points: pts
                    .iter()
                    .map(|&(px, py)| format!("{:.1},{:.1}", sx(px), sy(py)))
                    .collect::<Vec<_>>()
                    .join(" "),
                label,
            })
            .collect();
        let ticks = |r: (f64, f64), step: f64, place: &dyn Fn(f64) -> f64| -> Vec<Tick> {
            let step = if step > 0.0 { step } else { span(r) };
            let n = crate::convert::floor_usize(span(r) / step + 1e-9);
            (0..=n)
                .map(|i| {
                    let v = r.0 + step * count_f64(i);
                    let label = if (v - v.round()).abs() < 1e-9 {
                        format!("{v:.0}")
                    } else {
                        format!("{v:.1}")
                    };
                    Tick { at: place(v), label }
                })
                .collect()
        };
        LineChart {
            x_ticks: ticks(x, steps.0, &sx),
            y_ticks: ticks(y, steps.1, &sy),
            lines,
            left,
            right,
            top,
            bottom,
        }
    }
}
