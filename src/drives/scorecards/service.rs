//! Scorecards: one per interviewer per application, a draft until submitted
//! and final after. An interviewer sees the rest of the panel's scorecards
//! (and the panel's means) only once their own is submitted, so each rating
//! is their own; a recruiter or administrator who is not on the panel sees
//! the submitted ones, to decide.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::competencies::{self, Competency};
use super::input::problems;
use crate::audit::{self, Event};
use crate::db::schema::{applications, scorecard_ratings, scorecards, users};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, Role, UserId};
use crate::drives::service::ApplicationRow;
use crate::error::{AppError, AppResult};
use crate::identity::User;
use crate::web::paging::Page;

crate::db::stored_enum! {
    /// What an interviewer recommends.
    pub enum Recommendation {
        Kpo = "kpo",
        Bpo = "bpo",
        NoOffer = "no_offer",
    }
}

impl Recommendation {
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::Kpo => "Offer KPO work",
            Recommendation::Bpo => "Offer BPO work",
            Recommendation::NoOffer => "Do not offer",
        }
    }
}

/// Where an application is interviewed: scorecards are filled only here.
pub const INTERVIEW_STAGE: &[ApplicationStatus] = &[ApplicationStatus::ShortlistedKpo, ApplicationStatus::Interviewing];

pub const EVIDENCE_MAX: usize = 2000;
pub const SUMMARY_MAX: usize = 2000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = scorecards)]
pub struct ScorecardRow {
    pub id: i32,
    pub application_id: ApplicationId,
    pub interviewer_id: UserId,
    pub recommendation: Option<Recommendation>,
    pub summary: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One competency's rating on a scorecard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Rating {
    #[schema(max_length = 80, example = "Spoken English")]
    pub competency: String,
    /// 1 to 5 against the competency's anchors; null while a draft leaves it open.
    #[schema(minimum = 1, maximum = 5, example = 4)]
    pub rating: Option<i32>,
    /// What the candidate said or did that supports the rating.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub evidence: String,
}

/// A scorecard as the viewer may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::scorecard)]
pub struct Scorecard {
    pub application_id: ApplicationId,
    pub interviewer_id: UserId,
    pub interviewer: String,
    pub submitted: bool,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub submitted_at: Option<NaiveDateTime>,
    /// True when its values are withheld from this viewer: a draft of
    /// someone else, or any scorecard before the viewer submits their own.
    pub hidden: bool,
    #[schema(value_type = Option<String>)]
    pub recommendation: Option<Recommendation>,
    pub summary: String,
    pub ratings: Vec<Rating>,
    #[serde(skip)]
    pub id: i32,
}

/// The viewer's own scorecard and the competencies it rates.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::my_scorecard)]
pub struct MyScorecard {
    pub application_id: ApplicationId,
    pub competencies: Vec<Competency>,
    /// Null until the viewer saves a first draft.
    pub scorecard: Option<Scorecard>,
}

/// What an interviewer sends: a draft, or with `submit` the final scorecard.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ScorecardInput {
    #[serde(default)]
    pub ratings: Vec<Rating>,
    /// `kpo`, `bpo` or `no_offer`; needed to submit.
    #[schema(max_length = 16, example = "kpo")]
    pub recommendation: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub summary: String,
    /// True submits it: every competency rated with evidence and a
    /// recommendation are then required, and it can no longer change.
    #[serde(default)]
    pub submit: bool,
}

pub fn application(conn: &mut DbConn, id: ApplicationId) -> AppResult<ApplicationRow> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no application {id}.")))
}

