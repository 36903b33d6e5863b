//! A trainee's own page: their cohorts, the post-training exams to take
//! (started through the same form as any test), their results, and where
//! routing has placed them, with the sentence that explains it.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;

use crate::app::AppState;
use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::attempts::marking;
use crate::attempts::models::AttemptRow;
use crate::db::{AttemptId, AttemptStatus, DbConn};
use crate::error::AppResult;
use crate::identity::User;
use crate::routing::runs::{self, PublishedLine};
use crate::routing::service::{self as routing, ProcessRow};
use crate::training::service::{self, CohortRow};
use crate::web::auth::CandidateUser;
use crate::web::pages::{render, Chrome, PageCtx};

/// Where the trainee stands with one exam.
struct ExamState {
    assessment: AssessmentRow,
    open_attempt: Option<AttemptId>,
    /// Graded attempts, newest first.
    results: Vec<AttemptRow>,
    being_marked: bool,
    can_start: bool,
    retake: bool,
    refusal: Option<String>,
}

impl ExamState {
    fn new(assessment: AssessmentRow, attempts: Vec<AttemptRow>, now: NaiveDateTime) -> ExamState {
        let open_attempt = attempts.iter().find(|a| a.status == AttemptStatus::Open).map(|a| a.id);
        let being_marked = attempts.iter().any(|a| a.status == AttemptStatus::AwaitingMarking);
        let used_up = attempts.len() >= usize::try_from(assessment.max_attempts).unwrap_or(0);
        let refusal = if open_attempt.is_some() {
            None
        } else if used_up {
            Some(format!(
                "You have used all {} attempt(s) this exam allows.",
                assessment.max_attempts
            ))
        } else {
            assessment.window_refusal(now)
        };
        ExamState {
            can_start: open_attempt.is_none() && refusal.is_none(),
            retake: !attempts.is_empty(),
            results: attempts
                .into_iter()
                .filter(|a| a.status == AttemptStatus::Graded)
                .collect(),
            assessment,
            open_attempt,
            being_marked,
            refusal,
        }
    }
}

struct CohortView {
    cohort: CohortRow,
    exams: Vec<ExamState>,
}

/// The process a trainee works in now, and the published line that put them there.
struct Current {
    process: ProcessRow,
    since: NaiveDateTime,
    line: Option<PublishedLine>,
}

#[derive(Template)]
#[template(path = "training/mine.html")]
struct TrainingPage {
    chrome: Chrome,
    cohorts: Vec<CohortView>,
    current: Option<Current>,
    /// The latest published decision, when it is not the one behind `current`
    /// (a retrain, or no placement at all).
    latest: Option<PublishedLine>,
}

impl TrainingPage {
    fn pct(&self, p: &Option<f64>) -> String {
        p.map(crate::routing::web::pct).unwrap_or_default()
    }
}

fn load(
    conn: &mut DbConn,
    user: &User,
    now: NaiveDateTime,
) -> AppResult<(Vec<CohortView>, Option<Current>, Option<PublishedLine>)> {
    let mut cohorts = Vec::new();
    for cohort in service::cohorts_of(conn, user.id)? {
        let mut exams = Vec::new();
        for (exam, _) in service::exams(conn, cohort.id)? {
            let assessment = assessments::find(conn, exam)?;
            let attempts = marking::attempts_of(conn, exam, user.id)?;
            exams.push(ExamState::new(assessment, attempts, now));
        }
        cohorts.push(CohortView { cohort, exams });
    }
    let lines = runs::published_lines_of(conn, user.id)?;
    let current = match runs::placement_of(conn, user.id)? {
        Some((process_id, run_id, since)) => {
            let process = routing::list_processes(conn)?.into_iter().find(|p| p.id == process_id);
            process.map(|process| Current {
                process,
                since,
                line: lines.iter().find(|l| l.run_id == run_id).cloned(),
            })
        }
        None => None,
    };
    let behind_current = current.as_ref().and_then(|c| c.line.as_ref()).map(|l| l.run_id);
    let latest = lines.into_iter().next().filter(|l| Some(l.run_id) != behind_current);
    Ok((cohorts, current, latest))
}

pub(super) async fn page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let (cohorts, current, latest) = state.db(move |conn| load(conn, &user, now)).await?;
    render(&TrainingPage {
        chrome: ctx.chrome("Training"),
        cohorts,
        current,
        latest,
    })
}
