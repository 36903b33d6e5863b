//! Marginal maximum likelihood for the 2PL by Bock–Aitkin EM.
//!
//! Internally an item is (a, d) with logit z = aθ + d, where each M-step is
//! a weighted logistic regression on the quadrature nodes (concave, so
//! Newton's method is safe); b = −d/a is reported, with its standard error
//! by the delta method.

use serde::Serialize;

use super::data::Responses;
use super::estep::{e_step, thread_count, EStep};
use super::fit::{item_fits, ItemFit};
use super::information::standard_errors;
use super::quadrature::{gauss_hermite_normal, Nodes};
use super::{log_logistic_pair, logistic, IrtError};

/// How to fit. The defaults suit both LSAT-6's 5 items and 60 items of
/// 100,000 people.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Gauss–Hermite nodes for the N(0, 1) ability distribution (at least 21).
    pub nodes: usize,
    /// EM cycles before giving up (the result is then flagged).
    pub max_iterations: usize,
    /// Converged when no parameter moves more than this in a cycle and the
    /// largest gradient per 1,000 people is below 100× this.
    pub tolerance: f64,
    /// Threads for the E-step; 0 means one per core.
    pub threads: usize,
    /// Told the cycle number and log-likelihood after each EM cycle (a
    /// background calibration shows it as progress).
    pub progress: Option<Progress>,
}

/// A callback for [`FitOptions::progress`]: (cycle, log-likelihood).
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(usize, f64) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            nodes: 41,
            max_iterations: 5000,
            tolerance: 1e-6,
            threads: 0,
            progress: None,
        }
    }
}

/// One item's estimates. A standard error is `None` when the information
/// matrix is not positive definite (the item did not converge).
#[derive(Debug, Clone, Serialize)]
pub struct ItemEstimate {
    pub item: String,
    pub a: f64,
    pub b: f64,
    pub se_a: Option<f64>,
    pub se_b: Option<f64>,
    /// The share of the people who were shown the item that answered right
    /// (classical test theory's "p-value", not a significance level).
    pub share_right: f64,
    pub shown: f64,
    pub fit: Option<ItemFit>,
    /// Whether the estimates can be used as they are.
    pub ok: bool,
    /// Why not, in a sentence, when they cannot (or a caution when they can).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub model: &'static str,
    pub method: &'static str,
    pub items: Vec<ItemEstimate>,
    pub log_likelihood: f64,
    pub people: f64,
    pub quadrature_nodes: usize,
    /// Accelerated EM cycles, each of up to three E-steps.
    pub iterations: usize,
    pub converged: bool,
    /// Largest absolute gradient of the log-likelihood at the estimates.
    pub max_gradient: f64,
    pub standard_errors: &'static str,
    pub item_fit: &'static str,
    /// Sentences about the whole fit (non-convergence, flagged items).
    pub notes: Vec<String>,
    /// Seconds spent in EM, standard errors and item fit (for benchmarks).
    #[serde(skip)]
    pub phase_seconds: [f64; 3],
}

/// Slope and intercept of one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Par {
    pub a: f64,
    pub d: f64,
}

