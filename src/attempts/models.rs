use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::banks::question::QuestionType;
use crate::db::schema::{attempt_items, attempts};
use crate::db::{AdaptiveStop, AssessmentId, AttemptId, AttemptStatus, Json, QuestionId, UserId, VersionId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attempts)]
pub struct AttemptRow {
    pub id: AttemptId,
    pub assessment_id: AssessmentId,
    pub user_id: UserId,
    pub attempt_no: i32,
    pub status: AttemptStatus,
    pub seed: i64,
    pub started_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub graded_at: Option<NaiveDateTime>,
    pub score: Option<f64>,
    pub max_score: f64,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub focus_losses: i32,
    pub pastes: i32,
    pub counting: bool,
    /// An adaptive attempt's ability estimate so far (from the N(0, 1)
    /// prior at the start); `None` for a fixed form.
    pub theta: Option<f64>,
    pub theta_se: Option<f64>,
    pub adaptive_stop: Option<AdaptiveStop>,
}

impl AttemptRow {
    pub fn is_adaptive(&self) -> bool {
        self.theta.is_some()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attempt_items)]
pub struct ItemRow {
    pub id: i32,
    pub attempt_id: AttemptId,
    pub position: i32,
    pub section: String,
    pub slot: i32,
    pub question_id: QuestionId,
    pub version_id: VersionId,
    pub qtype: QuestionType,
    pub points: f64,
    pub option_order: Json<Vec<usize>>,
    pub score: Option<f64>,
    pub marked_by: Option<UserId>,
}

impl ItemRow {
    pub fn option_order(&self) -> Vec<usize> {
        self.option_order.0.clone()
    }
}
