//! Responses to calibrate from: people by items, each cell right, wrong or
//! not shown, each row with a frequency weight.

use super::IrtError;

/// A cell of [`Responses`] for an item the person was not shown.
pub(crate) const MISSING: u8 = u8::MAX;

/// People × items, row-major: 1 right, 0 wrong, [`MISSING`] not shown.
/// A row may stand for many people with the same pattern (its weight).
#[derive(Debug, Clone)]
pub struct Responses {
    names: Vec<String>,
    cells: Vec<u8>,
    weights: Vec<f64>,
}

impl Responses {
    /// `rows[i][j]` is person (or pattern) i's answer to item j; `None` when
    /// it was not shown. `weights` are frequency counts, one per row
    /// (all 1 when absent).
    pub fn from_rows(
        names: Vec<String>,
        rows: &[Vec<Option<bool>>],
        weights: Option<Vec<f64>>,
    ) -> Result<Self, IrtError> {
        let k = names.len();
        let mut cells = Vec::with_capacity(rows.len() * k);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != k {
                return Err(IrtError::Input(format!(
                    "row {} has {} answers but there are {k} items",
                    i + 1,
                    row.len()
                )));
            }
            cells.extend(row.iter().map(|c| match c {
                Some(true) => 1,
                Some(false) => 0,
                None => MISSING,
            }));
        }
        let weights = weights.unwrap_or_else(|| vec![1.0; rows.len()]);
        Self::from_cells(names, cells, weights)
    }

    /// Row-major cells (0, 1 or 255 for not shown) with one weight per row.
    pub fn from_cells(names: Vec<String>, cells: Vec<u8>, weights: Vec<f64>) -> Result<Self, IrtError> {
        let k = names.len();
        if k == 0 {
            return Err(IrtError::Input("there are no items to calibrate".into()));
        }
        if cells.len() != weights.len() * k {
            return Err(IrtError::Input(format!(
                "{} cells do not fill {} rows of {k} items",
                cells.len(),
                weights.len()
            )));
        }
        if let Some(c) = cells.iter().find(|&&c| c > 1 && c != MISSING) {
            return Err(IrtError::Input(format!(
                "a response must be 0, 1 or not shown, not {c}"
            )));
        }
        if let Some((i, w)) = weights.iter().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
            return Err(IrtError::Input(format!(
                "row {} has frequency {w}; a frequency must be a count of 0 or more",
                i + 1
            )));
        }
        let data = Responses { names, cells, weights };
        data.check_items()?;
        Ok(data)
    }

    /// Every item needs both right and wrong answers: an item everyone got
    /// right has no finite difficulty under any model.
    fn check_items(&self) -> Result<(), IrtError> {
        let k = self.items();
        let mut right = vec![0.0; k];
        let mut wrong = vec![0.0; k];
        for (row, w) in self.cells.chunks_exact(k).zip(&self.weights) {
            for ((r, wr), &c) in right.iter_mut().zip(wrong.iter_mut()).zip(row) {
                match c {
                    1 => *r += w,
                    0 => *wr += w,
                    _ => {}
                }
            }
        }
        for ((name, r), wr) in self.names.iter().zip(&right).zip(&wrong) {
            let message = match (*r > 0.0, *wr > 0.0) {
                (true, true) => continue,
                (false, false) => "nobody answered it; leave it out of the calibration",
                (true, false) => "every answer to it is right, so its difficulty cannot be estimated; leave it out",
                (false, true) => "every answer to it is wrong, so its difficulty cannot be estimated; leave it out",
            };
            return Err(IrtError::Item {
                item: name.clone(),
                message: message.into(),
            });
        }
        Ok(())
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn items(&self) -> usize {
        self.names.len()
    }

    pub fn rows(&self) -> usize {
        self.weights.len()
    }

    pub(crate) fn row(&self, i: usize) -> &[u8] {
        let k = self.items();
        // Empty past the last row, like a row that answered nothing.
        self.cells.get(i * k..(i + 1) * k).unwrap_or_default()
    }

    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Sum of the weights: the number of people.
    pub fn people(&self) -> f64 {
        self.weights.iter().sum()
    }
}
