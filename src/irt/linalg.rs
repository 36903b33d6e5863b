//! The little dense linear algebra the standard errors need.

/// Inverse of a symmetric positive definite matrix (row-major, n × n) by
/// Cholesky; `None` when it is not positive definite (the information of an
/// unidentified or diverging item) or `m` holds fewer than n × n values.
pub(crate) fn spd_inverse(m: &[f64], n: usize) -> Option<Vec<f64>> {
    if m.len() < n * n {
        return None;
    }
    // In range by the check above; NaN would only make `m` not definite.
    let m_at = |i: usize, j: usize| m.get(i * n + j).copied().unwrap_or(f64::NAN);
    let mut l = Lower::default();
    for i in 0..n {
        for j in 0..=i {
            let mut s = m_at(i, j);
            for k in 0..j {
                s -= l.at(i, k) * l.at(j, k);
            }
            if i == j {
                if s.is_nan() || s <= 1e-12 * m_at(i, i).abs().max(f64::MIN_POSITIVE) {
                    return None;
                }
                l.push(i, s.sqrt());
            } else {
                l.push(i, s / l.at(j, j));
            }
        }
    }
    // Invert L (lower triangular), then A⁻¹ = L⁻ᵀ L⁻¹.
    let mut li = Lower::default();
    for i in 0..n {
        let lii = l.at(i, i);
        for j in 0..i {
            let mut s = 0.0;
            for k in j..i {
                s -= l.at(i, k) * li.at(k, j);
            }
            li.push(i, s / lii);
        }
        li.push(i, 1.0 / lii);
    }
    let mut inv = Lower::default();
    for i in 0..n {
        for j in 0..=i {
            let mut s = 0.0;
            for k in i..n {
                s += li.at(k, i) * li.at(k, j);
            }
            inv.push(i, s);
        }
    }
    let inv = &inv;
    Some(
        (0..n)
            .flat_map(|i| (0..n).map(move |j| if j <= i { inv.at(i, j) } else { inv.at(j, i) }))
            .collect(),
    )
}

/// A lower triangular matrix kept as rows of growing length, row i holding
/// columns 0..=i; every entry above the diagonal is zero.
#[derive(Default)]
struct Lower(Vec<Vec<f64>>);

impl Lower {
    /// Entry (i, j): zero above the diagonal, as in the matrix itself.
    fn at(&self, i: usize, j: usize) -> f64 {
        self.0.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0.0)
    }

    /// Appends the next column of row i.
    fn push(&mut self, i: usize, value: f64) {
        if self.0.len() <= i {
            self.0.resize_with(i + 1, Vec::new);
        }
        if let Some(row) = self.0.get_mut(i) {
            row.push(value);
        }
    }
}
