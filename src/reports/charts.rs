//! The report's SVG charts: geometry here, drawing in
//! `templates/reports/report.html`, as `crate::drives::charts` does for
//! drives. No JavaScript; every mark has a text title for screen readers.

use super::analysis::AnalysedItem;
use super::stats::{LOW_DISCRIMINATION_BELOW, TOO_EASY_ABOVE, TOO_HARD_BELOW};
use crate::convert::{count_f64, floor_usize};
pub use crate::web::charts::Histogram;

/// The score distribution in ten 10-point bands, the pass mark marked.
pub fn distribution(percents: &[f64], pass_percent: f64) -> Histogram {
    Histogram::new(bands(percents), pass_percent)
}

/// Attempts per 10-point band (0–9.9 %, …, 90–100 %); 100 % joins the top band.
pub fn bands(percents: &[f64]) -> [i64; 10] {
    let mut bins = [0i64; 10];
    for p in percents {
        // Below 0 floors to 0; 100 % and above join the top band.
        if let Some(bin) = bins.get_mut(floor_usize(p / 10.0).min(9)) {
            *bin += 1;
        }
    }
    bins
}

pub const SCATTER_WIDTH: f64 = 640.0;
pub const SCATTER_HEIGHT: f64 = 320.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 624.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 284.0;

/// One item's dot: x facility, y discrimination index.
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub title: String,
    pub flagged: bool,
    pub anchor: String,
}

/// A gridline with its label.
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// Facility against discrimination index, with the flag thresholds drawn.
pub struct Scatter {
    pub dots: Vec<Dot>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// Where discrimination 0, the low-discrimination line and the
    /// too-hard / too-easy facility lines fall.
    pub zero_y: f64,
    pub low_y: f64,
    pub hard_x: f64,
    pub easy_x: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// Items left out for lack of a facility or discrimination index.
    pub omitted: usize,
}

impl Scatter {
    /// Dots are labelled with the item's 1-based number in the item table.
    pub fn new(items: &[AnalysedItem]) -> Scatter {
        let points: Vec<(usize, &AnalysedItem, f64, f64)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| Some((i, item, item.stats.facility_percent?, item.stats.discrimination_index?)))
            .collect();
        // Discrimination runs -100 to 100; below -50 is rare, so the scale
        // starts there unless an item needs more.
        let lowest = points.iter().map(|p| p.3).fold(-50.0, f64::min);
        let y_min = (lowest / 25.0).floor() * 25.0;
        let x = |f: f64| LEFT + (RIGHT - LEFT) * f.clamp(0.0, 100.0) / 100.0;
        let y = |d: f64| BOTTOM - (BOTTOM - TOP) * (d.clamp(y_min, 100.0) - y_min) / (100.0 - y_min);
        let dots = points
            .iter()
            .map(|&(i, item, f, d)| Dot {
                x: x(f),
                y: y(d),
                label: (i + 1).to_string(),
                title: format!(
                    "Item {}: facility {f:.1}%, discrimination {d:.1}{}",
                    i + 1,
                    if item.stats.flags.is_empty() {
                        String::new()
                    } else {
                        format!(", {} flag(s)", item.stats.flags.len())
                    }
                ),
                flagged: !item.stats.flags.is_empty(),
                anchor: format!("item-{}", item.version_id),
            })
            .collect();
        let mut y_ticks = Vec::new();
        let mut at = y_min;
        while at <= 100.0 {
            y_ticks.push(Tick {
                at: y(at),
                label: format!("{at:.0}"),
            });
            at += 25.0;
        }
        Scatter {
            dots,
            x_ticks: (0..=10)
                .map(|i| Tick {
                    at: x(count_f64(i) * 10.0),
                    label: format!("{}", i * 10),
                })
                .collect(),
            y_ticks,
            zero_y: y(0.0),
            low_y: y(LOW_DISCRIMINATION_BELOW),
            hard_x: x(TOO_HARD_BELOW),
            easy_x: x(TOO_EASY_ABOVE),
            left: LEFT,
            right: RIGHT,
            top: TOP,
            bottom: BOTTOM,
            omitted: items.len() - points.len(),
        }
    }
}

pub const OPTIONS_WIDTH: f64 = 640.0;
const LABEL_RIGHT: f64 = 236.0;
const BAR_LEFT: f64 = 244.0;
const BAR_SPAN: f64 = 330.0;
const ROW: f64 = 34.0;

/// One option's two bars: the upper and the lower 27 % group's shares.
pub struct OptionRow {
    pub label: String,
    pub is_key: bool,
    pub label_y: f64,
    pub upper_y: f64,
    pub lower_y: f64,
    pub upper_width: f64,
    pub lower_width: f64,
    pub upper: String,
    pub lower: String,
}

/// A choice item's options by upper and lower group.
pub struct OptionBars {
    pub rows: Vec<OptionRow>,
    pub height: f64,
    pub bar_left: f64,
    pub label_right: f64,
    pub bar_height: f64,
}

impl OptionBars {
    /// `None` when the item has no option data or its groups are undefined
    /// (fewer than 4 attempts saw it).
    pub fn new(item: &AnalysedItem) -> Option<OptionBars> {
        let s = &item.stats;
        if s.distractors.is_empty() || s.upper_lower_index.is_none() {
            return None;
        }
        let share = |v: Option<f64>| v.unwrap_or(0.0);
        let mut entries: Vec<(String, bool, f64, f64)> = s
            .distractors
            .iter()
            .map(|d| {
                let text = item.options.get(d.option).map(String::as_str).unwrap_or_default();
                (
                    format!("{}. {}", option_letter(d.option), shorten(text, 30)),
                    d.is_key,
                    share(d.share_upper),
                    share(d.share_lower),
                )
            })
            .collect();
        if let Some(blank) = &s.blank {
            entries.push((
                "(blank)".to_owned(),
                false,
                share(blank.share_upper),
                share(blank.share_lower),
            ));
        }
        let rows = entries
            .into_iter()
            .enumerate()
            .map(|(i, (label, is_key, upper, lower))| {
                let top = 8.0 + ROW * count_f64(i);
                OptionRow {
                    label: if is_key { format!("{label} (key)") } else { label },
                    is_key,
                    label_y: top + 16.0,
                    upper_y: top,
                    lower_y: top + 13.0,
                    upper_width: (BAR_SPAN * upper).max(1.0),
                    lower_width: (BAR_SPAN * lower).max(1.0),
                    upper: format!("{:.0}%", 100.0 * upper),
                    lower: format!("{:.0}%", 100.0 * lower),
                }
            })
            .collect::<Vec<_>>();
        Some(OptionBars {
            height: 16.0 + ROW * count_f64(rows.len()),
            rows,
            bar_left: BAR_LEFT,
            label_right: LABEL_RIGHT,
            bar_height: 11.0,
        })
    }
}

/// A, B, … Z, then 27, 28, …
pub fn option_letter(index: usize) -> String {
    match u8::try_from(index) {
        Ok(i) if i < 26 => char::from(b'A' + i).to_string(),
        _ => (index + 1).to_string(),
    }
}

/// At most `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_percent_joins_the_top_band_and_bands_count_attempts() {
        assert_eq!(
            bands(&[0.0, 9.99, 10.0, 55.0, 100.0, 95.0]),
            [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
        );
    }

    #[test]
    fn shortening_counts_characters_not_bytes() {
        assert_eq!(shorten("ÀÉÎÕÜ ÀÉÎÕÜ", 6), "ÀÉÎÕÜ…");
        assert_eq!(shorten("  short\n text ", 20), "short text");
        assert_eq!(option_letter(2), "C");
    }
}
