//! The adaptive test engine: score after each answer, choose the next item,
//! decide when to stop. Pure and deterministic: the caller supplies the
//! exposure counts and one uniform random number per choice, so the server
//! and `assay irt simulate` run exactly this code.
//!
//! - Scoring: EAP over a fixed grid of θ with a N(0, 1) prior; the
//!   standard error is the posterior standard deviation.
//! - Selection: maximum Fisher information a²P(1 − P) at the current EAP,
//!   among the eligible items of the section furthest behind its target
//!   share (content balance), chosen at random among the k most
//!   informative (randomesque), with an optional cap on each item's share
//!   of candidates (exposure control by running counts).
//! - Stopping: SE(θ) at or below the target or the maximum length, never
//!   before the minimum length.

use serde::Serialize;

use super::logistic;
use crate::convert::{count_f64, floor_usize};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolItem {
    pub id: String,
    pub section: String,
    pub a: f64,
    pub b: f64,
}

impl PoolItem {
    pub fn probability(&self, theta: f64) -> f64 {
        logistic(self.a * (theta - self.b))
    }

    /// Fisher information a²P(1 − P) at θ.
    pub fn information(&self, theta: f64) -> f64 {
        let p = self.probability(theta);
        self.a * self.a * p * (1.0 - p)
    }
}

/// What an adaptive test may do.
#[derive(Debug, Clone, Serialize)]
pub struct Rules {
    pub min_len: usize,
    pub max_len: usize,
    /// Stop once SE(θ) is at or below this (after `min_len` items).
    pub se_target: f64,
    /// Choose at random among this many of the most informative items.
    pub randomesque: usize,
    /// The largest share of candidates any one item may be shown to.
    pub exposure_cap: Option<f64>,
    /// Target share of the test per section; shares are normalised.
    pub sections: Vec<(String, f64)>,
}

impl Rules {
    /// Rules with each section's target share its share of the pool.
    pub fn proportional(pool: &[PoolItem], min_len: usize, max_len: usize, se_target: f64) -> Rules {
        let mut sections: Vec<(String, f64)> = Vec::new();
        for item in pool {
            match sections.iter_mut().find(|(s, _)| *s == item.section) {
                Some(entry) => entry.1 += 1.0,
                None => sections.push((item.section.clone(), 1.0)),
            }
        }
        Rules {
            min_len,
            max_len,
            se_target,
            randomesque: 4,
            exposure_cap: Some(0.25),
            sections,
        }
    }
}

/// How often each pool item has been shown, across candidates so far.
#[derive(Debug, Clone)]
pub struct Exposure {
    /// Candidates who have started, including the current one.
    pub candidates: usize,
    /// Times each pool item has been shown.
    pub shown: Vec<usize>,
}

impl Exposure {
    pub fn new(pool_size: usize) -> Exposure {
        Exposure {
            candidates: 0,
            shown: vec![0; pool_size],
        }
    }
}

/// Under an exposure cap c, an item may be shown only while its count stays
/// within c times the candidates so far; the first candidates count as this
/// many, so the cap does not starve the first tests.
const EXPOSURE_WARM_UP: usize = 20;

/// θ grid for scoring: 81 equally spaced points on [−5, 5] with the N(0, 1)
/// density as weights, fine enough for posteriors as narrow as SE 0.2.
const GRID: usize = 81;
const GRID_HALF_WIDTH: f64 = 5.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub theta: f64,
    pub se: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StopReason {
    /// SE(θ) reached the target.
    Precision,
    MaxLength,
    /// No eligible item is left.
    PoolExhausted,
}

/// One candidate's test so far: the items given (pool indices), the answers
/// and the log posterior over the grid. Rebuilt from the stored answers
/// with [`CatState::replay`] after a restart.
#[derive(Debug, Clone)]
pub struct CatState {
    theta: Vec<f64>,
    log_post: Vec<f64>,
    pub given: Vec<usize>,
    pub answers: Vec<bool>,
}

impl Default for CatState {
    fn default() -> Self {
        Self::new()
    }
}

impl CatState {
    pub fn new() -> CatState {
        let step = 2.0 * GRID_HALF_WIDTH / count_f64(GRID - 1);
        let theta: Vec<f64> = (0..GRID).map(|i| -GRID_HALF_WIDTH + step * count_f64(i)).collect();
        let log_post = theta.iter().map(|t| -0.5 * t * t).collect();
        CatState {
            theta,
            log_post,
            given: Vec::new(),
            answers: Vec::new(),
        }
    }

    pub fn replay(pool: &[PoolItem], answered: &[(usize, bool)]) -> CatState {
        let mut state = CatState::new();
        for &(item, right) in answered {
            state.record(pool, item, right);
        }
        state
    }

