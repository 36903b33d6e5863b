//! The recruiter's rankings: a total, deterministic order, shared ranks for
//! ties, percentiles, filters and keyset paging that is as fast deep in the
//! list as at its top. `api` serves them as JSON and CSV, `pages` to the
//! recruiter's browser.

pub mod api;
pub mod excel;

mod decisions;
pub mod pages;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::convert::{floor_usize, i64_f64, round_i64};
use crate::db::schema::{application_sections, applications, attempts, candidate_profiles, drive_score_counts, users};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, DriveId, UserId};
use crate::error::{AppError, AppResult};
use crate::on_backend;
use crate::web::paging::{self, Page};
use crate::web::spreadsheet::neutralise;

/// Fixed-width digits that sort as the ranking does: percent and tie-break
/// high first, then earlier submission, then lower id.
pub fn sort_key(percent: f64, tie_break: f64, submitted_at: NaiveDateTime, id: ApplicationId) -> String {
    let p = round_i64((100.0 - percent.clamp(-100.0, 100.0)) * 1e6).clamp(0, 999_999_999);
    // Already a whole number, so rounding it only converts it.
    let t = round_i64((1e12 - (tie_break * 1e3).round()).clamp(0.0, 9.99e12));
    let s = submitted_at.and_utc().timestamp_millis().max(0);
    format!("{p:09}{t:013}{s:015}{:010}", id.0.max(0))
}

/// Records a graded result in the ranking: the key, the section percents and
/// the score counts. `previous` is the score the application ranked at before,
/// if any (a re-grade moves it).
#[allow(clippy::too_many_arguments)]
pub fn record_result(
    conn: &mut DbConn,
    drive_id: DriveId,
    id: ApplicationId,
    previous: Option<(f64, f64)>,
    percent: f64,
    tie_break: f64,
    submitted_at: NaiveDateTime,
    sections: &[(String, f64)],
) -> AppResult<()> {
    diesel::update(applications::table.find(id))
        .set(applications::sort_key.eq(Some(sort_key(percent, tie_break, submitted_at, id))))
        .execute(conn)?;
    diesel::delete(application_sections::table.filter(application_sections::application_id.eq(id))).execute(conn)?;
    for (section, p) in sections {
        diesel::insert_into(application_sections::table)
            .values((
                application_sections::application_id.eq(id),
                application_sections::drive_id.eq(drive_id),
                application_sections::section.eq(section),
                application_sections::percent.eq(p),
            ))
            .execute(conn)?;
    }
    if let Some((p, t)) = previous {
        diesel::update(
            drive_score_counts::table
                .filter(drive_score_counts::drive_id.eq(drive_id))
                .filter(drive_score_counts::percent.eq(p))
                .filter(drive_score_counts::tie_break.eq(t)),
        )
        .set(drive_score_counts::n.eq(drive_score_counts::n - 1))
        .execute(conn)?;
    }
    let row = (
        drive_score_counts::drive_id.eq(drive_id),
        drive_score_counts::percent.eq(percent),
        drive_score_counts::tie_break.eq(tie_break),
        drive_score_counts::n.eq(1),
    );
    on_backend!(conn, c => diesel::insert_into(drive_score_counts::table)
        .values(row)
        .on_conflict((drive_score_counts::drive_id, drive_score_counts::percent, drive_score_counts::tie_break))
        .do_update()
        .set(drive_score_counts::n.eq(drive_score_counts::n + 1))
        .execute(c))?;
    Ok(())
}

/// Ranks and percentiles for a drive, from its score counts.
pub struct Standing {
    /// (percent, tie_break, rank) high first.
    ranks: Vec<(f64, f64, i64)>,
    /// (percent, count below, count equal), high first.
    by_percent: Vec<(f64, i64, i64)>,
    pub total: i64,
}

impl Standing {
    pub fn load(conn: &mut DbConn, drive_id: DriveId) -> AppResult<Standing> {
        let counts: Vec<(f64, f64, i32)> = drive_score_counts::table
            .filter(drive_score_counts::drive_id.eq(drive_id))
            .filter(drive_score_counts::n.gt(0))
            .select((
                drive_score_counts::percent,
                drive_score_counts::tie_break,
                drive_score_counts::n,
            ))
            .order((drive_score_counts::percent.desc(), drive_score_counts::tie_break.desc()))
            .load(conn)?;
        Ok(Standing::from_counts(&counts))
    }

