//! Everyone who applied to a drive, in every status: counts per status,
//! search by name or email, a status filter, two sorts and keyset paging;
//! and bulk moves on chosen people, which say beforehand exactly who moves
//! and afterwards what happened to each. Every move goes through
//! `pipeline::decide`.

pub mod api;
pub mod export;
pub mod pages;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::pipeline::{self, Decision};
use crate::db::schema::{applications, users};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, DriveId, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::web::paging::{self, Page};

use crate::db::search::{contains, lower};

/// The most rows one page shows, and the most people one bulk move takes.
pub const MAX_PAGE: i64 = 200;
pub const MAX_BULK: i64 = 5_000;

/// What the list shows: `status` is a stored status or `ineligible`
/// (applied but not eligible); `sort` is `newest` (default) or `name`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicantQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    pub after: Option<i32>,
    pub limit: Option<i64>,
}

/// One applicant as the list shows them.
#[derive(Debug, Clone, Queryable)]
pub struct ApplicantRow {
    pub id: ApplicationId,
    pub candidate_id: UserId,
    pub status: ApplicationStatus,
    pub eligible: bool,
    pub percent: Option<f64>,
    pub created_at: NaiveDateTime,
    pub full_name: String,
    pub email: String,
}

impl ApplicantRow {
    /// The status in a recruiter's words; an applicant who is not eligible
    /// is said to be so.
    pub fn label(&self) -> &'static str {
        if self.status == ApplicationStatus::Applied && !self.eligible {
            "Not eligible"
        } else {
            super::staff_label(self.status)
        }
    }
}

type Boxed<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Filter<
        diesel::dsl::InnerJoinOn<
            applications::table,
            users::table,
            diesel::dsl::Eq<users::id, applications::candidate_id>,
        >,
        diesel::dsl::Eq<applications::drive_id, DriveId>,
    >,
    <DbConn as diesel::Connection>::Backend,
>;

/// The drive's applicants matching the search and the status filter.
fn matching<'a>(drive_id: DriveId, q: &ApplicantQuery) -> AppResult<Boxed<'a>> {
    let mut query = applications::table
        .inner_join(users::table.on(users::id.eq(applications::candidate_id)))
        .filter(applications::drive_id.eq(drive_id))
        .into_boxed();
    if let Some(term) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        let like = contains(term);
        query = query.filter(
            lower(users::full_name)
                .like(like.clone())
                .escape('\\')
                .or(users::email.like(like).escape('\\')),
        );
    }
    match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {}
        Some("ineligible") => {
            query = query
                .filter(applications::status.eq(ApplicationStatus::Applied))
                .filter(applications::eligible.eq(false));
        }
        Some(s) => {
            let status = s.parse::<ApplicationStatus>().map_err(|_| {
                AppError::invalid_field("status", format!("'{s}' is not a status; choose one from the list."))
            })?;
            query = query.filter(applications::status.eq(status));
        }
    }
    Ok(query)
}

type Columns = (
    applications::id,
    applications::candidate_id,
    applications::status,
    applications::eligible,
    applications::percent,
    applications::created_at,
    users::full_name,
    users::email,
);

const COLUMNS: Columns = (
    applications::id,
    applications::candidate_id,
    applications::status,
    applications::eligible,
    applications::percent,
    applications::created_at,
    users::full_name,
    users::email,
);

/// Sorted by name (then application id) or newest first; a page starts
/// after the application `q.after`, the previous page's last row.
pub fn page(conn: &mut DbConn, drive_id: DriveId, q: &ApplicantQuery) -> AppResult<Page<ApplicantRow, ApplicationId>> {
    let limit = paging::size(q.limit, 50, MAX_PAGE);
    let query = matching(drive_id, q)?.select(COLUMNS).limit(paging::fetch(limit));
    let by_name = q.sort.as_deref() == Some("name");
    let rows: Vec<ApplicantRow> = if by_name {
        let mut query = query.order((lower(users::full_name).asc(), applications::id.asc()));
        if let Some(after) = q.after {
            let name: Option<String> = applications::table
                .inner_join(users::table.on(users::id.eq(applications::candidate_id)))
                .filter(applications::id.eq(after))
                .select(lower(users::full_name))
                .first(conn)
                .optional()?;
            if let Some(name) = name {
                query = query.filter(
                    lower(users::full_name)
                        .gt(name.clone())
                        .or(lower(users::full_name).eq(name).and(applications::id.gt(after))),
                );
            }
        }
        query.load(conn)?
    } else {
        let mut query = query.order(applications::id.desc());
        if let Some(after) = q.after {
            query = query.filter(applications::id.lt(after));
        }
        query.load(conn)?
    };
    Ok(Page::cut(rows, limit, |r| r.id))
}

/// How many of the drive's applicants are in each status (all of them,
/// whatever the search), and how many of those applied are not eligible.
pub fn counts(conn: &mut DbConn, drive_id: DriveId) -> AppResult<(Vec<(ApplicationStatus, i64)>, i64)> {
    let found: Vec<(ApplicationStatus, bool, i64)> = applications::table
        .filter(applications::drive_id.eq(drive_id))
        .group_by((applications::status, applications::eligible))
        .select((applications::status, applications::eligible, diesel::dsl::count_star()))
        .load(conn)?;
    let per_status = ApplicationStatus::ALL
        .into_iter()
        .map(|s| (s, found.iter().filter(|(f, _, _)| *f == s).map(|(_, _, n)| n).sum()))
        .collect();
    let ineligible = found
        .iter()
        .filter(|(s, e, _)| *s == ApplicationStatus::Applied && !e)
        .map(|(_, _, n)| n)
        .sum();
    Ok((per_status, ineligible))
}