fn own(conn: &mut DbConn, id: ApplicationId, user: UserId) -> AppResult<Option<ScorecardRow>> {
    Ok(scorecards::table
        .filter(scorecards::application_id.eq(id))
        .filter(scorecards::interviewer_id.eq(user))
        .select(ScorecardRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether `viewer` may read the panel's submitted scorecards of `id`: an
/// interviewer once their own is submitted; a recruiter or administrator
/// who is not on the panel.
///
/// Once an interview is booked, its slot's interviewers are the panel: a
/// panel member reads the others only after submitting, and only panel
/// members fill scorecards, so nobody reads the panel first and scores after.
pub fn may_see_panel(conn: &mut DbConn, id: ApplicationId, viewer: &User) -> AppResult<bool> {
    Ok(match own(conn, id, viewer.id)? {
        Some(card) => card.submitted_at.is_some(),
        None => {
            matches!(viewer.role, Role::Recruiter | Role::Admin)
                && !booked_panel(conn, id)?.is_some_and(|panel| panel.contains(&viewer.id))
        }
    })
}

/// The interviewers of the application's booked interview; none while no
/// interview is booked (then any recruiter may score it).
fn booked_panel(conn: &mut DbConn, id: ApplicationId) -> AppResult<Option<Vec<UserId>>> {
    use crate::db::schema::{interview_panel, interviews};
    let slot: Option<crate::db::SlotId> = interviews::table
        .filter(interviews::application_id.eq(id))
        .filter(interviews::status.eq(crate::db::InterviewStatus::Booked))
        .select(interviews::slot_id)
        .first(conn)
        .optional()?;
    match slot {
        None => Ok(None),
        Some(slot) => Ok(Some(
            interview_panel::table
                .filter(interview_panel::slot_id.eq(slot))
                .select(interview_panel::user_id)
                .load(conn)?,
        )),
    }
}

/// The refusal an interviewer gets before submitting their own scorecard.
pub fn blind() -> AppError {
    AppError::Forbidden(
        "Submit your own scorecard for this application first: until then the panel's ratings stay hidden from you, so yours are your own."
            .into(),
    )
}

fn ratings_of(conn: &mut DbConn, ids: &[i32]) -> AppResult<Vec<(i32, Rating)>> {
    let rows: Vec<(i32, String, Option<i32>, String)> = scorecard_ratings::table
        .filter(scorecard_ratings::scorecard_id.eq_any(ids))
        .select((
            scorecard_ratings::scorecard_id,
            scorecard_ratings::competency,
            scorecard_ratings::rating,
            scorecard_ratings::evidence,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, competency, rating, evidence)| {
            (
                id,
                Rating {
                    competency,
                    rating,
                    evidence,
                },
            )
        })
        .collect())
}

/// Scorecards with their interviewers' names and ratings, in the order of
/// `order` (competency names) for each card.
fn assemble(
    conn: &mut DbConn,
    rows: Vec<(ScorecardRow, String)>,
    order: &[String],
    visible: impl Fn(&ScorecardRow) -> bool,
) -> AppResult<Vec<Scorecard>> {
    let ids: Vec<i32> = rows.iter().map(|(r, _)| r.id).collect();
    let ratings = ratings_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(row, interviewer)| {
            let shown = visible(&row);
            let mut mine: Vec<Rating> = ratings
                .iter()
                .filter(|(id, _)| shown && *id == row.id)
                .map(|(_, r)| r.clone())
                .collect();
            mine.sort_by_key(|r| order.iter().position(|n| *n == r.competency).unwrap_or(usize::MAX));
            Scorecard {
                id: row.id,
                application_id: row.application_id,
                interviewer_id: row.interviewer_id,
                interviewer,
                submitted: row.submitted_at.is_some(),
                submitted_at: row.submitted_at,
                hidden: !shown,
                recommendation: row.recommendation.filter(|_| shown),
                summary: if shown { row.summary } else { String::new() },
                ratings: mine,
            }
        })
        .collect())
}

/// Loads scorecards of application `id` with their interviewers' names.
fn cards_query(
    conn: &mut DbConn,
    id: ApplicationId,
    after: Option<i32>,
    limit: i64,
) -> AppResult<Vec<(ScorecardRow, String)>> {
    let mut query = scorecards::table
        .inner_join(users::table)
        .filter(scorecards::application_id.eq(id))
        .select((ScorecardRow::as_select(), users::full_name))
        .order(scorecards::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(scorecards::id.gt(after));
    }
    Ok(query.load(conn)?)
}

/// The scorecards of application `id` the viewer may list: every panel
/// member by name and whether they submitted, with values only where the
/// viewer may see them.
pub fn list(
    conn: &mut DbConn,
    id: ApplicationId,
    viewer: &User,
    after: Option<i32>,
    limit: i64,
) -> AppResult<Page<Scorecard, i32>> {
    let app = application(conn, id)?;
    let order = competencies::names(conn, app.drive_id)?;
    let sees = may_see_panel(conn, id, viewer)?;
    let rows = cards_query(conn, id, after, crate::web::paging::fetch(limit))?;
    let me = viewer.id;
    let cards = assemble(conn, rows, &order, |r| {
        r.interviewer_id == me || (sees && r.submitted_at.is_some())
    })?;
    Ok(Page::cut(cards, limit, |c| c.id))
}

/// One interviewer's scorecard of application `id`: 403 before the viewer
/// submits their own, and for someone else's draft.
pub fn one(conn: &mut DbConn, id: ApplicationId, interviewer: UserId, viewer: &User) -> AppResult<Scorecard> {
    let app = application(conn, id)?;
    if interviewer != viewer.id && !may_see_panel(conn, id, viewer)? {
        return Err(blind());
    }
    let order = competencies::names(conn, app.drive_id)?;
    let row: (ScorecardRow, String) = scorecards::table
        .inner_join(users::table)
        .filter(scorecards::application_id.eq(id))
        .filter(scorecards::interviewer_id.eq(interviewer))
        .select((ScorecardRow::as_select(), users::full_name))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("User {interviewer} has no scorecard for application {id}.")))?;
    if interviewer != viewer.id && row.0.submitted_at.is_none() {
        return Err(AppError::Forbidden(format!(
            "{} has not submitted this scorecard yet; a draft stays private to its interviewer.",
            row.1
        )));
    }
    assemble(conn, vec![row], &order, |_| true)?
        .pop()
        .ok_or_else(|| AppError::NotFound("No such scorecard.".into()))
}