    pub fn from_counts(counts: &[(f64, f64, i32)]) -> Standing {
        let total: i64 = counts.iter().map(|c| i64::from(c.2)).sum();
        let mut ranks = Vec::with_capacity(counts.len());
        let mut better = 0i64;
        for (p, t, n) in counts {
            ranks.push((*p, *t, better + 1));
            better += i64::from(*n);
        }
        let mut by_percent: Vec<(f64, i64, i64)> = Vec::new();
        for (p, _, n) in counts {
            match by_percent.last_mut() {
                Some(last) if last.0 == *p => last.2 += i64::from(*n),
                _ => by_percent.push((*p, 0, i64::from(*n))),
            }
        }
        let mut below = total;
        for entry in &mut by_percent {
            below -= entry.2;
            entry.1 = below;
        }
        Standing {
            ranks,
            by_percent,
            total,
        }
    }

    /// 1 + how many scored strictly better; ties share it.
    pub fn rank(&self, percent: f64, tie_break: f64) -> i64 {
        self.ranks
            .iter()
            .find(|(p, t, _)| *p == percent && *t == tie_break)
            .map(|r| r.2)
            .unwrap_or(self.total + 1)
    }

    /// 100 × (count below + half the count equal) / N, by percent.
    pub fn percentile(&self, percent: f64) -> Option<f64> {
        let (_, below, equal) = self.by_percent.iter().find(|(p, _, _)| *p == percent)?;
        (self.total > 0).then(|| 100.0 * (i64_f64(*below) + 0.5 * i64_f64(*equal)) / i64_f64(self.total))
    }

    /// Counts per 10-point band, for the distribution chart: index 0 is 0–10%.
    pub fn histogram(&self) -> [i64; 10] {
        let mut bins = [0i64; 10];
        for (p, _, equal) in &self.by_percent {
            // Below 0 floors to 0; 100 % and above go in the last band.
            if let Some(bin) = bins.get_mut(floor_usize(p / 10.0).min(9)) {
                *bin += equal;
            }
        }
        bins
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct RankingQuery {
    /// Only applications in this pipeline state, e.g. `tested` or `shortlisted_kpo`.
    #[param(max_length = 64, example = "tested")]
    pub status: Option<String>,
    /// Only candidates whose profile names this domain, e.g. `finance`.
    #[param(max_length = 64, example = "finance")]
    pub domain: Option<String>,
    /// Only candidates with this degree, e.g. `B.Com`.
    #[param(max_length = 200, example = "B.Com")]
    pub degree: Option<String>,
    /// Only test percents at or above this, 0 to 100.
    #[param(example = 60.0)]
    pub min_percent: Option<f64>,
    /// Only applications that met (true) or missed (false) the drive's rules.
    pub eligible: Option<bool>,
    /// `section:NAME` sorts by that section's percent.
    #[param(max_length = 300)]
    pub sort: Option<String>,
    /// Rows per page, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// The `next_after` of the previous page; leave out for the first page.
    #[param(max_length = 20)]
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionPercent {
    pub name: String,
    pub percent: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::ranking_row)]
pub struct RankingRow {
    pub rank: i64,
    pub application_id: ApplicationId,
    pub candidate_id: UserId,
    pub full_name: String,
    #[schema(value_type = String)]
    pub status: ApplicationStatus,
    pub percent: f64,
    pub percentile: Option<f64>,
    /// The panel's interview score, 0 to 100, once a scorecard is submitted.
    pub interview_percent: Option<f64>,
    /// Test and interview weighed by the drive's hiring rules.
    pub combined: Option<f64>,
    pub sections: Vec<SectionPercent>,
    pub eligible: bool,
    pub domain: Option<String>,
    pub degree: Option<String>,
    pub focus_losses: i32,
    pub pastes: i32,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub tested_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingPage {
    pub rows: Vec<RankingRow>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<ApplicationId>,
    /// Graded applications in the drive.
    pub ranked: i64,
}

enum Cursor {
    Key(String),
    Section(f64, ApplicationId),
}

/// Where the page after application `after` starts, in the chosen order.
fn cursor(conn: &mut DbConn, after: ApplicationId, section: Option<&str>) -> AppResult<Option<Cursor>> {
    Ok(match section {
        None => applications::table
            .find(after)
            .select(applications::sort_key)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten()
            .map(Cursor::Key),
        Some(section) => application_sections::table
            .filter(application_sections::application_id.eq(after))
            .filter(application_sections::section.eq(section))
            .select(application_sections::percent)
            .first::<f64>(conn)
            .optional()?
            .map(|p| Cursor::Section(p, after)),
    })
}

type Raw = (
    ApplicationId,
    UserId,
    String,
    ApplicationStatus,
    Option<f64>,
    Option<f64>,
    bool,
    Option<NaiveDateTime>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<i32>,
);

pub const MAX_PAGE: i64 = 500;

/// One page of a drive's rankings.
pub fn page(conn: &mut DbConn, drive_id: DriveId, q: &RankingQuery, standing: &Standing) -> AppResult<RankingPage> {
    let limit = paging::size(q.limit, 50, MAX_PAGE);
    let section_sort = q
        .sort
        .as_deref()
        .and_then(|s| s.strip_prefix("section:"))
        .map(String::from);
    let mut query = applications::table
        .inner_join(users::table.on(users::id.eq(applications::candidate_id)))
        .left_join(candidate_profiles::table.on(candidate_profiles::user_id.eq(applications::candidate_id)))
        .left_join(attempts::table.on(attempts::id.nullable().eq(applications::attempt_id)))
        .filter(applications::drive_id.eq(drive_id))
        .filter(applications::sort_key.is_not_null())
        .select(raw_columns())
        .limit(paging::fetch(limit))
        .into_boxed();
    if let Some(status) = q.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(applications::status.eq(status.to_string()));
    }
    if let Some(domain) = q.domain.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(candidate_profiles::domain.eq(domain.to_string()));
    }
    if let Some(degree) = q.degree.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(candidate_profiles::degree.eq(degree.to_string()));
    }
    if let Some(min) = q.min_percent {
        query = query.filter(applications::percent.ge(min));
    }
    if let Some(eligible) = q.eligible {
        query = query.filter(applications::eligible.eq(eligible));
    }
    let after = start_after(conn, paging::after_id(q.after.as_deref())?, section_sort.as_deref())?;
    let rows: Vec<Raw> = match &section_sort {
        None => {
            if let Some(Cursor::Key(key)) = after {
                query = query.filter(applications::sort_key.gt(key));
            }
            query.order(applications::sort_key.asc()).load::<Raw>(conn)?
        }
        Some(section) => {
            let mut query = query
                .inner_join(
                    application_sections::table.on(application_sections::application_id
                        .eq(applications::id)
                        .and(application_sections::section.eq(section.clone()))),
                )
                .select((raw_columns(), application_sections::percent));
            // Filtering the section table on its own drive lets the planner
            // walk its (drive, section, percent, id) index instead of sorting.
            query = query.filter(application_sections::drive_id.eq(drive_id));
            if let Some(Cursor::Section(p, id)) = after {
                query = query.filter(
                    application_sections::percent.lt(p).or(application_sections::percent
                        .eq(p)
                        .and(application_sections::application_id.lt(id))),
                );
            }
            query
                .order((
                    application_sections::percent.desc(),
                    application_sections::application_id.desc(),
                ))
                .load::<(Raw, f64)>(conn)?
                .into_iter()
                .map(|(r, _)| r)
                .collect()
        }
    };
    let Page { rows, next } = Page::cut(rows, limit, |r| r.0);
    let ids: Vec<ApplicationId> = rows.iter().map(|r| r.0).collect();
    let sections = section_percents(conn, &ids)?;
    let interviews = crate::drives::scorecards::decision::scores(conn, drive_id, &ids)?;
    Ok(RankingPage {
        rows: rows
            .into_iter()
            .map(|r| {
                let mut row = ranking_row(r, &sections, standing);
                if let Some((_, interview, combined)) = interviews.iter().find(|s| s.0 == row.application_id) {
                    row.interview_percent = *interview;
                    row.combined = *combined;
                }
                row
            })
            .collect(),
        next_after: next,
        ranked: standing.total,
    })
}

