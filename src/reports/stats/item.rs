//! Per-item statistics: facility, spread, weights, discrimination, the 27 %
//! groups and the distractors.

use std::cmp::Reverse;

use serde::Serialize;

use super::distractors::{self, Groups, OptionShares, Shares};
use super::flags::{Flag, DUBIOUS_EFFICIENCY_BELOW, LOW_DISCRIMINATION_BELOW, TOO_EASY_ABOVE, TOO_HARD_BELOW};
use super::input::{ItemInfo, ItemKind, MarksMatrix};
use super::numeric::{group_size, mean, no_spread, tie_key, Sum};
use crate::convert::count_f64;

/// Statistics of one item over the attempts that saw it. Percents are of the
/// item's maximum mark; `None` (JSON null) where STATISTICS.md says the
/// inputs are degenerate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStats {
    /// 0-based column of the matrix.
    pub item: usize,
    pub kind: ItemKind,
    /// Attempts that saw the item.
    pub n: usize,
    pub max_mark: f64,
    pub facility_percent: Option<f64>,
    pub sd_percent: Option<f64>,
    pub random_guess_percent: Option<f64>,
    pub intended_weight_percent: f64,
    pub effective_weight_percent: Option<f64>,
    /// 100 · r(x_j, T − x_j), Moodle's discrimination index.
    pub discrimination_index: Option<f64>,
    pub discriminative_efficiency: Option<f64>,
    /// r(x_j, T), a coefficient (not a percent).
    pub point_biserial: Option<f64>,
    /// Size of each 27 % group among the attempts that saw the item.
    pub group_size: usize,
    /// p_U − p_L as a fraction (−1 to 1).
    pub upper_lower_index: Option<f64>,
    /// One entry per option for a choice item with responses, else empty.
    pub distractors: Vec<OptionShares>,
    /// Blank shares for a choice item with responses, else null.
    pub blank: Option<Shares>,
    pub flags: Vec<Flag>,
}