/// Fits the 2PL to `data`.
pub fn calibrate(data: &Responses, options: &FitOptions) -> Result<Calibration, IrtError> {
    if options.nodes < 21 {
        return Err(IrtError::Input("use at least 21 quadrature nodes".into()));
    }
    let nodes = gauss_hermite_normal(options.nodes);
    let threads = thread_count(options.threads, data.rows());
    let people = data.people().max(1.0);
    let started = std::time::Instant::now();
    let Fitted {
        params,
        estep,
        iterations,
        converged,
    } = squarem(data, options, &nodes, threads, people);
    let max_grad = max_gradient(&estep.counts, &params, &nodes);
    let em_done = started.elapsed().as_secs_f64();
    let errors = standard_errors(data, &params, &nodes, &estep.counts, threads);
    let se_done = started.elapsed().as_secs_f64();
    let fits = item_fits(data, &params, &nodes, threads);
    let phase_seconds = [em_done, se_done - em_done, started.elapsed().as_secs_f64() - se_done];
    let mut notes = Vec::new();
    if !converged {
        notes.push(format!(
            "The fit did not converge in {iterations} cycles (largest gradient {max_grad:.3}); treat every estimate as provisional."
        ));
    }
    let items = item_estimates(data, &params, fits, &errors.se);
    let flagged = items.iter().filter(|i| !i.ok).count();
    if flagged > 0 {
        notes.push(format!(
            "{flagged} of {} items are flagged; read each one's note before using its parameters.",
            items.len()
        ));
    }
    Ok(Calibration {
        model: "2PL: P = 1/(1 + exp(-a(theta - b))), theta ~ N(0, 1), no 1.702 constant",
        method: "marginal maximum likelihood, Bock-Aitkin EM on Gauss-Hermite nodes; items not shown are missing",
        items,
        log_likelihood: estep.loglik,
        people: data.people(),
        quadrature_nodes: nodes.len(),
        iterations,
        converged,
        max_gradient: max_grad,
        standard_errors: "observed information (Louis' formula, the exact Hessian of the marginal log-likelihood); SE(b) by the delta method",
        item_fit: super::fit::METHOD,
        notes,
        phase_seconds,
    })
}

/// Where the EM cycles ended.
struct Fitted {
    params: Vec<Par>,
    /// The E-step at `params`.
    estep: EStep,
    iterations: usize,
    converged: bool,
}

/// One EM cycle: an M-step per item from the E-step's expected counts.
fn em(p: &[Par], counts: &[f64], nodes: &Nodes) -> Vec<Par> {
    p.iter()
        .enumerate()
        .map(|(j, &pj)| m_step(counts, j, nodes, pj))
        .collect()
}

// EM accelerated by SQUAREM (Varadhan and Roland 2008, scheme S3): two
// EM steps give a direction and a step length for an extrapolation,
// which is kept only when it does not lower the likelihood. It cuts
// the E-steps several-fold; plain EM is its fallback.
fn squarem(data: &Responses, options: &FitOptions, nodes: &Nodes, threads: usize, people: f64) -> Fitted {
    let mut params = start_values(data);
    let mut estep = e_step(data, &params, nodes, threads);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < options.max_iterations {
        iterations += 1;
        let p1 = em(&params, &estep.counts, nodes);
        let change = max_change(&params, &p1);
        let gradient = max_gradient(&estep.counts, &params, nodes) / people * 1000.0;
        if change < options.tolerance && gradient < 100.0 * options.tolerance {
            converged = true;
            break;
        }
        params = squarem_step(data, &params, p1, nodes, threads);
        estep = e_step(data, &params, nodes, threads);
        if let Some(Progress(tell)) = &options.progress {
            tell(iterations, estep.loglik);
        }
    }
    Fitted {
        params,
        estep,
        iterations,
        converged,
    }
}

/// From `params` and the EM step `p1` after it: a second EM step, and the
/// extrapolation along them when it does not lower the likelihood.
fn squarem_step(data: &Responses, params: &[Par], p1: Vec<Par>, nodes: &Nodes, threads: usize) -> Vec<Par> {
    let e1 = e_step(data, &p1, nodes, threads);
    let p2 = em(&p1, &e1.counts, nodes);
    let r: Vec<f64> = flat(&p1).iter().zip(flat(params)).map(|(x1, x0)| x1 - x0).collect();
    let v: Vec<f64> = flat(&p2)
        .iter()
        .zip(flat(&p1))
        .zip(flat(params))
        .map(|((x2, x1), x0)| x2 - 2.0 * x1 + x0)
        .collect();
    let rr: f64 = r.iter().map(|x| x * x).sum();
    let vv: f64 = v.iter().map(|x| x * x).sum();
    let alpha = if vv > 0.0 { -(rr / vv).sqrt() } else { -1.0 };
    let mut next = p2;
    if alpha < -1.0 {
        let x0 = flat(params);
        let jump: Vec<f64> = x0
            .iter()
            .zip(&r)
            .zip(&v)
            .map(|((x0, r), v)| x0 - 2.0 * alpha * r + alpha * alpha * v)
            .collect();
        let jumped = unflat(&jump);
        let ej = e_step(data, &jumped, nodes, threads);
        if ej.loglik.is_finite() && ej.loglik >= e1.loglik {
            // One EM step from the extrapolated point keeps it stable.
            next = em(&jumped, &ej.counts, nodes);
        }
    }
    next
}

