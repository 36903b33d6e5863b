use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::plan::SectionPlan;

use super::blueprint::{Adaptive, Kind, Section};
use crate::db::schema::assessments;
use crate::db::{AssessmentId, Json, UserId};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assessments)]
pub struct AssessmentRow {
    pub id: AssessmentId,
    pub title: String,
    pub kind: Kind,
    pub sections: Json<Vec<Section>>,
    pub time_limit_minutes: i32,
    pub pass_percent: f64,
    pub negative_marking: f64,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub max_attempts: i32,
    pub grace_seconds: i32,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub show_score: bool,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    /// Each section's form plan, fixed at save; `None` before plans existed.
    pub form_plan: Option<Json<Vec<SectionPlan>>>,

    pub adaptive: Option<Json<Adaptive>>,
}

impl AssessmentRow {
    /// The adaptive rules, for an adaptive test.
    pub fn adaptive(&self) -> Option<Adaptive> {
        self.adaptive.as_ref().map(|a| a.0)
    }

    pub fn sections(&self) -> AppResult<Vec<Section>> {
        Ok(self.sections.0.clone())
    }

    /// Whether the window is open at `now`, and if not, why.
    pub fn window_refusal(&self, now: NaiveDateTime, zone: &crate::zone::FirmZone) -> Option<String> {
        if let Some(open) = self.opens_at.filter(|o| now < *o) {
            return Some(format!("This test opens at {}.", zone.text(open)));
        }
        if let Some(close) = self.closes_at.filter(|c| now >= *c) {
            return Some(format!("This test closed at {}.", zone.text(close)));
        }
        None
    }
}

/// What anyone signed in may read about an assessment: never its questions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": 21, "title": "Motor claims aptitude test", "kind": "aptitude", "time_limit_minutes": 45, "pass_percent": 60.0,
    "negative_marking": 0.25, "max_attempts": 1, "opens_at": "2026-12-09T03:30:00", "closes_at": "2026-12-12T12:30:00",
    "sections": [{"name": "Insurance basics", "count": 20}, {"name": "Verbal ability", "count": 20}],
    "question_count": 40, "adaptive": null}))]
pub struct PublicAssessment {
    pub id: AssessmentId,
    pub title: String,
    pub kind: Kind,
    pub time_limit_minutes: i32,
    pub pass_percent: f64,
    pub negative_marking: f64,
    pub max_attempts: i32,
    /// UTC, without a zone (`2026-12-09T03:30:00`); null when always open.
    #[schema(value_type = Option<String>)]
    pub opens_at: Option<NaiveDateTime>,
    /// UTC, without a zone; null when it never closes.
    #[schema(value_type = Option<String>)]
    pub closes_at: Option<NaiveDateTime>,
    pub sections: Vec<PublicSection>,
    /// For an adaptive test, the most questions it can give.
    pub question_count: u32,
    /// Present for an adaptive test.
    pub adaptive: Option<PublicAdaptive>,
}

/// What a candidate may know of an adaptive test before starting it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicAdaptive {
    pub min_length: u32,
    pub max_length: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicSection {
    pub name: String,
    pub count: u32,
}

impl TryFrom<&AssessmentRow> for PublicAssessment {
    type Error = AppError;

    fn try_from(row: &AssessmentRow) -> AppResult<Self> {
        let sections: Vec<PublicSection> = row
            .sections()?
            .into_iter()
            .map(|s| PublicSection {
                name: s.name,
                count: s.count,
            })
            .collect();
        Ok(PublicAssessment {
            id: row.id,
            title: row.title.clone(),
            kind: row.kind,
            time_limit_minutes: row.time_limit_minutes,
            pass_percent: row.pass_percent,
            negative_marking: row.negative_marking,
            max_attempts: row.max_attempts,
            opens_at: row.opens_at,
            closes_at: row.closes_at,
            question_count: match row.adaptive() {
                Some(a) => a.max_length,
                None => sections.iter().map(|s| s.count).sum(),
            },
            adaptive: row.adaptive().map(|a| PublicAdaptive {
                min_length: a.min_length,
                max_length: a.max_length,
            }),
            sections,
        })
    }
}
