//! Server-rendered SVG charts for a drive: the geometry is computed here and
//! drawn by askama templates, so the pages need no JavaScript.

use diesel::dsl::{avg, count_star};
use diesel::prelude::*;

use super::pipeline::STATUSES;
use crate::convert::{count_f64, i64_f64};
use crate::db::schema::{application_sections, applications};
use crate::db::{DbConn, DriveId};
use crate::error::AppResult;

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

/// Average percent per section over the drive's graded applications.
pub fn section_averages(conn: &mut DbConn, drive_id: DriveId) -> AppResult<Vec<(String, f64)>> {
    let rows: Vec<(String, Option<f64>)> = application_sections::table
        .filter(application_sections::drive_id.eq(drive_id))
        .group_by(application_sections::section)
        .select((application_sections::section, avg(application_sections::percent)))
        .order(application_sections::section.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(|(s, a)| (s, a.unwrap_or(0.0))).collect())
}

/// How many applications stand in each pipeline state, in pipeline order.
pub fn funnel(conn: &mut DbConn, drive_id: DriveId) -> AppResult<Vec<(String, i64)>> {
    let counts: Vec<(String, i64)> = applications::table
        .filter(applications::drive_id.eq(drive_id))
        .group_by(applications::status)
        .select((applications::status, count_star()))
        .load(conn)?;
    Ok(STATUSES
        .iter()
        .map(|s| {
            (
                s.to_string(),
                counts.iter().find(|(c, _)| c == s).map(|(_, n)| *n).unwrap_or(0),
            )
        })
        .collect())
}
