//! Routing on an adaptive exam. Each trainee's percent there is the
//! percent-equivalent of their θ, and each θ has its own standard error
//! (small for people the test measured well, larger for those it stopped
//! on at its maximum length). So each trainee's review band is their own
//! standard error carried onto the percent scale, not one figure for the
//! whole exam: half the spread of the percent-equivalents at θ ± SE.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::assessments::service as assessments;
use crate::attempts::adaptive::Engine;
use crate::db::schema::attempts;
use crate::db::{AssessmentId, AttemptId, DbConn};
use crate::error::{AppError, AppResult};

/// Each adaptive attempt's own band in percentage points, or `None` when
/// the exam is a fixed form. Attempts without a θ (none answered) have no
/// band of their own and take the run's.
pub fn own_bands(
    conn: &mut DbConn,
    assessment_id: AssessmentId,
    attempt_ids: &[AttemptId],
) -> AppResult<Option<HashMap<AttemptId, f64>>> {
    let assessment = assessments::find(conn, assessment_id)?;
    let engine = match Engine::load(conn, &assessment) {
        Ok(Some(engine)) => engine,
        Ok(None) => return Ok(None),
        // The pool lost its calibration since: the exam's band applies.
        Err(AppError::Invalid { .. }) => return Ok(Some(HashMap::new())),
        Err(e) => return Err(e),
    };
    let mut bands = HashMap::new();
    for chunk in attempt_ids.chunks(1000) {
        let rows: Vec<(AttemptId, Option<f64>, Option<f64>)> = attempts::table
            .filter(attempts::id.eq_any(chunk))
            .select((attempts::id, attempts::theta, attempts::theta_se))
            .load(conn)?;
        for (id, theta, se) in rows {
            if let (Some(theta), Some(se)) = (theta, se) {
                if let Some(points) = band_points(|t| engine.percent_equivalent(t), theta, se) {
                    bands.insert(id, points);
                }
            }
        }
    }
    Ok(Some(bands))
}

/// Half the spread of the percent-equivalent between θ − SE and θ + SE.
fn band_points(percent: impl Fn(f64) -> f64, theta: f64, se: f64) -> Option<f64> {
    if !(theta.is_finite() && se.is_finite() && se >= 0.0) {
        return None;
    }
    let points = (percent(theta + se) - percent(theta - se)).abs() / 2.0;
    points.is_finite().then_some(points)
}

/// The median of the own bands: the run's record of its band.
pub fn median(mut bands: Vec<f64>) -> Option<f64> {
    bands.retain(|b| b.is_finite());
    bands.sort_by(f64::total_cmp);
    let mid = bands.len() / 2;
    match bands.len() {
        0 => None,
        n if n % 2 == 1 => bands.get(mid).copied(),
        _ => Some((bands.get(mid - 1)? + bands.get(mid)?) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_larger_theta_standard_error_gives_a_wider_band() {
        // A logistic percent scale: steepest (25 points per unit of θ) at 0.
        let percent = |t: f64| 100.0 / (1.0 + (-t).exp());
        let narrow = band_points(percent, 0.0, 0.2).unwrap();
        let wide = band_points(percent, 0.0, 0.6).unwrap();
        assert!((narrow - 4.98).abs() < 0.01, "{narrow}");
        assert!(wide > narrow * 2.5, "{wide} vs {narrow}");
        // Far out in the tail the same SE moves the percent less.
        assert!(band_points(percent, 3.0, 0.2).unwrap() < narrow);
        assert_eq!(band_points(percent, f64::NAN, 0.2), None);
    }

    #[test]
    fn the_median_of_the_bands_is_the_middle_one() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }
}
