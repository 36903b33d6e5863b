//! Quarantining a question version: it is drawn into no new form (the pool
//! of `crate::assessments::service` skips it), while attempts that already
//! show it keep it and are graded as usual.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Event};
use crate::db::schema::{attempt_items, attempts, question_versions};
use crate::db::{AssessmentId, DbConn, QuestionId, UserId, VersionId};
use crate::error::{AppError, AppResult};

/// The most a reason may say; it is shown on the report and in the log.
pub const REASON_MAX: usize = 1000;

/// A version's quarantine state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"version_id": 1204, "question_id": 412, "version": 2, "quarantined": true,
    "quarantine_reason": "Shared on a Telegram group before the Chennai drive"}))]
pub struct VersionState {
    pub version_id: VersionId,
    pub question_id: QuestionId,
    pub version: i32,
    pub quarantined: bool,
    pub quarantine_reason: Option<String>,
}

/// A trimmed reason, or why it will not do.
pub fn reason(text: &str) -> AppResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid_field(
            "reason",
            "Say why; the reason is kept in the audit log.",
        ));
    }
    if text.chars().count() > REASON_MAX {
        return Err(AppError::invalid_field(
            "reason",
            format!("Keep the reason under {REASON_MAX} characters."),
        ));
    }
    Ok(text.to_owned())
}

/// Quarantines a version with a reason, in the audit log. Quarantining one
/// already quarantined changes nothing, so a form sent twice is harmless.
pub fn quarantine(
    conn: &mut DbConn,
    version_id: VersionId,
    why: &str,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<VersionState> {
    let why = reason(why)?;
    conn.transaction(|conn| {
        let changed = diesel::update(
            question_versions::table
                .find(version_id)
                .filter(question_versions::quarantined.eq(false)),
        )
        .set((
            question_versions::quarantined.eq(true),
            question_versions::quarantine_reason.eq(Some(&why)),
        ))
        .execute(conn)?;
        let state = state(conn, version_id)?;
        if changed == 1 {
            let detail = format!(
                "quarantined version {} of question {}: {why}",
                state.version, state.question_id
            );
            audit::record(
                conn,
                Event {
                    actor: Some(actor),
                    action: "question.quarantine",
                    entity: "question_version",
                    entity_id: Some(version_id.0),
                    detail: &detail,
                },
                now,
            )?;
        }
        Ok(state)
    })
}

pub fn state(conn: &mut DbConn, version_id: VersionId) -> AppResult<VersionState> {
    let (question_id, version, quarantined, quarantine_reason) = question_versions::table
        .find(version_id)
        .select((
            question_versions::question_id,
            question_versions::version,
            question_versions::quarantined,
            question_versions::quarantine_reason,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no question version {version_id}.")))?;
    Ok(VersionState {
        version_id,
        question_id,
        version,
        quarantined,
        quarantine_reason,
    })
}

/// Whether any attempt at the assessment was shown the version: the report's
/// forms only act on versions the report is about.
pub fn shown_in(conn: &mut DbConn, assessment_id: AssessmentId, version_id: VersionId) -> AppResult<bool> {
    let n: i64 = attempt_items::table
        .inner_join(attempts::table)
        .filter(attempts::assessment_id.eq(assessment_id))
        .filter(attempt_items::version_id.eq(version_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