/// The columns of a ranking row, in `Raw`'s order.
#[diesel::dsl::auto_type]
fn raw_columns() -> _ {
    (
        applications::id,
        applications::candidate_id,
        users::full_name,
        applications::status,
        applications::percent,
        applications::tie_break,
        applications::eligible,
        applications::submitted_at,
        applications::sort_key,
        candidate_profiles::domain.nullable(),
        candidate_profiles::degree.nullable(),
        attempts::focus_losses.nullable(),
        attempts::pastes.nullable(),
    )
}

/// Where the page asked for starts: after application `after`, which must
/// be in this ranking.
fn start_after(conn: &mut DbConn, after: Option<i32>, section: Option<&str>) -> AppResult<Option<Cursor>> {
    let Some(id) = after else {
        return Ok(None);
    };
    let found = cursor(conn, ApplicationId(id), section)?.ok_or_else(|| {
        AppError::invalid_field(
            "after",
            format!("Application {id} is not in this ranking; start from the first page."),
        )
    })?;
    Ok(Some(found))
}

/// Every section percent of the applications `ids`.
fn section_percents(conn: &mut DbConn, ids: &[ApplicationId]) -> AppResult<Vec<(ApplicationId, String, f64)>> {
    Ok(application_sections::table
        .filter(application_sections::application_id.eq_any(ids))
        .select((
            application_sections::application_id,
            application_sections::section,
            application_sections::percent,
        ))
        .load(conn)?)
}

