//! Item fit: a chi-square of observed against predicted answers over
//! ability groups, with each person's prediction and group taken from
//! their other answers only.
//!
//! For item j and person i, the posterior of θ given everything but item j
//! gives both a rest-EAP (to sort people into groups) and the predictive
//! probability E_ij of a right answer. Under the model the answer y_ij has
//! mean E_ij and variance E_ij(1 − E_ij) independently of the grouping, so
//! X² = Σ_g (O_g − E_g)² / V_g over the groups' sums is close to
//! chi-square. This is Yen's Q1 with the EAP shrinkage removed; chosen over
//! Orlando and Thissen's S-X2 because S-X2 groups people by summed score,
//! which random forms (different items per person) make meaningless.

use serde::Serialize;

use super::calibrate::Par;
use super::data::{Responses, MISSING};
use super::estep::{log_tables, par_rows, posterior};
use super::logistic;
use super::quadrature::Nodes;
use crate::convert::count_f64;

pub(crate) const METHOD: &str = "chi-square over 10 ability groups of the people shown the item (grouped by EAP ability from their other answers), observed against predicted right answers, the prediction also from their other answers; df = groups - 2. Flagged as misfitting when p < 0.01 and the groups' shares right differ from the predicted ones by more than 0.05 (root mean square), so that large samples do not flag trivial misfit";

const GROUPS: usize = 10;
const FLAG_P: f64 = 0.01;
const FLAG_RMSD: f64 = 0.05;

#[derive(Debug, Clone, Serialize)]
pub struct ItemFit {
    pub chi_square: f64,
    pub df: usize,
    pub p_value: f64,
    /// Root mean square of observed minus predicted share right, weighted by
    /// group size: the size of the misfit, which the p-value is not.
    pub rmsd: f64,
    pub misfits: bool,
}

pub(crate) fn item_fits(data: &Responses, params: &[Par], nodes: &Nodes, threads: usize) -> Vec<Option<ItemFit>> {
    let q = nodes.len();
    let table = log_tables(params, nodes);
    let log_prior: Vec<f64> = nodes.weight.iter().map(|w| w.ln()).collect();
    let posts: Vec<f64> = par_rows(data.rows(), threads, |range| {
        let mut out = vec![0.0; range.len() * q];
        for (i, chunk) in range.zip(out.chunks_exact_mut(q)) {
            posterior(data.row(i), &table, &log_prior, chunk);
        }
        out
    })
    .concat();
    let parts = par_rows(params.len(), threads.min(params.len()), |items| {
        items
            .map(|j| params.get(j).and_then(|p| one_item(data, j, p, nodes, &posts)))
            .collect::<Vec<_>>()
    });
    parts.concat()
}

fn one_item(data: &Responses, j: usize, p: &Par, nodes: &Nodes, posts: &[f64]) -> Option<ItemFit> {
    let mut people = rest_eaps(data, j, p, nodes, posts);
    let shown: f64 = people.iter().map(|x| x.1).sum();
    if shown <= 0.0 {
        return None;
    }
    people.sort_by(|x, y| x.0.total_cmp(&y.0));
    let groups = group(&people, shown);
    let mut chi_square = 0.0;
    let mut squares = 0.0;
    let mut used = 0;
    for &(n, right, predicted, variance) in &groups {
        if variance <= 1e-9 {
            continue;
        }
        used += 1;
        chi_square += (right - predicted) * (right - predicted) / variance;
        squares += (right - predicted) * (right - predicted) / n;
    }
    if used < 3 {
        return None;
    }
    let df = used - 2;
    let p_value = chi_square_survival(chi_square, count_f64(df));
    let rmsd = (squares / shown).sqrt();
    Some(ItemFit {
        chi_square,
        df,
        p_value,
        rmsd,
        misfits: p_value < FLAG_P && rmsd > FLAG_RMSD,
    })
}

