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
use crate::attempts::resits::{self, Next};
use crate::db::{AttemptId, AttemptStatus, DbConn};
use crate::error::AppResult;
use crate::identity::User;
use crate::routing::history::{self, PublishedLine};
use crate::routing::service::{self as routing, ProcessRow};
use crate::training::service::{self, CohortRow};
use crate::web::auth::CandidateUser;
use crate::web::pages::{render, Chrome, PageCtx};
use crate::zone::FirmZone;

/// Where the trainee stands with one exam.
struct ExamState {
    assessment: AssessmentRow,
    open_attempt: Option<AttemptId>,
    /// Graded attempts, newest first.
    results: Vec<AttemptRow>,
    being_marked: bool,
    can_start: bool,
    retake: bool,
    /// What happens next, as their emails say it.
    next: String,
}

impl ExamState {
    fn new(assessment: AssessmentRow, attempts: Vec<AttemptRow>, next: &Next, zone: &FirmZone) -> ExamState {
        let open_attempt = attempts.iter().find(|a| a.status == AttemptStatus::Open).map(|a| a.id);
        let being_marked = attempts.iter().any(|a| a.status == AttemptStatus::AwaitingMarking);
        ExamState {
            can_start: open_attempt.is_none() && next.may_start(),
            retake: !attempts.is_empty(),
            next: if open_attempt.is_some() || (attempts.is_empty() && next.may_start()) {
                String::new()
            } else {
                resits::sentence(next, &assessment, zone)
            },
            results: attempts
                .into_iter()
                .filter(|a| a.status == AttemptStatus::Graded)
                .collect(),
            assessment,
            open_attempt,
            being_marked,
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
    zone: FirmZone,
) -> AppResult<(Vec<CohortView>, Option<Current>, Option<PublishedLine>)> {
    let mut cohorts = Vec::new();
    for cohort in service::cohorts_of(conn, user.id)? {
        let mut exams = Vec::new();
        for (exam, _) in service::exams(conn, cohort.id)? {
            let assessment = assessments::find(conn, exam)?;
            let attempts = marking::attempts_of(conn, exam, user.id)?;
            let next = resits::next_for(conn, &assessment, user.id, now)?;
            exams.push(ExamState::new(assessment, attempts, &next, &zone));
        }
        cohorts.push(CohortView { cohort, exams });
    }
    let lines = history::published_lines_of(conn, user.id)?;
    let current = match history::placement_of(conn, user.id)? {
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
    let zone = state.config.firm_zone;
    let (cohorts, current, latest) = state.db(move |conn| load(conn, &user, now, zone)).await?;
    render(&TrainingPage {
        chrome: ctx.chrome("Training"),
        cohorts,
        current,
        latest,
    })
}
