//! How short any adaptive test could be: a bound that knows each person's
//! true ability. For each simulated person in turn it gives the items most
//! informative at their true θ, skipping items already shown to the
//! exposure cap's share of all the people, until their error variance
//! 1 / (1 + information) (the N(0, 1) prior counts as 1) is no more than
//! the best-matched fixed form's average. A real adaptive test must first
//! find θ, so it needs more items than this.

use super::super::cat::PoolItem;
use crate::convert::count_f64;

/// The fixed form's average error variance over `thetas`.
pub fn form_error_variance(pool: &[PoolItem], form: &[usize], thetas: &[f64]) -> f64 {
    let total: f64 = thetas
        .iter()
        .map(|&t| {
            let info: f64 = form
                .iter()
                .filter_map(|&j| pool.get(j))
                .map(|it| it.information(t))
                .sum();
            1.0 / (1.0 + info)
        })
        .sum();
    total / count_f64(thetas.len().max(1))
}

/// The mean length the bound needs to reach `target` error variance per
/// person, never more than `max_len` items.
pub fn oracle_mean_length(pool: &[PoolItem], thetas: &[f64], target: f64, cap: Option<f64>, max_len: usize) -> f64 {
    let limit = cap.map_or(f64::INFINITY, |c| c * count_f64(thetas.len()));
    let mut shown = vec![0usize; pool.len()];
    let mut total = 0usize;
    for &theta in thetas {
        let mut ranked: Vec<(f64, usize)> = pool
            .iter()
            .enumerate()
            .map(|(j, it)| (it.information(theta), j))
            .collect();
        ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut info = 0.0;
        let mut given = 0usize;
        for (item_info, j) in ranked {
            if given >= max_len || 1.0 / (1.0 + info) <= target {
                break;
            }
            let Some(count) = shown.get_mut(j) else { continue };
            if count_f64(*count + 1) > limit {
                continue;
            }
            *count += 1;
            info += item_info;
            given += 1;
        }
        total += given;
    }
    count_f64(total) / count_f64(thetas.len().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_needs_more_items_under_an_exposure_cap() {
        let pool = super::super::generate_pool(120, 5);
        let thetas: Vec<f64> = (0..200).map(|i| -2.0 + 4.0 * f64::from(i) / 199.0).collect();
        let best: Vec<usize> = (0..20).collect();
        let target = form_error_variance(&pool, &best, &thetas);
        let free = oracle_mean_length(&pool, &thetas, target, None, 120);
        let capped = oracle_mean_length(&pool, &thetas, target, Some(0.25), 120);
        assert!(free < 20.0, "{free}");
        assert!(capped >= free, "{capped} vs {free}");
    }
}
