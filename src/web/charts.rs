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