fn ranking_row(r: Raw, sections: &[(ApplicationId, String, f64)], standing: &Standing) -> RankingRow {
    let percent = r.4.unwrap_or(0.0);
    let tie = r.5.unwrap_or(0.0);
    RankingRow {
        rank: standing.rank(percent, tie),
        application_id: r.0,
        candidate_id: r.1,
        full_name: r.2,
        status: r.3,
        percent,
        interview_percent: None,
        combined: None,
        // Too few people for a percentile to mean much: none is shown.
        percentile: standing
            .percentile(percent)
            .filter(|_| standing.total >= crate::attempts::grading::PERCENTILE_MIN_POPULATION),
        sections: sections
            .iter()
            .filter(|(id, _, _)| *id == r.0)
            .map(|(_, name, p)| SectionPercent {
                name: name.clone(),
                percent: *p,
            })
            .collect(),
        eligible: r.6,
        domain: r.9,
        degree: r.10,
        focus_losses: r.11.unwrap_or(0),
        pastes: r.12.unwrap_or(0),
        tested_at: r.7,
    }
}

/// The CSV header and rows of one page, for the streaming export.
pub fn csv_chunk(rows: &[RankingRow], header: bool) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| AppError::internal("csv", e);
    if header {
        writer
            .write_record([
                "rank",
                "application_id",
                "candidate_id",
                "full_name",
                "status",
                "percent",
                "percentile",
                "sections",
                "eligible",
                "domain",
                "degree",
                "focus_losses",
                "pastes",
                "tested_at",
            ])
            .map_err(err)?;
    }
    for r in rows {
        let sections: Vec<String> = r
            .sections
            .iter()
            .map(|s| format!("{}: {:.1}", s.name, s.percent))
            .collect();
        writer
            .write_record([
                r.rank.to_string(),
                r.application_id.to_string(),
                r.candidate_id.to_string(),
                neutralise(&r.full_name),
                neutralise(r.status.as_str()),
                format!("{:.2}", r.percent),
                r.percentile.map(|p| format!("{p:.2}")).unwrap_or_default(),
                neutralise(&sections.join("; ")),
                r.eligible.to_string(),
                neutralise(r.domain.as_deref().unwrap_or("")),
                neutralise(r.degree.as_deref().unwrap_or("")),
                r.focus_losses.to_string(),
                r.pastes.to_string(),
                r.tested_at
                    .map(|t| crate::clock::rfc3339::format(&t))
                    .unwrap_or_default(),
            ])
            .map_err(err)?;
    }
    writer.into_inner().map_err(|e| AppError::internal("csv", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_order_by_percent_then_tie_break_then_time_then_id() {
        let t0 = chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default();
        let t1 = t0 + chrono::Duration::seconds(1);
        let mut keys = [
            (sort_key(80.0, 5.0, t1, ApplicationId(4)), "80/5 late"),
            (sort_key(80.0, 5.0, t0, ApplicationId(9)), "80/5 early id 9"),
            (sort_key(92.5, 0.0, t1, ApplicationId(1)), "92.5"),
            (sort_key(80.0, 6.0, t1, ApplicationId(2)), "80/6"),
            (sort_key(80.0, 5.0, t0, ApplicationId(3)), "80/5 early id 3"),
            (sort_key(-10.0, 0.0, t0, ApplicationId(5)), "negative"),
        ];
        keys.sort();
        let order: Vec<&str> = keys.iter().map(|k| k.1).collect();
        assert_eq!(
            order,
            vec![
                "92.5",
                "80/6",
                "80/5 early id 3",
                "80/5 early id 9",
                "80/5 late",
                "negative"
            ]
        );
    }

    #[test]
    fn ties_share_a_rank_and_percentile_counts_half_the_ties() {
        // Scores 90, 80, 80, 70 (tie-break all 0): ranks 1, 2, 2, 4.
        let s = Standing::from_counts(&[(90.0, 0.0, 1), (80.0, 0.0, 2), (70.0, 0.0, 1)]);
        assert_eq!((s.rank(90.0, 0.0), s.rank(80.0, 0.0), s.rank(70.0, 0.0)), (1, 2, 4));
        // 80%: one below, two equal, of four → (1 + 1) / 4 = 50.
        assert_eq!(s.percentile(80.0), Some(50.0));
        assert_eq!(s.percentile(90.0), Some(87.5));
        assert_eq!(s.percentile(70.0), Some(12.5));
        // A tie-break splits a percent tie into ranks but not the percentile.
        let s = Standing::from_counts(&[(80.0, 7.0, 1), (80.0, 3.0, 1)]);
        assert_eq!((s.rank(80.0, 7.0), s.rank(80.0, 3.0)), (1, 2));
        assert_eq!(s.percentile(80.0), Some(50.0));
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+91 98"), "'+91 98");
        assert_eq!(neutralise("-5"), "'-5");
        assert_eq!(neutralise("@SUM"), "'@SUM");
        assert_eq!(neutralise("Asha"), "Asha");
    }
}