fn item_estimates(
    data: &Responses,
    params: &[Par],
    fits: Vec<Option<ItemFit>>,
    se: &[Option<(f64, f64)>],
) -> Vec<ItemEstimate> {
    let mut items = Vec::with_capacity(data.items());
    // One parameter pair, fit, standard error and name per item.
    let per_item = params.iter().zip(fits).zip(se).zip(data.names());
    for (j, (((p, fit), &se), name)) in per_item.enumerate() {
        let (shown, right) = item_totals(data, j);
        let (ok, note) = judge(p, se, fit.as_ref(), shown);
        items.push(ItemEstimate {
            item: name.clone(),
            a: p.a,
            b: -p.d / p.a,
            se_a: se.map(|s| s.0),
            se_b: se.map(|s| s.1),
            share_right: if shown > 0.0 { right / shown } else { 0.0 },
            shown,
            fit,
            ok,
            note,
        });
    }
    items
}

/// The marginal log-likelihood of `data` at given (a, b) per item, on
/// `nodes` Gauss–Hermite nodes: for checking published estimates.
pub fn log_likelihood(data: &Responses, items: &[(f64, f64)], nodes: usize) -> f64 {
    let nodes = gauss_hermite_normal(nodes);
    let params: Vec<Par> = items.iter().map(|&(a, b)| Par { a, d: -a * b }).collect();
    e_step(data, &params, &nodes, 1).loglik
}

/// Whether an item's estimates can be used, and the sentence saying why not.
fn judge(p: &Par, se: Option<(f64, f64)>, fit: Option<&ItemFit>, shown: f64) -> (bool, Option<String>) {
    let b = -p.d / p.a;
    if se.is_none() {
        return (false, Some("Its estimates did not converge (the information is not positive definite), so it has no standard errors; it may need more responses or be left out.".into()));
    }
    if p.a <= 0.0 {
        return (false, Some(format!("It discriminates negatively (a = {:.2}): stronger candidates answer it wrong more often than weaker ones; check the key.", p.a)));
    }
    if p.a > 6.0 || b.abs() > 6.0 {
        return (false, Some(format!("Its estimates are extreme (a = {:.2}, b = {:.2}), which usually means they did not converge; it may need more responses.", p.a, b)));
    }
    if let Some(f) = fit {
        if f.misfits {
            return (false, Some(format!("It fits the model badly (chi-square {:.1} on {} df, p = {:.4}; observed and predicted shares right differ by {:.3} on average).", f.chi_square, f.df, f.p_value, f.rmsd)));
        }
    }
    if p.a < 0.3 {
        return (
            true,
            Some(format!(
                "It discriminates weakly (a = {:.2}); it adds little to any test.",
                p.a
            )),
        );
    }
    if shown < 200.0 {
        return (
            true,
            Some(format!(
                "Only {shown:.0} people were shown it, so its estimates are rough."
            )),
        );
    }
    (true, None)
}

fn item_totals(data: &Responses, j: usize) -> (f64, f64) {
    let mut shown = 0.0;
    let mut right = 0.0;
    for (i, &w) in data.weights().iter().enumerate() {
        match data.row(i).get(j) {
            Some(1) => {
                shown += w;
                right += w;
            }
            Some(0) => shown += w,
            _ => {}
        }
    }
    (shown, right)
}

