//! A drive's interview competencies, each rated 1 to 5 against five written
//! anchors. A drive that has not set its own uses the five that KPO work
//! needs; once any scorecard of the drive is started they are fixed, so
//! every interviewer rates the same things.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{applications, drive_competencies, scorecards};
use crate::db::{DbConn, DriveId, Json};
use crate::error::{AppError, AppResult, ErrorDetail};

/// A competency and what each rating means, level 1 first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Competency {
    #[schema(max_length = 80, example = "Analytical reasoning")]
    pub name: String,
    /// Exactly five sentences: what a rating of 1, 2, 3, 4 and 5 means.
    #[schema(schema_with = anchors_schema)]
    pub anchors: Vec<String>,
}

/// Five sentences of at most `ANCHOR_MAX` characters each.
fn anchors_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(ANCHOR_MAX)),
        )
        .min_items(Some(5))
        .max_items(Some(5))
        .description(Some("What a rating of 1, 2, 3, 4 and 5 means, 1 first."))
        .build()
}

/// A drive's competencies, and whether they are the defaults.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::competency_set)]
pub struct CompetencySet {
    pub competencies: Vec<Competency>,
    /// True while the drive uses the default five.
    pub default: bool,
    /// True once a scorecard of the drive is started: the list is then fixed.
    pub fixed: bool,
}

/// What a recruiter sends to set a drive's competencies.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewCompetencies {
    #[schema(min_items = 1, max_items = 12)]
    pub competencies: Vec<Competency>,
}

pub const MAX_COMPETENCIES: usize = 12;
pub const NAME_MAX: usize = 80;
pub const ANCHOR_MAX: usize = 300;

fn competency(name: &str, anchors: [&str; 5]) -> Competency {
    Competency {
        name: name.into(),
        anchors: anchors.iter().map(|a| (*a).to_string()).collect(),
    }
}

/// The five competencies KPO work needs, with anchors an interviewer can
/// rate against.
pub fn defaults() -> Vec<Competency> {
    vec![
        competency(
            "Analytical reasoning",
            [
                "Could not break the case problem into parts; guessed at answers without reasons.",
                "Found some relevant facts but missed key steps or drew conclusions the facts do not support.",
                "Worked the problem through in a sensible order and reached a sound answer with some prompting.",
                "Structured the problem unprompted, checked the numbers and explained each step clearly.",
                "Structured the problem quickly, tested alternatives, spotted the hidden assumption and weighed the risks of each answer.",
            ],
        ),
        competency(
            "Domain knowledge",
            [
                "Could not explain the basic terms of their own field.",
                "Knew textbook definitions but could not apply them to a simple case.",
                "Applied the core ideas of the field correctly to a routine case.",
                "Applied the field to an unfamiliar case and named the rules or standards that govern it.",
                "Showed depth a client would pay for: current practice, edge cases and where the standard rules stop working.",
            ],
        ),
        competency(
            "Written communication",
            [
                "The writing sample was hard to follow, with frequent errors that change the meaning.",
                "Understandable, but disorganised, wordy or with errors a client would notice.",
                "Clear and correct, in a sensible order; would need light editing before a client saw it.",
                "Concise, well organised and accurate; could go to a client as written.",
                "Precise and persuasive: leads with the conclusion, fits the reader and leaves nothing ambiguous.",
            ],
        ),
        competency(
            "Spoken English",
            [
                "Could not hold the conversation without repeated help; often misunderstood questions.",
                "Held a simple conversation but struggled with follow-up questions or was often hard to understand.",
                "Understood every question and answered clearly, with occasional slips that did not block meaning.",
                "Spoke fluently and clearly at a natural pace and explained technical points simply.",
                "Fluent and confident under pressure; would be at ease leading a call with an overseas client.",
            ],
        ),
        competency(
            "Client orientation",
            [
                "Showed no sense of who the client is or why deadlines and accuracy matter to them.",
                "Recognised the client's needs when prompted, but put their own convenience first in the scenarios.",
                "Put the client's needs first in the scenarios and knew when to escalate a problem.",
                "Anticipated what the client would ask next and balanced quality, deadline and confidentiality well.",
                "Handled the difficult-client scenario with tact and judgment, protecting both the relationship and the work's quality.",
            ],
        ),
    ]
}