/// (rest-EAP, weight, answer, predicted probability) for each person shown
/// item `j`: the ability estimated from their other answers.
fn rest_eaps(data: &Responses, j: usize, p: &Par, nodes: &Nodes, posts: &[f64]) -> Vec<(f64, f64, f64, f64)> {
    let q = nodes.len();
    let prob: Vec<f64> = nodes.theta.iter().map(|t| logistic(p.a * t + p.d)).collect();
    // 1 / P(answer | θ_q) for wrong and right answers; 0 where P underflows.
    let inverse = |x: f64| if x > 0.0 { 1.0 / x } else { 0.0 };
    let inv: [Vec<f64>; 2] = [
        prob.iter().map(|&p| inverse(1.0 - p)).collect(),
        prob.iter().map(|&p| inverse(p)).collect(),
    ];
    let mut people: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut rest = vec![0.0; q];
    for (i, &w) in data.weights().iter().enumerate() {
        let Some(&c) = data.row(i).get(j) else {
            continue;
        };
        if c == MISSING || w == 0.0 {
            continue;
        }
        // Divide item j's likelihood back out of the posterior (made above
        // for every row; c is 0 or 1).
        let (Some(post), Some(inv)) = (posts.get(i * q..(i + 1) * q), inv.get(usize::from(c))) else {
            continue;
        };
        let mut sum = 0.0;
        for ((r, p), v) in rest.iter_mut().zip(post).zip(inv) {
            *r = p * v;
            sum += *r;
        }
        if sum <= 0.0 || !sum.is_finite() {
            continue;
        }
        let (mut eap, mut predicted) = (0.0, 0.0);
        for ((r, t), p) in rest.iter().zip(&nodes.theta).zip(&prob) {
            eap += r * t;
            predicted += r * p;
        }
        people.push((eap / sum, w, f64::from(c), predicted / sum));
    }
    people
}

/// (people, right, predicted right, variance) per group of people sorted by
/// rest-EAP; ties in the rest-EAP (same other answers) stay together.
fn group(people: &[(f64, f64, f64, f64)], shown: f64) -> Vec<(f64, f64, f64, f64)> {
    let mut groups: Vec<(f64, f64, f64, f64)> = Vec::with_capacity(GROUPS);
    let mut current = (0.0, 0.0, 0.0, 0.0);
    let mut cumulative = 0.0;
    for (pos, &(eap, w, y, e)) in people.iter().enumerate() {
        current.0 += w;
        current.1 += w * y;
        current.2 += w * e;
        current.3 += w * e * (1.0 - e);
        cumulative += w;
        let boundary = cumulative >= shown * count_f64(groups.len() + 1) / count_f64(GROUPS) - 1e-9;
        // Rows with the same other answers have the same rest-EAP up to
        // rounding; splitting them would put their right and wrong answers
        // in different groups.
        let tie = people.get(pos + 1).is_some_and(|next| (next.0 - eap).abs() < 1e-9);
        if boundary && !tie {
            groups.push(current);
            current = (0.0, 0.0, 0.0, 0.0);
        }
    }
    if current.0 > 0.0 {
        groups.push(current);
    }
    groups
}

/// P(X > x) for X ~ chi-square(df): the regularised upper incomplete gamma
/// Q(df/2, x/2), by its series below a + 1 and its continued fraction above
/// (Numerical Recipes' gammq).
pub(crate) fn chi_square_survival(x: f64, df: f64) -> f64 {
    let a = df / 2.0;
    let x = x / 2.0;
    if x <= 0.0 {
        return 1.0;
    }
    let gln = ln_gamma(a);
    if x < a + 1.0 {
        let mut ap = a;
        let mut sum = 1.0 / a;
        let mut del = sum;
        for _ in 0..1000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (1.0 - sum * (-x + a * x.ln() - gln).exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in (1..1000).map(f64::from) {
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-15 {
                break;
            }
        }
        ((-x + a * x.ln() - gln).exp() * h).clamp(0.0, 1.0)
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let [first, rest @ ..] = C;
    let mut a = first;
    let t = x + 7.5;
    for (i, c) in (1..).map(f64::from).zip(rest) {
        a += c / (x + i);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}
