//! The form plan: how many questions of each difficulty and worth each
//! number of points a section draws. Every form of one assessment follows
//! the same plan, so candidates ranked together sat forms of the same total
//! and the same difficulty mix; only which questions fill each place varies.
//!
//! The plan is fixed when the blueprint is saved, so adding or retiring
//! questions later cannot make one candidate's form worth more than
//! another's; a start that the bank can no longer fill is refused.

use serde::{Deserialize, Serialize};

use super::blueprint::Section;
use super::draw::Candidate;
use crate::banks::question::Difficulty;
use crate::convert::{to_u32, to_usize};

/// So many questions of one difficulty, each worth `points` on the form.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stratum {
    pub difficulty: Difficulty,
    pub points: f64,
    pub count: u32,
}

impl Stratum {
    /// Whether a pool question fills a place of this stratum.
    pub fn admits(&self, section: &Section, c: &Candidate) -> bool {
        c.difficulty == self.difficulty && same_points(points_on_form(section, c), self.points)
    }
}

/// One section's plan, strata ordered by difficulty then points.
pub type SectionPlan = Vec<Stratum>;

/// What a question is worth on a form of this section.
pub fn points_on_form(section: &Section, c: &Candidate) -> f64 {
    section.points_each.unwrap_or(c.points)
}

/// Points are compared exactly: a bank's points come from the same parser,
/// so equal points are equal bit for bit.
fn same_points(a: f64, b: f64) -> bool {
    a.total_cmp(&b).is_eq()
}

/// Shares `n` among groups in proportion to their sizes (largest remainder,
/// ties to the earlier group). No group gets more than it has when
/// `n` is at most the sum of the sizes.
pub fn apportion(n: usize, sizes: &[usize]) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return vec![0; sizes.len()];
    }
    let mut shares: Vec<usize> = sizes.iter().map(|s| n.saturating_mul(*s) / total).collect();
    let mut order: Vec<(usize, usize)> = sizes
        .iter()
        .enumerate()
        .map(|(i, s)| (i, n.saturating_mul(*s) % total))
        .collect();
    // Largest remainder first; a stable sort keeps earlier groups ahead on ties.
    order.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let mut left = n.saturating_sub(shares.iter().sum());
    for (i, _) in order {
        if left == 0 {
            break;
        }
        if let Some(share) = shares.get_mut(i) {
            *share += 1;
            left -= 1;
        }
    }
    shares
}

/// The distinct points values among `pool`'s questions of difficulty `d`,
/// in ascending order, with how many questions have each.
fn points_groups(section: &Section, pool: &[Candidate], d: Difficulty) -> Vec<(f64, usize)> {
    let mut values: Vec<f64> = pool
        .iter()
        .filter(|c| c.difficulty == d)
        .map(|c| points_on_form(section, c))
        .collect();
    values.sort_by(f64::total_cmp);
    let mut groups: Vec<(f64, usize)> = Vec::new();
    for v in values {
        match groups.last_mut() {
            Some((last, n)) if same_points(*last, v) => *n += 1,
            _ => groups.push((v, 1)),
        }
    }
    groups
}

/// The plan for a section whose pool has passed the shortfall check: the
/// difficulty mix asked for (or, without one, the pool's own mix), and within
/// each difficulty the points values in proportion to the pool's.
pub fn plan_section(section: &Section, pool: &[Candidate]) -> SectionPlan {
    let per_difficulty: Vec<usize> = match section.difficulty_mix {
        Some(mix) => Difficulty::ALL.iter().map(|d| to_usize(mix.of(*d))).collect(),
        None => {
            let sizes: Vec<usize> = Difficulty::ALL
                .iter()
                .map(|d| pool.iter().filter(|c| c.difficulty == *d).count())
                .collect();
            apportion(to_usize(section.count), &sizes)
        }
    };
    let mut plan = Vec::new();
    for (d, need) in Difficulty::ALL.into_iter().zip(per_difficulty) {
        let groups = points_groups(section, pool, d);
        let sizes: Vec<usize> = groups.iter().map(|(_, n)| *n).collect();
        for ((points, _), count) in groups.into_iter().zip(apportion(need, &sizes)) {
            if count > 0 {
                plan.push(Stratum {
                    difficulty: d,
                    points,
                    count: to_u32(count),
                });
            }
        }
    }
    plan
}

/// The strata of `plan` that `pool` can no longer fill, with how many
/// questions each has.
pub fn unfilled(section: &Section, plan: &[Stratum], pool: &[Candidate]) -> Vec<(Stratum, usize)> {
    plan.iter()
        .map(|s| (*s, pool.iter().filter(|c| s.admits(section, c)).count()))
        .filter(|(s, have)| *have < to_usize(s.count))
        .collect()
}

/// The total points of every form drawn to `plan`.
pub fn total_points(plan: &[Stratum]) -> f64 {
    plan.iter().map(|s| f64::from(s.count) * s.points).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportioning_shares_in_proportion_and_never_beyond_a_group() {
        assert_eq!(apportion(10, &[14, 13, 13]), vec![4, 3, 3]);
        assert_eq!(apportion(3, &[1, 1, 1]), vec![1, 1, 1]);
        assert_eq!(apportion(0, &[5, 5]), vec![0, 0]);
        assert_eq!(apportion(4, &[0, 0]), vec![0, 0]);
        for n in 0..=20 {
            let sizes = [7, 0, 2, 11];
            let shares = apportion(n, &sizes);
            assert_eq!(shares.iter().sum::<usize>(), n);
            assert!(shares.iter().zip(sizes).all(|(s, size)| *s <= size));
        }
    }
}