/// Every applicant matching the search and filter ("select all N
/// matching"), up to `MAX_BULK`.
pub fn matching_ids(conn: &mut DbConn, drive_id: DriveId, q: &ApplicantQuery) -> AppResult<Vec<ApplicationId>> {
    Ok(matching(drive_id, q)?
        .select(applications::id)
        .order(applications::id.asc())
        .limit(MAX_BULK)
        .load(conn)?)
}

/// What a bulk move would do to each chosen applicant.
#[derive(Debug, Clone)]
pub struct Plan {
    pub to: ApplicationStatus,
    pub moving: Vec<ApplicantRow>,
    pub already: Vec<ApplicantRow>,
    /// Those whose status does not allow the move, with the reason.
    pub cannot: Vec<ApplicantRow>,
}

/// The moves a bulk action offers.
pub const BULK_MOVES: [ApplicationStatus; 3] = [
    ApplicationStatus::ShortlistedKpo,
    ApplicationStatus::OfferedBpo,
    ApplicationStatus::Rejected,
];

/// Reads the target status of a bulk move.
pub fn bulk_target(asked: &str) -> AppResult<ApplicationStatus> {
    asked
        .trim()
        .parse::<ApplicationStatus>()
        .ok()
        .filter(|s| BULK_MOVES.contains(s))
        .ok_or_else(|| AppError::invalid_field("to", "Choose what to do with the selected applicants."))
}

/// Sorts the chosen applications of the drive by what the move would do.
pub fn plan(conn: &mut DbConn, drive_id: DriveId, ids: &[ApplicationId], to: ApplicationStatus) -> AppResult<Plan> {
    if ids.is_empty() {
        return Err(AppError::invalid_field("id", "Select at least one applicant."));
    }
    if i64::try_from(ids.len()).unwrap_or(i64::MAX) > MAX_BULK {
        return Err(AppError::invalid_field(
            "id",
            format!("A bulk move takes at most {MAX_BULK} applicants; narrow the search."),
        ));
    }
    let mut rows: Vec<ApplicantRow> = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            matching(drive_id, &ApplicantQuery::default())?
                .filter(applications::id.eq_any(chunk))
                .select(COLUMNS)
                .order(applications::id.asc())
                .load::<ApplicantRow>(conn)?,
        );
    }
    if rows.len() != ids.len() {
        return Err(AppError::invalid_field(
            "id",
            "Some selected applicants are not in this drive; reload the list.",
        ));
    }
    let mut plan = Plan {
        to,
        moving: Vec::new(),
        already: Vec::new(),
        cannot: Vec::new(),
    };
    for row in rows {
        if row.status == to {
            plan.already.push(row);
        } else if pipeline::allowed_from(row.status).contains(&to) {
            plan.moving.push(row);
        } else {
            plan.cannot.push(row);
        }
    }
    Ok(plan)
}

/// Applies a confirmed bulk move in one transaction: each application that
/// may move is one decision (event, audit entry, email); the plan returned
/// says what happened to everyone, read again inside the transaction.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    conn: &mut DbConn,
    drive_id: DriveId,
    ids: &[ApplicationId],
    to: ApplicationStatus,
    words: pipeline::Words<'_>,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<Plan> {
    super::letters::check_message(words.message)?;
    conn.transaction(|conn| {
        let plan = plan(conn, drive_id, ids, to)?;
        for row in &plan.moving {
            let decision = Decision {
                status: to.as_str().into(),
                note: words.note.into(),
                message: words.message.into(),
                cohort_id: None,
            };
            pipeline::decide(conn, row.id, &decision, actor, now, mail)?;
        }
        Ok(plan)
    })
}

/// What happened, in one sentence: "4 shortlisted; 1 was already shortlisted".
pub fn report(to: ApplicationStatus, moved: usize, already: usize, cannot: usize) -> String {
    let done = match to {
        ApplicationStatus::ShortlistedKpo => "shortlisted for KPO interview",
        ApplicationStatus::OfferedKpo => "offered KPO work",
        ApplicationStatus::OfferedBpo => "offered BPO work",
        ApplicationStatus::Rejected => "not selected",
        other => super::staff_label(other),
    };
    let mut parts = vec![format!("{moved} {done}")];
    if already > 0 {
        let verb = if already == 1 { "was" } else { "were" };
        parts.push(format!("{already} {verb} already {done}"));
    }
    if cannot > 0 {
        parts.push(format!("{cannot} could not be moved from where they stand"));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_says_how_many_moved_and_how_many_were_already_there() {
        assert_eq!(
            report(ApplicationStatus::ShortlistedKpo, 4, 1, 0),
            "4 shortlisted for KPO interview; 1 was already shortlisted for KPO interview"
        );
        assert_eq!(
            report(ApplicationStatus::Rejected, 2, 0, 3),
            "2 not selected; 3 could not be moved from where they stand"
        );
    }

    #[test]
    fn search_wildcards_are_taken_literally() {
        assert_eq!(contains(" A%b_ "), "%a\\%b\\_%");
    }
}