/// a = 1 and b from the share right (logit), a reasonable start for EM.
fn start_values(data: &Responses) -> Vec<Par> {
    (0..data.items())
        .map(|j| {
            let (shown, right) = item_totals(data, j);
            let p = ((right + 0.5) / (shown + 1.0)).clamp(0.01, 0.99);
            Par {
                a: 1.0,
                d: (p / (1.0 - p)).ln() * 1.2,
            }
        })
        .collect()
}

fn max_change(x: &[Par], y: &[Par]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(p, n)| (p.a - n.a).abs().max((p.d - n.d).abs()))
        .fold(0.0, f64::max)
}

fn flat(p: &[Par]) -> Vec<f64> {
    p.iter().flat_map(|x| [x.a, x.d]).collect()
}

fn unflat(x: &[f64]) -> Vec<Par> {
    x.as_chunks::<2>().0.iter().map(|&[a, d]| Par { a, d }).collect()
}

/// Largest absolute component of the marginal log-likelihood's gradient
/// (Fisher's identity: the expected complete-data score).
fn max_gradient(counts: &[f64], params: &[Par], nodes: &Nodes) -> f64 {
    let q = nodes.len();
    let mut worst: f64 = 0.0;
    if q == 0 {
        return worst;
    }
    for (block, p) in counts.chunks_exact(2 * q).zip(params) {
        let (mut ga, mut gd) = (0.0, 0.0);
        let (wrong, right) = block.split_at(q);
        for ((&theta, &wrong), &right) in nodes.theta.iter().zip(wrong).zip(right) {
            let resid = right - (right + wrong) * logistic(p.a * theta + p.d);
            ga += resid * theta;
            gd += resid;
        }
        worst = worst.max(ga.abs()).max(gd.abs());
    }
    worst
}

/// One item's M-step: maximise Σ_q r_q ln P_q + (n_q − r_q) ln(1 − P_q)
/// over (a, d) by Newton's method with step halving.
fn m_step(counts: &[f64], j: usize, nodes: &Nodes, start: Par) -> Par {
    let q = nodes.len();
    // e_step made a `wrong` and a `right` row of Q nodes for each item.
    let (wrong, right) = counts
        .get((j * 2) * q..(j * 2 + 2) * q)
        .and_then(|block| block.split_at_checked(q))
        .unwrap_or_default();
    let objective = |p: Par| -> f64 {
        let mut s = 0.0;
        for ((&theta, &right), &wrong) in nodes.theta.iter().zip(right).zip(wrong) {
            let (lp, lq) = log_logistic_pair(p.a * theta + p.d);
            s += right * lp + wrong * lq;
        }
        s
    };
    let mut p = start;
    let mut value = objective(p);
    for _ in 0..50 {
        let (mut ga, mut gd, mut haa, mut had, mut hdd) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for ((&theta, &right), &wrong) in nodes.theta.iter().zip(right).zip(wrong) {
            let n = right + wrong;
            let prob = logistic(p.a * theta + p.d);
            let resid = right - n * prob;
            let info = n * prob * (1.0 - prob);
            ga += resid * theta;
            gd += resid;
            haa += info * theta * theta;
            had += info * theta;
            hdd += info;
        }
        let det = haa * hdd - had * had;
        if !(det.is_finite() && det > 0.0) {
            break;
        }
        let step_a = (hdd * ga - had * gd) / det;
        let step_d = (haa * gd - had * ga) / det;
        let mut scale = 1.0;
        let mut moved = false;
        for _ in 0..30 {
            let trial = Par {
                a: p.a + scale * step_a,
                d: p.d + scale * step_d,
            };
            let v = objective(trial);
            if v >= value - 1e-12 * value.abs() {
                let small = (trial.a - p.a).abs().max((trial.d - p.d).abs()) < 1e-12;
                p = trial;
                value = v;
                moved = !small;
                break;
            }
            scale *= 0.5;
        }
        if !moved {
            break;
        }
    }
    p
}