/// A drive's own competencies, or the defaults.
pub fn for_drive(conn: &mut DbConn, drive_id: DriveId) -> AppResult<CompetencySet> {
    let own: Vec<(String, Json<Vec<String>>)> = drive_competencies::table
        .filter(drive_competencies::drive_id.eq(drive_id))
        .order(drive_competencies::position.asc())
        .select((drive_competencies::name, drive_competencies::anchors))
        .load(conn)?;
    let fixed = started(conn, drive_id)?;
    Ok(if own.is_empty() {
        CompetencySet {
            competencies: defaults(),
            default: true,
            fixed,
        }
    } else {
        CompetencySet {
            competencies: own
                .into_iter()
                .map(|(name, anchors)| Competency {
                    name,
                    anchors: anchors.into_inner(),
                })
                .collect(),
            default: false,
            fixed,
        }
    })
}

/// The names alone, in order.
pub fn names(conn: &mut DbConn, drive_id: DriveId) -> AppResult<Vec<String>> {
    Ok(for_drive(conn, drive_id)?
        .competencies
        .into_iter()
        .map(|c| c.name)
        .collect())
}

/// Whether any scorecard of the drive exists.
fn started(conn: &mut DbConn, drive_id: DriveId) -> AppResult<bool> {
    let n: i64 = scorecards::table
        .inner_join(applications::table)
        .filter(applications::drive_id.eq(drive_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Every problem with a list of competencies, each naming where it is.
pub fn problems(list: &[Competency]) -> Vec<ErrorDetail> {
    let mut found = Vec::new();
    let mut say = |field: String, message: String| found.push(ErrorDetail::field(&field, message));
    if list.is_empty() || list.len() > MAX_COMPETENCIES {
        say(
            "competencies".into(),
            format!("Give from 1 to {MAX_COMPETENCIES} competencies."),
        );
    }
    for (i, c) in list.iter().enumerate() {
        let n = i + 1;
        let name = c.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            say(
                format!("competencies[{i}].name"),
                format!("Competency {n} needs a name of 1 to {NAME_MAX} characters."),
            );
        }
        if list
            .iter()
            .take(i)
            .any(|earlier| earlier.name.trim().eq_ignore_ascii_case(name))
        {
            say(
                format!("competencies[{i}].name"),
                format!("Competency {n} has the same name as one above it: “{name}”."),
            );
        }
        if c.anchors.len() != 5 {
            say(
                format!("competencies[{i}].anchors"),
                format!("Competency {n} needs exactly five anchors, one for each rating from 1 to 5."),
            );
        }
        for (level, anchor) in c.anchors.iter().enumerate() {
            let a = anchor.trim();
            if a.is_empty() || a.chars().count() > ANCHOR_MAX {
                say(
                    format!("competencies[{i}].anchors[{level}]"),
                    format!(
                        "Competency {n}: say what a rating of {} means, in 1 to {ANCHOR_MAX} characters.",
                        level + 1
                    ),
                );
            }
        }
    }
    found
}

/// Sets a drive's competencies, refusing once a scorecard is started.
pub fn set(conn: &mut DbConn, drive_id: DriveId, list: &[Competency]) -> AppResult<CompetencySet> {
    let found = problems(list);
    if !found.is_empty() {
        return Err(AppError::invalid(
            "Some competencies need fixing; each problem is listed.",
            found,
        ));
    }
    conn.transaction(|conn| {
        crate::drives::service::find(conn, drive_id)?;
        if started(conn, drive_id)? {
            return Err(AppError::conflict(
                "competencies_fixed",
                "Interviewers have started scorecards for this drive, so its competencies can no longer change.",
            ));
        }
        diesel::delete(drive_competencies::table.filter(drive_competencies::drive_id.eq(drive_id))).execute(conn)?;
        for (position, c) in list.iter().enumerate() {
            let anchors: Vec<String> = c.anchors.iter().map(|a| a.trim().to_string()).collect();
            diesel::insert_into(drive_competencies::table)
                .values((
                    drive_competencies::drive_id.eq(drive_id),
                    drive_competencies::position.eq(crate::convert::to_i32(position)),
                    drive_competencies::name.eq(c.name.trim()),
                    drive_competencies::anchors.eq(Json(anchors)),
                ))
                .execute(conn)?;
        }
        for_drive(conn, drive_id)
    })
}
