//! Standard errors from the observed information of the marginal
//! log-likelihood, by Louis' (1982) formula, which is exact:
//!
//! −∂²ℓ = Σ_j Σ_q n_jq P_jq (1 − P_jq) x_q x_qᵀ  −  Σ_i w_i Cov_{θ | answers_i}(s_i(θ))
//!
//! with x_q = (θ_q, 1) for an item's (a, d), n_jq the expected number of
//! people at node q shown item j, and s_i(θ) person i's complete-data score
//! (for item j: (y_ij − P_j(θ))·x). The first term is the information if θ
//! were known; the second is the information lost by not knowing it.

use super::calibrate::{log_tables, par_rows, posterior, Par};
use super::data::{Responses, MISSING};
use super::linalg::spd_inverse;
use super::logistic;
use super::quadrature::Nodes;

pub(crate) struct Errors {
    /// (SE(a), SE(b)) per item; `None` when the information is singular.
    pub se: Vec<Option<(f64, f64)>>,
}

/// Posterior mass below which a node adds nothing measurable to a person's
/// covariance; skipping those nodes makes 60-item fits several times faster.
const NEGLIGIBLE: f64 = 1e-11;

pub(crate) fn standard_errors(data: &Responses, params: &[Par], nodes: &Nodes, counts: &[f64], threads: usize) -> Errors {
    let k = params.len();
    let q = nodes.len();
    let dim = 2 * k;
    let table = log_tables(params, nodes);
    let log_prior: Vec<f64> = nodes.weight.iter().map(|w| w.ln()).collect();
    let prob: Vec<f64> = params
        .iter()
        .flat_map(|p| nodes.theta.iter().map(move |t| logistic(p.a * t + p.d)))
        .collect();
    let parts = par_rows(data.rows(), threads, |range| {
        let mut lost = vec![0.0; dim * dim];
        let mut post = vec![0.0; q];
        let mut answered: Vec<usize> = Vec::with_capacity(k);
        let mut mean = vec![0.0; dim];
        let mut f = vec![0.0; dim];
        let mut local = vec![0.0; dim * dim];
        for i in range {
            let row = data.row(i);
            posterior(row, &table, &log_prior, &mut post);
            let w = data.weights()[i];
            if w == 0.0 {
                continue;
            }
            answered.clear();
            answered.extend((0..k).filter(|&j| row[j] != MISSING));
            let len = 2 * answered.len();
            // The posterior mean of the score, item by item.
            for (u, &j) in answered.iter().enumerate() {
                let y = row[j] as f64;
                let (mut sa, mut sd) = (0.0, 0.0);
                for n in 0..q {
                    let e = post[n] * (y - prob[j * q + n]);
                    sa += e * nodes.theta[n];
                    sd += e;
                }
                mean[2 * u] = sa;
                mean[2 * u + 1] = sd;
            }
            let b = &mut local[..len * len];
            b.iter_mut().for_each(|v| *v = 0.0);
            for n in 0..q {
                let pn = post[n];
                if pn < NEGLIGIBLE {
                    continue;
                }
                let theta = nodes.theta[n];
                for (u, &j) in answered.iter().enumerate() {
                    let e = row[j] as f64 - prob[j * q + n];
                    f[2 * u] = e * theta - mean[2 * u];
                    f[2 * u + 1] = e - mean[2 * u + 1];
                }
                let f = &f[..len];
                for u in 0..len {
                    let fu = pn * f[u];
                    let out = &mut b[u * len + u..(u + 1) * len];
                    for (o, fv) in out.iter_mut().zip(&f[u..]) {
                        *o += fu * fv;
                    }
                }
            }
            // Scatter this person's covariance into the full matrix.
            for u in 0..len {
                let gu = 2 * answered[u / 2] + u % 2;
                for v in u..len {
                    let gv = 2 * answered[v / 2] + v % 2;
                    let (r, c) = if gu <= gv { (gu, gv) } else { (gv, gu) };
                    lost[r * dim + c] += w * b[u * len + v];
                }
            }
        }
        lost
    });
    let mut info = vec![0.0; dim * dim];
    for lost in parts {
        for (acc, v) in info.iter_mut().zip(&lost) {
            *acc -= v;
        }
    }
    // Mirror the upper triangle, then add the known-θ information.
    for r in 0..dim {
        for c in 0..r {
            info[r * dim + c] = info[c * dim + r];
        }
    }
    for j in 0..k {
        let (mut iaa, mut iad, mut idd) = (0.0, 0.0, 0.0);
        for n in 0..q {
            let shown = counts[(j * 2) * q + n] + counts[(j * 2 + 1) * q + n];
            let p = prob[j * q + n];
            let v = shown * p * (1.0 - p);
            let t = nodes.theta[n];
            iaa += v * t * t;
            iad += v * t;
            idd += v;
        }
        let (a, d) = (2 * j, 2 * j + 1);
        info[a * dim + a] += iaa;
        info[a * dim + d] += iad;
        info[d * dim + a] += iad;
        info[d * dim + d] += idd;
    }
    let se = match spd_inverse(&info, dim) {
        Some(cov) => params
            .iter()
            .enumerate()
            .map(|(j, p)| {
                let (ia, id) = (2 * j, 2 * j + 1);
                let (vaa, vad, vdd) = (cov[ia * dim + ia], cov[ia * dim + id], cov[id * dim + id]);
                // b = −d/a: gradient (d/a², −1/a).
                let (ga, gd) = (p.d / (p.a * p.a), -1.0 / p.a);
                let vbb = ga * ga * vaa + 2.0 * ga * gd * vad + gd * gd * vdd;
                (vaa > 0.0 && vbb > 0.0).then(|| (vaa.sqrt(), vbb.sqrt()))
            })
            .collect(),
        None => vec![None; k],
    };
    Errors { se }
}
