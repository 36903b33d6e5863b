//! Checking what an interviewer sends: every problem at once, each named
//! by its field, so a form can show it next to the field.

use super::service::{Recommendation, ScorecardInput, EVIDENCE_MAX, SUMMARY_MAX};
use crate::error::ErrorDetail;

/// Every problem with `input` against the competencies `order`; with
/// `submit`, an incomplete scorecard is a problem too.
pub fn problems(input: &ScorecardInput, order: &[String]) -> (Option<Recommendation>, Vec<ErrorDetail>) {
    let mut found = Vec::new();
    for (i, r) in input.ratings.iter().enumerate() {
        if !order.contains(&r.competency) {
            found.push(ErrorDetail::field(
                &format!("ratings[{i}].competency"),
                format!(
                    "“{}” is not one of this drive's competencies ({}).",
                    r.competency,
                    order.join(", ")
                ),
            ));
        }
        if r.rating.is_some_and(|v| !(1..=5).contains(&v)) {
            found.push(ErrorDetail::field(
                &format!("ratings[{i}].rating"),
                format!("Rate {} from 1 to 5.", r.competency),
            ));
        }
        if r.evidence.chars().count() > EVIDENCE_MAX {
            found.push(ErrorDetail::field(
                &format!("ratings[{i}].evidence"),
                format!(
                    "The evidence for {} must be at most {EVIDENCE_MAX} characters.",
                    r.competency
                ),
            ));
        }
    }
    if input.summary.chars().count() > SUMMARY_MAX {
        found.push(ErrorDetail::field(
            "summary",
            format!("The summary must be at most {SUMMARY_MAX} characters."),
        ));
    }
    let recommendation = match input.recommendation.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match r.parse::<Recommendation>() {
            Ok(r) => Some(r),
            Err(_) => {
                found.push(ErrorDetail::field(
                    "recommendation",
                    "Recommend one of: kpo (offer KPO work), bpo (offer BPO work), no_offer.",
                ));
                None
            }
        },
    };
    if input.submit {
        for name in order {
            let given = input.ratings.iter().find(|r| r.competency == *name);
            if given.and_then(|r| r.rating).is_none() {
                found.push(ErrorDetail::field(
                    &format!("rating:{name}"),
                    format!("Rate {name} from 1 to 5 before submitting."),
                ));
            }
            if given.is_none_or(|r| r.evidence.trim().is_empty()) {
                found.push(ErrorDetail::field(
                    &format!("evidence:{name}"),
                    format!("Note the evidence for your rating of {name}: what the candidate said or did."),
                ));
            }
        }
        if recommendation.is_none() && input.recommendation.as_deref().is_none_or(|r| r.trim().is_empty()) {
            found.push(ErrorDetail::field(
                "recommendation",
                "Choose your recommendation before submitting.",
            ));
        }
    }
    (recommendation, found)
}