    /// Adds the answer to pool item `item`; an index past the pool's end
    /// has no parameters to learn from and records nothing.
    pub fn record(&mut self, pool: &[PoolItem], item: usize, right: bool) {
        let Some(it) = pool.get(item) else {
            return;
        };
        for (lp, &t) in self.log_post.iter_mut().zip(&self.theta) {
            let (l1, l0) = super::log_logistic_pair(it.a * (t - it.b));
            *lp += if right { l1 } else { l0 };
        }
        self.given.push(item);
        self.answers.push(right);
    }

    /// EAP and posterior SD.
    pub fn estimate(&self) -> Estimate {
        let max = self.log_post.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for (lp, &t) in self.log_post.iter().zip(&self.theta) {
            let w = (lp - max).exp();
            s0 += w;
            s1 += w * t;
            s2 += w * t * t;
        }
        let theta = s1 / s0;
        Estimate {
            theta,
            se: (s2 / s0 - theta * theta).max(0.0).sqrt(),
        }
    }

    pub fn len(&self) -> usize {
        self.given.len()
    }

    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }
}

/// Whether the test is over, and why.
pub fn stop_reason(rules: &Rules, state: &CatState) -> Option<StopReason> {
    if state.len() >= rules.max_len {
        return Some(StopReason::MaxLength);
    }
    if state.len() >= rules.min_len.max(1) && state.estimate().se <= rules.se_target {
        return Some(StopReason::Precision);
    }
    None
}

/// The next item to give (a pool index), or `None` when no item is left.
/// `uniform` in [0, 1) picks among the most informative items.
pub fn next_item(
    pool: &[PoolItem],
    rules: &Rules,
    state: &CatState,
    exposure: &Exposure,
    uniform: f64,
) -> Option<usize> {
    let theta = state.estimate().theta;
    let total_share: f64 = rules.sections.iter().map(|s| s.1.max(0.0)).sum();
    let capped = |j: usize| match rules.exposure_cap {
        Some(cap) => {
            let base = count_f64(exposure.candidates.max(EXPOSURE_WARM_UP));
            count_f64(exposure.shown.get(j).copied().unwrap_or(0) + 1) > cap * base
        }
        None => false,
    };
    let available = |j: usize| !state.given.contains(&j);
    // Sections by how far behind their target share they are, most first.
    let mut order: Vec<(f64, usize, &str)> = rules
        .sections
        .iter()
        .enumerate()
        .map(|(s, (name, share))| {
            let in_section = |j: &&usize| pool.get(**j).is_some_and(|it| it.section == *name);
            let given = count_f64(state.given.iter().filter(in_section).count());
            let target = if total_share > 0.0 {
                share.max(0.0) / total_share
            } else {
                0.0
            };
            (target * count_f64(state.len() + 1) - given, s, name.as_str())
        })
        .collect();
    order.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let sections: Vec<Option<&str>> = order
        .iter()
        .map(|&(_, _, name)| Some(name))
        .chain(std::iter::once(None))
        .collect();
    // First under the exposure cap; only if nothing at all is left under
    // it, over the cap rather than ending the test short.
    for respect_cap in [true, false] {
        for section in &sections {
            let mut candidates: Vec<(f64, usize)> = pool
                .iter()
                .enumerate()
                .filter(|&(j, it)| available(j) && section.is_none_or(|s| it.section == s))
                .filter(|&(j, _)| !(respect_cap && capped(j)))
                .map(|(j, it)| (it.information(theta), j))
                .collect();
            if candidates.is_empty() {
                continue;
            }
            candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let k = rules.randomesque.max(1).min(candidates.len());
            let pick = floor_usize(uniform.clamp(0.0, 1.0) * count_f64(k)).min(k - 1);
            // 0 ≤ pick < k ≤ candidates.len().
            return candidates.get(pick).map(|c| c.1);
        }
    }
    None
}

/// Runs one whole adaptive test for an answerer (the simulation's model of
/// a candidate; the server answers from the candidate instead), updating
/// `exposure`. `uniform` supplies the randomesque choices.
pub fn run_test(
    pool: &[PoolItem],
    rules: &Rules,
    exposure: &mut Exposure,
    mut answer: impl FnMut(&PoolItem) -> bool,
    mut uniform: impl FnMut() -> f64,
) -> (CatState, StopReason) {
    exposure.candidates += 1;
    let mut state = CatState::new();
    loop {
        if let Some(reason) = stop_reason(rules, &state) {
            return (state, reason);
        }
        // next_item gives an index into the pool.
        let Some((j, item)) = next_item(pool, rules, &state, exposure, uniform()).and_then(|j| Some((j, pool.get(j)?)))
        else {
            return (state, StopReason::PoolExhausted);
        };
        if let Some(shown) = exposure.shown.get_mut(j) {
            *shown += 1;
        }
        let right = answer(item);
        state.record(pool, j, right);
    }
}