/// The viewer's own scorecard with the competencies to rate.
pub fn mine(conn: &mut DbConn, id: ApplicationId, viewer: &User) -> AppResult<MyScorecard> {
    let app = application(conn, id)?;
    let set = competencies::for_drive(conn, app.drive_id)?;
    let order: Vec<String> = set.competencies.iter().map(|c| c.name.clone()).collect();
    let row: Option<(ScorecardRow, String)> = scorecards::table
        .inner_join(users::table)
        .filter(scorecards::application_id.eq(id))
        .filter(scorecards::interviewer_id.eq(viewer.id))
        .select((ScorecardRow::as_select(), users::full_name))
        .first(conn)
        .optional()?;
    let scorecard = match row {
        Some(row) => assemble(conn, vec![row], &order, |_| true)?.pop(),
        None => None,
    };
    Ok(MyScorecard {
        application_id: id,
        competencies: set.competencies,
        scorecard,
    })
}

/// Saves the viewer's scorecard of application `id` as a draft, or submits
/// it. A submitted scorecard is final (409).
pub fn save(
    conn: &mut DbConn,
    id: ApplicationId,
    viewer: &User,
    input: &ScorecardInput,
    now: NaiveDateTime,
) -> AppResult<MyScorecard> {
    conn.transaction(|conn| {
        let app = application(conn, id)?;
        if !INTERVIEW_STAGE.contains(&app.status) {
            return Err(AppError::conflict(
                "not_interviewing",
                format!(
                    "Scorecards are filled while an application is shortlisted for a KPO interview; this one is {}.",
                    crate::drives::staff_label(app.status).to_lowercase()
                ),
            ));
        }
        let order = competencies::names(conn, app.drive_id)?;
        let (recommendation, found) = problems(input, &order);
        if !found.is_empty() {
            return Err(AppError::invalid(
                "The scorecard needs a few fixes; each is listed.",
                found,
            ));
        }
        let card_id = match own(conn, id, viewer.id)? {
            Some(card) if card.submitted_at.is_some() => {
                return Err(AppError::conflict(
                    "already_submitted",
                    "You have submitted your scorecard for this application; it is final.",
                ))
            }
            Some(card) => {
                diesel::update(scorecards::table.find(card.id))
                    .set((
                        scorecards::recommendation.eq(recommendation),
                        scorecards::summary.eq(input.summary.trim()),
                        scorecards::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                card.id
            }
            None if booked_panel(conn, id)?.is_some_and(|panel| !panel.contains(&viewer.id)) => {
                return Err(AppError::Forbidden(
                    "Only the interviewers on this application's interview panel fill its scorecard; \
                     a recruiter can add you to the panel by moving the interview to a slot you interview."
                        .into(),
                ))
            }
            None => diesel::insert_into(scorecards::table)
                .values((
                    scorecards::application_id.eq(id),
                    scorecards::interviewer_id.eq(viewer.id),
                    scorecards::recommendation.eq(recommendation),
                    scorecards::summary.eq(input.summary.trim()),
                    scorecards::created_at.eq(now),
                    scorecards::updated_at.eq(now),
                ))
                .returning(scorecards::id)
                .get_result(conn)?,
        };
        diesel::delete(scorecard_ratings::table.filter(scorecard_ratings::scorecard_id.eq(card_id))).execute(conn)?;
        for name in &order {
            if let Some(r) = input.ratings.iter().find(|r| r.competency == *name) {
                diesel::insert_into(scorecard_ratings::table)
                    .values((
                        scorecard_ratings::scorecard_id.eq(card_id),
                        scorecard_ratings::competency.eq(name),
                        scorecard_ratings::rating.eq(r.rating),
                        scorecard_ratings::evidence.eq(r.evidence.trim()),
                    ))
                    .execute(conn)?;
            }
        }
        if input.submit {
            diesel::update(scorecards::table.find(card_id))
                .set(scorecards::submitted_at.eq(Some(now)))
                .execute(conn)?;
            audit::record(
                conn,
                Event {
                    actor: Some(viewer.id),
                    action: "scorecard.submit",
                    entity: "application",
                    entity_id: Some(id.0),
                    detail: &format!(
                        "Scorecard submitted: {}",
                        recommendation.map(Recommendation::label).unwrap_or("")
                    ),
                },
                now,
            )?;
        }
        mine(conn, id, viewer)
    })
}

/// Each submitted scorecard's (competency, rating) pairs, by application.
pub fn submitted_ratings(
    conn: &mut DbConn,
    ids: &[ApplicationId],
) -> AppResult<Vec<(ApplicationId, i32, String, i32)>> {
    let rows: Vec<(ApplicationId, i32, String, Option<i32>)> = scorecard_ratings::table
        .inner_join(scorecards::table)
        .filter(scorecards::application_id.eq_any(ids))
        .filter(scorecards::submitted_at.is_not_null())
        .select((
            scorecards::application_id,
            scorecards::id,
            scorecard_ratings::competency,
            scorecard_ratings::rating,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, c, name, r)| r.map(|r| (a, c, name, r)))
        .collect())
}
