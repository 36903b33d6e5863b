//! Routing runs: the engine's input built from the database, drafts,
//! overrides and publishing. The decisions themselves are `engine::route`'s.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::engine::{self, ProcessInput, Tier, Track, TraineeInput};
use crate::audit::{self, Event};
use crate::db::schema::{attempt_items, attempts, cohort_trainees, cohorts, placements, processes};
use crate::db::{text_column, AssessmentId, AttemptId, CohortId, DbConn, Json, ProcessId, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};

// The engine's enums are pure; here they become the columns they are kept in.
text_column!(Tier, Track, engine::Status);

/// A client process to route trainees into.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Motor Claims Review", "client": "Northwind Insurance", "track": "kpo", "tier": "complex",
    "min_percent": 70.0, "section_minimums": {"Insurance basics": 60.0}, "seats": 12}))]
pub struct NewProcess {
    #[schema(max_length = 200)]
    pub name: String,
    #[schema(max_length = 200)]
    pub client: String,
    /// kpo or bpo
    #[schema(max_length = 64)]
    pub track: String,
    /// critical, complex, standard or basic
    #[schema(max_length = 64)]
    pub tier: String,
    /// The overall cut-off, in percent.
    pub min_percent: f64,
    /// Percent needed in named sections of the exam, besides the cut-off.
    #[serde(default)]
    pub section_minimums: BTreeMap<String, f64>,
    /// How many trainees it takes.
    pub seats: i32,
}

/// A client process, with its cut-off and seats.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = processes)]
#[schema(example = json!({"id": 4, "name": "Motor Claims Review", "client": "Northwind Insurance", "track": "kpo", "tier": "complex", "min_percent": 70.0, "seats": 12}))]
pub struct ProcessRow {
    pub id: ProcessId,
    pub name: String,
    pub client: String,
    #[schema(value_type = String)]
    pub track: Track,
    #[schema(value_type = String)]
    pub tier: Tier,
    pub min_percent: f64,
    #[serde(skip)]
    pub section_minimums: Json<BTreeMap<String, f64>>,
    pub seats: i32,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

impl ProcessRow {
    pub fn minimums(&self) -> &BTreeMap<String, f64> {
        &self.section_minimums
    }
}

pub fn create_process(conn: &mut DbConn, p: &NewProcess, actor: UserId, now: NaiveDateTime) -> AppResult<ProcessId> {
    let errors = process_problems(p);
    if !errors.is_empty() {
        return Err(AppError::invalid(
            "The process needs fixing; each problem is listed.",
            errors,
        ));
    }
    let name = p.name.trim();
    conn.transaction(|conn| {
        let taken: i64 = processes::table
            .filter(processes::name.eq(name))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AppError::invalid_field(
                "name",
                format!("A process called '{name}' exists already."),
            ));
        }
        let id: ProcessId = diesel::insert_into(processes::table)
            .values((
                processes::name.eq(name),
                processes::client.eq(p.client.trim()),
                processes::track.eq(&p.track),
                processes::tier.eq(&p.tier),
                processes::min_percent.eq(p.min_percent),
                processes::section_minimums
                    .eq(serde_json::to_string(&p.section_minimums).unwrap_or_else(|_| "{}".into())),
                processes::seats.eq(p.seats),
                processes::created_at.eq(now),
            ))
            .returning(processes::id)
            .get_result(conn)?;
        let detail = format!("created process '{name}' ({}, {} seats)", p.tier, p.seats);
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "process.create",
                entity: "process",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        Ok(id)
    })
}

/// What is wrong with a new process, field by field, before the database
/// is asked anything.
fn process_problems(p: &NewProcess) -> Vec<ErrorDetail> {
    let mut errors = Vec::new();
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(ErrorDetail::field(
            "name",
            "Give the process a name of 1 to 200 characters.",
        ));
    }
    let client = p.client.trim();
    if client.is_empty() || client.chars().count() > 200 {
        errors.push(ErrorDetail::field(
            "client",
            "Name the client the process serves, in at most 200 characters.",
        ));
    }
    if p.track.parse::<Track>().is_err() {
        errors.push(ErrorDetail::field("track", "The track is kpo or bpo."));
    }
    if p.tier.parse::<Tier>().is_err() {
        errors.push(ErrorDetail::field(
            "tier",
            "The tier is critical, complex, standard or basic.",
        ));
    }
    if !(0.0..=100.0).contains(&p.min_percent) {
        errors.push(ErrorDetail::field(
            "min_percent",
            "The cut-off is a percentage from 0 to 100.",
        ));
    }
    if p.section_minimums.len() > 50 || p.section_minimums.keys().any(|s| s.chars().count() > 200) {
        errors.push(ErrorDetail::field(
            "section_minimums",
            "Give at most 50 section minimums, each for a section name of at most 200 characters.",
        ));
    }
    for (section, m) in &p.section_minimums {
        if !(0.0..=100.0).contains(m) {
            errors.push(ErrorDetail::field(
                "section_minimums",
                format!("The minimum for {section} must be from 0 to 100."),
            ));
        }
    }
    if !(0..=100_000).contains(&p.seats) {
        errors.push(ErrorDetail::field("seats", "Seats must be from 0 to 100,000."));
    }
    errors
}

pub fn list_processes(conn: &mut DbConn) -> AppResult<Vec<ProcessRow>> {
    Ok(processes::table
        .select(ProcessRow::as_select())
        .order(processes::name.asc())
        .load(conn)?)
}

