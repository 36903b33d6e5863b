//! Standard errors from the observed information of the marginal
//! log-likelihood, by Louis' (1982) formula, which is exact:
//!
//! −∂²ℓ = Σ_j Σ_q n_jq P_jq (1 − P_jq) x_q x_qᵀ  −  Σ_i w_i Cov_{θ | answers_i}(s_i(θ))
//!
//! with x_q = (θ_q, 1) for an item's (a, d), n_jq the expected number of
//! people at node q shown item j, and s_i(θ) person i's complete-data score
//! (for item j: (y_ij − P_j(θ))·x). The first term is the information if θ
//! were known; the second is the information lost by not knowing it.

use super::calibrate::Par;
use super::data::{Responses, MISSING};
use super::estep::{log_tables, par_rows, posterior};
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

pub(crate) fn standard_errors(
    data: &Responses,
    params: &[Par],
    nodes: &Nodes,
    counts: &[f64],
    threads: usize,
) -> Errors {
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
        let mut acc = Accumulator::new(k, q);
        let mut post = vec![0.0; q];
        let weights = data.weights().get(range.clone()).unwrap_or_default();
        for (i, &w) in range.zip(weights) {
            let row = data.row(i);
            posterior(row, &table, &log_prior, &mut post);
            if w == 0.0 {
                continue;
            }
            if row.contains(&MISSING) {
                acc.add_dense(row, w, &post, &prob, nodes);
            } else {
                acc.add_complete(row, w, &post, &prob, nodes);
            }
        }
        acc
    });
    let mut info = vec![0.0; dim * dim];
    for acc in parts {
        for (total, v) in info.iter_mut().zip(acc.lost(&prob, nodes)) {
            *total -= v;
        }
    }
    // Add the known-θ information. `counts` holds a wrong and a right row of
    // Q nodes per item and `prob` one row per item (with no nodes, nothing).
    let rows = counts.chunks_exact(2 * q.max(1)).zip(prob.chunks_exact(q.max(1)));
    for (j, (counts, prob)) in rows.enumerate() {
        let (wrong, right) = counts.split_at(q);
        let (mut iaa, mut iad, mut idd) = (0.0, 0.0, 0.0);
        for (((&wrong, &right), &p), &t) in wrong.iter().zip(right).zip(prob).zip(&nodes.theta) {
            let shown = wrong + right;
            let v = shown * p * (1.0 - p);
            iaa += v * t * t;
            iad += v * t;
            idd += v;
        }
        let (a, d) = (2 * j, 2 * j + 1);
        for (r, c, value) in [(a, a, iaa), (a, d, iad), (d, a, iad), (d, d, idd)] {
            if let Some(cell) = info.get_mut(r * dim + c) {
                *cell += value;
            }
        }
    }
    let se = match spd_inverse(&info, dim) {
        Some(cov) => params
            .iter()
            .enumerate()
            .map(|(j, p)| {
                let (ia, id) = (2 * j, 2 * j + 1);
                // The inverse is dim × dim; a missing cell reads as NaN and
                // gives no standard error.
                let at = |r: usize, c: usize| cov.get(r * dim + c).copied().unwrap_or(f64::NAN);
                let (vaa, vad, vdd) = (at(ia, ia), at(ia, id), at(id, id));
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

/// One thread's share of Σ_i w_i Cov(s_i), in two ways. Rows with items not
/// shown take the direct way: each node's centred score vector, O(Q·K²) per
/// person. Complete rows use the expansion e_u = y_u − P_u, in which the
/// only O(Q·K²) part, Σ_q π_q θ^k P_uq P_vq, is the same for every person
/// but for π, so it is summed once over the pooled posteriors: O(K² + Q·K)
/// per person.
struct Accumulator {
    k: usize,
    q: usize,
    /// Direct sum of w·Cov, upper triangle, 2K × 2K.
    dense: Vec<f64>,
    /// Σ w π_q over complete rows (significant nodes only).
    pooled: Vec<f64>,
    /// Σ w M_p y_u y_v for p = 0, 1, 2 (M_p = Σ_q π θ^p), u ≤ v.
    both_right: [Vec<f64>; 3],
    /// Σ w y_u g_p[v], g_p[v] = Σ_q π θ^p P_vq.
    right_times_g: [Vec<f64>; 3],
    /// Σ w s̄ s̄ᵀ, upper triangle, 2K × 2K.
    mean_outer: Vec<f64>,
    // Scratch.
    answered: Vec<usize>,
    f: Vec<f64>,
    mean: Vec<f64>,
    local: Vec<f64>,
    g: [Vec<f64>; 3],
    right: Vec<usize>,
}

// The kernels below index flat matrices (2K × 2K, K × K, K × Q) by row and
// column. Every index is a loop variable bounded by the dimensions `new`
// allocated them with (`dim`, `k`, `q`, `len`), or an item number from
// `answered` or `right`, which hold only `0..k`. Writing each as `get` would
// turn a broken bound into a silently wrong standard error instead of a
// failed fit, and slow the loops the fit spends its time in; the
// reference-data tests check the results.
#[allow(clippy::indexing_slicing)] // Sound: every index is bounded as the comment above says.
impl Accumulator {
    fn new(k: usize, q: usize) -> Self {
        let dim = 2 * k;
        Accumulator {
            k,
            q,
            dense: vec![0.0; dim * dim],
            pooled: vec![0.0; q],
            both_right: [vec![0.0; k * k], vec![0.0; k * k], vec![0.0; k * k]],
            right_times_g: [vec![0.0; k * k], vec![0.0; k * k], vec![0.0; k * k]],
            mean_outer: vec![0.0; dim * dim],
            answered: Vec::with_capacity(k),
            f: vec![0.0; dim],
            mean: vec![0.0; dim],
            local: vec![0.0; dim * dim],
            g: [vec![0.0; k], vec![0.0; k], vec![0.0; k]],
            right: Vec::with_capacity(k),
        }
    }

    fn add_complete(&mut self, row: &[u8], w: f64, post: &[f64], prob: &[f64], nodes: &Nodes) {
        let (k, q) = (self.k, self.q);
        let mut m = [0.0; 3];
        for g in &mut self.g {
            g.iter_mut().for_each(|x| *x = 0.0);
        }
        for n in 0..q {
            let pn = post[n];
            if pn < NEGLIGIBLE {
                continue;
            }
            let t = nodes.theta[n];
            let weights = [pn, pn * t, pn * t * t];
            self.pooled[n] += w * pn;
            for p in 0..3 {
                m[p] += weights[p];
                let wp = weights[p];
                for (g, j) in self.g[p].iter_mut().zip(0..k) {
                    *g += wp * prob[j * q + n];
                }
            }
        }
        self.right.clear();
        self.right.extend((0..k).filter(|&j| row[j] == 1));
        for (p, mp) in m.iter().enumerate() {
            let wm = w * mp;
            for (x, &u) in self.right.iter().enumerate() {
                let out = &mut self.right_times_g[p][u * k..(u + 1) * k];
                for (o, g) in out.iter_mut().zip(&self.g[p]) {
                    *o += w * g;
                }
                for &v in &self.right[x..] {
                    self.both_right[p][u * k + v] += wm;
                }
            }
        }
        // s̄ = (y_u M_1 − g_1[u], y_u M_0 − g_0[u]) per item.
        let dim = 2 * k;
        for (u, &cell) in row.iter().enumerate() {
            let y = f64::from(cell);
            self.mean[2 * u] = y * m[1] - self.g[1][u];
            self.mean[2 * u + 1] = y * m[0] - self.g[0][u];
        }
        for r in 0..dim {
            let wr = w * self.mean[r];
            let out = &mut self.mean_outer[r * dim + r..(r + 1) * dim];
            for (o, c) in out.iter_mut().zip(&self.mean[r..dim]) {
                *o += wr * c;
            }
        }
    }

    fn add_dense(&mut self, row: &[u8], w: f64, post: &[f64], prob: &[f64], nodes: &Nodes) {
        let (k, q) = (self.k, self.q);
        let dim = 2 * k;
        self.answered.clear();
        self.answered.extend((0..k).filter(|&j| row[j] != MISSING));
        let len = 2 * self.answered.len();
        // The posterior mean of the score, item by item.
        for (u, &j) in self.answered.iter().enumerate() {
            let y = f64::from(row[j]);
            let (mut sa, mut sd) = (0.0, 0.0);
            for n in 0..q {
                let e = post[n] * (y - prob[j * q + n]);
                sa += e * nodes.theta[n];
                sd += e;
            }
            self.mean[2 * u] = sa;
            self.mean[2 * u + 1] = sd;
        }
        let b = &mut self.local[..len * len];
        b.iter_mut().for_each(|v| *v = 0.0);
        for n in 0..q {
            let pn = post[n];
            if pn < NEGLIGIBLE {
                continue;
            }
            let theta = nodes.theta[n];
            for (u, &j) in self.answered.iter().enumerate() {
                let e = f64::from(row[j]) - prob[j * q + n];
                self.f[2 * u] = e * theta - self.mean[2 * u];
                self.f[2 * u + 1] = e - self.mean[2 * u + 1];
            }
            let f = &self.f[..len];
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
            let gu = 2 * self.answered[u / 2] + u % 2;
            for v in u..len {
                let gv = 2 * self.answered[v / 2] + v % 2;
                let (r, c) = if gu <= gv { (gu, gv) } else { (gv, gu) };
                self.dense[r * dim + c] += w * b[u * len + v];
            }
        }
    }

    /// The full symmetric Σ_i w_i Cov(s_i) of this thread's rows.
    fn lost(&self, prob: &[f64], nodes: &Nodes) -> Vec<f64> {
        let (k, q) = (self.k, self.q);
        let dim = 2 * k;
        let mut out = vec![0.0; dim * dim];
        for r in 0..dim {
            for c in r..dim {
                let v = self.dense[r * dim + c] - self.mean_outer[r * dim + c];
                out[r * dim + c] = v;
                out[c * dim + r] = v;
            }
        }
        // T_p[u][v] = Σ w Σ_q π θ^p e_u e_v for complete rows.
        let pooled_p: [Vec<f64>; 3] = [
            self.pooled.clone(),
            self.pooled.iter().zip(&nodes.theta).map(|(n, t)| n * t).collect(),
            self.pooled.iter().zip(&nodes.theta).map(|(n, t)| n * t * t).collect(),
        ];
        for u in 0..k {
            for v in u..k {
                let mut t = [0.0; 3];
                for (p, tp) in t.iter_mut().enumerate() {
                    let mut c = 0.0;
                    for n in 0..q {
                        c += pooled_p[p][n] * prob[u * q + n] * prob[v * q + n];
                    }
                    *tp = self.both_right[p][u * k + v]
                        - self.right_times_g[p][u * k + v]
                        - self.right_times_g[p][v * k + u]
                        + c;
                }
                // Blocks (a_u, a_v) = T_2, (a_u, d_v) = (d_u, a_v) = T_1, (d_u, d_v) = T_0.
                let cells = [
                    (2 * u, 2 * v, t[2]),
                    (2 * u, 2 * v + 1, t[1]),
                    (2 * u + 1, 2 * v, t[1]),
                    (2 * u + 1, 2 * v + 1, t[0]),
                ];
                // On the diagonal block (d_u, a_u) is the mirror of (a_u, d_u).
                let skip = usize::from(u == v);
                for (n, (r, c, value)) in cells.into_iter().enumerate() {
                    if skip == 1 && n == 2 {
                        continue;
                    }
                    out[r * dim + c] += value;
                    if r != c {
                        out[c * dim + r] += value;
                    }
                }
            }
        }
        out
    }
}
