//! A finished calibration's report as it is stored (JSON in
//! `calibrations.report`) and served: the fit as a whole, each question
//! version's a, b, standard errors and fit, and what was left out.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::responses::{ItemInfo, Loaded, DICHOTOMISED};
use crate::db::{QuestionId, VersionId};
use crate::irt::Calibration;

/// The report of a finished calibration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalibrationReport {
    /// The model, in words: 2PL on the N(0, 1) metric, no 1.702 constant.
    pub model: String,
    pub method: String,
    pub standard_errors: String,
    pub item_fit: String,
    /// People (counting graded attempts) in the fit.
    pub people: f64,
    pub quadrature_nodes: usize,
    /// EM cycles run.
    pub iterations: usize,
    pub converged: bool,
    pub log_likelihood: f64,
    pub max_gradient: f64,
    /// How marks became right or wrong.
    pub dichotomised: String,
    /// How many versions gave some answer partial credit.
    pub partial_credit_items: usize,
    /// Sentences about the whole fit.
    pub notes: Vec<String>,
    pub items: Vec<ReportItem>,
    /// Versions not calibrated, each with the reason.
    pub left_out: Vec<LeftOutItem>,
    /// Seconds spent reading the attempts and fitting.
    pub read_seconds: f64,
    pub fit_seconds: f64,
}

/// One question version's estimates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportItem {
    #[schema(value_type = i32)]
    pub version_id: VersionId,
    #[schema(value_type = i32)]
    pub question_id: QuestionId,
    pub version: i32,
    /// The stem as plain text.
    pub stem: String,
    /// Discrimination (slope).
    pub a: f64,
    /// Difficulty: the θ at which half answer right.
    pub b: f64,
    pub se_a: Option<f64>,
    pub se_b: Option<f64>,
    /// The share of the people shown it that answered right.
    pub share_right: f64,
    pub shown: f64,
    pub fit: Option<ReportFit>,
    /// Whether the estimates can be used; only these are accepted onto the
    /// version.
    pub ok: bool,
    /// Why not, or a caution, in a sentence.
    pub note: Option<String>,
    /// Some answer earned part of its points (counted wrong).
    pub partial_credit: bool,
}

/// An item's fit to the model.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportFit {
    pub chi_square: f64,
    pub df: usize,
    pub p_value: f64,
    /// Root mean square of observed minus predicted share right.
    pub rmsd: f64,
    pub misfits: bool,
}

/// A version the calibration left out.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LeftOutItem {
    #[schema(value_type = i32)]
    pub version_id: VersionId,
    #[schema(value_type = i32)]
    pub question_id: QuestionId,
    pub version: i32,
    pub stem: String,
    pub reason: String,
}

impl CalibrationReport {
    /// The report of `fit` over `loaded`'s items (in the same order).
    pub fn new(loaded: Loaded, fit: Calibration, read_seconds: f64, fit_seconds: f64) -> CalibrationReport {
        let items = loaded
            .items
            .into_iter()
            .zip(fit.items)
            .map(|(info, estimate)| {
                let ItemInfo {
                    version_id,
                    question_id,
                    version,
                    stem,
                    partial_credit,
                } = info;
                ReportItem {
                    version_id,
                    question_id,
                    version,
                    stem,
                    a: estimate.a,
                    b: estimate.b,
                    se_a: estimate.se_a,
                    se_b: estimate.se_b,
                    share_right: estimate.share_right,
                    shown: estimate.shown,
                    fit: estimate.fit.map(|f| ReportFit {
                        chi_square: f.chi_square,
                        df: f.df,
                        p_value: f.p_value,
                        rmsd: f.rmsd,
                        misfits: f.misfits,
                    }),
                    ok: estimate.ok,
                    note: estimate.note,
                    partial_credit,
                }
            })
            .collect();
        CalibrationReport {
            model: fit.model.to_owned(),
            method: fit.method.to_owned(),
            standard_errors: fit.standard_errors.to_owned(),
            item_fit: fit.item_fit.to_owned(),
            people: fit.people,
            quadrature_nodes: fit.quadrature_nodes,
            iterations: fit.iterations,
            converged: fit.converged,
            log_likelihood: fit.log_likelihood,
            max_gradient: fit.max_gradient,
            dichotomised: DICHOTOMISED.to_owned(),
            partial_credit_items: loaded.partial_credit_items,
            notes: fit.notes,
            items,
            left_out: loaded.left_out,
            read_seconds,
            fit_seconds,
        }
    }

    /// The items whose parameters an accept writes.
    pub fn usable(&self) -> impl Iterator<Item = &ReportItem> {
        self.items
            .iter()
            .filter(|i| i.ok && i.a > 0.0 && i.a.is_finite() && i.b.is_finite())
    }
}
