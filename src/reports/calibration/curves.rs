//! The report's curves: each item's characteristic curve (P right against
//! θ) and the test information curve of the usable items.

use super::report::CalibrationReport;
use crate::convert::count_f64;
use crate::web::charts::LineChart;

const THETA: (f64, f64) = (-4.0, 4.0);
const STEPS: usize = 80;

fn thetas() -> impl Iterator<Item = f64> {
    (0..=STEPS).map(|i| THETA.0 + (THETA.1 - THETA.0) * count_f64(i) / count_f64(STEPS))
}

fn p(a: f64, b: f64, theta: f64) -> f64 {
    1.0 / (1.0 + (-a * (theta - b)).exp())
}

/// The characteristic curve of every item with finite estimates, labelled
/// with its number on the report.
pub fn characteristic(report: &CalibrationReport) -> LineChart {
    let series = report
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.a.is_finite() && i.b.is_finite())
        .map(|(n, i)| {
            (
                format!("#{}: a = {:.2}, b = {:.2}", n + 1, i.a, i.b),
                thetas().map(|t| (t, p(i.a, i.b, t))).collect(),
            )
        })
        .collect();
    LineChart::new(series, THETA, (0.0, 1.0), (1.0, 0.25))
}

/// The information Σ a²P(1 − P) of the usable items against θ, and the
/// largest value (for the caption).
pub fn information(report: &CalibrationReport) -> (LineChart, f64) {
    let usable: Vec<(f64, f64)> = report.usable().map(|i| (i.a, i.b)).collect();
    let points: Vec<(f64, f64)> = thetas()
        .map(|t| {
            let info = usable
                .iter()
                .map(|&(a, b)| {
                    let pr = p(a, b, t);
                    a * a * pr * (1.0 - pr)
                })
                .sum();
            (t, info)
        })
        .collect();
    let peak = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let top = nice_ceiling(peak);
    let chart = LineChart::new(
        vec![("test information".to_owned(), points)],
        THETA,
        (0.0, top),
        (1.0, top / 4.0),
    );
    (chart, peak)
}

/// A round number at or above `x` (1, 2, 2.5, 5 × a power of ten).
fn nice_ceiling(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&v| v >= x)
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceiling_rounds_up_to_a_readable_scale() {
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(0.7), 1.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }
}
