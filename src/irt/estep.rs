//! The E-step of Bock–Aitkin EM, shared with item fit and the standard
//! errors: each person's posterior over the quadrature nodes, and the
//! expected counts summed over people, in parallel over rows.

use std::ops::Range;

use super::calibrate::Par;
use super::data::{Responses, MISSING};
use super::log_logistic_pair;
use super::quadrature::Nodes;

/// How many threads to use for `rows` rows: `requested`, or every core
/// when 0, but never more than one per 2,000 rows.
pub(crate) fn thread_count(requested: usize, rows: usize) -> usize {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let t = if requested == 0 { cores } else { requested };
    // Threads cost more than they save on small data.
    t.clamp(1, (rows / 2000).max(1))
}

/// Runs `f` on `threads` contiguous row ranges in parallel.
pub(crate) fn par_rows<T: Send>(rows: usize, threads: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    if threads <= 1 {
        return vec![f(0..rows)];
    }
    let chunk = rows.div_ceil(threads);
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * chunk).min(rows)..((t + 1) * chunk).min(rows);
                s.spawn(move || f(range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// ln P(answer y to item j | θ_q) at `[(j·2 + y)·Q + q]`.
pub(crate) fn log_tables(params: &[Par], nodes: &Nodes) -> Vec<f64> {
    let q = nodes.len();
    let mut t = vec![0.0; params.len() * 2 * q];
    if q == 0 {
        return t;
    }
    for (block, p) in t.chunks_exact_mut(2 * q).zip(params) {
        let (wrong, right) = block.split_at_mut(q);
        for ((lw, lr), &theta) in wrong.iter_mut().zip(right).zip(&nodes.theta) {
            let (lp, lq) = log_logistic_pair(p.a * theta + p.d);
            *lw = lq;
            *lr = lp;
        }
    }
    t
}

/// Fills `post` with one row's posterior over the nodes and returns the
/// row's log marginal likelihood.
#[inline]
pub(crate) fn posterior(row: &[u8], table: &[f64], log_prior: &[f64], post: &mut [f64]) -> f64 {
    let q = log_prior.len();
    post.copy_from_slice(log_prior);
    for (j, &c) in row.iter().enumerate() {
        if c != MISSING {
            let start = (j * 2 + usize::from(c)) * q;
            // log_tables made a row for each item and answer.
            for (p, t) in post.iter_mut().zip(table.get(start..start + q).unwrap_or_default()) {
                *p += t;
            }
        }
    }
    let max = post.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for p in post.iter_mut() {
        *p = (*p - max).exp();
        sum += *p;
    }
    let inv = 1.0 / sum;
    for p in post.iter_mut() {
        *p *= inv;
    }
    max + sum.ln()
}

/// The range of nodes outside which the posterior is below 1e-14 (a
/// relative error far below anything reported).
#[inline]
pub(crate) fn support(post: &[f64]) -> (usize, usize) {
    const TINY: f64 = 1e-14;
    let lo = post.iter().position(|&p| p >= TINY).unwrap_or(0);
    let hi = post.iter().rposition(|&p| p >= TINY).map_or(post.len(), |h| h + 1);
    (lo, hi.max(lo))
}

pub(crate) struct EStep {
    pub loglik: f64,
    /// Expected number of people at node q answering item j with y, at
    /// `[(j·2 + y)·Q + q]`.
    pub counts: Vec<f64>,
}

pub(crate) fn e_step(data: &Responses, params: &[Par], nodes: &Nodes, threads: usize) -> EStep {
    let q = nodes.len();
    let table = log_tables(params, nodes);
    let log_prior: Vec<f64> = nodes.weight.iter().map(|w| w.ln()).collect();
    let parts = par_rows(data.rows(), threads, |range| {
        let mut counts = vec![0.0; params.len() * 2 * q];
        let mut post = vec![0.0; q];
        let mut loglik = 0.0;
        let weights = data.weights().get(range.clone()).unwrap_or_default();
        for (i, &w) in range.zip(weights) {
            if w == 0.0 {
                continue;
            }
            let row = data.row(i);
            loglik += w * posterior(row, &table, &log_prior, &mut post);
            // With many items the posterior is negligible on most nodes;
            // adding only its support makes this loop several times faster.
            let (lo, hi) = support(&post);
            for (j, &c) in row.iter().enumerate() {
                if c != MISSING {
                    let start = (j * 2 + usize::from(c)) * q;
                    let (Some(acc), Some(post)) = (counts.get_mut(start + lo..start + hi), post.get(lo..hi)) else {
                        continue;
                    };
                    for (acc, p) in acc.iter_mut().zip(post) {
                        *acc += w * p;
                    }
                }
            }
        }
        (loglik, counts)
    });
    let mut loglik = 0.0;
    let mut counts = vec![0.0; params.len() * 2 * q];
    for (l, c) in parts {
        loglik += l;
        for (acc, v) in counts.iter_mut().zip(c) {
            *acc += v;
        }
    }
    EStep { loglik, counts }
}
