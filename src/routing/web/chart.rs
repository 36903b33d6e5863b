//! The run page's chart: every trainee's percent as a bar in rank order,
//! coloured by status, with a dashed line at each process's cut-off. The
//! geometry is computed here so the template only draws it.

use crate::convert::count_f64;
use crate::routing::runs::Line;
use crate::routing::service::ProcessRow;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 490.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 262.0;
/// Where the cut-off labels start, right of the plot.
const LABEL_X: f64 = RIGHT + 14.0;
const LABEL_GAP: f64 = 13.0;
const MAX_BAR: f64 = 48.0;
const LABEL_CHARS: usize = 34;

pub struct ScoreBar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// assigned, review or retrain: the CSS class that colours it.
    pub status: String,
    pub title: String,
    /// The rank under the bar, when there is room for it.
    pub rank: Option<i32>,
}

pub struct CutoffLine {
    pub y: f64,
    /// Where the label sits, moved apart from its neighbours.
    pub label_y: f64,
    pub label: String,
    pub title: String,
}

pub struct GridLine {
    pub y: f64,
    pub label: String,
}

pub struct RunChart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub bottom: f64,
    pub label_x: f64,
    pub bars: Vec<ScoreBar>,
    pub cutoffs: Vec<CutoffLine>,
    pub grid: Vec<GridLine>,
    pub empty: bool,
}

fn y_of(percent: f64) -> f64 {
    BOTTOM - (BOTTOM - TOP) * percent.clamp(0.0, 100.0) / 100.0
}

fn pct(p: f64) -> String {
    let s = format!("{p:.1}");
    s.strip_suffix(".0").map(String::from).unwrap_or(s)
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        s.to_string()
    } else {
        let cut: String = s.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

impl RunChart {
    /// `lines` in rank order; `processes` give the cut-offs.
    pub fn new(lines: &[Line], processes: &[ProcessRow]) -> RunChart {
        let n = count_f64(lines.len().max(1));
        let slot = (RIGHT - LEFT) / n;
        // Bars no wider than this, centred in their slot, so a small cohort
        // does not draw slabs.
        let width = if slot >= 6.0 { (slot * 0.8).min(MAX_BAR) } else { slot };
        let bars = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let y = y_of(l.percent);
                ScoreBar {
                    x: LEFT + slot * count_f64(i) + (slot - width) / 2.0,
                    y,
                    width: width.max(0.5),
                    // A zero score still shows as a sliver, so nobody disappears.
                    height: (BOTTOM - y).max(1.5),
                    status: l.status.to_string(),
                    title: format!("Rank {}: {}, {}%, {}", l.rank, l.full_name, pct(l.percent), l.status),
                    rank: (slot >= 14.0).then_some(l.rank),
                }
            })
            .collect();
        RunChart {
            width: WIDTH,
            height: HEIGHT,
            left: LEFT,
            right: RIGHT,
            bottom: BOTTOM,
            label_x: LABEL_X,
            bars,
            cutoffs: cutoff_lines(processes),
            grid: [0.0, 25.0, 50.0, 75.0, 100.0]
                .into_iter()
                .map(|p| GridLine {
                    y: y_of(p),
                    label: format!("{p:.0}%"),
                })
                .collect(),
            empty: lines.is_empty(),
        }
    }
}

/// One line per distinct cut-off, naming the processes that share it, with
/// labels spread so that close cut-offs stay readable.
fn cutoff_lines(processes: &[ProcessRow]) -> Vec<CutoffLine> {
    let mut levels: Vec<(f64, Vec<&ProcessRow>)> = Vec::new();
    for p in processes {
        match levels.iter_mut().find(|(m, _)| (*m - p.min_percent).abs() < 1e-9) {
            Some((_, ps)) => ps.push(p),
            None => levels.push((p.min_percent, vec![p])),
        }
    }
    levels.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut lines: Vec<CutoffLine> = levels
        .into_iter()
        .map(|(min, ps)| {
            let names = ps
                .iter()
                .map(|p| format!("{} ({})", p.name, p.tier))
                .collect::<Vec<_>>()
                .join(", ");
            let tiers = {
                let mut t: Vec<&str> = ps.iter().map(|p| p.tier.as_str()).collect();
                t.sort_unstable();
                t.dedup();
                t.join("/")
            };
            let first = ps.first().map(|p| p.name.as_str()).unwrap_or_default();
            let more = if ps.len() > 1 {
                format!(" +{}", ps.len() - 1)
            } else {
                String::new()
            };
            let y = y_of(min);
            CutoffLine {
                y,
                label_y: y + 4.0,
                label: shorten(&format!("{}% {tiers}: {first}{more}", pct(min))),
                title: format!("Cut-off {}%: {names}", pct(min)),
            }
        })
        .collect();
    // Top to bottom, each label at least one line below the one above; then
    // back up from the bottom edge if the last ones ran past it.
    let mut floor = f64::NEG_INFINITY;
    for line in &mut lines {
        if line.label_y < floor {
            line.label_y = floor;
        }
        floor = line.label_y + LABEL_GAP;
    }
    let mut ceiling = HEIGHT - 4.0;
    for line in lines.iter_mut().rev() {
        if line.label_y > ceiling {
            line.label_y = ceiling;
        }
        ceiling = line.label_y - LABEL_GAP;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(name: &str, tier: &str, min: f64) -> ProcessRow {
        ProcessRow {
            id: crate::db::ProcessId(1),
            name: name.into(),
            client: "Acme".into(),
            track: crate::routing::engine::Track::Kpo,
            tier: tier.parse().expect("a tier"),
            min_percent: min,
            section_minimums: crate::db::Json::default(),
            seats: 1,
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn close_cutoff_labels_do_not_overlap_and_shared_cutoffs_are_one_line() {
        let ps = [
            process("Underwriting", "critical", 85.0),
            process("Claims", "complex", 84.0),
            process("Claims east", "complex", 84.0),
            process("Support", "basic", 0.0),
        ];
        let lines = cutoff_lines(&ps);
        assert_eq!(lines.len(), 3);
        assert!(lines[1].label.contains("Claims +1"), "{}", lines[1].label);
        for pair in lines.windows(2) {
            assert!(pair[1].label_y - pair[0].label_y >= LABEL_GAP - 1e-9);
        }
        assert!(lines.iter().all(|l| l.label_y <= HEIGHT - 4.0));
    }
}