/// Every process as the engine sees it, with seats held by published placements.
pub fn process_inputs(conn: &mut DbConn) -> AppResult<(Vec<ProcessRow>, Vec<ProcessInput>)> {
    let rows = list_processes(conn)?;
    let taken: Vec<(ProcessId, i64)> = placements::table
        .group_by(placements::process_id)
        .select((placements::process_id, diesel::dsl::count_star()))
        .load(conn)?;
    let inputs = rows
        .iter()
        .map(|p| ProcessInput {
            id: p.id,
            name: p.name.clone(),
            tier: p.tier,
            min_percent: p.min_percent,
            section_minimums: p.minimums().clone(),
            seats_total: p.seats.max(0).unsigned_abs(),
            seats_taken: taken
                .iter()
                .find(|(id, _)| *id == p.id)
                .map(|(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
                .unwrap_or(0),
        })
        .collect();
    Ok((rows, inputs))
}

/// A counting attempt: id, person, percent, passed, submitted.
type CountingResult = (AttemptId, UserId, Option<f64>, Option<bool>, Option<NaiveDateTime>);

/// Each trainee's counting result on the exam, as the engine wants it.
pub fn trainee_inputs_for(
    conn: &mut DbConn,
    cohort_id: CohortId,
    assessment_id: AssessmentId,
    tie_break_sections: &[String],
) -> AppResult<(Vec<TraineeInput>, Vec<UserId>)> {
    let trainees: Vec<UserId> = cohort_trainees::table
        .filter(cohort_trainees::cohort_id.eq(cohort_id))
        .select(cohort_trainees::user_id)
        .load(conn)?;
    let results: Vec<CountingResult> = attempts::table
        .filter(attempts::assessment_id.eq(assessment_id))
        .filter(attempts::counting.eq(true))
        .filter(attempts::user_id.eq_any(&trainees))
        .select((
            attempts::id,
            attempts::user_id,
            attempts::percent,
            attempts::passed,
            attempts::submitted_at,
        ))
        .load(conn)?;
    let attempt_ids: Vec<AttemptId> = results.iter().map(|r| r.0).collect();
    let items: Vec<(AttemptId, String, Option<f64>, f64)> = attempt_items::table
        .filter(attempt_items::attempt_id.eq_any(&attempt_ids))
        .select((
            attempt_items::attempt_id,
            attempt_items::section,
            attempt_items::score,
            attempt_items::points,
        ))
        .load(conn)?;
    let current: HashMap<UserId, ProcessId> = placements::table
        .select((placements::trainee_id, placements::process_id))
        .load::<(UserId, ProcessId)>(conn)?
        .into_iter()
        .collect();
    let own_bands = super::adaptive::own_bands(conn, assessment_id, &attempt_ids)?.unwrap_or_default();
    let mut inputs = Vec::new();
    let mut examined = Vec::new();
    for (attempt, user, percent, passed, submitted) in results {
        let mut sections: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for (_, section, score, points) in items.iter().filter(|i| i.0 == attempt) {
            let e = sections.entry(section.clone()).or_default();
            e.0 += score.unwrap_or(0.0);
            e.1 += points;
        }
        let tie_break_score = sections
            .iter()
            .filter(|(s, _)| tie_break_sections.contains(s))
            .map(|(_, (s, _))| s)
            .sum();
        inputs.push(TraineeInput {
            id: user,
            percent: percent.unwrap_or(0.0),
            passed: passed.unwrap_or(false),
            sections: sections
                .into_iter()
                .map(|(s, (score, max))| (s, if max > 0.0 { 100.0 * score / max } else { 0.0 }))
                .collect(),
            tie_break_score,
            submitted_at: submitted.map(|t| t.and_utc().timestamp_millis()).unwrap_or(0),
            current_process_id: current.get(&user).copied(),
            own_band: own_bands.get(&attempt).copied(),
        });
        examined.push(user);
    }
    let not_examined = trainees.into_iter().filter(|t| !examined.contains(t)).collect();
    Ok((inputs, not_examined))
}

/// One person working in a process, as published routing placed them.
#[derive(Debug, Clone)]
pub struct PlacedPerson {
    pub process_id: ProcessId,
    pub trainee_id: UserId,
    pub full_name: String,
    pub since: NaiveDateTime,
}

/// Everyone placed in a process, by process and then name.
pub fn placed_people(conn: &mut DbConn) -> AppResult<Vec<PlacedPerson>> {
    use crate::db::schema::users;
    let rows: Vec<(ProcessId, UserId, String, NaiveDateTime)> = placements::table
        .inner_join(users::table.on(users::id.eq(placements::trainee_id)))
        .select((
            placements::process_id,
            placements::trainee_id,
            users::full_name,
            placements::since,
        ))
        .order((
            placements::process_id.asc(),
            users::full_name.asc(),
            placements::trainee_id.asc(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(process_id, trainee_id, full_name, since)| PlacedPerson {
            process_id,
            trainee_id,
            full_name,
            since,
        })
        .collect())
}

/// The cohort a run routes, as routing's pages name it. Routing reads the
/// cohort's name itself rather than import `training`, which sits above it
/// (training's pages show routing runs).
#[derive(Debug, Clone)]
pub struct CohortName {
    pub id: CohortId,
    pub name: String,
}

pub fn cohort_name(conn: &mut DbConn, id: CohortId) -> AppResult<CohortName> {
    let name = cohorts::table
        .find(id)
        .select(cohorts::name)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no cohort {id}.")))?;
    Ok(CohortName { id, name })
}
