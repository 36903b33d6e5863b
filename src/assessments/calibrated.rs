//! The pools of an adaptive assessment: each section's calibrated
//! questions, those whose current version carries 2PL parameters.

use diesel::prelude::*;

use super::blueprint::{Adaptive, Section};
use super::draw::Candidate;
use super::service::pool;
use crate::banks::question::QuestionType;
use crate::db::schema::question_versions;
use crate::db::{DbConn, VersionId};
use crate::error::{AppError, AppResult, ErrorDetail};

/// A question an adaptive test may give, with its calibrated parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibrated {
    pub section: String,
    pub candidate: Candidate,
    pub a: f64,
    pub b: f64,
}

/// Every section's calibrated questions in one list, section by section and
/// in question-id order within each, so pool indices are stable between
/// requests. Essays are left out: an adaptive test scores each answer as it
/// comes, and an essay waits for a trainer.
pub fn calibrated_pools(conn: &mut DbConn, sections: &[Section], rules: &Adaptive) -> AppResult<Vec<Calibrated>> {
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        let candidates: Vec<Candidate> = pool(conn, section)?
            .into_iter()
            .filter(|c| c.qtype != QuestionType::Essay)
            .collect();
        let ids: Vec<VersionId> = candidates.iter().map(|c| c.version_id).collect();
        let params: Vec<(VersionId, Option<f64>, Option<f64>)> = question_versions::table
            .filter(question_versions::id.eq_any(&ids))
            .select((
                question_versions::id,
                question_versions::irt_a,
                question_versions::irt_b,
            ))
            .load(conn)?;
        let before = all.len();
        for candidate in candidates {
            let found = params.iter().find(|(v, _, _)| *v == candidate.version_id);
            if let Some(&(_, Some(a), Some(b))) = found {
                all.push(Calibrated {
                    section: section.name.clone(),
                    candidate,
                    a,
                    b,
                });
            }
        }
        if all.len() == before {
            errors.push(ErrorDetail::field(
                &format!("sections[{i}]"),
                format!(
                    "Section '{}' has no calibrated questions: calibrate its bank (or import irt_a and irt_b) first.",
                    section.name
                ),
            ));
        }
    }
    let max = crate::convert::to_usize(rules.max_length);
    if errors.is_empty() && all.len() < max {
        errors.push(ErrorDetail::field(
            "adaptive.max_length",
            format!(
                "The sections hold {} calibrated questions, fewer than the maximum length of {max}.",
                all.len()
            ),
        ));
    }
    if errors.is_empty() {
        Ok(all)
    } else {
        Err(AppError::invalid(
            "The banks cannot supply this adaptive test; each problem is listed.",
            errors,
        ))
    }
}
