//! Item response theory: calibrating dichotomous items with the
//! two-parameter logistic model and giving adaptive tests with them.
//!
//! Pure, like `reports::stats`: responses in, numbers out, no database and
//! no web (only [`cli`] reads files and prints). The model is
//! P(correct | θ) = 1 / (1 + e^(−a(θ − b))) with θ ~ N(0, 1) and no 1.702
//! constant, the metric of R's ltm and mirt.
//!
//! - [`calibrate`] fits a and b by marginal maximum likelihood (Bock–Aitkin
//!   EM on Gauss–Hermite nodes), treats items a person was not shown as
//!   missing, takes frequency weights, and reports standard errors from the
//!   observed information (Louis' formula) and an item fit statistic.
//! - [`cat`] is the adaptive engine: EAP scoring, maximum-information
//!   selection with content balance and exposure control, and the stop rule.
//! - [`simulate`] runs that engine on simulated people to show what an
//!   adaptive test gains over a fixed form.
//!
//! ```
//! use assay::irt::{calibrate, FitOptions, Responses};
//!
//! // Three items, four response patterns with their counts.
//! let rows = vec![
//!     vec![Some(true), Some(true), Some(false)],
//!     vec![Some(true), Some(false), Some(false)],
//!     vec![Some(false), Some(false), None], // item 3 not shown
//!     vec![Some(true), Some(true), Some(true)],
//! ];
//! let names = vec!["q1".to_string(), "q2".to_string(), "q3".to_string()];
//! let data = Responses::from_rows(names, &rows, Some(vec![40.0, 30.0, 20.0, 25.0]))?;
//! let fit = calibrate(&data, &FitOptions::default())?;
//! assert_eq!(fit.items.len(), 3);
//! assert!(fit.items[0].b < fit.items[2].b); // q1 is the easiest
//! # Ok::<(), assay::irt::IrtError>(())
//! ```

mod calibrate;
pub mod cat;
pub mod cli;
mod data;
mod estep;
mod fit;
mod information;
mod linalg;
mod quadrature;
pub mod random;
pub mod simulate;
pub mod table;

#[cfg(test)]
mod tests;

pub use calibrate::{calibrate, log_likelihood, Calibration, FitOptions, ItemEstimate, Progress};
pub use data::Responses;
pub use fit::ItemFit;
pub use quadrature::{gauss_hermite_normal, Nodes};

/// Why a calibration or a simulation could not run; each message says what
/// to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IrtError {
    #[error("{0}")]
    Input(String),
    #[error("item '{item}': {message}")]
    Item { item: String, message: String },
}

/// The 2PL probability of a correct answer in slope–intercept form,
/// z = aθ + d (d = −ab), computed without overflow for any z.
pub(crate) fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// ln P and ln(1 − P) for logit z, stable in both tails.
pub(crate) fn log_logistic_pair(z: f64) -> (f64, f64) {
    // ln σ(z) = −ln(1 + e^(−z)); ln(1 − σ(z)) = ln σ(−z).
    let softplus = |x: f64| {
        if x > 0.0 {
            x + (-x).exp().ln_1p()
        } else {
            x.exp().ln_1p()
        }
    };
    (-softplus(-z), -softplus(z))
}
