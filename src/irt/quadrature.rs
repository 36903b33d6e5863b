//! Gauss–Hermite quadrature for a standard normal ability distribution.

use crate::convert::count_f64;

/// Quadrature nodes θ_q with weights w_q (summing to 1) such that
/// Σ_q w_q f(θ_q) ≈ E f(θ) for θ ~ N(0, 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Nodes {
    pub theta: Vec<f64>,
    pub weight: Vec<f64>,
}

impl Nodes {
    pub fn len(&self) -> usize {
        self.theta.len()
    }

    pub fn is_empty(&self) -> bool {
        self.theta.is_empty()
    }
}

/// The n-point Gauss–Hermite rule rescaled to N(0, 1): the physicists' rule
/// for e^(−x²) (roots of the Hermite polynomial by Newton's method, as in
/// Numerical Recipes' `gauher`), then θ = √2·x and w = w_x / √π. Exact for
/// polynomials of degree up to 2n − 1.
pub fn gauss_hermite_normal(n: usize) -> Nodes {
    let n = n.max(1);
    // (root, weight) for the largest root down to the middle one.
    let mut roots: Vec<(f64, f64)> = Vec::with_capacity(n.div_ceil(2));
    let pim4 = std::f64::consts::PI.powf(-0.25);
    let nf = count_f64(n);
    let m = n.div_ceil(2);
    let mut z = 0.0_f64;
    for i in 0..m {
        // Starting guesses for the largest roots first, then each from the
        // two before it.
        let two_back = roots
            .len()
            .checked_sub(2)
            .and_then(|k| roots.get(k))
            .map_or(0.0, |r| r.0);
        z = match i {
            0 => (2.0 * nf + 1.0).sqrt() - 1.85575 * (2.0 * nf + 1.0).powf(-1.0 / 6.0),
            1 => z - 1.14 * nf.powf(0.426) / z,
            2 => 1.86 * z - 0.86 * two_back,
            3 => 1.91 * z - 0.91 * two_back,
            _ => 2.0 * z - two_back,
        };
        let mut pp = 1.0;
        for _ in 0..100 {
            // Orthonormal Hermite recurrence evaluated at z.
            let mut p1 = pim4;
            let mut p2 = 0.0;
            for jf in (0..n).map(count_f64) {
                let p3 = p2;
                p2 = p1;
                p1 = z * (2.0 / (jf + 1.0)).sqrt() * p2 - (jf / (jf + 1.0)).sqrt() * p3;
            }
            pp = (2.0 * nf).sqrt() * p2;
            let z1 = z;
            z = z1 - p1 / pp;
            if (z - z1).abs() <= 1e-14 * z.abs().max(1.0) {
                break;
            }
        }
        roots.push((z, 2.0 / (pp * pp)));
    }
    // The roots are symmetric: the largest first, then their mirror images
    // (with an odd n the middle root, which is zero, appears once).
    let mirrored = roots.iter().rev().skip(n % 2).map(|&(z, w)| (-z, w));
    let (x, w): (Vec<f64>, Vec<f64>) = roots.iter().copied().chain(mirrored).unzip();
    let sqrt_pi = std::f64::consts::PI.sqrt();
    let mut theta: Vec<f64> = x.iter().map(|v| v * std::f64::consts::SQRT_2).collect();
    let mut weight: Vec<f64> = w.iter().map(|v| v / sqrt_pi).collect();
    // Ascending θ reads better in reports and tests.
    theta.reverse();
    weight.reverse();
    if let (1, Some(middle)) = (n % 2, theta.get_mut(n / 2)) {
        *middle = 0.0;
    }
    Nodes { theta, weight }
}