/// Attempt indices ranked by total descending, then attempt id ascending:
/// the upper group is a prefix of this order and the lower group a suffix.
pub(super) fn ranking(totals: &[f64], attempt_ids: &[i64]) -> Vec<usize> {
    let mut keyed: Vec<(Reverse<i64>, i64, usize)> = totals
        .iter()
        .zip(attempt_ids)
        .enumerate()
        .map(|(i, (&t, &id))| (Reverse(tie_key(t)), id, i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

/// Buffers reused from item to item so the per-item work allocates nothing
/// proportional to s after the first item.
#[derive(Default)]
struct Scratch {
    x: Vec<f64>,
    t: Vec<f64>,
    sorted_x: Vec<f64>,
    sorted_r: Vec<f64>,
    upper: Vec<usize>,
    lower: Vec<usize>,
}

/// Centred sums of x (the item), t (the total) and r = t − x over the
/// attempts that saw the item.
#[derive(Default)]
struct Moments {
    n: usize,
    mean_x: f64,
    sxx: f64,
    stt: f64,
    srr: f64,
    sxt: f64,
    sxr: f64,
    /// Σ of centred products of x and r each sorted ascending: (s − 1)·Cov_max.
    sxr_max: f64,
    x_flat: bool,
    t_flat: bool,
    r_flat: bool,
}

impl Moments {
    fn of(x: &[f64], t: &[f64], sorted_x: &mut Vec<f64>, sorted_r: &mut Vec<f64>) -> Self {
        let n = x.len();
        if n == 0 {
            return Self::default();
        }
        let mean_x = mean(x);
        let mean_t = mean(t);
        let mut r_sum = Sum::default();
        x.iter().zip(t).for_each(|(x, t)| r_sum.add(t - x));
        let mean_r = r_sum.value() / count_f64(n);

        let [mut sxx, mut stt, mut srr, mut sxt, mut sxr] = [Sum::default(); 5];
        let (mut x_lo, mut x_hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut t_lo, mut t_hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut r_lo, mut r_hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (&x, &t) in x.iter().zip(t) {
            let r = t - x;
            let (dx, dt, dr) = (x - mean_x, t - mean_t, r - mean_r);
            sxx.add(dx * dx);
            stt.add(dt * dt);
            srr.add(dr * dr);
            sxt.add(dx * dt);
            sxr.add(dx * dr);
            (x_lo, x_hi) = (x_lo.min(x), x_hi.max(x));
            (t_lo, t_hi) = (t_lo.min(t), t_hi.max(t));
            (r_lo, r_hi) = (r_lo.min(r), r_hi.max(r));
        }
        let (x_flat, t_flat, r_flat) = (no_spread(x_lo, x_hi), no_spread(t_lo, t_hi), no_spread(r_lo, r_hi));

        // Cov_max pairs the i-th smallest mark with the i-th smallest rest
        // score; it is 0 exactly when either column is constant.
        let mut sxr_max = Sum::default();
        if !x_flat && !r_flat {
            sorted_x.clear();
            sorted_x.extend_from_slice(x);
            sorted_x.sort_unstable_by(f64::total_cmp);
            sorted_r.clear();
            sorted_r.extend(x.iter().zip(t).map(|(x, t)| t - x));
            sorted_r.sort_unstable_by(f64::total_cmp);
            for (x, r) in sorted_x.iter().zip(sorted_r.iter()) {
                sxr_max.add((x - mean_x) * (r - mean_r));
            }
        }
        Self {
            n,
            mean_x,
            sxx: sxx.value(),
            stt: stt.value(),
            srr: srr.value(),
            sxt: sxt.value(),
            sxr: sxr.value(),
            sxr_max: sxr_max.value(),
            x_flat,
            t_flat,
            r_flat,
        }
    }

    /// Cov(x_j, T) for the effective weight; exactly 0 for a constant item.
    fn cov_with_total(&self) -> Option<f64> {
        match (self.n >= 2, self.x_flat) {
            (false, _) => None,
            (true, true) => Some(0.0),
            (true, false) => Some(self.sxt / (count_f64(self.n) - 1.0)),
        }
    }
}

pub(super) fn item_statistics(matrix: &MarksMatrix, infos: &[ItemInfo], totals: &[f64]) -> Vec<ItemStats> {
    let order = ranking(totals, matrix.attempt_ids());
    let max_total = matrix.max_total();
    let mut scratch = Scratch::default();
    let mut covariances = Vec::with_capacity(matrix.items());
    // analyse checked one info per column, so the zip drops none.
    let mut items: Vec<ItemStats> = infos
        .iter()
        .zip(matrix.max_marks())
        .enumerate()
        .map(|(j, (info, &m))| {
            let (stats, cov) = one_item(matrix, (j, m), info, totals, &order, max_total, &mut scratch);
            covariances.push(cov);
            stats
        })
        .collect();

    // √C_j / Σ_{C_l ≥ 0} √C_l; an item with C_j < 0 is left out and null.
    let root_sum: f64 = covariances
        .iter()
        .flatten()
        .filter(|c| **c >= 0.0)
        .map(|c| c.sqrt())
        .sum();
    if root_sum > 0.0 {
        for (stats, cov) in items.iter_mut().zip(&covariances) {
            stats.effective_weight_percent = cov.filter(|c| *c >= 0.0).map(|c| 100.0 * c.sqrt() / root_sum);
        }
    }
    items
}

/// The statistics of column `j`, whose maximum mark is `m`.
fn one_item(
    matrix: &MarksMatrix,
    (j, m): (usize, f64),
    info: &ItemInfo,
    totals: &[f64],
    order: &[usize],
    max_total: f64,
    scratch: &mut Scratch,
) -> (ItemStats, Option<f64>) {
    let column = matrix.column(j);
    let seen = matrix.seen_column(j);
    let Scratch {
        x,
        t,
        sorted_x,
        sorted_r,
        upper,
        lower,
    } = scratch;

    let (xs, ts) = seen_pairs(column, totals, seen, x, t);
    let mo = Moments::of(xs, ts, sorted_x, sorted_r);
    let n = mo.n;

    let g = group_size(n);
    fill_groups(order, seen, g, upper, lower);
    let defined = n >= 4;
    let upper_lower_index = defined.then(|| {
        let p = |group: &[usize]| group.iter().filter_map(|&i| column.get(i)).sum::<f64>() / (count_f64(g) * m);
        p(upper) - p(lower)
    });

    let indices = Indices::of(&mo, m);
    let mut flags = indices.flags();
    let groups = Groups {
        seen,
        n,
        upper,
        lower,
        defined,
    };
    let (distractors, blank) = match distractors::analyse(info, &groups, &mut flags) {
        Some((options, blank)) => (options, Some(blank)),
        None => (Vec::new(), None),
    };

    let stats = ItemStats {
        item: j,
        kind: info.kind,
        n,
        max_mark: m,
        facility_percent: indices.facility_percent,
        sd_percent: indices.sd_percent,
        random_guess_percent: random_guess_percent(info),
        intended_weight_percent: 100.0 * m / max_total,
        effective_weight_percent: None,
        discrimination_index: indices.discrimination_index,
        discriminative_efficiency: indices.discriminative_efficiency,
        point_biserial: indices.point_biserial,
        group_size: g,
        upper_lower_index,
        distractors,
        blank,
        flags,
    };
    (stats, mo.cov_with_total())
}

/// The item's marks and the attempts' totals over the attempts that saw the
/// item: the columns themselves when every attempt saw it, else copies into
/// the scratch buffers.
fn seen_pairs<'a>(
    column: &'a [f64],
    totals: &'a [f64],
    seen: Option<&[bool]>,
    x: &'a mut Vec<f64>,
    t: &'a mut Vec<f64>,
) -> (&'a [f64], &'a [f64]) {
    match seen {
        None => (column, totals),
        Some(seen) => {
            x.clear();
            t.clear();
            for ((&xi, &ti), _) in column.iter().zip(totals).zip(seen).filter(|(_, &s)| s) {
                x.push(xi);
                t.push(ti);
            }
            (&x[..], &t[..])
        }
    }
}

/// The 27 % groups: the first and last `g` attempts of `order` that saw the item.
fn fill_groups(order: &[usize], seen: Option<&[bool]>, g: usize, upper: &mut Vec<usize>, lower: &mut Vec<usize>) {
    upper.clear();
    lower.clear();
    match seen {
        // Every attempt saw the item, so n is the number of attempts and
        // g ≤ n of them are at each end of the order.
        None => {
            upper.extend(order.iter().take(g));
            lower.extend(order.iter().skip(order.len().saturating_sub(g)));
        }
        Some(seen) => {
            let saw = |i: &usize| seen.get(*i).copied().unwrap_or(false);
            upper.extend(order.iter().copied().filter(saw).take(g));
            lower.extend(order.iter().rev().copied().filter(saw).take(g));
        }
    }
}

/// The indices that follow from the moments alone, each `None` where its
/// inputs are degenerate.
struct Indices {
    facility_percent: Option<f64>,
    sd_percent: Option<f64>,
    discrimination_index: Option<f64>,
    discriminative_efficiency: Option<f64>,
    point_biserial: Option<f64>,
}

impl Indices {
    fn of(mo: &Moments, m: f64) -> Self {
        let n = mo.n;
        let nf = count_f64(n);
        let spread = n >= 2 && !mo.x_flat;
        Self {
            facility_percent: (n > 0).then(|| 100.0 * mo.mean_x / m),
            sd_percent: (n >= 2).then(|| {
                if mo.x_flat {
                    0.0
                } else {
                    100.0 * (mo.sxx / (nf - 1.0)).sqrt() / m
                }
            }),
            discrimination_index: (spread && !mo.r_flat).then(|| 100.0 * mo.sxr / (mo.sxx * mo.srr).sqrt()),
            discriminative_efficiency: (spread && !mo.r_flat && mo.sxr_max > 0.0).then(|| 100.0 * mo.sxr / mo.sxr_max),
            point_biserial: (spread && !mo.t_flat).then(|| mo.sxt / (mo.sxx * mo.stt).sqrt()),
        }
    }

    /// The flags these indices raise, before the distractors add theirs.
    fn flags(&self) -> Vec<Flag> {
        let mut flags = Vec::new();
        match self.facility_percent {
            Some(f) if f < TOO_HARD_BELOW => flags.push(Flag::TooHard),
            Some(f) if f > TOO_EASY_ABOVE => flags.push(Flag::TooEasy),
            _ => {}
        }
        match self.discrimination_index {
            Some(d) if d < 0.0 => flags.push(Flag::NegativeDiscrimination),
            Some(d) if d < LOW_DISCRIMINATION_BELOW => flags.push(Flag::LowDiscrimination),
            _ => {}
        }
        if self
            .discriminative_efficiency
            .is_some_and(|e| e < DUBIOUS_EFFICIENCY_BELOW)
        {
            flags.push(Flag::DubiousEfficiency);
        }
        flags
    }
}

/// From the question, not the data: single choice = 100 · mean of the
/// options' credits, true/false = 50, anything else null.
pub fn random_guess_percent(info: &ItemInfo) -> Option<f64> {
    match info.kind {
        ItemKind::SingleChoice if !info.options.is_empty() => {
            let credits: f64 = info.options.iter().map(|o| o.credit).sum();
            Some(100.0 * credits / count_f64(info.options.len()))
        }
        ItemKind::TrueFalse => Some(50.0),
        _ => None,
    }
}
